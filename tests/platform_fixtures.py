"""The local Instagram + TikTok emulator for the test session (python -m platform_emulator, a separate
process).

`platform_emulator` (session) starts it on a free port and yields a `PlatformEmulatorHandle`;
`platforms` (per test) resets it and points Django's INSTAGRAM_* and TIKTOK_* settings at it.
Tests drive it through the handle's control methods (the /_emulator/ API).
"""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pytest

from tests.emulator_process import emulator_running

INSTAGRAM_CLIENT_ID = "kolabo-ig-app"
INSTAGRAM_CLIENT_SECRET = "kolabo-ig-secret"
TIKTOK_CLIENT_KEY = "kolabo-tt-app"
TIKTOK_CLIENT_SECRET = "kolabo-tt-secret"
GRAPH_VERSION = "v23.0"

# The emulator is on loopback: never through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class PlatformEmulatorError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class PlatformEmulatorHandle:
    """The running emulator: where it is, the app's credentials, and its /_emulator/ control API."""

    instagram_client_id = INSTAGRAM_CLIENT_ID
    instagram_client_secret = INSTAGRAM_CLIENT_SECRET
    tiktok_client_key = TIKTOK_CLIENT_KEY
    tiktok_client_secret = TIKTOK_CLIENT_SECRET
    graph_version = GRAPH_VERSION

    def __init__(self, url):
        self.url = url

    def settings(self):
        """Django settings that point the app at this emulator (platform_spec.md's table)."""
        return {
            "PLATFORM_EMULATOR_URL": self.url,
            "INSTAGRAM_AUTHORIZE_URL": f"{self.url}/instagram/oauth/authorize",
            "INSTAGRAM_API_BASE": f"{self.url}/instagram-api",
            "INSTAGRAM_GRAPH_BASE": f"{self.url}/instagram-graph",
            "INSTAGRAM_GRAPH_VERSION": GRAPH_VERSION,
            "INSTAGRAM_CLIENT_ID": INSTAGRAM_CLIENT_ID,
            "INSTAGRAM_CLIENT_SECRET": INSTAGRAM_CLIENT_SECRET,
            "TIKTOK_AUTHORIZE_URL": f"{self.url}/tiktok/v2/auth/authorize/",
            "TIKTOK_API_BASE": f"{self.url}/tiktok-api",
            "TIKTOK_CLIENT_KEY": TIKTOK_CLIENT_KEY,
            "TIKTOK_CLIENT_SECRET": TIKTOK_CLIENT_SECRET,
        }

    def _call(self, method, path, payload=None, query=None):
        url = f"{self.url}/_emulator/{path}"
        query = {key: value for key, value in (query or {}).items() if value is not None}
        if query:
            url += "?" + urlencode(query)
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - loopback
        try:
            with _opener.open(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise PlatformEmulatorError(error.code, error.read().decode()) from None

    @staticmethod
    def _given(**fields):
        return {key: value for key, value in fields.items() if value is not None}

    def reset(self):
        """Back to the seed accounts and posts; forget tokens, codes, faults, calls; clock to now."""
        self._call("POST", "reset", {})

    def state(self):
        """{"now", "accounts", "tokens", "faults", "calls": {"total", "by_endpoint", "by_account"}, ...}."""
        return self._call("GET", "state")

    def calls(self, endpoint=None, account=None):
        """The call log, oldest first: [{seq, at, endpoint, account, target, status, fault}].
        `endpoint` like "instagram.media_insights"; `account` like "instagram:kopi.creator"."""
        return self._call("GET", "calls", query={"endpoint": endpoint, "account": account})["data"]

    def account(self, platform, username):
        """The account with its demographics (as counts) and its posts, newest first."""
        return self._call("GET", f"accounts/{platform}/{quote(username)}")

    def add_account(self, platform, username, followers, **fields):
        """fields: following, account_type, name, biography, audience ({breakdown: {key: weight}}),
        posts (a number of generated posts, or a list of post dicts). Returns the account and posts."""
        return self._call(
            "POST", "accounts", {"platform": platform, "username": username, "followers": followers, **fields}
        )

    def update_account(self, platform, username, new_username=None, **fields):
        """followers, following, name, biography, account_type, audience; new_username renames."""
        fields.update(self._given(username=new_username))
        return self._call("PATCH", f"accounts/{platform}/{quote(username)}", fields)

    def add_post(self, platform, username, **fields):
        """caption, title, media_product_type (FEED|REELS|STORY), media_type, timestamp (Unix or ISO;
        default now), duration, likes, comments, views, shares, saves, reach (missing: generated)."""
        return self._call("POST", f"accounts/{platform}/{quote(username)}/posts", fields)

    def post(self, post_id):
        return self._call("GET", f"posts/{quote(post_id)}")

    def update_post(self, post_id, **fields):
        """Metrics, caption, title, or deleted=True (the creator removed it)."""
        return self._call("PATCH", f"posts/{quote(post_id)}", fields)

    def expire_tokens(self, platform, username, kind=None):
        """Every token of the account expires now (kind "access" or "refresh": only those)."""
        return self._call(
            "POST", "tokens/expire", self._given(platform=platform, username=username, kind=kind)
        )

    def revoke_tokens(self, platform, username):
        """The person removed the app: every grant of the account stops working."""
        return self._call("POST", "tokens/revoke", {"platform": platform, "username": username})

    def fault(self, platform, kind, count=None, ratio=None, code=None, seconds=None, endpoint=None):
        """The next `count` calls (default 1), or a seeded `ratio` of calls, to `platform` (or one
        `endpoint`, e.g. "media_insights") fail: kind rate_limit (Instagram `code` 4, 17, 32 or 613;
        TikTok 429), error500, or timeout (answer after `seconds`, the work done)."""
        payload = self._given(
            platform=platform,
            kind=kind,
            count=count,
            ratio=ratio,
            code=code,
            seconds=seconds,
            endpoint=endpoint,
        )
        return self._call("POST", "faults", payload)

    def clear_faults(self):
        return self._call("DELETE", "faults")

    def authorize(self, platform, username, redirect_uri, state, scope=None, action="allow"):
        """Where pressing Allow (or Cancel) on the consent page as `username` sends the browser."""
        payload = self._given(
            platform=platform,
            username=username,
            redirect_uri=redirect_uri,
            state=state,
            scope=scope,
            action=action,
        )
        return self._call("POST", "authorize", payload)["location"]

    def signed_request(self, username):
        """A signed_request naming the Instagram account, as Meta would post it."""
        return self._call("POST", "signed_request", {"username": username})["signed_request"]

    def deauthorize(self, username, url):
        """Revoke the account's tokens and POST a signed deauthorize request to `url`:
        {"signed_request", "payload", "status", "body", "error"}."""
        return self._call("POST", "deauthorize", {"username": username, "url": url})

    def data_deletion(self, username, url):
        """Like deauthorize, to the data-deletion callback; `body` is the app's JSON answer."""
        return self._call("POST", "data_deletion", {"username": username, "url": url})

    def advance_clock(self, seconds):
        """Move the emulator's clock on (token and code ages); returns {"now", "offset"}."""
        return self._call("POST", "clock", {"advance_seconds": seconds})


@pytest.fixture(scope="session")
def platform_emulator(tmp_path_factory):
    folder = tmp_path_factory.mktemp("platform-emulator")
    with emulator_running(
        "platform",
        "platform_emulator",
        ["--host", "127.0.0.1", "--app-secret", INSTAGRAM_CLIENT_SECRET],
        folder,
        PlatformEmulatorHandle,
    ) as handle:
        yield handle


@pytest.fixture
def platforms(platform_emulator, settings):
    """A fresh emulator for this test, with Django's INSTAGRAM_* and TIKTOK_* settings pointing at it."""
    platform_emulator.reset()
    for name, value in platform_emulator.settings().items():
        setattr(settings, name, value)
    yield platform_emulator
