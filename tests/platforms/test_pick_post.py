"""Picking the published post from the connected account on the publish form, instead of pasting its
link (campaigns/forms/workspace.py PublishForm, platforms.selectors.publish_post_picker, and the
"Refresh my posts" read in campaigns/views/deliverables.py), against the emulator."""

import re
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CollaborationDeliverable
from creators.models import DeliverableFormat, Platform
from platforms import ratelimits
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from platforms.services import refresh
from tests.campaigns.factories import CampaignFactory, start_collaboration, submit_and_approve
from tests.creators.factories import CreatorProfileFactory
from tests.platforms.test_post_capture import GOOD_CAPTION, approved_deliverable, connect

pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status


@pytest.fixture(autouse=True)
def _clean_rate_limits_and_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # refreshes copy thumbnails
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)
    yield
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)


@pytest.fixture
def creator_profile(db):
    return CreatorProfileFactory(display_name="Kopi Creator")


@pytest.fixture
def reel(brand_org, brand_owner, creator_profile):
    """An approved Instagram reel owed by `creator_profile` (not connected yet)."""
    campaign = CampaignFactory(organization=brand_org, title="Kopi at sahur")
    return approved_deliverable(campaign, creator_profile, brand_owner)


def store_posts(connection):
    """Run the account's refresh now, as beat would: its newest posts become stored rows."""
    PlatformConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED


def workspace(client, deliverable):
    return client.get(reverse("campaigns:collaboration_detail", args=[deliverable.collaboration_id]))


def publish_form(response):
    (row,) = [row for row in response.context["rows"] if row.get("publish_form")]
    return row["publish_form"]


def choices(response):
    return [choice.permalink for choice in publish_form(response).post_choices]


def publish_url(deliverable):
    return reverse("campaigns:deliverable_publish", args=[deliverable.pk])


def unix(moment):
    return int(moment.timestamp())


# What is listed


def test_the_form_lists_own_posts_since_the_collaboration_started_newest_first(
    platforms, reel, creator_profile, client
):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    other_profile = CreatorProfileFactory(display_name="Rina")
    other = connect(platforms, other_profile, "instagram", "nano.rina")
    now = timezone.now()
    old = platforms.add_post(
        "instagram", "kopi.creator", media_product_type="REELS", timestamp=unix(now - timedelta(days=2))
    )
    first = platforms.add_post("instagram", "kopi.creator", caption="First", media_product_type="REELS")
    second = platforms.add_post(
        "instagram",
        "kopi.creator",
        caption=GOOD_CAPTION,
        media_product_type="REELS",
        timestamp=unix(now) + 5,
        likes=100_000,  # among the best posts, whose thumbnails a refresh copies
    )
    photo = platforms.add_post("instagram", "kopi.creator", media_product_type="FEED")
    foreign = platforms.add_post("instagram", "nano.rina", caption=GOOD_CAPTION, media_product_type="REELS")
    store_posts(own)
    store_posts(other)
    client.force_login(creator_profile.user)

    response = workspace(client, reel)

    # A photo cannot be a reel, and posts from before the collaboration are not its post.
    assert choices(response) == [second["permalink"], first["permalink"]]
    html = response.content.decode()
    assert "Your recent posts on Instagram @kopi.creator" in html
    assert 'name="refresh"' in html and "Refresh my posts" in html
    for permalink in (old["permalink"], photo["permalink"], foreign["permalink"]):
        assert permalink not in html
    # The numbers come from the platform, so only the link is asked besides the pick.
    form = publish_form(response)
    assert set(form.fields) == {"post", "post_url"} and not form.fields["post_url"].required
    # Stored thumbnails only (the page shows no image from the platform's servers).
    first_choice = form.post_choices[0]
    assert first_choice.thumbnail_url.startswith("/media/platforms/posts/")
    assert first_choice.caption == GOOD_CAPTION


def test_the_other_creator_sees_only_their_own_posts(
    platforms, brand_org, brand_owner, creator_profile, client
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    platforms.add_post("instagram", "kopi.creator", media_product_type="REELS")
    other_profile = CreatorProfileFactory(display_name="Rina")
    other = connect(platforms, other_profile, "instagram", "nano.rina")
    campaign = CampaignFactory(organization=brand_org, title="Another brief")
    theirs = approved_deliverable(campaign, other_profile, brand_owner)
    own = platforms.add_post("instagram", "nano.rina", media_product_type="REELS")
    store_posts(other)
    client.force_login(other_profile.user)

    assert choices(workspace(client, theirs)) == [own["permalink"]]


def test_without_a_connection_on_the_platform_the_form_is_as_before(platforms, reel, creator_profile, client):
    # A TikTok connection does not make an Instagram deliverable pickable.
    connect(platforms, creator_profile, "tiktok", "kopi.creator")
    client.force_login(creator_profile.user)

    response = workspace(client, reel)

    form = publish_form(response)
    assert "post" not in form.fields and form.fields["post_url"].required
    assert {"views", "likes", "comments", "shares", "saves"} <= set(form.fields)
    html = response.content.decode()
    assert 'data-testid="post-picker"' not in html and "Refresh my posts" not in html
    assert 'data-testid="emulator-link"' not in html


def test_posts_already_used_for_another_deliverable_are_left_out(
    platforms, brand_org, brand_owner, creator_profile, client, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org, deliverables=[(Platform.INSTAGRAM, DeliverableFormat.REEL, 2)]
    )
    collaboration = start_collaboration(campaign, creator_profile, by_user=brand_owner)
    first, second = collaboration.deliverables.order_by("pk")
    for deliverable in (first, second):
        submit_and_approve(deliverable, creator_profile.user, brand_owner)
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    used = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    free = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    store_posts(own)
    client.force_login(creator_profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(publish_url(first), {"post": used["permalink"]})
    first.refresh_from_db()
    assert first.status == D.PUBLISHED

    assert choices(workspace(client, second)) == [free["permalink"]]


# Picking


def test_picking_a_post_publishes_it_as_verified(
    platforms, reel, creator_profile, client, django_capture_on_commit_callbacks
):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post(
        "instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS", likes=640, views=9_800
    )
    store_posts(own)
    client.force_login(creator_profile.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(reel), {"post": post["permalink"], "likes": "99999"})

    assert response.status_code == 302
    reel.refresh_from_db()
    assert reel.status == D.PUBLISHED and reel.post_url == post["permalink"]
    assert reel.verified_post.external_id == post["id"]
    assert (reel.likes, reel.views) == (640, 9_800)  # the platform's numbers, never typed ones
    html = workspace(client, reel).content.decode()
    assert "Verified post" in html


def test_the_paste_field_still_works(
    platforms, reel, creator_profile, client, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    client.force_login(creator_profile.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(reel), {"post_url": post["permalink"]})

    assert response.status_code == 302
    reel.refresh_from_db()
    assert reel.verified_post.external_id == post["id"]


def test_neither_a_pick_nor_a_link_asks_for_one(platforms, reel, creator_profile, client):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    client.force_login(creator_profile.user)

    response = client.post(publish_url(reel), {})

    assert response.status_code == 400
    assert "Choose one of your posts above, or paste the link to your post." in response.content.decode()


def test_a_pick_and_a_different_link_are_refused(platforms, reel, creator_profile, client):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post("instagram", "kopi.creator", media_product_type="REELS")
    store_posts(own)
    client.force_login(creator_profile.user)

    response = client.post(
        publish_url(reel), {"post": post["permalink"], "post_url": "https://www.instagram.com/reel/Other/"}
    )

    assert response.status_code == 400
    assert "Choose one of your posts or paste a link, not both." in response.content.decode()
    reel.refresh_from_db()
    assert reel.status == D.APPROVED


def test_another_creators_post_cannot_be_injected_as_a_pick(
    platforms, reel, creator_profile, client, django_capture_on_commit_callbacks
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    other = connect(platforms, CreatorProfileFactory(display_name="Rina"), "instagram", "nano.rina")
    foreign = platforms.add_post("instagram", "nano.rina", caption=GOOD_CAPTION, media_product_type="REELS")
    store_posts(other)
    stored_foreign = PlatformPost.objects.get(external_id=foreign["id"])
    client.force_login(creator_profile.user)

    # Its link, as a forged radio value: the service looks only among the creator's own posts.
    response = client.post(publish_url(reel), {"post": foreign["permalink"]})

    assert response.status_code == 400
    assert (
        "This post isn&#x27;t on your connected Instagram account @kopi.creator." in response.content.decode()
    )
    # Its stored row's id is no link at all.
    response = client.post(publish_url(reel), {"post": str(stored_foreign.pk)})

    assert response.status_code == 400
    assert "Choose one of the posts listed." in response.content.decode()
    reel.refresh_from_db()
    assert (reel.status, reel.post_url, reel.verified_post_id) == (D.APPROVED, "", None)
    assert not stored_foreign.deliverables.exists()


def test_an_older_own_post_injected_as_a_pick_is_refused(platforms, reel, creator_profile, client):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    old = platforms.add_post(
        "instagram",
        "kopi.creator",
        media_product_type="REELS",
        timestamp=unix(timezone.now() - timedelta(days=2)),
    )
    store_posts(own)
    client.force_login(creator_profile.user)

    response = client.post(publish_url(reel), {"post": old["permalink"]})

    assert response.status_code == 400
    assert "before the collaboration started" in response.content.decode()
    reel.refresh_from_db()
    assert reel.status == D.APPROVED


# Refresh my posts


def test_refresh_lists_a_post_made_after_the_last_read_without_storing_anything(
    platforms, reel, creator_profile, client, django_capture_on_commit_callbacks
):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    store_posts(own)
    client.force_login(creator_profile.user)
    response = workspace(client, reel)
    assert choices(response) == []
    assert "No post on this account since the collaboration started" in response.content.decode()
    post = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")
    before = (PlatformPost.objects.count(), MetricsSnapshot.objects.count(), len(platforms.calls()))

    response = client.post(publish_url(reel), {"refresh": "1", "post_url": "typed"})

    assert response.status_code == 200
    assert choices(response) == [post["permalink"]]
    assert 'value="typed"' in response.content.decode()  # what was typed stays
    # One list call, nothing written: the refresh service's schedule and snapshots are untouched.
    calls = platforms.calls()[before[2] :]
    assert [call["endpoint"] for call in calls] == ["instagram.media_list"]
    assert (PlatformPost.objects.count(), MetricsSnapshot.objects.count()) == before[:2]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(publish_url(reel), {"post": post["permalink"]})

    assert response.status_code == 302
    reel.refresh_from_db()
    assert reel.verified_post.external_id == post["id"]


def test_refresh_renews_an_expired_tiktok_token_through_the_refresh_service(
    platforms, brand_org, brand_owner, creator_profile, client
):
    campaign = CampaignFactory(
        organization=brand_org,
        platforms=["tiktok"],
        deliverables=[(Platform.TIKTOK, DeliverableFormat.SHORT_VIDEO, 1)],
    )
    deliverable = approved_deliverable(campaign, creator_profile, brand_owner)
    connection = connect(platforms, creator_profile, "tiktok", "kopi.creator")
    PlatformConnection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now())
    video = platforms.add_post("tiktok", "kopi.creator", caption=GOOD_CAPTION)
    client.force_login(creator_profile.user)

    response = client.post(publish_url(deliverable), {"refresh": "1"})

    assert response.status_code == 200
    assert choices(response) == [video["share_url"]]
    connection.refresh_from_db()
    assert connection.is_connected and connection.token_expires_at > timezone.now()


def test_refresh_while_the_platform_is_rate_limited_says_so_and_keeps_the_stored_posts(
    platforms, reel, creator_profile, client
):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    post = platforms.add_post("instagram", "kopi.creator", media_product_type="REELS")
    store_posts(own)
    # Code 4: the whole app's budget is spent (X-App-Usage 100 %), so every worker pauses.
    platforms.fault("instagram", "rate_limit", code=4, endpoint="media_list")
    client.force_login(creator_profile.user)

    response = client.post(publish_url(reel), {"refresh": "1"})

    assert response.status_code == 200
    assert "Instagram is not answering Kolabo right now" in response.content.decode()
    assert choices(response) == [post["permalink"]]
    assert ratelimits.cooldown_remaining("instagram") > 0
    calls = len(platforms.calls())
    client.post(publish_url(reel), {"refresh": "1"})
    assert len(platforms.calls()) == calls  # cooling down: no call at all


def test_refresh_with_a_revoked_token_disconnects_and_falls_back_to_the_link(
    platforms, reel, creator_profile, client
):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    platforms.revoke_tokens("instagram", "kopi.creator")
    client.force_login(creator_profile.user)

    response = client.post(publish_url(reel), {"refresh": "1"})

    assert response.status_code == 200
    assert "connection to Kolabo has stopped working" in response.content.decode()
    own.refresh_from_db()
    assert not own.is_connected
    assert "post" not in publish_form(response).fields


def test_only_the_creator_can_make_kolabo_read_the_account(
    platforms, reel, creator_profile, brand_owner, client
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    client.force_login(brand_owner)
    before = len(platforms.calls())

    response = client.post(publish_url(reel), {"refresh": "1"})

    assert response.status_code == 403
    assert len(platforms.calls()) == before


# Query count


def test_the_choices_cost_one_query_whatever_their_number(platforms, reel, creator_profile, client):
    own = connect(platforms, creator_profile, "instagram", "kopi.creator")
    platforms.add_post("instagram", "kopi.creator", media_product_type="REELS")
    store_posts(own)
    client.force_login(creator_profile.user)
    workspace(client, reel)  # warm the session and content type caches
    with CaptureQueriesContext(db_connection) as one:
        assert len(choices(workspace(client, reel))) == 1
    start = timezone.now()
    for n in range(14):
        platforms.add_post("instagram", "kopi.creator", media_product_type="REELS", timestamp=unix(start) + n)
    store_posts(own)

    with CaptureQueriesContext(db_connection) as many:
        assert len(choices(workspace(client, reel))) == 12

    assert len(many.captured_queries) == len(one.captured_queries)
    picker_queries = [q["sql"] for q in many.captured_queries if "platforms_platformpost" in q["sql"]]
    assert len([sql for sql in picker_queries if re.search(r"LIMIT 12\b", sql)]) == 1


# The demo's link to the emulator


def test_the_demo_links_to_the_account_on_the_emulator(platforms, reel, creator_profile, client):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    client.force_login(creator_profile.user)
    link = f"{platforms.url}/instagram/@kopi.creator"

    for page in (workspace(client, reel), client.get(reverse("platforms:connections"))):
        html = page.content.decode()
        assert "Demo: post on the local emulator" in html and f'href="{link}"' in html


def test_no_emulator_link_when_kolabo_talks_to_the_real_platforms(
    platforms, reel, creator_profile, client, settings
):
    connect(platforms, creator_profile, "instagram", "kopi.creator")
    client.force_login(creator_profile.user)
    settings.INSTAGRAM_API_BASE = "https://api.instagram.com"
    assert (
        "Demo: post on the local emulator"
        not in client.get(reverse("platforms:connections")).content.decode()
    )

    del settings.PLATFORM_EMULATOR_URL  # production defines none
    for page in (workspace(client, reel), client.get(reverse("platforms:connections"))):
        assert "Demo: post on the local emulator" not in page.content.decode()
