"""What both platform clients share: one HTTP session per process, the errors, the typed results.

Errors are Kolabo's own, worded for a log or a connection's `last_error`, and never carry a token:
- `TokenInvalid`: the platform no longer accepts the token (expired, revoked, app removed);
- `RateLimited`: the platform asked us to slow down; `retry_after` is its suggestion in seconds
  (or None), `app_wide` says whether the whole app is throttled rather than this one account, and
  `answered_before` how many calls of the same client went through just before;
- `PlatformUnavailable`: a timeout, no connection, a 5xx or an answer we cannot read: try later;
- `PlatformRefused`: any other refusal (bad parameters, a missing permission); the message says which.
"""

import functools
import json
import json as _json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import certifi
import requests
import urllib3
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

_pools: dict[tuple[int, str], urllib3.PoolManager] = {}
_pools_lock = threading.Lock()


def _pool(proxy: str) -> urllib3.PoolManager:
    """One keep-alive pool per process (and proxy), shared by its threads (urllib3's pools are
    thread-safe): Celery's prefork children must not share a parent's sockets. urllib3 directly,
    not requests: at hundreds of calls a second requests' per-call preparation (the environment's
    proxies, merged settings) was a third of a refresh worker's time."""
    key = (os.getpid(), proxy)
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                options = {
                    "num_pools": 16,
                    "maxsize": 32,
                    "retries": False,
                    "ca_certs": os.environ.get("REQUESTS_CA_BUNDLE") or certifi.where(),
                }
                pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
                _pools[key] = pool
    return pool


@functools.lru_cache(maxsize=64)
def _origin_proxy(origin: str) -> str:
    """The environment's proxy for an origin (HTTPS_PROXY, NO_PROXY…), looked up once; "" for none."""
    found = requests.utils.get_environ_proxies(origin)
    return found.get(urlsplit(origin).scheme) or found.get("all") or ""


def _proxy(url: str) -> str:
    parts = urlsplit(url)
    return _origin_proxy(f"{parts.scheme}://{parts.netloc}")


@dataclass(frozen=True)
class Answer:
    """A platform's HTTP answer, read whole (small JSON documents); headers are case-insensitive."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def timeout() -> float:
    return settings.PLATFORM_TIMEOUT_SECONDS


def _request(method: str, url: str, *, preload: bool, **kwargs: Any) -> urllib3.BaseHTTPResponse:
    try:
        return _pool(_proxy(url)).request(
            method, url, timeout=urllib3.Timeout(total=timeout()), preload_content=preload, **kwargs
        )
    except urllib3.exceptions.NewConnectionError:  # a ConnectTimeoutError too, but not a timeout
        raise PlatformUnavailable("Could not connect (NewConnectionError).") from None
    except urllib3.exceptions.TimeoutError:
        raise PlatformUnavailable(f"No answer within {timeout():g} seconds.") from None
    except urllib3.exceptions.HTTPError as error:
        raise PlatformUnavailable(f"Could not connect ({type(error).__name__}).") from None


def send(
    method: str,
    url: str,
    *,
    params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One HTTP call; a timeout or a broken connection becomes PlatformUnavailable (the URL's query,
    which may hold a token, is not repeated in the message). `data` is sent as a form, `json` as JSON."""
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    headers = dict(headers or {})
    body = None
    if json is not None:
        body = _json.dumps(json).encode()
        headers["Content-Type"] = "application/json"
    elif data is not None:
        body = urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = _request(method, url, preload=True, body=body, headers=headers)
    return Answer(response.status, response.headers, response.data)


def open_stream(url: str) -> urllib3.BaseHTTPResponse:
    """A GET whose body is read in chunks (downloads); the caller must `release_conn()` it."""
    return _request("GET", url, preload=False)


def json_body(response: Answer) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformUnavailable(f"Unreadable answer (HTTP {response.status_code}).") from None


def header_json(response: Answer, name: str) -> dict:
    try:
        value = json.loads(response.headers.get(name) or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def retry_after(response: Answer) -> float | None:
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
