"""Instagram API with Instagram Login, as far as Kolabo uses it.

Paths (each prefix stands in for a real host; the INSTAGRAM_*_URL / _BASE settings point at them):
  GET/POST /instagram/oauth/authorize                      the consent page (pages.py)
  POST /instagram-api/oauth/access_token                   code -> short-lived token (1 hour)
  GET  /instagram-graph[/vX.Y]/access_token                short -> long-lived (60 days)
  GET  /instagram-graph[/vX.Y]/refresh_access_token        long-lived, >= 24 h old -> a new one
  GET  /instagram-graph/vX.Y/me | /<user-id>               profile
  GET  /instagram-graph/vX.Y/me/media | /<user-id>/media   media, newest first, cursor paging
  GET  /instagram-graph/vX.Y/<media-id>                    one media
  GET  /instagram-graph/vX.Y/<media-id>/insights           reach, likes, comments, shares, saved, views
  GET  /instagram-graph/vX.Y/<user-id>/insights            follower_demographics by one breakdown

Errors: api.instagram.com answers `{"error_type": "OAuthException", "code": 400, "error_message"}`;
the Graph answers `{"error": {"message", "type", "code", "error_subcode"?, "fbtrace_id"}}`:
190 (subcode 463 expired, 460 revoked) for tokens, 10 for permissions and "token too new",
100 for bad parameters and objects that are not the token owner's, 4/17/32/613 for rate limits.
User ids: an account's `id` (what /me calls `user_id`, what the token exchange and signed requests
carry) and its app-scoped id (/me's `id`) both name it as a Graph node.
"""

import base64
import binascii
import re
import secrets
import time
from urllib.parse import urlencode

from platform_emulator import seed
from platform_emulator.seed import DAY
from platform_emulator.wire import ApiError, PageError, json_response, trace_id, with_params

SCOPES = (
    "instagram_business_basic",
    "instagram_business_manage_insights",
    "instagram_business_manage_comments",
    "instagram_business_manage_messages",
    "instagram_business_content_publish",
)
BASIC, INSIGHTS = SCOPES[:2]
RATE_LIMIT_CODES = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
}
OAUTH_ENDPOINTS = ("instagram.token",)
GRAPH_ENDPOINTS = (
    "instagram.long_lived_token",
    "instagram.refresh_token",
    "instagram.profile",
    "instagram.media_list",
    "instagram.media",
    "instagram.media_insights",
    "instagram.account_insights",
)
ENDPOINTS = OAUTH_ENDPOINTS + GRAPH_ENDPOINTS
PROFILE_FIELDS = (
    "id",
    "user_id",
    "username",
    "name",
    "account_type",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
    "biography",
    "website",
)
MEDIA_FIELDS = (
    "id",
    "caption",
    "media_type",
    "media_product_type",
    "permalink",
    "thumbnail_url",
    "media_url",
    "timestamp",
    "like_count",
    "comments_count",
    "shortcode",
    "username",
    "owner",
    "is_comment_enabled",
)
# metric -> (title, description, the post's field or None for a sum)
MEDIA_METRICS = {
    "reach": (
        "Accounts reached",
        "The number of unique accounts that have seen this post at least once.",
        "reach",
    ),
    "likes": ("Likes", "The number of likes on your post.", "likes"),
    "comments": ("Comments", "The number of comments on your post.", "comments"),
    "shares": ("Shares", "The number of shares of your post.", "shares"),
    "saved": ("Saved", "The number of saves of your post.", "saves"),
    "views": ("Views", "The number of times your post was played or displayed.", "views"),
    "total_interactions": ("Interactions", "Likes, saves, comments and shares, minus the undone ones.", None),
}
MEDIA_LIMIT = (25, 100)  # default and most per page
VERSION = r"(?:/v\d+\.\d+)?"


def graph_error(code, message, *, status=400, subcode=None, transient=None):
    error = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    error["fbtrace_id"] = trace_id()
    return ApiError(status, {"error": error})


def oauth_error(message):
    return ApiError(400, {"error_type": "OAuthException", "code": 400, "error_message": message})


def rate_limited(endpoint, fault):
    code = fault["code"]
    body = graph_error(code, RATE_LIMIT_CODES[code], status=400 if code in (4, 17) else 403, transient=True)
    return json_response(body.status, body.body)


def server_error(endpoint):
    if endpoint in OAUTH_ENDPOINTS:
        return json_response(
            500,
            {"error_type": "OAuthException", "code": 500, "error_message": "An unknown error has occurred."},
        )
    error = graph_error(
        2, "An unexpected error has occurred. Please retry your request later.", transient=True
    )
    return json_response(500, error.body)


def not_found(request):
    path = re.sub(r"^/instagram-(graph|api)", "", request.path)
    error = graph_error(2500, f"Unknown path components: {path}")
    return json_response(400 if request.path.startswith("/instagram-graph") else 404, error.body)


# The consent page's decisions (pages.py shows them, the control API's authorize skips the page)


def check_authorize(emu, params):
    client_id, _ = emu.credentials["instagram"]
    if params.get("client_id") != client_id:
        raise PageError(400, "Invalid Request: Request parameters are invalid: Invalid platform app")
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri.startswith(("http://", "https://")):
        raise PageError(400, "Invalid Request: redirect_uri must be an http(s) URL")
    if params.get("response_type") != "code":
        raise PageError(400, "Invalid Request: response_type must be code")
    scopes = [scope for scope in re.split(r"[,\s]+", params.get("scope") or "") if scope]
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or BASIC not in scopes:
        raise PageError(400, f"Invalid Scopes: {', '.join(unknown) or f'{BASIC} is required'}")
    return {"redirect_uri": redirect_uri, "scopes": list(dict.fromkeys(scopes)), "state": params.get("state")}


def allowed(checked, code):
    # Instagram appends #_ to the redirect; browsers keep fragments to themselves.
    return with_params(checked["redirect_uri"], {"code": code, "state": checked["state"]}, fragment="_")


def cancelled(checked):
    return with_params(
        checked["redirect_uri"],
        {
            "error": "access_denied",
            "error_reason": "user_denied",
            "error_description": "The user denied your request.",
            "state": checked["state"],
        },
    )


def not_professional(checked):
    return with_params(
        checked["redirect_uri"],
        {
            "error": "access_denied",
            "error_reason": "not_professional_account",
            "error_description": "This account is not a professional account.",
            "state": checked["state"],
        },
    )


# Tokens


def exchange_code(emu, request):
    form = request.form
    client_id, secret = emu.credentials["instagram"]
    for name in ("client_id", "client_secret", "grant_type", "redirect_uri", "code"):
        if not form.get(name):
            raise oauth_error(f"Missing required field {name}")
    if form["client_id"] != client_id:
        raise oauth_error("Invalid platform app")
    if not secrets.compare_digest(form["client_secret"], secret):
        raise oauth_error("Error validating client secret.")
    if form["grant_type"] != "authorization_code":
        raise oauth_error("Unsupported grant_type")
    problem, record = emu.code_problem("instagram", form["code"], form["redirect_uri"])
    if problem:
        raise oauth_error(
            {
                "unknown": "Invalid authorization code",
                "used": "This authorization code has been used",
                "expired": "This authorization code has expired",
                "redirect_uri": "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
            }[problem]
        )
    grant = emu.new_grant(record)
    token, _ = emu.issue_token(grant, "ig_short")
    account = emu.accounts[record["account_id"]]
    return {
        "data": [{"access_token": token, "user_id": account["id"], "permissions": ",".join(record["scopes"])}]
    }


def long_lived(emu, request):
    query = request.query
    _, secret = emu.credentials["instagram"]
    if query.get("grant_type") != "ig_exchange_token":
        raise graph_error(100, "(#100) grant_type must be ig_exchange_token")
    if not secrets.compare_digest(query.get("client_secret") or "", secret):
        raise graph_error(1, "Error validating client secret.")
    _, record = authenticate(emu, request, scope=None)
    if record["kind"] != "ig_short":
        raise graph_error(100, "(#100) Only a short-lived access token can be exchanged for a long-lived one")
    token, new = emu.issue_token(record["grant"], "ig_long")
    return {"access_token": token, "token_type": "bearer", "expires_in": new["expires"] - new["issued"]}


def refresh(emu, request):
    if request.query.get("grant_type") != "ig_refresh_token":
        raise graph_error(100, "(#100) grant_type must be ig_refresh_token")
    _, record = authenticate(emu, request, scope=None)
    if record["kind"] != "ig_long":
        raise graph_error(100, "(#100) Only a long-lived access token can be refreshed")
    if emu.now() - record["issued"] < DAY:
        raise graph_error(
            10, "(#10) The access token can be refreshed once it is 24 hours old (token too new)"
        )
    token, new = emu.issue_token(record["grant"], "ig_long")
    return {"access_token": token, "token_type": "bearer", "expires_in": new["expires"] - new["issued"]}


def authenticate(emu, request, scope=BASIC):
    """(account, token record) for the request's access token, or the Graph's error."""
    token = request.query.get("access_token") or request.bearer()
    if not token:
        raise graph_error(
            2500, "An active access token must be used to query information about the current user."
        )
    problem, record = emu.token_problem(token, ("ig_short", "ig_long"))
    if problem == "unknown":
        raise graph_error(190, "Invalid OAuth access token - Cannot parse access token")
    if problem == "revoked":
        raise graph_error(
            190,
            "Error validating access token: The session has been invalidated because the user changed their "
            "password or Facebook has changed the session for security reasons.",
            subcode=460,
        )
    if problem == "expired":
        raise graph_error(
            190,
            f"Error validating access token: Session has expired on {_when(record['expires'])}. "
            f"The current time is {_when(emu.now())}.",
            subcode=463,
        )
    if scope and scope not in emu.grant_of(record)["scopes"]:
        raise graph_error(10, "(#10) Application does not have permission for this action", status=403)
    return emu.account_of(record), record


def _when(timestamp):
    return time.strftime("%A, %d-%b-%y %H:%M:%S UTC", time.gmtime(timestamp))


# Graph nodes


def _is_user(emu, node):
    return node == "me" or emu.is_instagram_user(node)


def node_endpoint(emu, request, arguments):
    return "instagram.profile" if _is_user(emu, arguments["node"]) else "instagram.media"


def insights_endpoint(emu, request, arguments):
    return "instagram.account_insights" if _is_user(emu, arguments["node"]) else "instagram.media_insights"


def _unsupported(node):
    return graph_error(
        100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.",
        subcode=33,
    )


def _own_user(account, node):
    if node not in ("me", account["id"], account["app_scoped_id"]):
        raise _unsupported(node)


def _own_media(emu, account, node):
    post = emu.posts.get(node)
    if post is None or post["deleted"] or post["account_id"] != account["id"]:
        raise _unsupported(node)
    return post


def _fields(request, allowed, node_type):
    names = [name.strip() for name in (request.query.get("fields") or "").split(",") if name.strip()]
    for name in names:
        if name not in allowed:
            raise graph_error(
                100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node_type})"
            )
    return list(dict.fromkeys(["id", *names]))


def node(emu, request, node):
    account, _ = authenticate(emu, request)
    request.target = node
    if _is_user(emu, node):
        _own_user(account, node)
        return profile(emu, account, _fields(request, PROFILE_FIELDS, "User"), request.base_url)
    post = _own_media(emu, account, node)
    return media(post, account, _fields(request, MEDIA_FIELDS, "Media"), request.base_url)


def profile(emu, account, fields, base_url):
    values = {
        "id": account["app_scoped_id"],
        "user_id": account["id"],
        "username": account["username"],
        "name": account["name"],
        "account_type": account["account_type"],
        "profile_picture_url": f"{base_url}/cdn/{account['id']}.png",
        "followers_count": account["followers"],
        "follows_count": account["following"],
        "media_count": len(emu.posts_of(account)),
        "biography": account["biography"],
        "website": f"https://kolabo.example/@{account['username']}",
    }
    return {name: values[name] for name in fields}


def permalink(post):
    kind = "reel" if post["media_product_type"] == "REELS" else "p"
    return f"https://www.instagram.com/{kind}/{post['shortcode']}/"


def media(post, account, fields, base_url):
    picture = f"{base_url}/cdn/{post['id']}.png"
    values = {
        "id": post["id"],
        "caption": post["caption"],
        "media_type": post["media_type"],
        "media_product_type": post["media_product_type"],
        "permalink": permalink(post),
        "media_url": picture,
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(post["timestamp"])),
        "like_count": post["likes"],
        "comments_count": post["comments"],
        "shortcode": post["shortcode"],
        "username": account["username"],
        "owner": {"id": account["id"]},
        "is_comment_enabled": True,
    }
    if post["media_type"] == "VIDEO":
        values["thumbnail_url"] = picture  # as Instagram: videos only
    return {name: values[name] for name in fields if name in values}


def media_list(emu, request, node):
    account, _ = authenticate(emu, request)
    if not _is_user(emu, node):
        raise _unsupported(node)
    _own_user(account, node)
    fields = _fields(request, MEDIA_FIELDS, "Media")
    query = request.query
    limit = query.get("limit") or str(MEDIA_LIMIT[0])
    if not limit.isdigit() or int(limit) < 1:
        raise graph_error(100, "(#100) Param limit must be a positive integer")
    limit = min(int(limit), MEDIA_LIMIT[1])
    posts = emu.posts_of(account)
    keys = [(post["timestamp"], post["id"]) for post in posts]
    start, end = 0, len(posts)
    if query.get("after"):
        request.target = f"after:{query['after']}"
        cursor = _decode_cursor(query["after"])
        start = sum(1 for key in keys if key >= cursor)
        end = min(start + limit, len(posts))
    elif query.get("before"):
        request.target = f"before:{query['before']}"
        cursor = _decode_cursor(query["before"])
        end = sum(1 for key in keys if key > cursor)
        start = max(end - limit, 0)
    else:
        end = min(limit, len(posts))
    page = posts[start:end]
    answer = {"data": [media(post, account, fields, request.base_url) for post in page]}
    if not page:
        return answer
    before, after = _cursor(page[0]), _cursor(page[-1])
    paging = {"cursors": {"before": before, "after": after}}
    base = f"{request.base_url}{request.path}"
    others = {key: value for key, value in query.items() if key not in ("after", "before")}
    if start > 0:
        paging["previous"] = f"{base}?{urlencode({**others, 'before': before})}"
    if end < len(posts):
        paging["next"] = f"{base}?{urlencode({**others, 'after': after})}"
    answer["paging"] = paging
    return answer


def _cursor(post):
    text = f"{post['timestamp']}:{post['id']}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor):
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        timestamp, _, post_id = text.partition(":")
        return int(timestamp), post_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise graph_error(100, "(#100) Invalid pagination cursor") from None


def insights(emu, request, node):
    account, _ = authenticate(emu, request, scope=INSIGHTS)
    metrics = [name for name in (request.query.get("metric") or "").split(",") if name]
    if not metrics:
        raise graph_error(100, "(#100) The parameter metric is required")
    if _is_user(emu, node):
        _own_user(account, node)
        return _demographics(account, request, metrics)
    post = _own_media(emu, account, node)
    request.target = node
    for index, name in enumerate(metrics):
        if name not in MEDIA_METRICS:
            raise graph_error(
                100, f"(#100) metric[{index}] must be one of the following values: {', '.join(MEDIA_METRICS)}"
            )
    data = []
    for name in metrics:
        title, description, field = MEDIA_METRICS[name]
        interactions = ("likes", "comments", "shares", "saves")
        value = post[field] if field else sum(post[key] for key in interactions)
        data.append(
            {
                "name": name,
                "period": "lifetime",
                "values": [{"value": value}],
                "title": title,
                "description": description,
                "id": f"{post['id']}/insights/{name}/lifetime",
            }
        )
    return {"data": data}


def _demographics(account, request, metrics):
    query = request.query
    if metrics != ["follower_demographics"]:
        raise graph_error(100, "(#100) metric[0] must be one of the following values: follower_demographics")
    if query.get("period") != "lifetime":
        raise graph_error(100, "(#100) follower_demographics requires period=lifetime")
    if query.get("metric_type") != "total_value":
        raise graph_error(100, "(#100) follower_demographics requires metric_type=total_value")
    breakdown = query.get("breakdown")
    if breakdown not in seed.BREAKDOWNS:
        raise graph_error(
            100, f"(#100) breakdown must be one of the following values: {', '.join(seed.BREAKDOWNS)}"
        )
    request.target = breakdown
    if account["followers"] < 100:
        raise graph_error(
            100,
            "(#100) Incompatible request: follower_demographics needs an account with at least 100 "
            "followers: not enough followers",
        )
    results = [
        {"dimension_values": [key], "value": value} for key, value in seed.demographics(account, breakdown)
    ]
    return {
        "data": [
            {
                "name": "follower_demographics",
                "period": "lifetime",
                "title": "Follower demographics",
                "description": "The demographic characteristics of followers.",
                "total_value": {"breakdowns": [{"dimension_keys": [breakdown], "results": results}]},
                "id": f"{account['id']}/insights/follower_demographics/lifetime",
            }
        ]
    }


ROUTES = [
    (method, re.compile(pattern), name, handler)
    for method, pattern, name, handler in (
        ("POST", r"/instagram-api/oauth/access_token", "instagram.token", exchange_code),
        ("GET", rf"/instagram-graph{VERSION}/access_token", "instagram.long_lived_token", long_lived),
        ("GET", rf"/instagram-graph{VERSION}/refresh_access_token", "instagram.refresh_token", refresh),
        ("GET", rf"/instagram-graph{VERSION}/(?P<node>[^/]+)/media", "instagram.media_list", media_list),
        ("GET", rf"/instagram-graph{VERSION}/(?P<node>[^/]+)/insights", insights_endpoint, insights),
        ("GET", rf"/instagram-graph{VERSION}/(?P<node>[^/]+)", node_endpoint, node),
    )
]
