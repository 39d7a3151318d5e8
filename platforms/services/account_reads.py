"""Reading one connected account from its platform: the token first, then profile, posts, audience.

Instagram's 60-day token is refreshed when it expires within 10 days and is at least 24 h old;
TikTok's access token when it has expired or expires within 5 minutes (the refresh token rotates:
the new one is stored at once, as the old one already stopped working). A TikTok token refused
mid-read gets one refresh. Errors are the clients' own (platforms.clients): the caller decides.

A read stopped by a rate limit or an outage **resumes**: what was answered (profile, posts, each
audience breakdown) is kept in the cache for RESUME_WITHIN, and the next attempt asks only for the
rest. So a throttled platform is not asked the same questions again, and an Instagram refresh of six
calls is not restarted from the first one each time the fifth is refused. Losing the cache only
means reading everything again.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache

from creators.models import Platform
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
from platforms.clients.instagram import AUDIENCE_BREAKDOWNS
from platforms.models import PlatformConnection

logger = logging.getLogger(__name__)

INSTAGRAM_REFRESH_WITHIN = timedelta(days=10)
INSTAGRAM_MIN_TOKEN_AGE = timedelta(hours=24)
TIKTOK_REFRESH_WITHIN = timedelta(minutes=5)
AUDIENCE_MIN_FOLLOWERS = 100
RESUME_WITHIN = timedelta(minutes=15)


@dataclass(frozen=True)
class Pulled:
    profile: Profile
    posts: list[Post]
    audiences: dict[str, dict[str, int]] | None
    app_usage: int | None = None


@dataclass
class Progress:
    """What one account's interrupted read had already been told (never a token)."""

    external_id: str
    profile: Profile | None = None
    posts: list[Post] | None = None
    audiences: dict[str, dict[str, int]] = field(default_factory=dict)


def _progress_key(connection: PlatformConnection) -> str:
    return f"platforms:progress:{connection.pk}"


def progress_load(connections: list[PlatformConnection]) -> dict[int, Progress]:
    """What earlier interrupted reads of these accounts kept (one cache call for a whole batch);
    an account with nothing kept, or kept for another account behind the same row (reconnected
    since), starts afresh."""
    try:
        kept = cache.get_many([_progress_key(connection) for connection in connections])
    except Exception:  # the cache is down: read everything again
        logger.warning("Read progress unreadable; reading everything again", exc_info=True)
        kept = {}
    progress = {}
    for connection in connections:
        found = kept.get(_progress_key(connection))
        fresh = isinstance(found, Progress) and found.external_id == connection.external_id
        progress[connection.pk] = found if fresh else Progress(external_id=connection.external_id)
    return progress


def _progress_keep(connection: PlatformConnection, progress: Progress) -> None:
    try:
        cache.set(_progress_key(connection), progress, timeout=int(RESUME_WITHIN.total_seconds()))
    except Exception:
        logger.warning("Read progress of connection %s not kept", connection.pk, exc_info=True)


def _progress_forget(connection: PlatformConnection) -> None:
    try:
        cache.delete(_progress_key(connection))
    except Exception:
        logger.warning("Read progress of connection %s not cleared", connection.pk, exc_info=True)


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


def account_pull(connection: PlatformConnection, now: datetime, progress: Progress | None = None) -> Pulled:
    """Everything Kolabo reads for one account, resuming an interrupted read (see the docstring):
    `progress` as progress_load gave it (loaded here when not given)."""
    if connection.platform not in (Platform.INSTAGRAM, Platform.TIKTOK):
        raise PlatformRefused(f"Kolabo cannot refresh {connection.platform} accounts.")
    if progress is None:
        progress = progress_load([connection])[connection.pk]
    resumed = progress.profile is not None or progress.posts is not None or bool(progress.audiences)
    try:
        if connection.platform == Platform.INSTAGRAM:
            pulled = _pull_instagram(connection, now, progress)
        else:
            pulled = _pull_tiktok(connection, now, progress)
    except (RateLimited, PlatformUnavailable):
        _progress_keep(connection, progress)
        raise
    except BaseException:
        if resumed:
            _progress_forget(connection)
        raise
    if resumed:  # a read that kept nothing has nothing to clear (one cache call fewer per account)
        _progress_forget(connection)
    return pulled


def _read_profile_and_posts(client: InstagramClient | TikTokClient, progress: Progress) -> None:
    if progress.profile is None:
        progress.profile = client.profile()
    if progress.posts is None:
        progress.posts = client.recent_posts()


def _pull_instagram(connection: PlatformConnection, now: datetime, progress: Progress) -> Pulled:
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
    _read_profile_and_posts(client, progress)
    profile = progress.profile
    audiences = None
    if profile.followers >= AUDIENCE_MIN_FOLLOWERS:
        audiences = {}
        for breakdown in AUDIENCE_BREAKDOWNS:
            if breakdown not in progress.audiences:
                counts = client.audience(profile.external_id, breakdown)
                if counts is None:  # too few people to break down: Instagram gives none at all
                    audiences = None
                    break
                progress.audiences[breakdown] = counts
            audiences[breakdown] = progress.audiences[breakdown]
    return Pulled(profile=profile, posts=progress.posts, audiences=audiences, app_usage=client.app_usage)


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


def _pull_tiktok(connection: PlatformConnection, now: datetime, progress: Progress) -> Pulled:
    refreshed = tiktok_token_due(connection, now)
    token = _tiktok_refresh(connection, now) if refreshed else connection.access_token
    try:
        _read_profile_and_posts(TikTokClient(token), progress)
    except TokenInvalid:
        if refreshed:
            raise
        # Refused before its time (our clock, or TikTok's): one refresh, then the verdict stands.
        _read_profile_and_posts(TikTokClient(_tiktok_refresh(connection, now)), progress)
    return Pulled(profile=progress.profile, posts=progress.posts, audiences=None)
