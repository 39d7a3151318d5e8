"""Refreshing connected accounts against the emulator (platforms/services/refresh.py, lifecycle.py)."""

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from celery.signals import task_prerun
from cryptography.fernet import Fernet
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from campaigns.models import Collaboration
from creators.models import MetricsSource, SocialAccount
from creators.signals import matching_inputs_changed
from marketplace.celery import app as project_app
from marketplace.models import Notification
from platforms import metrics, ratelimits
from platforms.clients.base import Post
from platforms.crypto import decrypt_token
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from platforms.services import lifecycle, refresh
from platforms.services.verified_values import THUMBNAILS_PER_REFRESH
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import SocialAccountFactory
from tests.marketplace.test_broker_outage import broker_down  # noqa: F401
from tests.platforms.test_clients import grant_for

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_rate_limits(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)
    yield
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)


def connect(emulator, platform, username, **account_fields):
    """A connected row for the emulator account, linked to a SocialAccount with typed numbers."""
    grant = grant_for(emulator, platform, username)
    now = timezone.now()
    account = SocialAccountFactory(platform=platform, handle=username, **account_fields)
    connection = PlatformConnection(
        profile=account.profile,
        account=account,
        platform=platform,
        external_id=grant["external_id"],
        username=username,
        token_issued_at=now,
        token_expires_at=now + timedelta(seconds=grant["expires_in"]),
        next_refresh_at=now,
    )
    connection.access_token = grant["access_token"]
    if grant.get("refresh_token"):
        connection.refresh_token = grant["refresh_token"]
        connection.refresh_token_expires_at = now + timedelta(seconds=grant["refresh_expires_in"])
    connection.save()
    return connection


def calls(emulator, endpoint=None):
    return len(emulator.calls(endpoint=endpoint))


def expected_posts(emulator, platform, username):
    """The emulator's own view of the account's posts, as clients' Posts (for golden comparisons)."""
    return [
        Post(
            external_id=post["id"],
            permalink="-",
            posted_at=datetime.fromtimestamp(post["timestamp"], tz=UTC),
            likes=post["likes"],
            comments=post["comments"],
            views=post["views"] if platform == "tiktok" else None,
        )
        for post in emulator.account(platform, username)["posts"]
    ]


def make_due(connection):
    PlatformConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())


# A good refresh


def test_instagram_refresh_writes_verified_values_over_the_typed_ones(platforms):
    connection = connect(platforms, "instagram", "kopi.creator", followers=25_000, avg_likes=1_100)
    typed = SocialAccount.objects.get(pk=connection.account_id)

    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED

    connection.refresh_from_db()
    assert connection.refresh_claimed_until is None and connection.refresh_failures == 0
    assert connection.last_refreshed_at is not None
    assert (
        timezone.now() + timedelta(hours=23)
        < connection.next_refresh_at
        <= timezone.now() + timedelta(days=7)
    )
    snapshot = connection.latest_snapshot()
    assert snapshot.followers == 8400 and snapshot.following == 612
    assert snapshot.posts_counted == 30
    now = snapshot.taken_at
    seeded = expected_posts(platforms, "instagram", "kopi.creator")
    assert snapshot.engagement_rate == metrics.engagement_rate(seeded, followers=8400, now=now)
    assert snapshot.engagement_rate is not None
    assert snapshot.engagement_spread == metrics.engagement_spread(seeded, now=now)
    assert snapshot.comments_per_like == metrics.comments_per_like(seeded, now=now)
    assert snapshot.median_likes == metrics.recent_medians(seeded, now=now)["likes"]
    assert snapshot.follower_change is None  # no previous snapshot
    assert snapshot.audience_countries[0]["code"] == "ID"
    assert round(sum(entry["share"] for entry in snapshot.audience_countries), 1) == 100.0
    assert {entry["code"] for entry in snapshot.audience_genders} <= {"F", "M", "U"}
    assert snapshot.audience_cities and snapshot.audience_ages
    assert PlatformPost.objects.filter(connection=connection).count() == 30

    account = SocialAccount.objects.get(pk=connection.account_id)
    assert account.metrics_source == MetricsSource.VERIFIED
    assert account.metrics_verified_at == snapshot.taken_at
    assert account.metrics_date == timezone.localdate()
    assert (account.followers, account.following, account.posts) == (8400, 612, 45)
    assert account.avg_likes == snapshot.median_likes
    assert account.avg_comments == snapshot.median_comments
    assert account.engagement_rate == snapshot.engagement_rate
    assert account.tier == "nano"
    # The shape creators' own forms store: code and pct.
    assert account.audience_countries[0] == {"code": "ID", "pct": snapshot.audience_countries[0]["share"]}
    # What the creator typed is kept, never used over the verified values.
    assert account.self_reported["followers"] == typed.followers == 25_000
    assert account.self_reported["avg_likes"] == 1_100
    assert account.self_reported["engagement_rate"] == str(typed.engagement_rate)


def test_self_reported_values_are_copied_once(platforms):
    connection = connect(platforms, "instagram", "nano.rina", followers=5_000)
    refresh.connection_refresh(connection.pk)
    platforms.update_account("instagram", "nano.rina", followers=1_400)
    make_due(connection)
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    account = SocialAccount.objects.get(pk=connection.account_id)
    assert account.followers == 1_400
    assert account.self_reported["followers"] == 5_000
    # The follower jump between refreshes is recorded: 1,250 → 1,400 is +12 %.
    assert connection.latest_snapshot().follower_change == Decimal("12.00")


def test_refresh_announces_a_matching_change(platforms, django_capture_on_commit_callbacks):
    connection = connect(platforms, "instagram", "nano.rina")
    announced = []

    def listener(sender, profile_ids, **kwargs):
        announced.extend(profile_ids)

    matching_inputs_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            refresh.connection_refresh(connection.pk)
    finally:
        matching_inputs_changed.disconnect(listener)
    assert announced == [connection.profile_id]


def test_small_instagram_account_has_no_audience_and_is_not_a_failure(platforms):
    typed_audience = [{"code": "ID", "pct": 70.0}, {"code": "MY", "pct": 10.0}]
    connection = connect(
        platforms,
        "instagram",
        "tiny.account",
        followers=60,
        avg_likes=5,
        avg_comments=1,
        audience_countries=typed_audience,
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "instagram.account_insights") == 0
    snapshot = connection.latest_snapshot()
    assert snapshot.audience_countries == [] and snapshot.followers == 60
    # Instagram gives no audience below 100 followers: the typed one stays, the rest is verified.
    account = SocialAccount.objects.get(pk=connection.account_id)
    assert account.audience_countries == typed_audience
    assert account.followers == 60 and account.is_metrics_verified


def test_tiktok_refresh_reads_views_and_has_no_audience(platforms):
    connection = connect(platforms, "tiktok", "kopi.creator", followers=14_000, avg_likes=900)
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    snapshot = connection.latest_snapshot()
    seeded = expected_posts(platforms, "tiktok", "kopi.creator")
    assert snapshot.followers == 15_200
    assert snapshot.engagement_rate == metrics.engagement_rate(
        seeded, followers=15_200, now=snapshot.taken_at
    )
    assert snapshot.median_views == metrics.recent_medians(seeded, now=snapshot.taken_at)["views"]
    assert snapshot.audience_countries == []
    assert calls(platforms, "tiktok.refresh_token") == 0  # the access token is fresh
    account = SocialAccount.objects.get(pk=connection.account_id)
    assert account.avg_views == snapshot.median_views
    assert account.is_metrics_verified


def test_thumbnails_and_picture_are_copied_into_storage(platforms, settings):
    connection = connect(platforms, "instagram", "kopi.creator")
    refresh.connection_refresh(connection.pk)
    connection.refresh_from_db()
    assert connection.picture.name.startswith("platforms/pictures/")
    stored = PlatformPost.objects.filter(connection=connection).exclude(thumbnail="")
    assert stored.count() == THUMBNAILS_PER_REFRESH
    assert stored.first().thumbnail.read(8).startswith(b"\x89PNG")
    # The best posts by engagement get them first.
    best = PlatformPost.objects.filter(connection=connection).order_by("-likes")[:3]
    assert all(post.thumbnail for post in best)


def test_posts_are_upserted_not_duplicated(platforms):
    connection = connect(platforms, "tiktok", "nano.rina")
    refresh.connection_refresh(connection.pk)
    newest = PlatformPost.objects.filter(connection=connection).first()
    platforms.update_post(newest.external_id, likes=99_999)
    make_due(connection)
    refresh.connection_refresh(connection.pk)
    assert PlatformPost.objects.filter(connection=connection).count() == 12
    newest.refresh_from_db()
    assert newest.likes == 99_999


# Tokens


def test_instagram_token_is_refreshed_before_it_expires(platforms):
    connection = connect(platforms, "instagram", "kopi.creator")
    old_token = connection.access_token
    # 52 days later: the long-lived token expires in 8 days.
    platforms.advance_clock(52 * 86400)
    now = timezone.now()
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_issued_at=now - timedelta(days=52), token_expires_at=now + timedelta(days=8)
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "instagram.refresh_token") == 1
    connection.refresh_from_db()
    assert connection.access_token != old_token
    assert connection.token_expires_at > now + timedelta(days=59)
    assert connection.token_issued_at >= now


def test_instagram_token_far_from_expiry_or_too_new_is_left_alone(platforms):
    connection = connect(platforms, "instagram", "kopi.creator")
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    # Expiring soon, but issued an hour ago: Instagram would refuse, so Kolabo does not ask.
    now = timezone.now()
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_issued_at=now - timedelta(hours=1),
        token_expires_at=now + timedelta(days=3),
        next_refresh_at=now,
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "instagram.refresh_token") == 0


def test_tiktok_access_token_is_refreshed_and_the_rotated_refresh_token_stored(platforms):
    connection = connect(platforms, "tiktok", "kopi.creator")
    old_access, old_refresh = connection.access_token, connection.refresh_token
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=2)
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "tiktok.refresh_token") == 1
    connection.refresh_from_db()
    assert connection.access_token != old_access
    assert connection.refresh_token not in ("", old_refresh)
    assert connection.token_expires_at > timezone.now() + timedelta(hours=23)
    # The stored refresh token is the live one: the next refresh works.
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_expires_at=timezone.now() - timedelta(minutes=1), next_refresh_at=timezone.now()
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "tiktok.refresh_token") == 2


def test_tiktok_token_refused_early_gets_one_refresh(platforms):
    connection = connect(platforms, "tiktok", "nano.rina")
    platforms.expire_tokens("tiktok", "nano.rina", kind="access")  # TikTok's clock, not ours
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "tiktok.refresh_token") == 1


# Expiry and revocation


def notifications(connection):
    return Notification.objects.filter(recipient=connection.profile.user, kind__startswith="platform.")


@pytest.mark.parametrize(
    ("platform", "action", "reason", "kind"),
    [
        ("instagram", "expire", "expired", "platform.connection_expired"),
        ("instagram", "revoke", "revoked", "platform.connection_revoked"),
        ("tiktok", "revoke", "revoked", "platform.connection_revoked"),
        ("tiktok", "expire", "revoked", "platform.connection_revoked"),
    ],
)
def test_dead_token_disconnects_keeps_verified_values_and_tells_the_creator_once(
    platforms, django_capture_on_commit_callbacks, platform, action, reason, kind
):
    connection = connect(platforms, platform, "kopi.creator")
    refresh.connection_refresh(connection.pk)
    verified = SocialAccount.objects.get(pk=connection.account_id)
    getattr(platforms, f"{action}_tokens")(platform, "kopi.creator")
    make_due(connection)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert refresh.connection_refresh(connection.pk) == refresh.DISCONNECTED
    connection.refresh_from_db()
    assert connection.status == PlatformConnection.Status.DISCONNECTED
    assert connection.disconnect_reason == reason
    assert connection.access_token_encrypted == connection.refresh_token_encrypted == ""
    assert connection.disconnected_at is not None and connection.disconnect_notified_at is not None

    account = SocialAccount.objects.get(pk=connection.account_id)
    assert account.metrics_source == MetricsSource.VERIFIED
    assert account.metrics_verified_at == verified.metrics_verified_at
    assert account.followers == verified.followers and account.engagement_rate == verified.engagement_rate

    told = notifications(connection).get()
    assert told.kind == kind
    assert told.params["username"] == "kopi.creator"
    assert len(mail.outbox) == 1
    assert "kopi.creator" in mail.outbox[0].body

    # Again, from every direction: nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh.connection_refresh(connection.pk) == refresh.SKIPPED
        assert lifecycle.connection_mark_disconnected(connection, reason) is False
        assert lifecycle.connection_notify_disconnected(connection.pk) is False
        assert lifecycle.disconnect_notices_send_missed(now=timezone.now() + timedelta(hours=1)) == 0
    assert notifications(connection).count() == 1
    assert len(mail.outbox) == 1


def test_expired_by_our_clock_disconnects_without_calling(platforms):
    connection = connect(platforms, "instagram", "nano.rina")
    PlatformConnection.objects.filter(pk=connection.pk).update(
        token_expires_at=timezone.now() - timedelta(hours=1)
    )
    before = calls(platforms)
    assert refresh.connection_refresh(connection.pk) == refresh.DISCONNECTED
    assert calls(platforms) == before
    assert PlatformConnection.objects.get(pk=connection.pk).disconnect_reason == "expired"


def test_a_lost_notice_is_sent_by_the_sweep(platforms):
    connection = connect(platforms, "instagram", "nano.rina")
    # Disconnected, but the process died before the on-commit notice ran (no capture here).
    lifecycle.connection_mark_disconnected(connection, PlatformConnection.Reason.REVOKED)
    assert notifications(connection).count() == 0
    assert lifecycle.disconnect_notices_send_missed() == 0  # too recent: its own notice may still come
    assert lifecycle.disconnect_notices_send_missed(now=timezone.now() + timedelta(minutes=10)) == 1
    assert notifications(connection).count() == 1
    assert lifecycle.disconnect_notices_send_missed(now=timezone.now() + timedelta(minutes=10)) == 0


def test_a_disconnection_by_the_creator_is_not_notified(platforms):
    connection = connect(platforms, "instagram", "nano.rina")
    lifecycle.connection_mark_disconnected(connection, PlatformConnection.Reason.BY_CREATOR)
    assert lifecycle.connection_notify_disconnected(connection.pk) is False
    assert lifecycle.disconnect_notices_send_missed(now=timezone.now() + timedelta(hours=1)) == 0


# Rate limits and outages: deferred, never lost


@pytest.mark.parametrize(("platform", "code"), [("instagram", 17), ("instagram", 4), ("tiktok", None)])
def test_rate_limit_defers_and_a_later_refresh_succeeds(platforms, settings, platform, code):
    settings.PLATFORM_BACKOFF_BASE_SECONDS = 300
    connection = connect(platforms, platform, "kopi.creator")
    token = connection.access_token
    platforms.fault(platform, "rate_limit", count=1, code=code)

    before = timezone.now()
    assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    connection.refresh_from_db()
    assert connection.status == PlatformConnection.Status.CONNECTED
    assert connection.refresh_claimed_until is None
    assert before + timedelta(seconds=149) <= connection.next_refresh_at <= before + timedelta(seconds=301)
    assert connection.refresh_failures == 1
    assert "slow down" in connection.last_error and token not in connection.last_error
    assert not MetricsSnapshot.objects.filter(connection=connection).exists()
    # Not due yet: nobody refreshes it early.
    assert refresh.connection_refresh(connection.pk) == refresh.SKIPPED
    assert refresh.refresh_due() == 0

    # Later it is due again, and the refresh goes through.
    PlatformConnection.objects.filter(pk=connection.pk).update(next_refresh_at=timezone.now())
    assert refresh.refresh_due() == 1  # run in-process here
    connection.refresh_from_db()
    assert connection.refresh_failures == 0 and connection.last_error == ""
    assert connection.latest_snapshot() is not None


def test_backoff_grows_with_each_failure(platforms, settings):
    settings.PLATFORM_BACKOFF_BASE_SECONDS = 100
    connection = connect(platforms, "instagram", "nano.rina")
    for failures, longest in [(1, 100), (2, 200), (3, 400)]:
        platforms.fault("instagram", "error500", count=1)
        start = timezone.now()
        assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
        connection.refresh_from_db()
        assert connection.refresh_failures == failures
        assert start + timedelta(seconds=longest / 2 - 1) <= connection.next_refresh_at
        assert connection.next_refresh_at <= start + timedelta(seconds=longest + 1)
        assert "HTTP 500" in connection.last_error
        make_due(connection)


def test_timeout_defers(platforms, settings):
    settings.PLATFORM_TIMEOUT_SECONDS = 0.2
    connection = connect(platforms, "tiktok", "nano.rina")
    platforms.fault("tiktok", "timeout", count=1, seconds=1)
    assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    assert "No answer" in PlatformConnection.objects.get(pk=connection.pk).last_error


def test_app_wide_limits_pause_the_platform_for_every_account(platforms, settings):
    settings.PLATFORM_COOLDOWN_BASE_SECONDS = 60
    accounts = [connect(platforms, "tiktok", username) for username in ("kopi.creator", "nano.rina")]
    instagram = connect(platforms, "instagram", "nano.rina")
    platforms.fault("tiktok", "rate_limit", count=refresh.ratelimits.ESCALATE_AFTER)
    for _ in range(refresh.ratelimits.ESCALATE_AFTER):
        make_due(accounts[0])
        assert refresh.connection_refresh(accounts[0].pk) == refresh.DEFERRED
    assert ratelimits.cooldown_remaining("tiktok") > 0

    # The other TikTok account waits without a call; Instagram goes on.
    before = calls(platforms)
    assert refresh.connection_refresh(accounts[1].pk) == refresh.DEFERRED
    assert calls(platforms) == before
    waiting = PlatformConnection.objects.get(pk=accounts[1].pk)
    assert waiting.refresh_failures == 0 and waiting.next_refresh_at > timezone.now() + timedelta(seconds=20)
    assert refresh.connection_refresh(instagram.pk) == refresh.REFRESHED


def test_limits_between_answered_calls_are_not_in_a_row(platforms, settings):
    names = [f"scattered.{n}" for n in range(ratelimits.ESCALATE_AFTER + 1)]
    for name in names:
        platforms.add_account("instagram", name, followers=5000)
    connections = [connect(platforms, "instagram", name) for name in names]
    # Each account's profile answers, then its media list is refused: scattered, not a throttle.
    platforms.fault(
        "instagram", "rate_limit", count=ratelimits.ESCALATE_AFTER + 1, code=4, endpoint="media_list"
    )
    for connection in connections:
        assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    assert ratelimits.cooldown_remaining("instagram") == 0


def test_an_interrupted_read_resumes_where_it_stopped(platforms, settings):
    connection = connect(platforms, "instagram", "kopi.creator")
    platforms.fault("instagram", "rate_limit", count=1, code=17, endpoint="account_insights")
    assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    connection.refresh_from_db()
    # Profile and posts were answered before the refusal: progress, so no failure counted.
    assert connection.refresh_failures == 0 and "try again later" in connection.last_error
    before = {
        endpoint: calls(platforms, endpoint)
        for endpoint in ("instagram.profile", "instagram.media_list", "instagram.account_insights")
    }

    make_due(connection)
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    # Only the audience was asked again: all four breakdowns, the refused one included.
    assert calls(platforms, "instagram.profile") == before["instagram.profile"]
    assert calls(platforms, "instagram.media_list") == before["instagram.media_list"]
    assert calls(platforms, "instagram.account_insights") == before["instagram.account_insights"] + 4
    snapshot = MetricsSnapshot.objects.get(connection=connection)
    assert snapshot.audience_countries and snapshot.audience_genders and snapshot.engagement_rate is not None

    # The next refresh reads everything afresh: nothing is kept after a complete read.
    make_due(connection)
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    assert calls(platforms, "instagram.profile") == before["instagram.profile"] + 1


# Claims: one refresh at a time


def test_a_second_worker_gets_nothing_and_calls_nothing(platforms):
    connection = connect(platforms, "instagram", "kopi.creator")
    lease = refresh.connection_claim(connection.pk, now=timezone.now())  # worker A is refreshing
    assert lease is not None
    before = calls(platforms)
    assert refresh.connection_refresh(connection.pk) == refresh.SKIPPED  # worker B
    assert calls(platforms) == before
    assert refresh.refresh_due() == 0
    assert not MetricsSnapshot.objects.filter(connection=connection).exists()


def test_a_dead_workers_claim_lapses(platforms):
    connection = connect(platforms, "instagram", "nano.rina")
    PlatformConnection.objects.filter(pk=connection.pk).update(
        refresh_claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED


def test_a_refresh_that_finished_is_not_repeated_by_a_duplicate_task(platforms):
    connection = connect(platforms, "tiktok", "nano.rina")
    assert refresh.connection_refresh(connection.pk) == refresh.REFRESHED
    before = calls(platforms)
    assert refresh.connection_refresh(connection.pk) == refresh.SKIPPED
    assert calls(platforms) == before


@pytest.mark.usefixtures("broker_down")
def test_sweep_marks_rows_queued_and_only_its_task_claims_them(platforms):
    first = connect(platforms, "instagram", "kopi.creator")
    second = connect(platforms, "tiktok", "kopi.creator")

    # The broker is down: nothing is sent, but both rows are marked queued by this sweep.
    refresh.refresh_due()
    marks = dict(PlatformConnection.objects.values_list("pk", "refresh_claimed_until"))
    assert marks[first.pk] is not None and marks[first.pk] == marks[second.pk] > timezone.now()
    assert refresh.refresh_due() == 0  # queued already: not queued twice
    # A stray task without the mark (a duplicate, a manual call) cannot take a queued row.
    assert refresh.connection_refresh(first.pk) == refresh.SKIPPED
    mark = marks[first.pk].isoformat()
    assert refresh.connection_refresh(first.pk, queued_until=mark) == refresh.REFRESHED
    assert refresh.connection_refresh(first.pk, queued_until=mark) == refresh.SKIPPED

    # A queued task that never ran: after QUEUE_LEASE the next sweep (the broker back, tasks inline)
    # queues it again and it is refreshed once.
    project_app.set_current()
    later = timezone.now() + refresh.QUEUE_LEASE + timedelta(seconds=1)
    assert refresh.refresh_due(now=later) == 1
    second.refresh_from_db()
    assert second.last_refreshed_at is not None and second.snapshots.count() == 1


def test_refresh_due_is_bounded_and_skips_disconnected_rows_and_deactivated_creators(platforms):
    rows = [connect(platforms, "instagram", name) for name in ("kopi.creator", "nano.rina", "tiny.account")]
    lifecycle.connection_mark_disconnected(rows[2], PlatformConnection.Reason.BY_CREATOR)
    # Tasks run inline here: each queued row is refreshed, so it is not due again.
    assert refresh.refresh_due(limit=1) == 1
    assert refresh.refresh_due(limit=5) == 1
    assert refresh.refresh_due(limit=5) == 0
    assert all(row.snapshots.count() == 1 for row in rows[:2])

    # A deactivated creator's account is left alone until they are back.
    PlatformConnection.objects.filter(pk=rows[0].pk).update(next_refresh_at=timezone.now())
    user = rows[0].profile.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert refresh.refresh_due() == 0
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert refresh.refresh_due() == 1


# Scheduling


def test_next_refresh_keeps_a_stable_phase_within_the_cycle():
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    weekly = refresh.next_refresh_at(42, live=False, now=now)
    daily = refresh.next_refresh_at(42, live=True, now=now)
    assert now + timedelta(days=1) <= weekly <= now + timedelta(days=7)
    assert now + timedelta(hours=4) <= daily <= now + timedelta(days=1)
    # The same phase a cycle later, whenever within the cycle the refresh ran.
    assert refresh.next_refresh_at(42, live=False, now=weekly) == weekly + timedelta(days=6)
    assert refresh.next_refresh_at(42, live=False, now=weekly - timedelta(days=3)) == weekly
    assert refresh.next_refresh_at(42, live=True, now=daily) == daily + timedelta(hours=20)
    # Never sooner than the gap, never later than the bound, wherever `now` falls.
    for minutes in range(0, 7 * 24 * 60, 97):
        moment = now + timedelta(minutes=minutes)
        slot = refresh.next_refresh_at(7, live=False, now=moment)
        assert moment + timedelta(days=1) <= slot <= moment + timedelta(days=7)
        slot = refresh.next_refresh_at(7, live=True, now=moment)
        assert moment + timedelta(hours=4) <= slot <= moment + timedelta(days=1)
    # Ids spread over the cycle.
    slots = {refresh.next_refresh_at(pk, live=True, now=now).hour for pk in range(1, 200)}
    assert len(slots) >= 18


def test_live_collaboration_means_daily(platforms):
    connection = connect(platforms, "instagram", "nano.rina")
    Collaboration.objects.create(
        campaign=CampaignFactory(), creator=connection.profile, source="invitation", fee=0, currency="IDR"
    )
    refresh.connection_refresh(connection.pk)
    connection.refresh_from_db()
    assert connection.next_refresh_at <= timezone.now() + timedelta(days=1)


# Secrets


def test_tokens_never_reach_logs_or_errors(platforms, caplog):
    caplog.set_level(logging.DEBUG)
    connection = connect(platforms, "tiktok", "kopi.creator")
    tokens = (connection.access_token, connection.refresh_token)
    PlatformConnection.objects.filter(pk=connection.pk).update(token_expires_at=timezone.now())
    platforms.fault("tiktok", "error500", count=1, endpoint="user_info")
    assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    platforms.revoke_tokens("tiktok", "kopi.creator")
    make_due(connection)
    assert refresh.connection_refresh(connection.pk) == refresh.DISCONNECTED
    stored = PlatformConnection.objects.get(pk=connection.pk)
    for token in tokens:
        assert token not in caplog.text
        assert token not in stored.last_error


def test_instagram_tokens_never_reach_kolabos_logs_or_errors(platforms, caplog):
    caplog.set_level(logging.DEBUG, logger="platforms")
    connection = connect(platforms, "instagram", "kopi.creator")
    token = connection.access_token
    platforms.fault("instagram", "error500", count=1, endpoint="media_list")
    assert refresh.connection_refresh(connection.pk) == refresh.DEFERRED
    platforms.expire_tokens("instagram", "kopi.creator")
    make_due(connection)
    assert refresh.connection_refresh(connection.pk) == refresh.DISCONNECTED
    assert token not in caplog.text
    assert token not in PlatformConnection.objects.get(pk=connection.pk).last_error


def test_platform_tokens_rotate_re_encrypts_under_the_newest_key(platforms, settings):
    connection = connect(platforms, "tiktok", "nano.rina")
    access, refresh_token = connection.access_token, connection.refresh_token
    old_key = settings.PLATFORM_TOKEN_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PLATFORM_TOKEN_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("platform_tokens_rotate", stdout=out)
    assert "1 connections" in out.getvalue()
    settings.PLATFORM_TOKEN_KEYS = [new_key]  # the old key dropped
    stored = PlatformConnection.objects.get(pk=connection.pk)
    assert decrypt_token(stored.access_token_encrypted) == access
    assert decrypt_token(stored.refresh_token_encrypted) == refresh_token
    assert access not in out.getvalue()


# Batches: what refresh_due queues


def test_a_batch_gives_each_account_its_own_outcome_and_one_matching_announcement(
    platforms, django_capture_on_commit_callbacks
):
    throttled = connect(platforms, "instagram", "nano.rina")  # read first: ids in order
    fine = connect(platforms, "instagram", "kopi.creator")
    other = connect(platforms, "tiktok", "nano.rina")
    revoked = connect(platforms, "tiktok", "kopi.creator")
    platforms.revoke_tokens("tiktok", "kopi.creator")
    platforms.fault("instagram", "rate_limit", count=1, code=17, endpoint="profile")
    announced = []

    def listener(sender, profile_ids, **kwargs):
        announced.append(profile_ids)

    matching_inputs_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outcomes = refresh.connections_refresh([revoked.pk, fine.pk, throttled.pk, other.pk])
    finally:
        matching_inputs_changed.disconnect(listener)
    assert outcomes == {
        throttled.pk: refresh.DEFERRED,
        fine.pk: refresh.REFRESHED,
        other.pk: refresh.REFRESHED,
        revoked.pk: refresh.DISCONNECTED,
    }
    assert announced == [sorted([fine.profile_id, other.profile_id])]
    assert set(MetricsSnapshot.objects.values_list("connection_id", flat=True)) == {fine.pk, other.pk}
    throttled.refresh_from_db()
    assert throttled.status == PlatformConnection.Status.CONNECTED and throttled.refresh_failures == 1
    assert throttled.refresh_claimed_until is None and throttled.next_refresh_at > timezone.now()
    # A second delivery of the same batch finds nothing due: no call, no second snapshot.
    before = calls(platforms)
    assert set(refresh.connections_refresh([revoked.pk, fine.pk, throttled.pk, other.pk]).values()) == {
        refresh.SKIPPED
    }
    assert calls(platforms) == before and MetricsSnapshot.objects.count() == 2


def test_after_an_outage_the_batchs_other_accounts_on_that_platform_wait_without_a_call(platforms):
    first = connect(platforms, "instagram", "nano.rina")
    second = connect(platforms, "instagram", "kopi.creator")
    tiktok = connect(platforms, "tiktok", "nano.rina")
    platforms.fault("instagram", "error500", count=1, endpoint="profile")
    before = calls(platforms, "instagram.profile")
    outcomes = refresh.connections_refresh([first.pk, second.pk, tiktok.pk])
    assert outcomes == {first.pk: refresh.DEFERRED, second.pk: refresh.DEFERRED, tiktok.pk: refresh.REFRESHED}
    assert calls(platforms, "instagram.profile") == before + 1  # second was not asked
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.refresh_failures == 1 and second.refresh_failures == 0  # the outage counted once
    assert second.refresh_claimed_until is None and second.next_refresh_at > timezone.now()


def test_a_batch_out_of_time_gives_its_unread_rows_back_due(platforms, monkeypatch):
    rows = [connect(platforms, "instagram", name) for name in ("nano.rina", "kopi.creator")]
    monkeypatch.setattr(refresh, "BATCH_SECONDS", -1)  # the deadline has passed before the first read
    before = calls(platforms)
    outcomes = refresh.connections_refresh([row.pk for row in rows])
    assert outcomes == {row.pk: refresh.SKIPPED for row in rows}
    assert calls(platforms) == before
    for row in rows:
        row.refresh_from_db()
        assert row.refresh_claimed_until is None and row.next_refresh_at <= timezone.now()
    monkeypatch.undo()
    assert refresh.refresh_due() == 2  # the next sweep takes them (in-process here)
    assert MetricsSnapshot.objects.count() == 2


def test_refresh_due_queues_batches_of_refresh_batch_accounts(platforms, monkeypatch):
    names = [f"batch.{n}" for n in range(5)]
    for name in names:
        platforms.add_account("tiktok", name, followers=2000)
    rows = [connect(platforms, "tiktok", name) for name in names]
    monkeypatch.setattr(refresh, "REFRESH_BATCH", 2)
    ran = []

    def seen(sender=None, args=(), **kwargs):
        ran.append((sender.name, list(args[0]) if args else None))

    task_prerun.connect(seen)
    try:
        assert refresh.refresh_due() == 5  # run in-process here, each batch a task of its own
    finally:
        task_prerun.disconnect(seen)
    batches = [ids for name, ids in ran if name == "platforms.connections_refresh"]
    assert batches == [[r.pk for r in rows[:2]], [r.pk for r in rows[2:4]], [rows[4].pk]]
    assert MetricsSnapshot.objects.count() == 5


def test_a_cooldown_started_mid_batch_stops_the_batchs_next_calls(platforms, settings):
    settings.PLATFORM_COOLDOWN_BASE_SECONDS = 60
    names = [f"cool.{n}" for n in range(ratelimits.ESCALATE_AFTER + 1)]
    for name in names:
        platforms.add_account("tiktok", name, followers=3000)
    rows = [connect(platforms, "tiktok", name) for name in names]
    # Every call refused, so each account's first call is a strike; the last strike pauses TikTok.
    platforms.fault("tiktok", "rate_limit", count=ratelimits.ESCALATE_AFTER)
    before = len(platforms.calls(account=f"tiktok:{names[-1]}"))  # its authorisation
    outcomes = refresh.connections_refresh([row.pk for row in rows])
    assert set(outcomes.values()) == {refresh.DEFERRED}
    assert ratelimits.cooldown_remaining("tiktok") > 0
    assert len(platforms.calls(account=f"tiktok:{names[-1]}")) == before  # waited without a call
    last = PlatformConnection.objects.get(pk=rows[-1].pk)
    assert last.refresh_failures == 0 and last.next_refresh_at > timezone.now() + timedelta(seconds=20)
