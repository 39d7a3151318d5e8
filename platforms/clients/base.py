"""What both platform clients share: one HTTP session per process, the errors, the typed results.

Errors are Kolabo's own, worded for a log or a connection's `last_error`, and never carry a token:
- `TokenInvalid`: the platform no longer accepts the token (expired, revoked, app removed);
- `RateLimited`: the platform asked us to slow down; `retry_after` is its suggestion in seconds
  (or None), `app_wide` says whether the whole app is throttled rather than this one account, and
  `answered_before` how many calls of the same client went through just before;
- `PlatformUnavailable`: a timeout, no connection, a 5xx or an answer we cannot read: try later;
- `PlatformRefused`: any other refusal (bad parameters, a missing permission); the message says which.
"""

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from django.conf import settings


class PlatformError(Exception):
    """A platform call that did not give what we asked for. The message never holds a token."""


class TokenInvalid(PlatformError):
    EXPIRED = "expired"
    REVOKED = "revoked"

    def __init__(self, message: str, *, reason: str = REVOKED):
        super().__init__(message)
        self.reason = reason


class RateLimited(PlatformError):
    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        app_wide: bool = False,
        answered_before: int = 0,
    ):
        super().__init__(message)
        self.retry_after = retry_after
        self.app_wide = app_wide
        # Calls the same client had answered just before: the limit is then not "in a row".
        self.answered_before = answered_before


class PlatformUnavailable(PlatformError):
    pass


class PlatformRefused(PlatformError):
    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class TokenGrant:
    """A refreshed token; lifetimes in seconds from now (None: the platform did not say)."""

    access_token: str = field(repr=False)
    expires_in: int | None
    refresh_token: str = field(default="", repr=False)
    refresh_expires_in: int | None = None
    scopes: str = ""


@dataclass(frozen=True)
class Profile:
    external_id: str
    username: str
    name: str = ""
    account_type: str = ""
    picture_url: str = ""
    followers: int = 0
    following: int | None = None
    media_count: int | None = None


@dataclass(frozen=True)
class Post:
    external_id: str
    permalink: str
    posted_at: datetime
    media_type: str = ""
    caption: str = ""
    thumbnail_url: str = ""
    likes: int | None = None
    comments: int | None = None
    views: int | None = None
    shares: int | None = None
    saves: int | None = None
    reach: int | None = None


@dataclass(frozen=True)
class PostInsights:
    reach: int | None = None
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None


# Posts Kolabo reads per refresh (the verified engagement rate's window, docs/matching.md).
RECENT_POSTS = 30

_local = threading.local()


def session() -> requests.Session:
    """One keep-alive session per thread of each process: Celery's prefork children must not share
    a parent's sockets, and requests does not promise a Session is safe across threads (the
    refresh workers run a thread pool, docs/operations.md)."""
    pid = os.getpid()
    current = getattr(_local, "session", None)
    if current is None or _local.pid != pid:
        current = _local.session = requests.Session()
        _local.pid = pid
    return current


def timeout() -> float:
    return settings.PLATFORM_TIMEOUT_SECONDS


def send(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One HTTP call; a timeout or a broken connection becomes PlatformUnavailable (the URL's query,
    which may hold a token, is not repeated in the message)."""
    try:
        return session().request(method, url, timeout=timeout(), **kwargs)
    except requests.Timeout:
        raise PlatformUnavailable(f"No answer within {timeout():g} seconds.") from None
    except requests.RequestException as error:
        raise PlatformUnavailable(f"Could not connect ({type(error).__name__}).") from None


def json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformUnavailable(f"Unreadable answer (HTTP {response.status_code}).") from None


def header_json(response: requests.Response, name: str) -> dict:
    try:
        value = json.loads(response.headers.get(name) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def retry_after(response: requests.Response) -> float | None:
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def count(value: Any) -> int | None:
    """A platform count as an int, None when absent or unreadable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return None
