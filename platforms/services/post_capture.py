"""Capturing a deliverable's published post from the creator's connected account, and its snapshots.

Publishing (campaigns.services.publishing) asks `post_for_deliverable` before it takes any lock:
- When the creator has a connected account on the deliverable's platform, the link must be one of
  that account's own posts, on the brief's platform, posted after the collaboration started, and not
  already used for another deliverable. The post is looked up among the account's stored posts, then
  asked of the platform (a post just published is newer than the last refresh). Anything else is
  refused with a `ValidationFailed` on "post_url" that says what to do.
- Otherwise (no connection on that platform, a platform Kolabo cannot connect, a story or a live that
  the platforms do not list) it answers None: the manual path, shown as unverified.

`caption_problems` checks the caption for the brief's required hashtags (each one, whole tags, any
case) and, when the brief asks for it, at least one of its disclosure hashtags.

Snapshots: publishing creates one `PostSnapshot` per moment (published, 24 h, 7 and 30 days) with
its due time, and takes the "published" one after commit. `post_snapshot_take` reads one: it claims
the row with a conditional update of `claimed_until`, so two workers never read the same one, and
gives the claim back on failure with `claimed_until` as "not before": a rate limit (or the
platform's cooldown in platforms.ratelimits), an unavailable platform or a dead token **defers**,
never loses it. A post the platform no longer has is recorded as taken, with the reason. Beat runs
`post_snapshots_take_due` every 15 minutes.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from creators.models import DeliverableFormat, Platform
from marketplace.errors import ValidationFailed
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
from platforms.clients.base import RECENT_POSTS, Post
from platforms.crypto import TokenUnreadable
from platforms.models import CONNECTABLE, PlatformConnection, PlatformPost, PostSnapshot

logger = logging.getLogger(__name__)

Moment = PostSnapshot.Moment
# When each snapshot is due, counted from the moment Kolabo recorded the publication.
MOMENTS = {
    Moment.PUBLISHED: timedelta(0),
    Moment.DAY_1: timedelta(days=1),
    Moment.DAY_7: timedelta(days=7),
    Moment.DAY_30: timedelta(days=30),
}
# Formats the platforms' post lists never show (stories vanish, lives are not posts): manual path.
UNLISTED_FORMATS = (DeliverableFormat.STORY, DeliverableFormat.LIVE)
VIDEO_FORMATS = (DeliverableFormat.REEL, DeliverableFormat.SHORT_VIDEO, DeliverableFormat.LONG_VIDEO)
# A carousel may hold a video; only a single photo is plainly not one.
PHOTO_MEDIA_TYPES = ("IMAGE",)
# Platforms give times to the second, and clocks differ a little.
STARTED_GRACE = timedelta(minutes=1)

TAKEN, SKIPPED, DEFERRED = "taken", "skipped", "deferred"
# Longer than CELERY_TASK_TIME_LIMIT (300 s): a live read never loses its claim.
LEASE = timedelta(minutes=6)
DUE_BATCH = 500
RETRY_SECONDS = 10 * 60
# A disconnected account may come back; look again twice a day meanwhile.
DISCONNECTED_RETRY_SECONDS = 12 * 60 * 60
ERROR_MAX = PostSnapshot._meta.get_field("error").max_length


# Links

# The hosts of the platforms a brief can name (any subdomain: www., m., vm.).
HOSTS = {
    "instagram.com": Platform.INSTAGRAM,
    "instagr.am": Platform.INSTAGRAM,
    "tiktok.com": Platform.TIKTOK,
    "youtube.com": Platform.YOUTUBE,
    "youtu.be": Platform.YOUTUBE,
    "x.com": Platform.X,
    "twitter.com": Platform.X,
    "facebook.com": Platform.FACEBOOK,
    "fb.com": Platform.FACEBOOK,
    "fb.watch": Platform.FACEBOOK,
    "threads.net": Platform.THREADS,
    "threads.com": Platform.THREADS,
}
# /p/<code>/, /reel/<code>/, /tv/<code>/, optionally after the account name (newer share links).
INSTAGRAM_PATH = re.compile(r"^/(?:[A-Za-z0-9._]+/)?(?:p|reel|reels|tv)/([A-Za-z0-9_-]+)$")
TIKTOK_PATH = re.compile(r"^/@([A-Za-z0-9._-]+)/(?:video|photo)/(\d+)$")
TIKTOK_SHORT_HOSTS = ("vm.tiktok.com", "vt.tiktok.com")


@dataclass(frozen=True)
class PostLink:
    """What a pasted link names: its platform (None for an unknown host) and, when it is a link to
    one post, the post's key (Instagram's shortcode, TikTok's video id)."""

    platform: str | None
    key: str = ""
    short: bool = False  # a short link (vm.tiktok.com/…) that only the platform's site resolves


def parse_post_link(url: str) -> PostLink:
    """Read a post link whatever its host variant (www., m.), trailing slashes or query string."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return PostLink(None)
    host = (parts.hostname or "").lower().rstrip(".")
    platform = next(
        (name for suffix, name in HOSTS.items() if host == suffix or host.endswith(f".{suffix}")), None
    )
    path = re.sub(r"/{2,}", "/", parts.path or "/").rstrip("/")
    if platform == Platform.INSTAGRAM:
        match = INSTAGRAM_PATH.match(path)
        return PostLink(platform, key=match.group(1) if match else "")
    if platform == Platform.TIKTOK:
        if host in TIKTOK_SHORT_HOSTS or path.startswith("/t/"):
            return PostLink(platform, short=True)
        match = TIKTOK_PATH.match(path)
        return PostLink(platform, key=match.group(2) if match else "")
    return PostLink(platform)


# Caption

HASHTAG = re.compile(r"#(\w+)")


def _tags(text: str) -> list[str]:
    """A brief's hashtags as stored ("#iklan #KopiNusantara"), each with its #."""
    tags = []
    for word in re.split(r"[\s,]+", text or ""):
        word = word.strip()
        if word and word.lstrip("#"):
            tags.append(word if word.startswith("#") else f"#{word}")
    return tags


def caption_problems(*, caption: str, campaign) -> list[dict[str, str]]:
    """What the caption lacks: [{"kind": "hashtag", "tag": "#x"}, {"kind": "disclosure", "tag":
    "#iklan #ad"}]. Hashtags match whole, whatever their case: #ad is not in #adventure."""
    present = {tag.casefold() for tag in HASHTAG.findall(caption or "")}
    problems = []
    for tag in _tags(campaign.required_hashtags):
        if tag.lstrip("#").casefold() not in present:
            problems.append({"kind": "hashtag", "tag": tag})
    if campaign.disclosure_required:
        options = _tags(campaign.disclosure_tags)
        if options and not any(option.lstrip("#").casefold() in present for option in options):
            problems.append({"kind": "disclosure", "tag": " ".join(options)})
    return problems


def missing_text(problems: list[dict[str, str]]) -> str:
    """The problems as hashtags only, the same in every language: "#KopiNusantara, #iklan / #ad"."""
    parts = []
    for problem in problems:
        tag = str(problem.get("tag", ""))
        parts.append(" / ".join(tag.split()) if problem.get("kind") == "disclosure" else tag)
    return ", ".join(part for part in parts if part)


# Finding the post


def live_connection(*, profile_id: int, platform: str) -> PlatformConnection | None:
    return (
        PlatformConnection.objects.filter(
            profile_id=profile_id, platform=platform, status=PlatformConnection.Status.CONNECTED
        )
        .order_by("-pk")
        .first()
    )


def _label(platform: str | None) -> str:
    return str(Platform(platform).label) if platform in Platform.values else ""


def _busy(platform: str) -> ValidationFailed:
    return ValidationFailed(
        _(
            "%(platform)s is not answering Kolabo right now, so the post cannot be checked. "
            "Try again in a few minutes."
        )
        % {"platform": _label(platform)},
        field="post_url",
    )


def _reconnect(platform: str) -> ValidationFailed:
    return ValidationFailed(
        _(
            "Your %(platform)s account's connection to Kolabo has stopped working, so the post cannot "
            "be checked. Connect the account again, then add the link."
        )
        % {"platform": _label(platform)},
        field="post_url",
    )


def _ready(connection: PlatformConnection) -> PlatformConnection:
    """The connection with a usable token. TikTok's access token lasts a day and its refresh token
    rotates, so only the refresh service renews it (under its own claim): run one now if due."""
    from platforms.services import refresh

    if connection.platform != Platform.TIKTOK or not refresh.tiktok_token_due(connection, timezone.now()):
        return connection
    PlatformConnection.objects.filter(
        pk=connection.pk, status=PlatformConnection.Status.CONNECTED, next_refresh_at__gt=timezone.now()
    ).update(next_refresh_at=timezone.now())
    outcome = refresh.connection_refresh(connection.pk)
    if outcome == refresh.DISCONNECTED:
        raise TokenInvalid("TikTok no longer accepts Kolabo's permission.")
    if outcome != refresh.REFRESHED:
        raise PlatformUnavailable("The account is being refreshed; try again shortly.")
    return PlatformConnection.objects.get(pk=connection.pk)


def _stored(connection: PlatformConnection, link: PostLink) -> PlatformPost | None:
    if connection.platform == Platform.TIKTOK:
        return connection.posts.filter(external_id=link.key).first()
    # Shortcodes are case-sensitive; LIKE may not be, so the parsed link decides.
    for post in connection.posts.filter(permalink__contains=f"/{link.key}"):
        if parse_post_link(post.permalink).key == link.key:
            return post
    return None


def _fetch(connection: PlatformConnection, link: PostLink) -> Post | None:
    """Ask the platform for the post among the account's own (raises the clients' errors)."""
    if connection.platform == Platform.TIKTOK:
        return TikTokClient(connection.access_token).post(link.key)
    client = InstagramClient(connection.access_token)
    try:
        posts = client.recent_posts(RECENT_POSTS)
    finally:
        ratelimits.note_usage(connection.platform, client.app_usage)
    return next((post for post in posts if parse_post_link(post.permalink).key == link.key), None)


def _save(connection: PlatformConnection, post: Post) -> PlatformPost:
    found, _created = PlatformPost.objects.update_or_create(
        connection=connection,
        external_id=post.external_id,
        defaults={
            "permalink": post.permalink[:500],
            "media_type": post.media_type[:30],
            "caption": post.caption,
            "posted_at": post.posted_at,
            "likes": post.likes,
            "comments": post.comments,
            "views": post.views,
            "shares": post.shares,
            "fetched_at": timezone.now(),
        },
    )
    return found


def _find(connection: PlatformConnection, link: PostLink) -> PlatformPost | None:
    from platforms.services.lifecycle import connection_mark_disconnected

    stored = _stored(connection, link)
    if stored is not None:
        return stored
    platform = connection.platform
    if ratelimits.cooldown_remaining(platform) > 0:
        raise _busy(platform)
    try:
        connection = _ready(connection)
        stored = _stored(connection, link)  # a refresh just ran: it may have stored the post
        if stored is not None:
            return stored
        fetched = _fetch(connection, link)
    except TokenInvalid as error:
        connection_mark_disconnected(connection, error.reason)
        raise _reconnect(platform) from None
    except TokenUnreadable:
        logger.error("Connection %s: its token cannot be decrypted with the current keys", connection.pk)
        raise _busy(platform) from None
    except RateLimited as error:
        ratelimits.note_rate_limited(platform, retry_after=error.retry_after, app_wide=error.app_wide)
        raise _busy(platform) from None
    except (PlatformUnavailable, PlatformRefused) as error:
        logger.warning("Connection %s: post lookup failed: %s", connection.pk, error)
        raise _busy(platform) from None
    ratelimits.note_success(platform)
    return _save(connection, fetched) if fetched is not None else None


def post_for_deliverable(*, deliverable, url: str) -> PlatformPost | None:
    """The creator's own post behind `url` for this deliverable, or None for the manual path.

    Call it without locks held: it may ask the platform. Raises ValidationFailed (field "post_url").
    """
    spec = deliverable.spec
    collaboration = deliverable.collaboration
    platform = spec.platform
    if platform not in CONNECTABLE or spec.format in UNLISTED_FORMATS:
        return None
    connection = live_connection(profile_id=collaboration.creator_id, platform=platform)
    if connection is None:
        if collaboration.campaign.requires_verified_accounts:
            # The brief promised the brand verified numbers: its posts must be verified too.
            raise ValidationFailed(
                _(
                    "This brief accepts only verified posts. Connect your %(platform)s account on "
                    "your profile (Connected accounts), then publish with the link of your post."
                )
                % {"platform": _label(platform)},
                field="post_url",
            )
        return None
    link = parse_post_link(url)
    wanted = {"platform": _label(platform), "format": str(spec.get_format_display()).lower()}
    if link.platform is not None and link.platform != platform:
        raise ValidationFailed(
            _(
                "This is a %(link)s link; this deliverable is for %(platform)s (%(format)s). "
                "Paste the link of your %(platform)s post."
            )
            % {"link": _label(link.platform), **wanted},
            field="post_url",
        )
    if link.short:
        raise ValidationFailed(
            _(
                "Short links cannot be checked. Open the post on %(platform)s and copy its full link "
                "(for example tiktok.com/@you/video/…)."
            )
            % wanted,
            field="post_url",
        )
    if not link.key:
        example = "instagram.com/p/…" if platform == Platform.INSTAGRAM else "tiktok.com/@you/video/…"
        raise ValidationFailed(
            _(
                "This is not a link to one %(platform)s post. Open the post and copy its link "
                "(for example %(example)s)."
            )
            % {**wanted, "example": example},
            field="post_url",
        )
    post = _find(connection, link)
    if post is None:
        raise ValidationFailed(
            _(
                "This post isn't on your connected %(platform)s account @%(username)s. "
                "Paste the link of your own post."
            )
            % {**wanted, "username": connection.username},
            field="post_url",
        )
    if post.posted_at < collaboration.created_at - STARTED_GRACE:
        raise ValidationFailed(
            _(
                "This post went up on %(posted)s, before the collaboration started on %(started)s. "
                "Publish the approved content as a new post and paste its link."
            )
            % {
                "posted": formats.date_format(timezone.localtime(post.posted_at), "DATETIME_FORMAT"),
                "started": formats.date_format(
                    timezone.localtime(collaboration.created_at), "DATETIME_FORMAT"
                ),
            },
            field="post_url",
        )
    if spec.format in VIDEO_FORMATS and post.media_type in PHOTO_MEDIA_TYPES:
        raise ValidationFailed(
            _(
                "This post is a photo; this deliverable is for %(platform)s (%(format)s). "
                "Paste the link of the video."
            )
            % wanted,
            field="post_url",
        )
    require_unused(post=post, deliverable=deliverable)
    return post


def require_unused(*, post: PlatformPost, deliverable) -> None:
    if post.deliverables.exclude(pk=deliverable.pk).exists():
        raise ValidationFailed(
            _("This post is already recorded for another deliverable. Each deliverable needs its own post."),
            field="post_url",
        )


def post_metrics(post: PlatformPost) -> dict[str, int | None]:
    """The deliverable's "metrics when published" from the platform's own numbers."""
    return {name: getattr(post, name) for name in ("views", "likes", "comments", "shares", "saves")}


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
        connection = _ready(connection)
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
