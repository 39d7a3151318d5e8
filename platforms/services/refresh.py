"""Refreshing connected accounts: token, profile, recent posts, audience, then the verified values.

One refresh (`connection_refresh`) runs like this:
1. **Claim** the row with a conditional update of `refresh_claimed_until` (connected, due, and not
   claimed, or claimed by the sweep that queued this very task). A second worker gets nothing and
   calls no platform. The lease outlasts Celery's time limit, so a dead worker's claim lapses.
2. **Wait** if the platform is cooling down (platforms.ratelimits): defer without calling.
3. **Token**: Instagram's 60-day token is refreshed when it expires within 10 days and is at least
   24 h old; TikTok's access token when it has expired or expires within 5 minutes (the refresh
   token rotates: the new one is stored at once). A TikTok token refused mid-read gets one refresh.
4. **Read** the profile, the newest 30 posts and, on Instagram with 100+ followers, the audience.
5. **Store** in one transaction: a MetricsSnapshot (platforms/metrics.py), the posts upserted, the
   verified values on the creator's SocialAccount (what they had typed stays in `self_reported`),
   the next refresh time, and a matching-change announcement. Thumbnails are copied afterwards.

Outcomes: a rate limit or an unavailable platform **defers** (claim released, `next_refresh_at`
moved by a jittered exponential backoff, `refresh_failures` + 1, `last_error` says why): the row
stays connected and due, so nothing is lost. A refused token **disconnects** (services.lifecycle).

Scheduling: every connected account at least weekly, and at least daily while its creator has a
live collaboration. Each account keeps a fixed phase (a stable hash of its id) in a 6-day cycle
(20 hours while live), its next refresh the first phase slot at least a day (4 hours) away: the
load spreads evenly over the cycle, and a refresh right after connecting or after a deferral is
never followed by another one minutes later. `refresh_due` (beat) queues what is due, in bounded
batches.
"""

import logging
import math
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from campaigns.models import Collaboration
from creators.models import MetricsSource, Platform, SocialAccount, tier_for_followers
from creators.signals import announce_matching_change
from marketplace.queueing import enqueue
from platforms import metrics, ratelimits, tasks
from platforms.clients import (
    InstagramClient,
    PlatformRefused,
    PlatformUnavailable,
    Post,
    Profile,
    RateLimited,
    TikTokClient,
    TokenGrant,
    TokenInvalid,
)
from platforms.clients import tiktok as tiktok_api
from platforms.crypto import TokenUnreadable
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from platforms.services.lifecycle import connection_mark_disconnected
from platforms.thumbnails import store_image

logger = logging.getLogger(__name__)

REFRESHED, SKIPPED, DEFERRED, DISCONNECTED = "refreshed", "skipped", "deferred", "disconnected"

# Longer than CELERY_TASK_TIME_LIMIT (300 s): a live refresh never loses its claim.
LEASE = timedelta(minutes=6)
# How long a row queued by `refresh_due` waits for its task before the next sweep queues it again.
QUEUE_LEASE = timedelta(minutes=30)
DUE_BATCH = 2000
# (cycle, minimum gap): refreshed at most a day apart while live, a week otherwise (gap + cycle).
LIVE_SCHEDULE = (timedelta(hours=20), timedelta(hours=4))
WEEKLY_SCHEDULE = (timedelta(days=6), timedelta(days=1))
INSTAGRAM_REFRESH_WITHIN = timedelta(days=10)
INSTAGRAM_MIN_TOKEN_AGE = timedelta(hours=24)
TIKTOK_REFRESH_WITHIN = timedelta(minutes=5)
AUDIENCE_MIN_FOLLOWERS = 100
THUMBNAILS_PER_REFRESH = 9

ERROR_MAX = PlatformConnection._meta.get_field("last_error").max_length
FAILURES_MAX = 32767  # PositiveSmallIntegerField


def backoff_base_seconds() -> float:
    return float(settings.PLATFORM_BACKOFF_BASE_SECONDS)


def backoff_max_seconds() -> float:
    return float(settings.PLATFORM_BACKOFF_MAX_SECONDS)


@dataclass(frozen=True)
class Pulled:
    profile: Profile
    posts: list[Post]
    audiences: dict[str, dict[str, int]] | None
    app_usage: int | None = None


# Scheduling


def next_refresh_at(connection_id: int, *, live: bool, now: datetime) -> datetime:
    """The account's next slot: a fixed phase (a stable hash of the id) of its cycle, the first
    one at least the minimum gap after `now`. So two refreshes are never closer than the gap, and
    never further apart than gap + cycle: a day while live, a week otherwise."""
    cycle, gap = (int(value.total_seconds()) for value in (LIVE_SCHEDULE if live else WEEKLY_SCHEDULE))
    phase = zlib.crc32(str(connection_id).encode()) % cycle
    earliest = math.ceil(now.timestamp()) + gap
    slot = -((phase - earliest) // cycle) * cycle + phase  # the first phase slot ≥ earliest
    return datetime.fromtimestamp(slot, tz=now.tzinfo or timezone.get_current_timezone())


def has_live_collaboration(profile_id: int) -> bool:
    return Collaboration.objects.filter(creator_id=profile_id, status__in=Collaboration.LIVE).exists()


def refresh_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Beat: queue a refresh for each connected account that is due and not claimed, oldest due
    first, at most `limit`. Each row is marked queued (its claim set to now + QUEUE_LEASE) so the
    next sweep does not queue it again while it waits; its task claims it by that mark."""
    now = now or timezone.now()
    free = Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lte=now)
    # A deactivated creator's account waits: nobody sees it, and it resumes when they are back.
    due = PlatformConnection.objects.filter(
        status=PlatformConnection.Status.CONNECTED, next_refresh_at__lte=now, profile__user__is_active=True
    )
    ids = list(due.filter(free).order_by("next_refresh_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    mark = now + QUEUE_LEASE
    due.filter(free, pk__in=ids).update(refresh_claimed_until=mark)
    marked = list(
        PlatformConnection.objects.filter(pk__in=ids, refresh_claimed_until=mark).values_list("pk", flat=True)
    )
    queued = 0
    for pk in marked:
        try:
            queued += enqueue(tasks.connection_refresh, pk, mark.isoformat())
        except Exception:  # run in-process, one failing refresh must not keep the rest waiting
            logger.exception("platforms.connection_refresh(%s) failed; the next sweep tries again", pk)
    return queued


# One refresh


def connection_claim(
    connection_id: int, *, now: datetime, queued_until: datetime | None = None
) -> datetime | None:
    """Claim the row for one refresh; returns the lease, or None when another worker has it or it
    is not due (then nothing else happens: no platform call)."""
    lease = now + LEASE
    free = Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lte=now)
    if queued_until is not None:
        free |= Q(refresh_claimed_until=queued_until)
    claimed = (
        PlatformConnection.objects.filter(
            pk=connection_id, status=PlatformConnection.Status.CONNECTED, next_refresh_at__lte=now
        )
        .filter(free)
        .update(refresh_claimed_until=lease)
    )
    return lease if claimed else None


def connection_refresh(connection_id: int, *, queued_until: str | datetime | None = None) -> str:
    """Refresh one connected account if it is due and nobody else is; returns the outcome."""
    now = timezone.now()
    if isinstance(queued_until, str):
        queued_until = datetime.fromisoformat(queued_until)
    lease = connection_claim(connection_id, now=now, queued_until=queued_until)
    if lease is None:
        return SKIPPED
    connection = PlatformConnection.objects.get(pk=connection_id)
    platform = connection.platform
    waiting = ratelimits.cooldown_remaining(platform)
    if waiting > 0:
        # No call made, so no failure counted; spread the wake-ups over a little more than the wait.
        seconds = waiting + ratelimits.backoff_seconds(1, base=min(waiting, 60), cap=60)
        _defer(connection, lease, seconds=seconds, error="", count_failure=False)
        return DEFERRED
    try:
        pulled = _pull(connection, now)
    except TokenInvalid as error:
        logger.info("Connection %s disconnected: %s", connection_id, error)
        connection_mark_disconnected(connection, error.reason)
        return DISCONNECTED
    except RateLimited as error:
        if error.answered_before:
            ratelimits.note_success(platform)  # the platform answered a moment ago: not "in a row"
        cooldown = ratelimits.note_rate_limited(
            platform, retry_after=error.retry_after, app_wide=error.app_wide
        )
        _defer(connection, lease, seconds=max(cooldown, error.retry_after or 0), error=str(error))
        return DEFERRED
    except (PlatformUnavailable, PlatformRefused) as error:
        _defer(connection, lease, error=str(error))
        return DEFERRED
    except TokenUnreadable:
        # A key was dropped before `platform_tokens_rotate` ran: staff must restore it; keep the row.
        logger.error("Connection %s: its token cannot be decrypted with the current keys", connection_id)
        _defer(connection, lease, error="The stored permission cannot be read (encryption key missing).")
        return DEFERRED
    except BaseException:
        _defer(connection, lease, error="The refresh stopped unexpectedly.")
        raise
    ratelimits.note_success(platform)
    ratelimits.note_usage(platform, pulled.app_usage)
    try:
        stored = _store(connection, lease, pulled, now)
    except BaseException:
        _defer(connection, lease, error="The refresh stopped unexpectedly.")
        raise
    if not stored:
        return SKIPPED  # disconnected (or taken over) while we were reading
    _copy_images(connection, pulled)
    return REFRESHED


def _defer(
    connection: PlatformConnection,
    lease: datetime,
    *,
    error: str,
    seconds: float | None = None,
    count_failure: bool = True,
) -> None:
    """Give the claim back and try again later; the row stays connected and due then."""
    backoff = ratelimits.backoff_seconds(
        connection.refresh_failures + 1, base=backoff_base_seconds(), cap=backoff_max_seconds()
    )
    fields: dict[str, Any] = {
        "refresh_claimed_until": None,
        "next_refresh_at": timezone.now()
        + timedelta(seconds=max(seconds or 0, backoff if count_failure else 0)),
    }
    if count_failure:
        fields["refresh_failures"] = Least(F("refresh_failures") + 1, Value(FAILURES_MAX))
        fields["last_error"] = f"{error} Kolabo will try again later."[:ERROR_MAX]
    PlatformConnection.objects.filter(pk=connection.pk, refresh_claimed_until=lease).update(**fields)


# Reading


def _store_tokens(connection: PlatformConnection, grant: TokenGrant, now: datetime) -> None:
    """Save a refreshed token at once: TikTok's old refresh token already stopped working."""
    connection.access_token = grant.access_token
    connection.token_issued_at = now
    connection.token_expires_at = now + timedelta(seconds=grant.expires_in) if grant.expires_in else None
    fields = {
        "access_token_encrypted": connection.access_token_encrypted,
        "token_issued_at": connection.token_issued_at,
        "token_expires_at": connection.token_expires_at,
    }
    if grant.refresh_token:
        connection.refresh_token = grant.refresh_token
        connection.refresh_token_expires_at = (
            now + timedelta(seconds=grant.refresh_expires_in) if grant.refresh_expires_in else None
        )
        fields["refresh_token_encrypted"] = connection.refresh_token_encrypted
        fields["refresh_token_expires_at"] = connection.refresh_token_expires_at
    if grant.scopes:
        connection.scopes = fields["scopes"] = grant.scopes[:300]
    PlatformConnection.objects.filter(pk=connection.pk, status=PlatformConnection.Status.CONNECTED).update(
        **fields
    )


def instagram_token_due(connection: PlatformConnection, now: datetime) -> bool:
    """Refresh when it expires within 10 days and is at least 24 h old (Instagram refuses younger)."""
    expires, issued = connection.token_expires_at, connection.token_issued_at
    if expires is None or expires - now > INSTAGRAM_REFRESH_WITHIN:
        return False
    return issued is None or now - issued >= INSTAGRAM_MIN_TOKEN_AGE


def tiktok_token_due(connection: PlatformConnection, now: datetime) -> bool:
    expires = connection.token_expires_at
    return expires is None or expires - now <= TIKTOK_REFRESH_WITHIN


def _pull(connection: PlatformConnection, now: datetime) -> Pulled:
    if connection.platform == Platform.INSTAGRAM:
        return _pull_instagram(connection, now)
    if connection.platform == Platform.TIKTOK:
        return _pull_tiktok(connection, now)
    raise PlatformRefused(f"Kolabo cannot refresh {connection.platform} accounts.")


def _pull_instagram(connection: PlatformConnection, now: datetime) -> Pulled:
    if connection.token_expires_at is not None and connection.token_expires_at <= now:
        raise TokenInvalid("The Instagram permission has expired.", reason=TokenInvalid.EXPIRED)
    if not connection.access_token:
        raise TokenInvalid("Kolabo holds no Instagram permission for this account.")
    client = InstagramClient(connection.access_token)
    if instagram_token_due(connection, now):
        try:
            grant = client.refresh_token()
        except PlatformRefused as refused:  # e.g. "token too new": the current one still works
            logger.warning("Connection %s: Instagram token not refreshed: %s", connection.pk, refused)
        else:
            _store_tokens(connection, grant, now)
            client = InstagramClient(grant.access_token)
    profile = client.profile()
    posts = client.recent_posts()
    audiences = client.audiences(profile.external_id) if profile.followers >= AUDIENCE_MIN_FOLLOWERS else None
    return Pulled(profile=profile, posts=posts, audiences=audiences, app_usage=client.app_usage)


def _tiktok_refresh(connection: PlatformConnection, now: datetime) -> str:
    expires = connection.refresh_token_expires_at
    if expires is not None and expires <= now:
        raise TokenInvalid("The TikTok permission has expired.", reason=TokenInvalid.EXPIRED)
    refresh_token = connection.refresh_token
    if not refresh_token:
        raise TokenInvalid("Kolabo holds no TikTok permission for this account.")
    grant = tiktok_api.refresh_token(refresh_token)
    _store_tokens(connection, grant, now)
    return grant.access_token


def _pull_tiktok(connection: PlatformConnection, now: datetime) -> Pulled:
    refreshed = tiktok_token_due(connection, now)
    token = _tiktok_refresh(connection, now) if refreshed else connection.access_token
    try:
        client = TikTokClient(token)
        profile, posts = client.profile(), client.recent_posts()
    except TokenInvalid:
        if refreshed:
            raise
        # Refused before its time (our clock, or TikTok's): one refresh, then the verdict stands.
        client = TikTokClient(_tiktok_refresh(connection, now))
        profile, posts = client.profile(), client.recent_posts()
    return Pulled(profile=profile, posts=posts, audiences=None)


# Storing


def _bounded(value: Decimal | None, field: str) -> Decimal | None:
    """A value within the snapshot column's digits (an absurd ratio must not fail the refresh)."""
    if value is None:
        return None
    model_field = MetricsSnapshot._meta.get_field(field)
    limit = Decimal(10) ** (model_field.max_digits - model_field.decimal_places) - Decimal(1).scaleb(
        -model_field.decimal_places
    )
    return max(-limit, min(limit, value))


def _snapshot(connection: PlatformConnection, pulled: Pulled, now: datetime) -> MetricsSnapshot:
    posts, followers = pulled.posts, pulled.profile.followers
    previous = connection.snapshots.order_by("-taken_at", "-id").values_list("followers", flat=True).first()
    medians = metrics.recent_medians(posts, now=now)
    audiences = pulled.audiences or {}
    return MetricsSnapshot.objects.create(
        connection=connection,
        taken_at=now,
        followers=followers,
        following=pulled.profile.following,
        media_count=pulled.profile.media_count,
        posts_counted=len(metrics.recent_posts(posts, now=now)),
        posts_last_90_days=metrics.posts_in_last_days(posts, now=now),
        median_likes=medians["likes"],
        median_comments=medians["comments"],
        median_views=medians["views"],
        engagement_rate=_bounded(
            metrics.engagement_rate(posts, followers=followers, now=now), "engagement_rate"
        ),
        engagement_spread=_bounded(metrics.engagement_spread(posts, now=now), "engagement_spread"),
        comments_per_like=_bounded(metrics.comments_per_like(posts, now=now), "comments_per_like"),
        follower_change=_bounded(metrics.follower_change(followers, previous), "follower_change"),
        audience_countries=metrics.audience_shares(audiences.get("country")),
        audience_cities=metrics.audience_shares(audiences.get("city")),
        audience_ages=metrics.audience_shares(audiences.get("age")),
        audience_genders=metrics.audience_shares(audiences.get("gender")),
    )


def _upsert_posts(connection: PlatformConnection, posts: list[Post], now: datetime) -> None:
    # Only what the list reports is overwritten: reach, saves (and Instagram's views and shares)
    # come from post insights, read when a deliverable is captured.
    updated = ["permalink", "media_type", "caption", "posted_at", "likes", "comments", "fetched_at"]
    if connection.platform == Platform.TIKTOK:
        updated += ["views", "shares"]
    PlatformPost.objects.bulk_create(
        [
            PlatformPost(
                connection=connection,
                external_id=post.external_id,
                permalink=post.permalink[:500],
                media_type=post.media_type[:30],
                caption=post.caption,
                posted_at=post.posted_at,
                likes=post.likes,
                comments=post.comments,
                views=post.views,
                shares=post.shares,
                fetched_at=now,
            )
            for post in {post.external_id: post for post in posts}.values()
        ],
        update_conflicts=True,
        unique_fields=["connection", "external_id"],
        update_fields=updated,
    )


def _apply_to_account(connection: PlatformConnection, snapshot: MetricsSnapshot, now: datetime) -> None:
    """The verified values win on the creator's SocialAccount; what they typed is kept once."""
    if connection.account_id is None:
        return
    from platforms.services.connections import self_reported_values

    account = SocialAccount.objects.select_for_update().get(pk=connection.account_id)
    if account.metrics_source == MetricsSource.SELF_REPORTED and not account.self_reported:
        account.self_reported = self_reported_values(account)
    followers = snapshot.followers
    account.followers = followers
    if snapshot.following is not None:
        account.following = snapshot.following
    if snapshot.media_count is not None:
        account.posts = snapshot.media_count
    # The medians of likes and comments stand for the "average" per post (robust to a viral post).
    if snapshot.median_likes is not None:
        account.avg_likes = min(snapshot.median_likes, followers * 10)  # the table's sanity rule
    if snapshot.median_comments is not None:
        account.avg_comments = snapshot.median_comments
    if snapshot.median_views is not None:
        account.avg_views = snapshot.median_views
    if snapshot.engagement_rate is not None:
        account.engagement_rate = min(snapshot.engagement_rate, Decimal(100))
    if snapshot.audience_countries:
        # The shape creators.services.social_accounts stores: [{"code", "pct"}], largest first.
        account.audience_countries = [
            {"code": entry["code"], "pct": entry["share"]} for entry in snapshot.audience_countries
        ]
    account.tier = tier_for_followers(followers)
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = now
    account.metrics_date = timezone.localdate(now)
    account.save(
        update_fields=[
            "self_reported",
            "followers",
            "following",
            "posts",
            "avg_likes",
            "avg_comments",
            "avg_views",
            "engagement_rate",
            "audience_countries",
            "tier",
            "metrics_source",
            "metrics_verified_at",
            "metrics_date",
            "updated_at",
        ]
    )


def _store(connection: PlatformConnection, lease: datetime, pulled: Pulled, now: datetime) -> bool:
    """Write what was read, if the row is still connected and still ours. Returns whether it was."""
    with transaction.atomic():
        row = (
            PlatformConnection.objects.select_for_update()
            .filter(pk=connection.pk, status=PlatformConnection.Status.CONNECTED, refresh_claimed_until=lease)
            .first()
        )
        if row is None:
            return False
        snapshot = _snapshot(row, pulled, now)
        _upsert_posts(row, pulled.posts, now)
        if pulled.profile.username:
            row.username = pulled.profile.username[:100]
        if pulled.profile.account_type:
            row.account_type = pulled.profile.account_type[:30]
        row.last_refreshed_at = now
        row.next_refresh_at = next_refresh_at(row.pk, live=has_live_collaboration(row.profile_id), now=now)
        row.refresh_claimed_until = None
        row.refresh_failures = 0
        row.last_error = ""
        row.save(
            update_fields=[
                "username",
                "account_type",
                "last_refreshed_at",
                "next_refresh_at",
                "refresh_claimed_until",
                "refresh_failures",
                "last_error",
                "updated_at",
            ]
        )
        _apply_to_account(row, snapshot, now)
        announce_matching_change(row.profile_id)
    return True


def _copy_images(connection: PlatformConnection, pulled: Pulled) -> None:
    """The profile picture once, and thumbnails of the best recent posts that have none yet.
    Downloaded first, then recorded in one transaction (one commit, not one per image)."""
    picture = ""
    if not connection.picture and pulled.profile.picture_url:
        picture = store_image(
            pulled.profile.picture_url, folder="platforms/pictures", name=f"{connection.pk}"
        )
    urls = {post.external_id: post.thumbnail_url for post in pulled.posts if post.thumbnail_url}
    missing = set(
        PlatformPost.objects.filter(
            connection=connection, thumbnail="", external_id__in=list(urls)
        ).values_list("external_id", flat=True)
        if urls
        else []
    )
    best = sorted(
        (post for post in pulled.posts if post.external_id in missing),
        key=lambda post: (-metrics.engagements(post), -post.posted_at.timestamp()),
    )[:THUMBNAILS_PER_REFRESH]
    thumbnails = {}
    for post in best:
        name = store_image(
            urls[post.external_id], folder="platforms/posts", name=f"{connection.pk}-{post.external_id}"
        )
        if name:
            thumbnails[post.external_id] = name
    if not picture and not thumbnails:
        return
    with transaction.atomic():
        if picture:
            PlatformConnection.objects.filter(pk=connection.pk, picture="").update(picture=picture)
        for external_id, name in thumbnails.items():
            PlatformPost.objects.filter(connection=connection, external_id=external_id, thumbnail="").update(
                thumbnail=name
            )
