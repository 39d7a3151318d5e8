"""Capturing a deliverable's published post from the creator's connected account.

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

The post's snapshots after publication are in platforms.services.post_snapshots.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from creators.models import DeliverableFormat, Platform
from marketplace.errors import ValidationFailed
from platforms import ratelimits
from platforms.clients import (
    InstagramClient,
    PlatformRefused,
    PlatformUnavailable,
    RateLimited,
    TikTokClient,
    TokenInvalid,
    client_for,
)
from platforms.clients.base import RECENT_POSTS, Post
from platforms.crypto import TokenUnreadable
from platforms.models import CONNECTABLE, PlatformConnection, PlatformPost

logger = logging.getLogger(__name__)

# Formats the platforms' post lists never show (stories vanish, lives are not posts): manual path.
UNLISTED_FORMATS = (DeliverableFormat.STORY, DeliverableFormat.LIVE)
VIDEO_FORMATS = (DeliverableFormat.REEL, DeliverableFormat.SHORT_VIDEO, DeliverableFormat.LONG_VIDEO)
# A carousel may hold a video; only a single photo is plainly not one.
PHOTO_MEDIA_TYPES = ("IMAGE",)
# Platforms give times to the second, and clocks differ a little.
STARTED_GRACE = timedelta(minutes=1)


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


def ready_connection(connection: PlatformConnection) -> PlatformConnection:
    """The connection with a usable token. TikTok's access token lasts a day and its refresh token
    rotates, so only the refresh service renews it (under its own claim): run one now if due."""
    from platforms.services import refresh
    from platforms.services.account_reads import tiktok_token_due

    if connection.platform != Platform.TIKTOK or not tiktok_token_due(connection, timezone.now()):
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


def recent_posts_read(connection: PlatformConnection, *, limit: int) -> tuple[list[Post] | None, str]:
    """The account's newest posts read now, or None and why not (said to the creator). Used by the
    "Refresh my posts" button: one list call that stores nothing. Handles the platform's answers as
    `_find` does: no call while the platform cools down, rate limits and usage noted for every
    worker, a refused token disconnects the account."""
    from platforms.services.lifecycle import connection_mark_disconnected

    platform = connection.platform
    busy = _(
        "%(platform)s is not answering Kolabo right now, so your posts cannot be read. "
        "Try again in a few minutes, or paste the link of your post."
    ) % {"platform": connection.get_platform_display()}
    if ratelimits.cooldown_remaining(platform) > 0:
        return None, busy
    try:
        # A TikTok access token lasts a day; only the refresh service renews it (under its claim).
        connection = ready_connection(connection)
        client = client_for(platform, connection.access_token)
        try:
            posts = client.recent_posts(limit)
        finally:
            ratelimits.note_usage(platform, getattr(client, "app_usage", None))
    except TokenInvalid as error:
        connection_mark_disconnected(connection, error.reason)
        return None, _(
            "Your %(platform)s account's connection to Kolabo has stopped working. Connect it again "
            "on your profile (Connected accounts), or paste the link of your post."
        ) % {"platform": connection.get_platform_display()}
    except RateLimited as error:
        ratelimits.note_rate_limited(platform, retry_after=error.retry_after, app_wide=error.app_wide)
        return None, busy
    except (PlatformUnavailable, PlatformRefused, TokenUnreadable) as error:
        logger.warning("Connection %s: reading recent posts failed: %s", connection.pk, error)
        return None, busy
    ratelimits.note_success(platform)
    return posts, ""


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
        connection = ready_connection(connection)
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
