"""TikTok Login Kit v2 and the Display API, as far as Kolabo uses them.

Paths (each prefix stands in for a real host; the TIKTOK_*_URL / _BASE settings point at them):
  GET/POST /tiktok/v2/auth/authorize/          the consent page (pages.py)
  POST /tiktok-api/v2/oauth/token/             code -> access (24 h) + refresh (365 d); or
                                               grant_type=refresh_token: both anew, the old refresh
                                               token stops working (rotation)
  POST /tiktok-api/v2/oauth/revoke/            the grant behind `token` stops working
  GET  /tiktok-api/v2/user/info/?fields=       Bearer token
  POST /tiktok-api/v2/video/list/?fields=      {"max_count" <= 20, "cursor"?}: newest first
  POST /tiktok-api/v2/video/query/?fields=     {"filters": {"video_ids": [<= 20]}}: the owner's only

Errors: the OAuth endpoints answer 200 `{"error", "error_description", "log_id"}`; the others
`{"data": {}, "error": {"code", "message", "log_id"}}` with 401 access_token_invalid or
scope_not_authorized, 400 invalid_params, 429 rate_limit_exceeded, 500 internal_error.
"""

import re
import secrets
import time

from platform_emulator.wire import ApiError, PageError, json_response, with_params

SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")
# field -> the scope it needs
USER_FIELDS = {
    "open_id": "user.info.basic",
    "union_id": "user.info.basic",
    "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic",
    "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic",
    "bio_description": "user.info.profile",
    "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile",
    "username": "user.info.profile",
    "follower_count": "user.info.stats",
    "following_count": "user.info.stats",
    "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}
VIDEO_FIELDS = (
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
)
OAUTH_ENDPOINTS = ("tiktok.token", "tiktok.refresh_token", "tiktok.revoke")
ENDPOINTS = (*OAUTH_ENDPOINTS, "tiktok.user_info", "tiktok.video_list", "tiktok.video_query")
MAX_COUNT = 20


def log_id():
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def api_error(status, code, message):
    return ApiError(status, {"data": {}, "error": {"code": code, "message": message, "log_id": log_id()}})


def oauth_error(error, description):
    # TikTok answers OAuth errors with 200: a client must look for `error` in the body.
    return ApiError(200, {"error": error, "error_description": description, "log_id": log_id()})


def _ok(data):
    return {"data": data, "error": {"code": "ok", "message": "", "log_id": log_id()}}


def rate_limited(endpoint, fault):
    message = "API rate limit was exceeded. Please try again later."
    if endpoint in OAUTH_ENDPOINTS:
        return json_response(
            429, {"error": "rate_limit_exceeded", "error_description": message, "log_id": log_id()}
        )
    return json_response(429, api_error(429, "rate_limit_exceeded", message).body)


def server_error(endpoint):
    message = "Something went wrong. Please try again later."
    if endpoint in OAUTH_ENDPOINTS:
        return json_response(500, {"error": "server_error", "error_description": message, "log_id": log_id()})
    return json_response(500, api_error(500, "internal_error", message).body)


def not_found(request):
    error = api_error(404, "invalid_params", f"Unknown API path {request.method} {request.path}")
    return json_response(404, error.body)


# The consent page's decisions


def check_authorize(emu, params):
    client_key, _ = emu.credentials["tiktok"]
    if params.get("client_key") != client_key:
        raise PageError(400, "Something went wrong: client_key is invalid (param_error).")
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri.startswith(("http://", "https://")):
        raise PageError(400, "Something went wrong: redirect_uri is invalid (redirect_uri).")
    if params.get("response_type") != "code":
        raise PageError(400, "Something went wrong: response_type must be code (param_error).")
    scopes = [scope for scope in (params.get("scope") or "").split(",") if scope]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise PageError(400, f"Something went wrong: scope is invalid ({', '.join(unknown) or 'empty'}).")
    return {"redirect_uri": redirect_uri, "scopes": list(dict.fromkeys(scopes)), "state": params.get("state")}


def allowed(checked, code):
    return with_params(
        checked["redirect_uri"],
        {"code": code, "scopes": ",".join(checked["scopes"]), "state": checked["state"]},
    )


def cancelled(checked):
    return with_params(
        checked["redirect_uri"],
        {
            "error": "access_denied",
            "error_description": "The user denied the authorization request.",
            "state": checked["state"],
        },
    )


# OAuth


def token_endpoint(emu, request, arguments):
    return "tiktok.refresh_token" if request.form.get("grant_type") == "refresh_token" else "tiktok.token"


def _client(emu, request):
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise oauth_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded.")
    client_key, secret = emu.credentials["tiktok"]
    form = request.form
    if form.get("client_key") != client_key or not secrets.compare_digest(
        form.get("client_secret") or "", secret
    ):
        raise oauth_error("invalid_client", "Client key or secret is incorrect.")
    return form


def token(emu, request):
    form = _client(emu, request)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        for name in ("code", "redirect_uri"):
            if not form.get(name):
                raise oauth_error("invalid_request", f"Missing required parameter: {name}.")
        problem, record = emu.code_problem("tiktok", form["code"], form["redirect_uri"])
        if problem:
            raise oauth_error(
                "invalid_grant",
                {
                    "unknown": "Authorization code is invalid.",
                    "used": "Authorization code has been used.",
                    "expired": "Authorization code is expired.",
                    "redirect_uri": "Redirect URI does not match the one of the authorization request.",
                }[problem],
            )
        grant = emu.new_grant(record)
    elif grant_type == "refresh_token":
        problem, record = emu.token_problem(form.get("refresh_token"), ("tt_refresh",))
        if problem:
            raise oauth_error("invalid_grant", "Refresh token is invalid or expired.")
        record["used"] = True  # rotation: this refresh token will not work again
        grant = record["grant"]
    else:
        raise oauth_error("unsupported_grant_type", "grant_type must be authorization_code or refresh_token.")
    access, access_record = emu.issue_token(grant, "tt_access")
    refresh, refresh_record = emu.issue_token(grant, "tt_refresh")
    return {
        "access_token": access,
        "expires_in": access_record["expires"] - access_record["issued"],
        "open_id": emu.grants[grant]["account_id"],
        "refresh_expires_in": refresh_record["expires"] - refresh_record["issued"],
        "refresh_token": refresh,
        "scope": ",".join(emu.grants[grant]["scopes"]),
        "token_type": "Bearer",
    }


def revoke(emu, request):
    form = _client(emu, request)
    record = emu.tokens.get(form.get("token") or "")
    if record is not None and record["kind"].startswith("tt_"):
        emu.revoke_grant(record["grant"])
    return {}


# Display API


def authenticate(emu, request):
    problem, record = emu.token_problem(request.bearer(), ("tt_access",))
    if problem:
        raise api_error(
            401, "access_token_invalid", "The access token is invalid or not found in the request."
        )
    return emu.account_of(record), emu.grant_of(record)


def _require(grant, scope):
    if scope not in grant["scopes"]:
        raise api_error(
            401,
            "scope_not_authorized",
            "The user did not authorize the scope required for completing this request.",
        )


def _fields(request, allowed):
    names = [name.strip() for name in (request.query.get("fields") or "").split(",") if name.strip()]
    if not names:
        raise api_error(400, "invalid_params", "The fields parameter is required.")
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise api_error(400, "invalid_params", f"Invalid fields: {', '.join(unknown)}")
    return list(dict.fromkeys(names))


def user_info(emu, request):
    account, grant = authenticate(emu, request)
    fields = _fields(request, USER_FIELDS)
    for name in fields:
        _require(grant, USER_FIELDS[name])
    posts = emu.posts_of(account)
    avatar = f"{request.base_url}/cdn/{account['id']}.png"
    values = {
        "open_id": account["id"],
        "union_id": account["union_id"],
        "avatar_url": avatar,
        "avatar_url_100": avatar,
        "avatar_large_url": avatar,
        "display_name": account["name"],
        "bio_description": account["biography"],
        "profile_deep_link": f"https://vm.tiktok.com/{account['id'][-9:]}/",
        "is_verified": account["verified"],
        "username": account["username"],
        "follower_count": account["followers"],
        "following_count": account["following"],
        "likes_count": sum(post["likes"] for post in posts),
        "video_count": len(posts),
    }
    return _ok({"user": {name: values[name] for name in fields}})


def share_url(account, post):
    return f"https://www.tiktok.com/@{account['username']}/video/{post['id']}"


def _cursor_of(post):
    # TikTok's cursor is a time in milliseconds; the id's last digits keep same-second posts apart.
    return post["timestamp"] * 1000 + int(post["id"][-3:])


def _video(account, post, fields, base_url):
    link = share_url(account, post)
    values = {
        "id": post["id"],
        "create_time": post["timestamp"],
        "cover_image_url": f"{base_url}/cdn/{post['id']}.png",
        "share_url": link,
        "video_description": post["caption"],
        "duration": post["duration"],
        "height": 1920,
        "width": 1080,
        "title": post["title"],
        "embed_html": f'<blockquote class="tiktok-embed" cite="{link}" data-video-id="{post["id"]}"></blockquote>',
        "embed_link": f"https://www.tiktok.com/player/v1/{post['id']}",
        "like_count": post["likes"],
        "comment_count": post["comments"],
        "share_count": post["shares"],
        "view_count": post["views"],
    }
    return {name: values[name] for name in fields}


def _body(request):
    body = request.json()
    if body is None:
        raise api_error(400, "invalid_params", "The request body must be a JSON object.")
    return body


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def video_list(emu, request):
    account, grant = authenticate(emu, request)
    _require(grant, "video.list")
    fields = _fields(request, VIDEO_FIELDS)
    body = _body(request)
    max_count, cursor = body.get("max_count", 10), body.get("cursor")
    if not _whole(max_count) or not 1 <= max_count <= MAX_COUNT:
        raise api_error(400, "invalid_params", f"max_count must be between 1 and {MAX_COUNT}.")
    if cursor is not None and (not _whole(cursor) or cursor < 0):
        raise api_error(400, "invalid_params", "cursor must be a non-negative integer.")
    request.target = f"cursor:{cursor or 0}"
    posts = sorted(emu.posts_of(account), key=_cursor_of, reverse=True)
    if cursor:
        posts = [post for post in posts if _cursor_of(post) < cursor]
    page = posts[:max_count]
    return _ok(
        {
            "videos": [_video(account, post, fields, request.base_url) for post in page],
            "cursor": _cursor_of(page[-1]) if page else 0,
            "has_more": len(posts) > max_count,
        }
    )


def video_query(emu, request):
    account, grant = authenticate(emu, request)
    _require(grant, "video.list")
    fields = _fields(request, VIDEO_FIELDS)
    filters = _body(request).get("filters")
    ids = filters.get("video_ids") if isinstance(filters, dict) else None
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_COUNT
        or not all(isinstance(i, str) for i in ids)
    ):
        raise api_error(400, "invalid_params", f"filters.video_ids must list 1 to {MAX_COUNT} video ids.")
    request.target = ",".join(ids)
    videos = []
    for video_id in dict.fromkeys(ids):
        post = emu.posts.get(video_id)
        if post is not None and post["account_id"] == account["id"] and not post["deleted"]:
            videos.append(_video(account, post, fields, request.base_url))
    return _ok({"videos": videos})


ROUTES = [
    (method, re.compile(pattern), name, handler)
    for method, pattern, name, handler in (
        ("POST", r"/tiktok-api/v2/oauth/token/?", token_endpoint, token),
        ("POST", r"/tiktok-api/v2/oauth/revoke/?", "tiktok.revoke", revoke),
        ("GET", r"/tiktok-api/v2/user/info/?", "tiktok.user_info", user_info),
        ("POST", r"/tiktok-api/v2/video/list/?", "tiktok.video_list", video_list),
        ("POST", r"/tiktok-api/v2/video/query/?", "tiktok.video_query", video_query),
    )
]
