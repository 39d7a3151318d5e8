"""Everything under /_emulator/: the JSON control API for tests (no auth: it only listens on
loopback). Errors are `{"error": {"message": ...}}` with 400, 404 or 409."""

import re

from platform_emulator import seed, signed
from platform_emulator.state import ControlError
from platform_emulator.wire import PageError, json_response


def handle(emu, request):
    try:
        for method, pattern, function in ROUTES:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return json_response(200, function(emu, request, **match.groupdict()))
        raise ControlError(404, f"Unknown control path {request.method} {request.path}")
    except ControlError as error:
        return json_response(error.status, {"error": {"message": error.message}})


def _json(request):
    data = request.json()
    if data is None:
        raise ControlError(400, "The control API takes a JSON object.")
    return data


def _platform(platform):
    if platform not in seed.PLATFORMS:
        raise ControlError(404, f"Unknown platform {platform}")
    return platform


def _required(data, *names):
    values = []
    for name in names:
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise ControlError(400, f"{name} is required")
        values.append(value)
    return values


def reset(emu, request):
    emu.reset()
    return {"reset": True}


def state(emu, request):
    return emu.dump()


def calls(emu, request):
    return {"data": emu.call_log(request.query.get("endpoint"), request.query.get("account"))}


def clock(emu, request):
    if request.method == "GET":
        return emu.clock()
    return emu.advance_clock(_json(request).get("advance_seconds"))


def add_account(emu, request):
    return emu.add_account(_json(request))


def account(emu, request, platform, username):
    if request.method == "PATCH":
        return emu.update_account(_platform(platform), username, _json(request))
    return emu.account_detail(_platform(platform), username)


def add_post(emu, request, platform, username):
    return emu.add_post(_platform(platform), username, _json(request))


def post(emu, request, post_id):
    if request.method == "PATCH":
        return emu.update_post(post_id, _json(request))
    return emu.post_detail(post_id)


def expire_tokens(emu, request):
    data = _json(request)
    platform, username = _required(data, "platform", "username")
    return emu.expire_tokens(_platform(platform), username, data.get("kind"))


def revoke_tokens(emu, request):
    platform, username = _required(_json(request), "platform", "username")
    return emu.revoke_tokens(_platform(platform), username)


def faults(emu, request):
    if request.method == "POST":
        return emu.add_fault(_json(request))
    if request.method == "DELETE":
        return emu.clear_faults()
    return {"data": emu.fault_list()}


def authorize(emu, request):
    """What pressing Allow (or Cancel, with "action": "cancel") on the consent page would do."""
    data = _json(request)
    platform, username, redirect_uri = _required(data, "platform", "username", "redirect_uri")
    platform = _platform(platform)
    client_id, _ = emu.credentials[platform]
    scopes = data.get("scope")
    if scopes is None:
        scopes = ",".join(
            ("instagram_business_basic", "instagram_business_manage_insights")
            if platform == "instagram"
            else ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")
        )
    elif isinstance(scopes, list):
        scopes = ",".join(scopes)
    params = {
        "client_id" if platform == "instagram" else "client_key": data.get("client_id") or client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": scopes,
        "state": data.get("state"),
    }
    try:
        kind, location = emu.authorize(
            platform, params, username, allow=data.get("action", "allow") != "cancel"
        )
    except PageError as error:
        raise ControlError(400, error.message) from None
    return {"location": location, "refused": kind == "refused"}


def signed_request(emu, request):
    (username,) = _required(_json(request), "username")
    payload = emu.signed_payload(username)
    return {"signed_request": signed.sign(emu.credentials["instagram"][1], payload), "payload": payload}


def callback(emu, request):
    """Deauthorize or data deletion: the person removed the app, so its tokens stop working first;
    then the signed request is posted to `url` (outside the lock: the app may call back)."""
    username, url = _required(_json(request), "username", "url")
    if not url.startswith(("http://", "https://")):
        raise ControlError(400, "url must start with http:// or https://")
    payload = emu.app_removed(username)
    signed_request = signed.sign(emu.credentials["instagram"][1], payload)
    return {"signed_request": signed_request, "payload": payload, **signed.post(url, signed_request)}


ROUTES = [
    (method, re.compile("/_emulator" + pattern), function)
    for method, pattern, function in (
        ("POST", r"/reset", reset),
        ("GET", r"/state", state),
        ("GET", r"/calls", calls),
        ("GET", r"/clock", clock),
        ("POST", r"/clock", clock),
        ("POST", r"/accounts", add_account),
        ("GET", r"/accounts/(?P<platform>[^/]+)/(?P<username>[^/]+)", account),
        ("PATCH", r"/accounts/(?P<platform>[^/]+)/(?P<username>[^/]+)", account),
        ("POST", r"/accounts/(?P<platform>[^/]+)/(?P<username>[^/]+)/posts", add_post),
        ("GET", r"/posts/(?P<post_id>[^/]+)", post),
        ("PATCH", r"/posts/(?P<post_id>[^/]+)", post),
        ("POST", r"/tokens/expire", expire_tokens),
        ("POST", r"/tokens/revoke", revoke_tokens),
        ("GET", r"/faults", faults),
        ("POST", r"/faults", faults),
        ("DELETE", r"/faults", faults),
        ("POST", r"/authorize", authorize),
        ("POST", r"/signed_request", signed_request),
        ("POST", r"/deauthorize", callback),
        ("POST", r"/data_deletion", callback),
    )
]
