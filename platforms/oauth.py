"""Connecting an account: the authorize URL, the `state` check, the code exchange, the first profile read.

The `state` is random and kept in the creator's session, bound to their user id and the platform,
for STATE_TTL_SECONDS; it is popped when the callback uses it, so a wrong, expired, replayed or
foreign state is refused before any code is exchanged, and a code can only attach an account to
the person who started the flow. The providers' own error messages are logged (never with a token)
and the creator is told what happened in Kolabo's words.
"""

import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from creators.models import Platform
from marketplace.errors import DomainError
from platforms import clients
from platforms.clients import tiktok

logger = logging.getLogger(__name__)

SCOPES = {
    Platform.INSTAGRAM: "instagram_business_basic,instagram_business_manage_insights",
    Platform.TIKTOK: "user.info.basic,user.info.profile,user.info.stats,video.list",
}
# Instagram's professional account types; a personal account cannot use Business Login.
PROFESSIONAL_ACCOUNT_TYPES = ("BUSINESS", "MEDIA_CREATOR")

STATE_TTL_SECONDS = 600
SESSION_KEY = "platforms_oauth_states"
# A creator may start a few flows in different tabs; older pending states beyond this are dropped.
MAX_PENDING_STATES = 5


class PlatformAuthError(DomainError):
    """Connecting failed; the message is Kolabo's own and safe to show."""

    code = "platform_auth_failed"
    default_message = _("The connection could not be completed. Please try again.")


@dataclass(frozen=True)
class TokenBundle:
    """What a code exchange gave: lifetimes in seconds from now (None: the platform did not say)."""

    access_token: str = field(repr=False)
    expires_in: int | None
    refresh_token: str = field(default="", repr=False)
    refresh_expires_in: int | None = None
    scopes: str = ""
    # Instagram's user_id, TikTok's open_id, as the token endpoint reported it.
    external_id: str = ""


# What the profile read gives: the refresh client's own type.
PlatformProfile = clients.Profile


# The state


def state_issue(request, *, platform: str, redirect_uri: str) -> str:
    """A new random state for this user and platform, kept in their session."""
    state = secrets.token_urlsafe(32)
    now = time.time()
    pending = {
        key: entry for key, entry in request.session.get(SESSION_KEY, {}).items() if entry["expires"] > now
    }
    for key in sorted(pending, key=lambda key: pending[key]["expires"])[: -MAX_PENDING_STATES + 1]:
        del pending[key]
    pending[state] = {
        "user": request.user.pk,
        "platform": platform,
        "redirect_uri": redirect_uri,
        "expires": now + STATE_TTL_SECONDS,
    }
    request.session[SESSION_KEY] = pending
    return state


def state_consume(request, *, platform: str, state: str) -> str:
    """Pop `state` from the session and check it; returns the redirect_uri it was issued with."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state, None) if state else None
    if entry is not None:
        request.session[SESSION_KEY] = pending
    if (
        entry is None
        or entry["user"] != request.user.pk
        or entry["platform"] != platform
        or entry["expires"] <= time.time()
    ):
        raise PlatformAuthError(
            _(
                "This connection attempt has expired or is not yours. "
                "Start again with the Connect button on your Connected accounts page."
            )
        )
    return entry["redirect_uri"]


# The authorize URL


def authorize_url(platform: str, *, redirect_uri: str, state: str) -> str:
    if platform == Platform.INSTAGRAM:
        query = {
            "client_id": settings.INSTAGRAM_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES[platform],
            "state": state,
        }
        return f"{settings.INSTAGRAM_AUTHORIZE_URL}?{urlencode(query)}"
    if platform == Platform.TIKTOK:
        query = {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "scope": SCOPES[platform],
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return f"{settings.TIKTOK_AUTHORIZE_URL}?{urlencode(query)}"
    raise ValueError(f"{platform} cannot be connected")


# HTTP


def _unreachable(platform: str) -> PlatformAuthError:
    return PlatformAuthError(
        _("Kolabo could not reach %(platform)s just now. Please try again in a few minutes.")
        % {"platform": Platform(platform).label}
    )


def _refused(platform: str) -> PlatformAuthError:
    return PlatformAuthError(
        _(
            "%(platform)s did not accept the connection. Please start again; "
            "if it keeps failing, contact Kolabo support."
        )
        % {"platform": Platform(platform).label}
    )


def _call(platform: str, step: str, method: str, url: str, **kwargs) -> dict[str, Any]:
    """One call; any transport failure, non-JSON body or error shape becomes a PlatformAuthError.

    Only the step, the status and the provider's error code are logged: the URL may carry a token.
    """
    try:
        response = requests.request(method, url, timeout=settings.PLATFORM_TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        logger.warning("%s %s: %s", platform, step, type(error).__name__)
        raise _unreachable(platform) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 500:
        logger.warning("%s %s: HTTP %s", platform, step, response.status_code)
        raise _unreachable(platform)
    if not isinstance(body, dict) or response.status_code >= 400 or _error_code(body):
        logger.warning(
            "%s %s refused: HTTP %s %s",
            platform,
            step,
            response.status_code,
            _error_code(body) if isinstance(body, dict) else "non-JSON body",
        )
        raise _refused(platform)
    return body


def _error_code(body: dict) -> str:
    """The error's code from any of the providers' shapes; "" when the body is a success."""
    error = body.get("error")
    if isinstance(error, dict):  # Graph, or TikTok's API envelope (code "ok" on success)
        code = str(error.get("code", ""))
        return "" if code == "ok" else code or "error"
    if error:  # TikTok's token endpoint
        return str(error)
    if body.get("error_type"):  # Instagram's OAuth endpoint
        return str(body.get("code") or body["error_type"])
    return ""


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# The code exchange


def code_exchange(platform: str, *, code: str, redirect_uri: str) -> TokenBundle:
    if platform == Platform.INSTAGRAM:
        return _instagram_exchange(code=code, redirect_uri=redirect_uri)
    if platform == Platform.TIKTOK:
        return _tiktok_exchange(code=code, redirect_uri=redirect_uri)
    raise ValueError(f"{platform} cannot be connected")


def _instagram_exchange(*, code: str, redirect_uri: str) -> TokenBundle:
    platform = Platform.INSTAGRAM
    body = _call(
        platform,
        "code exchange",
        "POST",
        f"{settings.INSTAGRAM_API_BASE}/oauth/access_token",
        data={
            "client_id": settings.INSTAGRAM_CLIENT_ID,
            "client_secret": settings.INSTAGRAM_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code": code,
        },
    )
    # Documented as {"data": [{...}]}; older answers were the object itself.
    short = body["data"][0] if isinstance(body.get("data"), list) and body["data"] else body
    if not short.get("access_token"):
        raise _refused(platform)
    permissions = short.get("permissions", "")
    if isinstance(permissions, list):
        permissions = ",".join(permissions)
    long_lived = _call(
        platform,
        "long-lived exchange",
        "GET",
        f"{settings.INSTAGRAM_GRAPH_BASE}/access_token",
        params={
            "grant_type": "ig_exchange_token",
            "client_secret": settings.INSTAGRAM_CLIENT_SECRET,
            "access_token": short["access_token"],
        },
    )
    if not long_lived.get("access_token"):
        raise _refused(platform)
    return TokenBundle(
        access_token=long_lived["access_token"],
        expires_in=_int(long_lived.get("expires_in")),
        scopes=permissions,
        external_id=str(short.get("user_id", "")),
    )


def _tiktok_exchange(*, code: str, redirect_uri: str) -> TokenBundle:
    platform = Platform.TIKTOK
    body = _call(
        platform,
        "code exchange",
        "POST",
        f"{settings.TIKTOK_API_BASE}/v2/oauth/token/",
        data={
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "client_secret": settings.TIKTOK_CLIENT_SECRET,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
        },
    )
    if not body.get("access_token"):
        raise _refused(platform)
    return TokenBundle(
        access_token=body["access_token"],
        expires_in=_int(body.get("expires_in")),
        refresh_token=body.get("refresh_token", ""),
        refresh_expires_in=_int(body.get("refresh_expires_in")),
        scopes=body.get("scope", ""),
        external_id=str(body.get("open_id", "")),
    )


# The profile, read right after the exchange (through the refresh's client)


def profile_fetch(platform: str, token_bundle: TokenBundle) -> PlatformProfile:
    try:
        profile = clients.client_for(platform, token_bundle.access_token).profile()
    except clients.PlatformUnavailable as error:
        logger.warning("%s profile: %s", platform, error)
        raise _unreachable(platform) from None
    except clients.PlatformError as error:
        logger.warning("%s profile: %s", platform, error)
        raise _refused(platform) from None
    if not profile.username:
        logger.warning("%s profile: no username in the answer", platform)
        raise _refused(platform)
    return profile


def token_revoke(platform: str, token: str) -> bool:
    """TikTok: withdraw the token (best effort). Instagram has no revoke endpoint for this flow."""
    if platform != Platform.TIKTOK or not token:
        return False
    try:
        tiktok.revoke(token)
    except clients.PlatformError as error:
        logger.warning("tiktok revoke: %s", error)
        return False
    return True
