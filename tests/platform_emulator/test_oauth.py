"""Consent pages, code exchange, long-lived and refreshed tokens, expiry and revocation."""

import html
import re

from tests.platform_emulator.helpers import (
    IG_SCOPES,
    REDIRECT_URI,
    TT_SCOPES,
    TT_USER_FIELDS,
    graph,
    graph_error,
    http,
    ig_code,
    ig_exchange,
    ig_long_lived,
    ig_short_token,
    ig_token,
    parse_form,
    query_of,
    tiktok,
    tt_code,
    tt_exchange,
    tt_refresh,
    tt_tokens,
)

HOUR = 3600
DAY = 24 * HOUR


def _ig_authorize_page(emu, **extra):
    params = {
        "client_id": emu.instagram_client_id,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": IG_SCOPES,
        "state": "abc 123",
        **extra,
    }
    return http.get(f"{emu.url}/instagram/oauth/authorize", params=params)


def test_instagram_login_through_the_page_without_javascript(platforms):
    page = _ig_authorize_page(platforms, account="nano.rina")
    assert page.status_code == 200
    form = parse_form(page.text)
    assert form.options == ["kopi.creator", "nano.rina", "tiny.account", "personal.budi"]
    assert form.fields["account"] == "nano.rina"
    assert "@nano.rina" in page.text and ">Allow</button>" in page.text and ">Cancel</button>" in page.text

    allowed = http.post(page.url, data={**form.fields, "action": "allow"})
    assert allowed.status_code == 302
    location = allowed.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?") and location.endswith("#_")
    assert query_of(location.removesuffix("#_"))["state"] == "abc 123"

    exchanged = ig_exchange(platforms, query_of(location.removesuffix("#_"))["code"])
    assert exchanged.status_code == 200
    (grant,) = exchanged.json()["data"]
    assert grant["access_token"].startswith("IGAA")
    assert grant["permissions"] == IG_SCOPES
    rina = platforms.account("instagram", "nano.rina")
    assert grant["user_id"] == rina["id"]

    long_lived = ig_long_lived(platforms, grant["access_token"])
    assert long_lived.status_code == 200
    assert long_lived.json()["token_type"] == "bearer" and long_lived.json()["expires_in"] == 60 * DAY
    fields = (
        "user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count"
    )
    me = graph(platforms, "me", long_lived.json()["access_token"], fields=fields).json()
    assert me == {
        "id": rina["app_scoped_id"],
        "user_id": rina["id"],
        "username": "nano.rina",
        "name": "Rina Wulandari",
        "account_type": "MEDIA_CREATOR",
        "profile_picture_url": f"{platforms.url}/cdn/{rina['id']}.png",
        "followers_count": 1250,
        "follows_count": 388,
        "media_count": 14,
    }


def test_instagram_cancel_and_a_personal_account_go_back_with_errors(platforms):
    form = parse_form(_ig_authorize_page(platforms).text)
    cancelled = http.post(
        f"{platforms.url}/instagram/oauth/authorize", data={**form.fields, "action": "cancel"}
    )
    assert cancelled.status_code == 302
    assert query_of(cancelled.headers["Location"]) == {
        "error": "access_denied",
        "error_reason": "user_denied",
        "error_description": "The user denied your request.",
        "state": "abc 123",
    }

    personal = http.post(
        f"{platforms.url}/instagram/oauth/authorize",
        data={**form.fields, "account": "personal.budi", "action": "allow"},
    )
    assert personal.status_code == 400
    assert "This account is not a professional account" in personal.text
    link = html.unescape(re.search(r'<a href="([^"]+)"', personal.text)[1])
    assert link.startswith(REDIRECT_URI + "?")
    assert query_of(link)["error_reason"] == "not_professional_account"
    assert query_of(link)["state"] == "abc 123"
    location = platforms.authorize("instagram", "personal.budi", REDIRECT_URI, "s")
    assert query_of(location)["error_reason"] == "not_professional_account"


def test_the_authorize_page_refuses_a_wrong_app_or_scope(platforms):
    assert _ig_authorize_page(platforms, client_id="someone-else").status_code == 400
    assert _ig_authorize_page(platforms, scope="instagram_business_basic,email").status_code == 400
    tiktok_page = http.get(
        f"{platforms.url}/tiktok/v2/auth/authorize/",
        params={
            "client_key": "nope",
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
            "scope": TT_SCOPES,
        },
    )
    assert tiktok_page.status_code == 400


def test_an_instagram_code_works_once_with_its_redirect_uri_and_secret_within_ten_minutes(platforms):
    code = ig_code(platforms)
    wrong_secret = ig_exchange(platforms, code, secret="guess")
    assert wrong_secret.status_code == 400
    assert wrong_secret.json() == {
        "error_type": "OAuthException",
        "code": 400,
        "error_message": "Error validating client secret.",
    }
    wrong_uri = ig_exchange(platforms, code, redirect_uri=REDIRECT_URI + "/other")
    assert wrong_uri.status_code == 400 and "redirect_uri" in wrong_uri.json()["error_message"]
    assert ig_exchange(platforms, code).status_code == 200
    again = ig_exchange(platforms, code)
    assert (
        again.status_code == 400 and again.json()["error_message"] == "This authorization code has been used"
    )

    late = ig_code(platforms)
    platforms.advance_clock(601)
    expired = ig_exchange(platforms, late)
    assert expired.json()["error_message"] == "This authorization code has expired"


def test_a_long_lived_token_refreshes_once_a_day_old_and_not_after_expiry(platforms):
    token = ig_token(platforms)
    refresh_url = f"{platforms.url}/instagram-graph/refresh_access_token"
    params = {"grant_type": "ig_refresh_token", "access_token": token}
    too_new = http.get(refresh_url, params=params)
    assert too_new.status_code == 400
    assert graph_error(too_new)["code"] == 10 and "token too new" in graph_error(too_new)["message"]

    platforms.advance_clock(DAY + 1)
    refreshed = http.get(refresh_url, params=params)
    assert refreshed.status_code == 200
    assert refreshed.json()["expires_in"] == 60 * DAY and refreshed.json()["access_token"] != token

    platforms.advance_clock(61 * DAY)
    expired = http.get(refresh_url, params={**params, "access_token": refreshed.json()["access_token"]})
    assert graph_error(expired)["code"] == 190 and graph_error(expired)["error_subcode"] == 463


def test_instagram_tokens_expire_and_are_revoked_with_code_190(platforms):
    short = ig_short_token(platforms)["access_token"]
    platforms.advance_clock(HOUR)
    expired = graph(platforms, "me", short)
    assert expired.status_code == 400
    error = graph_error(expired)
    assert (error["type"], error["code"], error["error_subcode"]) == ("OAuthException", 190, 463)
    assert error["fbtrace_id"]

    token = ig_token(platforms)
    assert graph(platforms, "me", token).status_code == 200
    platforms.revoke_tokens("instagram", "kopi.creator")
    revoked = graph_error(graph(platforms, "me", token))
    assert (revoked["code"], revoked["error_subcode"]) == (190, 460)

    other = ig_token(platforms, "nano.rina")
    platforms.expire_tokens("instagram", "nano.rina")
    assert graph_error(graph(platforms, "me", other))["error_subcode"] == 463
    garbage = graph_error(graph(platforms, "me", "IGAAnot-a-token"))
    assert garbage["code"] == 190 and "error_subcode" not in garbage


def test_tiktok_login_through_the_page_then_user_info(platforms):
    params = {
        "client_key": platforms.tiktok_client_key,
        "scope": TT_SCOPES,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "tt-state",
    }
    page = http.get(f"{platforms.url}/tiktok/v2/auth/authorize/", params=params)
    form = parse_form(page.text)
    assert form.options == ["kopi.creator", "nano.rina"]
    allowed = http.post(page.url, data={**form.fields, "account": "nano.rina", "action": "allow"})
    assert allowed.status_code == 302
    back = query_of(allowed.headers["Location"])
    assert back["scopes"] == TT_SCOPES and back["state"] == "tt-state"

    tokens = tt_exchange(platforms, back["code"]).json()
    assert tokens["access_token"].startswith("act.") and tokens["refresh_token"].startswith("rft.")
    assert (tokens["expires_in"], tokens["refresh_expires_in"]) == (86400, 31536000)
    assert tokens["scope"] == TT_SCOPES and tokens["token_type"] == "Bearer"
    user = tiktok(platforms, "GET", "user/info/", tokens["access_token"], TT_USER_FIELDS).json()
    assert user["error"]["code"] == "ok"
    assert user["data"]["user"]["open_id"] == tokens["open_id"]
    assert user["data"]["user"]["username"] == "nano.rina" and user["data"]["user"]["follower_count"] == 2300
    assert user["data"]["user"]["video_count"] == 12

    cancelled = http.post(page.url, data={**form.fields, "action": "cancel"})
    assert query_of(cancelled.headers["Location"])["error"] == "access_denied"


def test_tiktok_codes_are_single_use_and_check_the_client(platforms):
    code = tt_code(platforms)
    wrong = tt_exchange(platforms, code, secret="guess")
    assert wrong.status_code == 200 and wrong.json()["error"] == "invalid_client"
    assert tt_exchange(platforms, code, redirect_uri="http://elsewhere/").json()["error"] == "invalid_grant"
    assert "access_token" in tt_exchange(platforms, code).json()
    assert tt_exchange(platforms, code).json()["error"] == "invalid_grant"


def test_tiktok_refresh_tokens_rotate(platforms):
    first = tt_tokens(platforms)
    second = tt_refresh(platforms, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["open_id"] == first["open_id"]

    reused = tt_refresh(platforms, first["refresh_token"]).json()
    assert reused["error"] == "invalid_grant"
    assert "access_token" in tt_refresh(platforms, second["refresh_token"]).json()


def test_tiktok_access_tokens_expire_revoke_and_need_their_scope(platforms):
    tokens = tt_tokens(platforms)
    platforms.advance_clock(DAY)
    expired = tiktok(platforms, "GET", "user/info/", tokens["access_token"], "open_id")
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "access_token_invalid" and expired.json()["data"] == {}
    refreshed = tt_refresh(platforms, tokens["refresh_token"]).json()
    assert tiktok(platforms, "GET", "user/info/", refreshed["access_token"], "open_id").status_code == 200

    revoke = http.post(
        f"{platforms.url}/tiktok-api/v2/oauth/revoke/",
        data={
            "client_key": platforms.tiktok_client_key,
            "client_secret": platforms.tiktok_client_secret,
            "token": refreshed["access_token"],
        },
    )
    assert revoke.status_code == 200 and revoke.json() == {}
    assert tiktok(platforms, "GET", "user/info/", refreshed["access_token"], "open_id").status_code == 401
    assert tt_refresh(platforms, refreshed["refresh_token"]).json()["error"] == "invalid_grant"

    basic = tt_tokens(platforms, scope="user.info.basic")
    stats = tiktok(platforms, "GET", "user/info/", basic["access_token"], "open_id,follower_count")
    assert stats.status_code == 401 and stats.json()["error"]["code"] == "scope_not_authorized"

    platforms.expire_tokens("tiktok", "kopi.creator", kind="access")
    again = tt_tokens(platforms)
    platforms.expire_tokens("tiktok", "kopi.creator", kind="access")
    assert tiktok(platforms, "GET", "user/info/", again["access_token"], "open_id").status_code == 401
    assert "access_token" in tt_refresh(platforms, again["refresh_token"]).json()


def test_the_platforms_fixture_points_django_at_the_emulator(platforms, settings):
    url = platforms.url
    expected = {
        "INSTAGRAM_AUTHORIZE_URL": f"{url}/instagram/oauth/authorize",
        "INSTAGRAM_API_BASE": f"{url}/instagram-api",
        "INSTAGRAM_GRAPH_BASE": f"{url}/instagram-graph",
        "TIKTOK_AUTHORIZE_URL": f"{url}/tiktok/v2/auth/authorize/",
        "TIKTOK_API_BASE": f"{url}/tiktok-api",
        "INSTAGRAM_CLIENT_ID": "kolabo-ig-app",
        "INSTAGRAM_CLIENT_SECRET": "kolabo-ig-secret",
        "TIKTOK_CLIENT_KEY": "kolabo-tt-app",
        "TIKTOK_CLIENT_SECRET": "kolabo-tt-secret",
    }
    assert {name: getattr(settings, name) for name in expected} == expected
