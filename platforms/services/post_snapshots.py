"""A published deliverable's post snapshots: read at publication, then at 24 h, 7 and 30 days.

Publishing (campaigns.services.publishing) creates one `PostSnapshot` per moment with its due time,
and takes the "published" one after commit. `post_snapshot_take` reads one: it claims the row with a
conditional update of `claimed_until`, so two workers never read the same one, and gives the claim
back on failure with `claimed_until` as "not before": a rate limit (or the platform's cooldown in
platforms.ratelimits), an unavailable platform or a dead token **defers**, never loses it. A post
the platform no longer has is recorded as taken, with the reason. Beat runs
`post_snapshots_take_due` every 15 minutes.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from creators.models import Platform
from platforms import ratelimits
from platforms.clients import (
    InstagramClient,
    PlatformRefused,
    PlatformUnavailable,
    PostInsights,
    RateLimited,
    TikTokClient,
    TokenInvalid,
)
from platforms.crypto import TokenUnreadable
from platforms.models import PlatformConnection, PlatformPost, PostSnapshot
from platforms.services.post_capture import ready_connection

logger = logging.getLogger(__name__)

Moment = PostSnapshot.Moment
# When each snapshot is due, counted from the moment Kolabo recorded the publication.
MOMENTS = {
    Moment.PUBLISHED: timedelta(0),
    Moment.DAY_1: timedelta(days=1),
    Moment.DAY_7: timedelta(days=7),
    Moment.DAY_30: timedelta(days=30),
}
TAKEN, SKIPPED, DEFERRED = "taken", "skipped", "deferred"
# Longer than CELERY_TASK_TIME_LIMIT (300 s): a live read never loses its claim.
LEASE = timedelta(minutes=6)
DUE_BATCH = 500
RETRY_SECONDS = 10 * 60
# A disconnected account may come back; look again twice a day meanwhile.
DISCONNECTED_RETRY_SECONDS = 12 * 60 * 60
ERROR_MAX = PostSnapshot._meta.get_field("error").max_length


# Snapshots


def post_snapshots_schedule(*, deliverable, post: PlatformPost, published_at: datetime) -> PostSnapshot:
    """One row per moment, due from `published_at`; returns the "published" one (due now). Called
    inside the publishing transaction."""
    rows = PostSnapshot.objects.bulk_create(
        [
            PostSnapshot(deliverable=deliverable, post=post, moment=moment, due_at=published_at + after)
            for moment, after in MOMENTS.items()
        ]
    )
    return next(row for row in rows if row.moment == Moment.PUBLISHED)


def post_snapshot_claim(snapshot_id: int, *, now: datetime) -> datetime | None:
    """Claim a due, untaken snapshot; returns the lease, or None when someone else holds it, it was
    taken, it is not due, or it waits after a deferral."""
    lease = now + LEASE
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    claimed = (
        PostSnapshot.objects.filter(pk=snapshot_id, taken_at__isnull=True, due_at__lte=now)
        .filter(free)
        .update(claimed_until=lease)
    )
    return lease if claimed else None


def _defer(snapshot_id: int, lease: datetime, *, now: datetime, seconds: float, error: str) -> None:
    """Give the claim back; `claimed_until` becomes the time before which nobody tries again."""
    fields = {"claimed_until": max(now, timezone.now()) + timedelta(seconds=max(seconds, 1))}
    if error:
        fields["error"] = error[:ERROR_MAX]
    PostSnapshot.objects.filter(pk=snapshot_id, claimed_until=lease, taken_at__isnull=True).update(**fields)


def _retry_seconds() -> float:
    return ratelimits.backoff_seconds(1, base=RETRY_SECONDS, cap=RETRY_SECONDS)


class PostGone(Exception):
    """The platform no longer gives the post (deleted, or no longer the account's)."""


def _read(connection: PlatformConnection, post: PlatformPost) -> PostInsights:
    if connection.platform == Platform.TIKTOK:
        video = TikTokClient(connection.access_token).post(post.external_id)
        if video is None:
            raise PostGone("TikTok no longer lists this video on the account.")
        return PostInsights(
            views=video.views, likes=video.likes, comments=video.comments, shares=video.shares
        )
    client = InstagramClient(connection.access_token)
    try:
        return client.post_insights(post.external_id)
    finally:
        ratelimits.note_usage(connection.platform, client.app_usage)


def _store(
    snapshot: PostSnapshot, lease: datetime, insights: PostInsights, *, error: str, now: datetime
) -> bool:
    values = {
        "reach": insights.reach,
        "views": insights.views,
        "likes": insights.likes,
        "comments": insights.comments,
        "shares": insights.shares,
        "saves": insights.saves,
    }
    with transaction.atomic():
        stored = PostSnapshot.objects.filter(
            pk=snapshot.pk, claimed_until=lease, taken_at__isnull=True
        ).update(taken_at=now, claimed_until=None, error=error[:ERROR_MAX], **values)
        if not stored or error:
            return bool(stored)
        known = {name: value for name, value in values.items() if value is not None}
        PlatformPost.objects.filter(pk=snapshot.post_id).update(fetched_at=now, **known)
        if snapshot.moment == Moment.PUBLISHED:
            from campaigns.models import CollaborationDeliverable

            # "Metrics when published" are now the platform's numbers.
            known.pop("reach", None)
            if known:
                CollaborationDeliverable.objects.filter(
                    pk=snapshot.deliverable_id, verified_post_id=snapshot.post_id
                ).update(**known)
    return True


def post_snapshot_take(snapshot_id: int, *, now: datetime | None = None) -> str:
    """Read one due snapshot if nobody else is; returns TAKEN, SKIPPED or DEFERRED."""
    from platforms.services.lifecycle import connection_mark_disconnected

    now = now or timezone.now()
    lease = post_snapshot_claim(snapshot_id, now=now)
    if lease is None:
        return SKIPPED
    snapshot = PostSnapshot.objects.select_related("post__connection").get(pk=snapshot_id)
    owner = snapshot.post.connection
    platform = owner.platform
    waiting = ratelimits.cooldown_remaining(platform)
    if waiting > 0:
        # No call made; spread the wake-ups over a little more than the wait.
        _defer(
            snapshot_id,
            lease,
            now=now,
            seconds=waiting + ratelimits.backoff_seconds(1, base=60, cap=60),
            error="",
        )
        return DEFERRED
    connection = (
        PlatformConnection.objects.filter(
            platform=platform, external_id=owner.external_id, status=PlatformConnection.Status.CONNECTED
        )
        .order_by("-pk")
        .first()
    )
    if connection is None:
        _defer(
            snapshot_id,
            lease,
            now=now,
            seconds=DISCONNECTED_RETRY_SECONDS,
            error="The account is not connected to Kolabo; the numbers are read once it is again.",
        )
        return DEFERRED
    try:
        connection = ready_connection(connection)
        insights, error = _read(connection, snapshot.post), ""
    except TokenInvalid as failure:
        connection_mark_disconnected(connection, failure.reason)
        _defer(snapshot_id, lease, now=now, seconds=DISCONNECTED_RETRY_SECONDS, error=str(failure))
        return DEFERRED
    except RateLimited as failure:
        if failure.answered_before:
            ratelimits.note_success(platform)
        cooldown = ratelimits.note_rate_limited(
            platform, retry_after=failure.retry_after, app_wide=failure.app_wide
        )
        seconds = max(cooldown, failure.retry_after or 0, _retry_seconds())
        _defer(snapshot_id, lease, now=now, seconds=seconds, error=str(failure))
        return DEFERRED
    except (PlatformUnavailable, TokenUnreadable) as failure:
        _defer(snapshot_id, lease, now=now, seconds=_retry_seconds(), error=str(failure) or "Unavailable.")
        return DEFERRED
    except (PostGone, PlatformRefused) as failure:
        # Deleted by the creator, or refused for good: that is this moment's answer, kept as such.
        insights, error = PostInsights(), str(failure)
    except BaseException:
        _defer(
            snapshot_id, lease, now=now, seconds=_retry_seconds(), error="The reading stopped unexpectedly."
        )
        raise
    if not error:
        ratelimits.note_success(platform)
    _store(snapshot, lease, insights, error=error, now=now)
    return TAKEN


def post_snapshot_take_after_publish(snapshot_id: int) -> None:
    """Publishing's on-commit step: a failure never reaches the creator; the snapshot stays due."""
    try:
        post_snapshot_take(snapshot_id)
    except Exception:
        logger.exception("Post snapshot %s not taken at publication; the sweep takes it", snapshot_id)


def post_snapshots_take_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Beat: read the snapshots that are due and free, oldest due first; returns how many were taken.
    Each is claimed on its own, so sweeps running side by side never read one twice."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    ids = list(
        PostSnapshot.objects.filter(taken_at__isnull=True, due_at__lte=now)
        .filter(free)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    taken = 0
    for pk in ids:
        try:
            taken += post_snapshot_take(pk, now=now) == TAKEN
        except Exception:  # one bad row must not keep the rest waiting
            logger.exception("Post snapshot %s failed; the next sweep tries again", pk)
    return taken
