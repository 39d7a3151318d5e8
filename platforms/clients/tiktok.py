"""A thin client for TikTok's Login Kit v2 tokens and the Display API (open.tiktokapis.com).

Base URL from settings (TIKTOK_API_BASE). API answers are `{"data": {...}, "error": {"code": "ok"}}`;
any other code is a failure: `access_token_invalid` a dead token, `rate_limit_exceeded` (HTTP 429)
the app's per-endpoint limit. The token endpoint answers 200 even when it refuses, with an `error`
field: `invalid_grant` on a refresh means the refresh token is dead (revoked, expired or rotated away).
"""

from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from .base import (
    RECENT_POSTS,
    Answer,
    PlatformRefused,
    PlatformUnavailable,
    Post,
    Profile,
    RateLimited,
    TokenGrant,
    TokenInvalid,
    count,
    json_body,
    retry_after,
    send,
)

USER_FIELDS = (
    "open_id,union_id,avatar_url,display_name,username,follower_count,following_count,likes_count,video_count"
)
VIDEO_FIELDS = (
    "id,create_time,cover_image_url,share_url,video_description,duration,title,"
    "like_count,comment_count,share_count,view_count"
)
PAGE_SIZE = 20  # the Display API's max_count
QUERY_MAX_IDS = 20


def _form(**extra: str) -> dict[str, str]:
    return {"client_key": settings.TIKTOK_CLIENT_KEY, "client_secret": settings.TIKTOK_CLIENT_SECRET, **extra}


def _read_token_answer(response: Answer, *, refreshing: bool) -> dict:
    if response.status_code == 429:
        raise RateLimited(
            "TikTok asked Kolabo to slow down.", retry_after=retry_after(response), app_wide=True
        )
    if response.status_code >= 500:
        raise PlatformUnavailable(f"TikTok answered HTTP {response.status_code}.")
    body = json_body(response)
    if not isinstance(body, dict):
        raise PlatformUnavailable("TikTok sent an answer we cannot read.")
    error = body.get("error")
    if isinstance(error, dict):  # the API's shape, e.g. a 429 body on this endpoint
        error = error.get("code") if error.get("code") != "ok" else None
    if error:
        if refreshing and error == "invalid_grant":
            # TikTok does not say why; a refresh token that is not past its date was revoked
            # (the person removed the app) or rotated away. Callers check the date first.
            raise TokenInvalid("TikTok no longer accepts Kolabo's permission.", reason=TokenInvalid.REVOKED)
        if error == "rate_limit_exceeded":
            raise RateLimited(
                "TikTok asked Kolabo to slow down.", retry_after=retry_after(response), app_wide=True
            )
        raise PlatformRefused(f"TikTok refused the request ({error}).", code=str(error))
    if response.status_code >= 400:
        raise PlatformRefused(f"TikTok refused the request (HTTP {response.status_code}).")
    return body


def refresh_token(refresh_token: str) -> TokenGrant:
    """New access and refresh tokens; the refresh token rotates, so the old one stops working."""
    response = send(
        "POST",
        f"{settings.TIKTOK_API_BASE}/v2/oauth/token/",
        data=_form(grant_type="refresh_token", refresh_token=refresh_token),
    )
    body = _read_token_answer(response, refreshing=True)
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not isinstance(access, str) or not access:
        raise PlatformUnavailable("TikTok's token answer had no token.")
    return TokenGrant(
        access_token=access,
        expires_in=count(body.get("expires_in")),
        refresh_token=refresh if isinstance(refresh, str) else "",
        refresh_expires_in=count(body.get("refresh_expires_in")),
        scopes=str(body.get("scope") or ""),
    )


def revoke(token: str) -> None:
    """Withdraw Kolabo's permission (the access token or the refresh token)."""
    response = send("POST", f"{settings.TIKTOK_API_BASE}/v2/oauth/revoke/", data=_form(token=token))
    _read_token_answer(response, refreshing=False)


def _video_time(value: Any) -> datetime:
    seconds = count(value)
    if seconds is None:
        raise PlatformUnavailable("TikTok sent a video without a readable date.")
    return datetime.fromtimestamp(seconds, tz=UTC)


class TikTokClient:
    """Display API calls made with one account's access token."""

    def __init__(self, access_token: str):
        self._token = access_token

    def __repr__(self) -> str:
        return "TikTokClient()"

    def _call(self, method: str, path: str, fields: str, body: dict | None = None) -> dict:
        response = send(
            method,
            f"{settings.TIKTOK_API_BASE}{path}",
            params={"fields": fields},
            json=body,
            headers={"Authorization": f"Bearer {self._token}"},
        )
        if response.status_code >= 500:
            raise PlatformUnavailable(f"TikTok answered HTTP {response.status_code}.")
        answer = json_body(response)
        if not isinstance(answer, dict):
            raise PlatformUnavailable("TikTok sent an answer we cannot read.")
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        code = str(error.get("code") or ("ok" if response.status_code < 400 else ""))
        if response.status_code == 429 or code == "rate_limit_exceeded":
            raise RateLimited(
                "TikTok asked Kolabo to slow down.", retry_after=retry_after(response), app_wide=True
            )
        if code == "access_token_invalid":
            raise TokenInvalid("TikTok no longer accepts Kolabo's permission.")
        if code != "ok" or response.status_code >= 400:
            raise PlatformRefused(
                f"TikTok refused the request (HTTP {response.status_code}, {code or 'no code'}).", code=code
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            raise PlatformUnavailable("TikTok's answer had no data.")
        return data

    def profile(self) -> Profile:
        user = self._call("GET", "/v2/user/info/", USER_FIELDS).get("user")
        if not isinstance(user, dict) or not user.get("open_id"):
            raise PlatformUnavailable("TikTok's user answer had no account id.")
        return Profile(
            external_id=str(user["open_id"]),
            username=str(user.get("username") or ""),
            name=str(user.get("display_name") or ""),
            picture_url=str(user.get("avatar_url") or ""),
            followers=count(user.get("follower_count")) or 0,
            following=count(user.get("following_count")),
            media_count=count(user.get("video_count")),
        )

    def recent_posts(self, limit: int = RECENT_POSTS) -> list[Post]:
        """The newest `limit` videos, following the cursor while `has_more`."""
        posts: list[Post] = []
        cursor: int | None = None
        while len(posts) < limit:
            body: dict[str, Any] = {"max_count": min(PAGE_SIZE, limit - len(posts))}
            if cursor is not None:
                body["cursor"] = cursor
            data = self._call("POST", "/v2/video/list/", VIDEO_FIELDS, body)
            videos = data.get("videos")
            if not isinstance(videos, list):
                raise PlatformUnavailable("TikTok's video answer had no list of videos.")
            posts.extend(self._post(video) for video in videos if isinstance(video, dict))
            cursor = count(data.get("cursor"))
            if not videos or not data.get("has_more") or cursor is None:
                break
        return posts[:limit]

    def posts(self, video_ids: list[str]) -> list[Post]:
        """These videos, if they are the token owner's (TikTok silently leaves out anyone else's)."""
        found: list[Post] = []
        ids = [str(video_id) for video_id in video_ids]
        for start in range(0, len(ids), QUERY_MAX_IDS):
            body = {"filters": {"video_ids": ids[start : start + QUERY_MAX_IDS]}}
            data = self._call("POST", "/v2/video/query/", VIDEO_FIELDS, body)
            found.extend(self._post(video) for video in data.get("videos") or [] if isinstance(video, dict))
        return found

    def post(self, video_id: str) -> Post | None:
        found = self.posts([video_id])
        return found[0] if found else None

    @staticmethod
    def _post(video: dict) -> Post:
        external_id = str(video.get("id") or "")
        permalink = str(video.get("share_url") or "")
        if not external_id or not permalink:
            raise PlatformUnavailable("TikTok sent a video without an id or link.")
        return Post(
            external_id=external_id,
            permalink=permalink,
            posted_at=_video_time(video.get("create_time")),
            media_type="VIDEO",
            caption=str(video.get("video_description") or video.get("title") or ""),
            thumbnail_url=str(video.get("cover_image_url") or ""),
            likes=count(video.get("like_count")),
            comments=count(video.get("comment_count")),
            views=count(video.get("view_count")),
            shares=count(video.get("share_count")),
        )
