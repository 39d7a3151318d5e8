"""Post capture for deliverables against the emulator (platforms/services/post_capture.py and the
publish service in campaigns/services/publishing.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CollaborationDeliverable
from campaigns.services import publishing
from creators.models import DeliverableFormat, Platform
from marketplace.errors import ValidationFailed
from marketplace.models import Notification
from payments.models import Payout
from platforms import ratelimits, tasks
from platforms.models import PlatformConnection, PostSnapshot
from platforms.services import post_capture, post_snapshots
from tests.campaigns.factories import CampaignFactory, start_collaboration, submit_and_approve
from tests.creators.factories import CreatorProfileFactory
from tests.marketplace.mfa_helpers import login_with_mfa
from tests.platforms.test_clients import grant_for

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status
Moment = PostSnapshot.Moment
GOOD_CAPTION = "Kopi tubruk at sahur #iklan #KopiNusantara"


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)
    yield
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)


def connect(emulator, profile, platform, username):
    """A connected row for the emulator account on `profile`, tokens from the real OAuth exchange."""
    grant = grant_for(emulator, platform, username)
    now = timezone.now()
    connection = PlatformConnection(
        profile=profile,
        platform=platform,
        external_id=grant["external_id"],
        username=username,
        account_type="MEDIA_CREATOR" if platform == Platform.INSTAGRAM else "",
        token_issued_at=now,
        token_expires_at=now + timedelta(seconds=grant["expires_in"]),
        next_refresh_at=now + timedelta(days=1),
    )
    connection.access_token = grant["access_token"]
    if grant.get("refresh_token"):
        connection.refresh_token = grant["refresh_token"]
        connection.refresh_token_expires_at = now + timedelta(seconds=grant["refresh_expires_in"])
    connection.save()
    return connection


@pytest.fixture
def creator_profile(db):
    return CreatorProfileFactory(display_name="Kopi Creator")


def approved_deliverable(campaign, profile, brand_owner):
    collaboration = start_collaboration(campaign, profile, by_user=brand_owner)
    deliverable = collaboration.deliverables.get()
    submit_and_approve(deliverable, profile.user, brand_owner)
    deliverable.refresh_from_db()
    return deliverable


@pytest.fixture
def reel(brand_org, brand_owner, creator_profile):
    """An approved Instagram reel owed by a creator whose Instagram @kopi.creator is connected."""
    campaign = CampaignFactory(organization=brand_org, title="Kopi at sahur")
    deliverable = approved_deliverable(campaign, creator_profile, brand_owner)
    return deliverable


def publish(deliverable, url, capture, **metrics):
    with capture(execute=True):
        return publishing.deliverable_publish(
            deliverable=deliverable, by_user=deliverable.collaboration.creator.user, post_url=url, **metrics
        )


def refused(deliverable, url, capture) -> str:
    with pytest.raises(ValidationFailed) as error:
        publish(deliverable, url, capture)
    assert error.value.field == "post_url"
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.post_url, deliverable.verified_post_id) == (D.APPROVED, "", None)
    assert not PostSnapshot.objects.filter(deliverable=deliverable).exists()
    return str(error.value.message)


def insight_calls(emulator):
    return len(emulator.calls(endpoint="instagram.media_insights"))


# Own post accepted


def test_own_post_is_verified_with_a_published_snapshot_and_three_due(
    platforms, reel, creator_profile, brand_owner, client, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post(
        "instagram",
        "kopi.creator",
        caption=GOOD_CAPTION,
        media_product_type="REELS",
        likes=640,
        comments=41,
        views=9_800,
        shares=33,
        saves=57,
        reach=7_200,
    )
    # The link as a phone shares it: m. host, no trailing slash, a tracking query.
    url = post["permalink"].replace("www.", "m.").rstrip("/") + "?igsh=abc123"

    deliverable = publish(reel, url, django_capture_on_commit_callbacks, likes=99_999)

    deliverable.refresh_from_db()
    assert deliverable.status == D.PUBLISHED
    assert deliverable.verified_post.external_id == post["id"]
    assert deliverable.caption_problems == []
    # The platform's numbers, not the typed ones.
    assert (deliverable.views, deliverable.likes, deliverable.comments) == (9_800, 640, 41)
    assert (deliverable.shares, deliverable.saves) == (33, 57)
    snapshots = {s.moment: s for s in PostSnapshot.objects.filter(deliverable=deliverable)}
    assert set(snapshots) == set(Moment.values)
    published = snapshots[Moment.PUBLISHED]
    assert published.taken_at is not None and published.claimed_until is None and not published.error
    assert (published.reach, published.views, published.likes) == (7_200, 9_800, 640)
    assert (published.comments, published.shares, published.saves) == (41, 33, 57)
    for moment, days in ((Moment.DAY_1, 1), (Moment.DAY_7, 7), (Moment.DAY_30, 30)):
        due = snapshots[moment]
        assert due.taken_at is None
        assert due.due_at == deliverable.published_at + timedelta(days=days)
    assert insight_calls(platforms) == 1
    assert not Notification.objects.filter(kind="deliverable.caption_problems").exists()

    # Both sides see the verified post and its numbers.
    for user in (creator_profile.user, brand_owner):
        client.force_login(user)
        html = client.get(reverse("campaigns:collaboration_detail", args=[deliverable.collaboration_id]))
        html = html.content.decode()
        assert "Verified post" in html and "Unverified" not in html
        assert 'data-testid="post-snapshots"' in html and "7200" in html
        assert "After 30 days" in html and "Not read yet" in html


def test_own_tiktok_video_is_found_even_with_an_expired_access_token(
    platforms, brand_org, brand_owner, creator_profile, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org,
        platforms=["tiktok"],
        deliverables=[(Platform.TIKTOK, DeliverableFormat.SHORT_VIDEO, 1)],
    )
    deliverable = approved_deliverable(campaign, creator_profile, brand_owner)
    connection = connect(platforms, creator_profile, "tiktok", "kopi.creator")
    # TikTok's access token lasts a day: the refresh service renews it (its refresh token rotates).
    PlatformConnection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now())
    video = platforms.add_post("tiktok", "kopi.creator", caption=GOOD_CAPTION, likes=120, views=4_000)

    publish(deliverable, video["share_url"] + "?is_from_webapp=1", django_capture_on_commit_callbacks)

    deliverable.refresh_from_db()
    assert deliverable.verified_post.external_id == video["id"]
    published = PostSnapshot.objects.get(deliverable=deliverable, moment=Moment.PUBLISHED)
    assert (published.likes, published.views) == (120, 4_000)
    assert PlatformConnection.objects.get(pk=connection.pk).token_expires_at > timezone.now()


# Refusals


def test_another_accounts_post_is_refused(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    foreign = platforms.add_post("instagram", "nano.rina", caption=GOOD_CAPTION, media_product_type="REELS")

    message = refused(reel, foreign["permalink"], django_capture_on_commit_callbacks)

    assert message == (
        "This post isn't on your connected Instagram account @kopi.creator. Paste the link of your own post."
    )


def test_the_publish_form_shows_the_refusal_next_to_the_link(platforms, reel, creator_profile, client):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    foreign = platforms.add_post("instagram", "nano.rina", caption=GOOD_CAPTION, media_product_type="REELS")
    client.force_login(creator_profile.user)

    response = client.post(
        reverse("campaigns:deliverable_publish", args=[reel.pk]), {"post_url": foreign["permalink"]}
    )

    assert response.status_code == 400
    assert (
        "This post isn&#x27;t on your connected Instagram account @kopi.creator." in response.content.decode()
    )
    reel.refresh_from_db()
    assert reel.status == D.APPROVED


def test_another_accounts_tiktok_video_is_refused(
    platforms, brand_org, brand_owner, creator_profile, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org,
        platforms=["tiktok"],
        deliverables=[(Platform.TIKTOK, DeliverableFormat.SHORT_VIDEO, 1)],
    )
    deliverable = approved_deliverable(campaign, creator_profile, brand_owner)
    connect(platforms, creator_profile, "tiktok", "kopi.creator")
    foreign = platforms.add_post("tiktok", "nano.rina", caption=GOOD_CAPTION)
    # Even dressed up with the creator's own name: the video id decides.
    url = foreign["share_url"].replace("@nano.rina", "@kopi.creator")

    message = refused(deliverable, url, django_capture_on_commit_callbacks)

    assert "isn't on your connected TikTok account @kopi.creator" in message


def test_a_link_to_another_platform_is_refused(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    before = len(platforms.calls())

    message = refused(
        reel,
        "https://www.tiktok.com/@kopi.creator/video/7300000000000000001",
        django_capture_on_commit_callbacks,
    )

    assert message == (
        "This is a TikTok link; this deliverable is for Instagram (reel). Paste the link of your Instagram post."
    )
    assert len(platforms.calls()) == before  # refused without asking the platform


def test_a_profile_link_and_a_photo_for_a_reel_are_refused(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    photo = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="FEED")

    assert "not a link to one Instagram post" in refused(
        reel, "https://www.instagram.com/kopi.creator/", django_capture_on_commit_callbacks
    )
    assert "This post is a photo" in refused(reel, photo["permalink"], django_capture_on_commit_callbacks)


def test_a_post_older_than_the_collaboration_is_refused(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    old = platforms.add_post(
        "instagram",
        "kopi.creator",
        caption=GOOD_CAPTION,
        media_product_type="REELS",
        timestamp=int((timezone.now() - timedelta(days=2)).timestamp()),
    )

    message = refused(reel, old["permalink"], django_capture_on_commit_callbacks)

    assert "before the collaboration started" in message


def test_one_post_cannot_serve_two_deliverables(
    platforms, brand_org, brand_owner, creator_profile, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org, deliverables=[(Platform.INSTAGRAM, DeliverableFormat.REEL, 2)]
    )
    collaboration = start_collaboration(campaign, creator_profile, by_user=brand_owner)
    first, second = collaboration.deliverables.all()
    for deliverable in (first, second):
        submit_and_approve(deliverable, creator_profile.user, brand_owner)
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    publish(first, post["permalink"], django_capture_on_commit_callbacks)

    assert "already recorded for another deliverable" in refused(
        second, post["permalink"], django_capture_on_commit_callbacks
    )


# Caption


def test_missing_disclosure_is_flagged_and_both_sides_told_once(
    platforms, reel, creator_profile, brand_owner, client, django_capture_on_commit_callbacks
):
    campaign = reel.collaboration.campaign
    campaign.required_hashtags = "#KopiNusantara"
    campaign.save(update_fields=["required_hashtags"])
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    # "#adventure" is not "#ad": tags match whole.
    post = platforms.add_post(
        "instagram", "kopi.creator", caption="Sahur #kopinusantara #adventure", media_product_type="REELS"
    )

    publish(reel, post["permalink"], django_capture_on_commit_callbacks)
    post_snapshots.post_snapshots_take_due(now=timezone.now() + timedelta(days=31))

    reel.refresh_from_db()
    assert reel.caption_problems == [{"kind": "disclosure", "tag": "#iklan #ad #sponsored"}]
    told = Notification.objects.filter(kind="deliverable.caption_problems")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [creator_profile.user_id, brand_owner.pk]
    )
    creator_note = told.get(recipient=creator_profile.user)
    assert "#iklan / #ad / #sponsored" in creator_note.text
    # Shown to both sides on the workspace before confirmation.
    for user in (creator_profile.user, brand_owner):
        client.force_login(user)
        html = client.get(reverse("campaigns:collaboration_detail", args=[reel.collaboration_id])).content
        assert "No disclosure hashtag: the brief asks for one of #iklan #ad #sponsored." in html.decode()


def test_missing_required_hashtag_is_flagged(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post(
        "instagram", "kopi.creator", caption="Sahur time #IKLAN", media_product_type="REELS"
    )

    publish(reel, post["permalink"], django_capture_on_commit_callbacks)

    reel.refresh_from_db()
    assert reel.caption_problems == [{"kind": "hashtag", "tag": "#KopiNusantara"}]
    assert Notification.objects.filter(kind="deliverable.caption_problems").count() == 2


@pytest.mark.parametrize(
    ("caption", "required", "disclosure_required", "problems"),
    [
        ("#iklan #KopiNusantara", "#iklan #KopiNusantara", True, []),
        ("#IKLAN, #kopinusantara!", "#iklan #KopiNusantara", True, []),
        ("#KopiNusantara2 #ad", "#KopiNusantara", True, [{"kind": "hashtag", "tag": "#KopiNusantara"}]),
        ("#sponsored", "", True, []),
        ("#sponsoredpost", "", True, [{"kind": "disclosure", "tag": "#iklan #ad #sponsored"}]),
        ("nothing", "", False, []),
        ("", "#a", False, [{"kind": "hashtag", "tag": "#a"}]),
    ],
)
def test_caption_problems(caption, required, disclosure_required, problems):
    campaign = CampaignFactory.build(required_hashtags=required, disclosure_required=disclosure_required)
    assert post_capture.caption_problems(caption=caption, campaign=campaign) == problems


@pytest.mark.parametrize(
    ("url", "platform", "key"),
    [
        ("https://www.instagram.com/p/C8xYz_12-ab/", "instagram", "C8xYz_12-ab"),
        ("https://instagram.com/reel/C8xYz_12-ab?igsh=1", "instagram", "C8xYz_12-ab"),
        ("http://m.instagram.com/tv/Abc//", "instagram", "Abc"),
        ("https://www.instagram.com/kopi.creator/p/Abc/", "instagram", "Abc"),
        ("https://www.instagram.com/kopi.creator/", "instagram", ""),
        ("https://www.tiktok.com/@kopi.creator/video/7301?lang=id", "tiktok", "7301"),
        ("https://m.tiktok.com/@kopi.creator/video/7301/", "tiktok", "7301"),
        ("https://youtu.be/abc", "youtube", ""),
        ("https://example.com/p/abc", None, ""),
    ],
)
def test_post_links_are_read_whatever_their_variant(url, platform, key):
    link = post_capture.parse_post_link(url)
    assert (link.platform, link.key) == (platform, key)


def test_a_tiktok_short_link_is_marked_short():
    assert post_capture.parse_post_link("https://vm.tiktok.com/ZSabc/").short


# Manual path


def test_without_a_connection_the_manual_path_stays_and_shows_unverified(
    platforms, reel, creator_profile, client, django_capture_on_commit_callbacks
):
    # A TikTok connection does not make an Instagram deliverable verifiable.
    connect(platforms, creator_profile, "tiktok", "kopi.creator")

    publish(reel, "https://www.instagram.com/p/anything/", django_capture_on_commit_callbacks, likes="900")

    reel.refresh_from_db()
    assert (reel.status, reel.verified_post_id, reel.likes) == (D.PUBLISHED, None, 900)
    assert reel.caption_problems == []
    assert not PostSnapshot.objects.filter(deliverable=reel).exists()
    assert platforms.calls(endpoint="instagram.media_list") == []
    client.force_login(creator_profile.user)
    html = client.get(
        reverse("campaigns:collaboration_detail", args=[reel.collaboration_id])
    ).content.decode()
    assert "Unverified (entered by the creator)" in html and 'data-testid="post-snapshots"' not in html


def test_a_brief_for_verified_accounts_refuses_the_manual_path(reel, django_capture_on_commit_callbacks):
    campaign = reel.collaboration.campaign
    campaign.requires_verified_accounts = True
    campaign.save(update_fields=["requires_verified_accounts"])

    message = refused(reel, "https://www.instagram.com/p/anything/", django_capture_on_commit_callbacks)

    assert "accepts only verified posts" in message


# Snapshots


def published_reel(emulator, reel, profile, capture):
    connect(emulator, profile, "instagram", "kopi.creator")
    post = emulator.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    publish(reel, post["permalink"], capture)
    return post


def test_a_due_snapshot_is_read_once_with_two_claimers(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    post = published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    platforms.update_post(post["id"], likes=2_000)
    day_1 = PostSnapshot.objects.get(deliverable=reel, moment=Moment.DAY_1)
    later = day_1.due_at + timedelta(minutes=1)
    before = insight_calls(platforms)

    # Worker A holds the claim; worker B (and a sweep) get nothing and call nobody.
    lease = post_snapshots.post_snapshot_claim(day_1.pk, now=later)
    assert lease is not None
    assert post_snapshots.post_snapshot_claim(day_1.pk, now=later) is None
    assert post_snapshots.post_snapshot_take(day_1.pk, now=later) == post_snapshots.SKIPPED
    assert post_snapshots.post_snapshots_take_due(now=later) == 0
    assert insight_calls(platforms) == before

    # A's claim lapses (it died): the next sweep reads it, once.
    after_lease = lease + timedelta(seconds=1)
    assert post_snapshots.post_snapshots_take_due(now=after_lease) == 1
    assert post_snapshots.post_snapshots_take_due(now=after_lease) == 0
    assert post_snapshots.post_snapshot_take(day_1.pk, now=after_lease) == post_snapshots.SKIPPED
    assert insight_calls(platforms) == before + 1
    day_1.refresh_from_db()
    assert day_1.taken_at == after_lease and day_1.likes == 2_000
    # Later moments wait for their time; the deliverable keeps the numbers at publication.
    assert PostSnapshot.objects.filter(deliverable=reel, taken_at__isnull=True).count() == 2
    reel.refresh_from_db()
    assert reel.likes != 2_000


def test_the_beat_task_reads_due_snapshots(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    PostSnapshot.objects.filter(deliverable=reel).update(due_at=timezone.now() - timedelta(minutes=1))

    assert tasks.post_snapshots_take_due.delay().get() == 3
    assert not PostSnapshot.objects.filter(deliverable=reel, taken_at__isnull=True).exists()


def test_a_rate_limit_defers_the_snapshot_and_never_loses_it(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    day_7 = PostSnapshot.objects.get(deliverable=reel, moment=Moment.DAY_7)
    later = day_7.due_at + timedelta(minutes=1)
    platforms.fault("instagram", "rate_limit", code=17, endpoint="media_insights")

    assert post_snapshots.post_snapshot_take(day_7.pk, now=later) == post_snapshots.DEFERRED

    day_7.refresh_from_db()
    assert day_7.taken_at is None
    assert day_7.claimed_until > timezone.now()  # not before then
    assert "slow down" in day_7.error
    post_snapshots.post_snapshots_take_due(now=later)  # reads the 24 h one, leaves this one waiting
    assert PostSnapshot.objects.get(pk=day_7.pk).taken_at is None
    assert post_snapshots.post_snapshots_take_due(now=day_7.claimed_until + timedelta(seconds=1)) == 1
    day_7.refresh_from_db()
    assert day_7.taken_at is not None and day_7.error == ""


def test_a_platform_cooldown_defers_without_calling(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    day_1 = PostSnapshot.objects.get(deliverable=reel, moment=Moment.DAY_1)
    ratelimits.note_rate_limited("instagram", retry_after=120, app_wide=True)
    before = insight_calls(platforms)

    assert post_snapshots.post_snapshot_take(day_1.pk, now=day_1.due_at) == post_snapshots.DEFERRED

    day_1.refresh_from_db()
    assert insight_calls(platforms) == before
    assert day_1.taken_at is None and day_1.claimed_until > timezone.now() + timedelta(seconds=60)


def test_publishing_stands_when_the_first_reading_fails_and_the_sweep_takes_it(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post(
        "instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS", reach=3_000
    )
    platforms.fault("instagram", "error500", endpoint="media_insights")

    publish(reel, post["permalink"], django_capture_on_commit_callbacks)

    reel.refresh_from_db()
    assert reel.status == D.PUBLISHED and reel.verified_post_id is not None
    published = PostSnapshot.objects.get(deliverable=reel, moment=Moment.PUBLISHED)
    assert published.taken_at is None and published.error
    assert post_snapshots.post_snapshots_take_due(now=published.claimed_until + timedelta(seconds=1)) == 1
    published.refresh_from_db()
    assert published.reach == 3_000


def test_a_deleted_post_is_recorded_as_such(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    post = published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    platforms.update_post(post["id"], deleted=True)
    day_1 = PostSnapshot.objects.get(deliverable=reel, moment=Moment.DAY_1)

    assert post_snapshots.post_snapshot_take(day_1.pk, now=day_1.due_at) == post_snapshots.TAKEN

    day_1.refresh_from_db()
    assert day_1.taken_at is not None and day_1.error and day_1.likes is None


def test_a_disconnected_account_defers_the_snapshot_until_it_is_back(
    platforms, reel, creator_profile, django_capture_on_commit_callbacks
):
    published_reel(platforms, reel, creator_profile, django_capture_on_commit_callbacks)
    connection = PlatformConnection.objects.get(profile=creator_profile)
    PlatformConnection.objects.filter(pk=connection.pk).update(status=PlatformConnection.Status.DISCONNECTED)
    day_1 = PostSnapshot.objects.get(deliverable=reel, moment=Moment.DAY_1)

    assert post_snapshots.post_snapshot_take(day_1.pk, now=day_1.due_at) == post_snapshots.DEFERRED

    day_1.refresh_from_db()
    assert day_1.taken_at is None and "not connected" in day_1.error
    assert day_1.claimed_until >= day_1.due_at + timedelta(hours=12)
    PlatformConnection.objects.filter(pk=connection.pk).update(status=PlatformConnection.Status.CONNECTED)
    assert post_snapshots.post_snapshots_take_due(now=day_1.claimed_until) == 1


# Payout evidence


def test_staff_see_the_verified_post_and_its_latest_numbers_on_the_payout(
    platforms, reel, creator_profile, brand_owner, payout_reviewer, client, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post(
        "instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS", reach=4_321
    )
    publish(reel, post["permalink"], django_capture_on_commit_callbacks)
    publishing.deliverable_confirm(deliverable=reel, by_user=brand_owner)
    payout = Payout.objects.get(collaboration=reel.collaboration)

    login_with_mfa(client, payout_reviewer)
    html = client.get(reverse("payments:payout_detail", args=[payout.pk])).content.decode()

    assert 'data-testid="post-evidence"' in html
    assert post["permalink"] in html and "@kopi.creator" in html and "4321" in html
    assert "Verified post" in html
