"""A thin client for the Instagram API with Instagram Login (graph.instagram.com).

Base URL and version come from settings (INSTAGRAM_GRAPH_BASE, INSTAGRAM_GRAPH_VERSION), so tests
and the demo point it at the local emulator. Graph errors answer HTTP 400/403 with
`{"error": {"code", "error_subcode", "message", ...}}`: code 190 is a dead token (subcode 463:
expired), 4/17/32/613 are rate limits (4 is the whole app's; 17, 32 and 613 one account's). Every
answer carries `X-App-Usage` (percent of the app's hourly budget used); the highest of its numbers is
kept in `app_usage`, and 100 makes a rate limit app-wide.
"""

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from .base import (
    RECENT_POSTS,
    Answer,
    PlatformRefused,
    PlatformUnavailable,
    Post,
    PostInsights,
    Profile,
    RateLimited,
    TokenGrant,
    TokenInvalid,
    count,
    header_json,
    json_body,
    retry_after,
    send,
)

PROFILE_FIELDS = (
    "user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count"
)
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,thumbnail_url,media_url,timestamp,like_count,comments_count"
INSIGHT_METRICS = "reach,likes,comments,shares,saved,views"
AUDIENCE_BREAKDOWNS = ("country", "city", "age", "gender")
RATE_LIMIT_CODES = {4, 17, 32, 613}
APP_RATE_LIMIT_CODE = 4
TOKEN_INVALID_CODE = 190
TOKEN_EXPIRED_SUBCODE = 463
NOT_ENOUGH_FOLLOWERS_CODE = 100
PAGE_SIZE = 30


def parse_timestamp(value: str) -> datetime:
    """`2026-11-30T10:15:00+0000` (Graph's format) or any ISO 8601 timestamp, as an aware datetime."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except (TypeError, ValueError):
        pass
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PlatformUnavailable("Instagram sent a post without a readable date.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class InstagramClient:
    """Calls made with one account's long-lived token."""

    def __init__(self, access_token: str):
        self._token = access_token
        self.app_usage: int | None = None
        self.answered = 0

    def __repr__(self) -> str:
        return "InstagramClient()"

    # Plumbing

    def _url(self, path: str) -> str:
        return f"{settings.INSTAGRAM_GRAPH_BASE}/{settings.INSTAGRAM_GRAPH_VERSION}/{path.lstrip('/')}"

    def _get(self, url: str, params: dict[str, Any] | None = None) -> dict:
        params = {**(params or {}), "access_token": self._token}
        response = send("GET", url, params=params)
        return self._read(response)

    def _read(self, response: Answer) -> dict:
        usage = header_json(response, "X-App-Usage")
        numbers = [count(value) for value in usage.values()]
        if any(number is not None for number in numbers):
            self.app_usage = max(number for number in numbers if number is not None)
        if response.status_code >= 500:
            raise PlatformUnavailable(f"Instagram answered HTTP {response.status_code}.")
        body = json_body(response)
        if not isinstance(body, dict):
            raise PlatformUnavailable("Instagram sent an answer we cannot read.")
        error = body.get("error")
        if response.status_code >= 400 or error:
            raise self._error(response, error if isinstance(error, dict) else {})
        self.answered += 1
        return body

    def _error(self, response: Answer, error: dict) -> Exception:
        code = count(error.get("code"))
        subcode = count(error.get("error_subcode"))
        if code == TOKEN_INVALID_CODE:
            if subcode == TOKEN_EXPIRED_SUBCODE:
                return TokenInvalid("Instagram says the permission has expired.", reason=TokenInvalid.EXPIRED)
            return TokenInvalid(
                "Instagram no longer accepts Kolabo's permission.", reason=TokenInvalid.REVOKED
            )
        if code in RATE_LIMIT_CODES:
            app_wide = code == APP_RATE_LIMIT_CODE or (self.app_usage or 0) >= 100
            return RateLimited(
                f"Instagram asked Kolabo to slow down (code {code}).",
                retry_after=retry_after(response),
                app_wide=app_wide,
                answered_before=self.answered,
            )
        return PlatformRefused(
            f"Instagram refused the request (HTTP {response.status_code}, code {code}).", code=str(code or "")
        )

    # Token

    def refresh_token(self) -> TokenGrant:
        """A new long-lived token (60 days from now); the current one must be ≥ 24 h old and alive."""
        body = self._get(
            f"{settings.INSTAGRAM_GRAPH_BASE}/refresh_access_token", {"grant_type": "ig_refresh_token"}
        )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise PlatformUnavailable("Instagram's token answer had no token.")
        return TokenGrant(access_token=token, expires_in=count(body.get("expires_in")))

    # Reads

    def profile(self) -> Profile:
        body = self._get(self._url("me"), {"fields": PROFILE_FIELDS})
        external_id = str(body.get("user_id") or body.get("id") or "")
        if not external_id:
            raise PlatformUnavailable("Instagram's profile answer had no account id.")
        return Profile(
            external_id=external_id,
            username=str(body.get("username") or ""),
            name=str(body.get("name") or ""),
            account_type=str(body.get("account_type") or ""),
            picture_url=str(body.get("profile_picture_url") or ""),
            followers=count(body.get("followers_count")) or 0,
            following=count(body.get("follows_count")),
            media_count=count(body.get("media_count")),
        )

    def recent_posts(self, limit: int = RECENT_POSTS) -> list[Post]:
        """The newest `limit` posts, following `paging.next` (only on the Graph host: it holds the token)."""
        posts: list[Post] = []
        url: str | None = self._url("me/media")
        params: dict[str, Any] | None = {"fields": MEDIA_FIELDS, "limit": min(limit, PAGE_SIZE)}
        graph = urlsplit(settings.INSTAGRAM_GRAPH_BASE)
        while url and len(posts) < limit:
            body = self._get(url, params)
            data = body.get("data")
            if not isinstance(data, list):
                raise PlatformUnavailable("Instagram's media answer had no list of posts.")
            posts.extend(self._post(item) for item in data if isinstance(item, dict))
            if not data:
                break
            following = (body.get("paging") or {}).get("next")
            nxt = urlsplit(following) if isinstance(following, str) else None
            url = following if nxt and (nxt.scheme, nxt.netloc) == (graph.scheme, graph.netloc) else None
            params = None  # `next` carries the query already
        return posts[:limit]

    def post(self, media_id: str) -> Post:
        return self._post(self._get(self._url(str(media_id)), {"fields": MEDIA_FIELDS}))

    def post_insights(self, media_id: str) -> PostInsights:
        body = self._get(self._url(f"{media_id}/insights"), {"metric": INSIGHT_METRICS})
        values: dict[str, int | None] = {}
        for item in body.get("data") or []:
            if isinstance(item, dict) and item.get("values"):
                first = item["values"][0]
                values[str(item.get("name"))] = count(first.get("value") if isinstance(first, dict) else None)
        return PostInsights(
            reach=values.get("reach"),
            views=values.get("views"),
            likes=values.get("likes"),
            comments=values.get("comments"),
            shares=values.get("shares"),
            saves=values.get("saved"),
        )

    def audience(self, user_id: str, breakdown: str) -> dict[str, int] | None:
        """Followers per country, city, age or gender: {"ID": 812, ...}; None when Instagram has no
        demographics for the account (fewer than 100 followers), which is not a failure."""
        if breakdown not in AUDIENCE_BREAKDOWNS:
            raise ValueError(f"unknown breakdown {breakdown!r}")
        params = {
            "metric": "follower_demographics",
            "period": "lifetime",
            "metric_type": "total_value",
            "breakdown": breakdown,
        }
        try:
            body = self._get(self._url(f"{user_id}/insights"), params)
        except PlatformRefused as refused:
            if refused.code == str(NOT_ENOUGH_FOLLOWERS_CODE):
                return None
            raise
        counts: dict[str, int] = {}
        for item in body.get("data") or []:
            breakdowns = ((item or {}).get("total_value") or {}).get("breakdowns") or []
            for group in breakdowns:
                for result in (group or {}).get("results") or []:
                    keys = (result or {}).get("dimension_values") or []
                    value = count((result or {}).get("value"))
                    if keys and value:
                        counts[str(keys[0])] = counts.get(str(keys[0]), 0) + value
        return counts

    def audiences(self, user_id: str) -> dict[str, dict[str, int]] | None:
        """Every breakdown: {"country": {...}, "city": ..., "age": ..., "gender": ...}, or None (too small)."""
        result: dict[str, dict[str, int]] = {}
        for breakdown in AUDIENCE_BREAKDOWNS:
            counts = self.audience(user_id, breakdown)
            if counts is None:
                return None
            result[breakdown] = counts
        return result

    @staticmethod
    def _post(item: dict) -> Post:
        external_id = str(item.get("id") or "")
        permalink = str(item.get("permalink") or "")
        if not external_id or not permalink:
            raise PlatformUnavailable("Instagram sent a post without an id or link.")
        media_type = str(item.get("media_type") or "")
        product = str(item.get("media_product_type") or "")
        thumbnail = item.get("thumbnail_url") or (item.get("media_url") if media_type != "VIDEO" else "")
        return Post(
            external_id=external_id,
            permalink=permalink,
            posted_at=parse_timestamp(str(item.get("timestamp") or "")),
            media_type=product if product in ("REELS", "STORY") else media_type,
            caption=str(item.get("caption") or ""),
            thumbnail_url=str(thumbnail or ""),
            likes=count(item.get("like_count")),
            comments=count(item.get("comments_count")),
        )
