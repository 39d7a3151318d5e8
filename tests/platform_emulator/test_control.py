"""Faults, X-App-Usage, call counts, the clock, and Meta's signed deauthorize / data-deletion requests."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from tests.platform_emulator.helpers import (
    TT_VIDEO_FIELDS,
    b64decode,
    graph,
    graph_error,
    ig_token,
    tiktok,
    tt_refresh,
    tt_tokens,
)
from tests.platform_fixtures import PlatformEmulatorError


def test_instagram_rate_limits_use_the_documented_codes_and_statuses(platforms):
    token = ig_token(platforms)
    for code, status in ((4, 400), (17, 400), (32, 403), (613, 403)):
        platforms.fault("instagram", "rate_limit", count=1, code=code)
        limited = graph(platforms, "me", token)
        assert limited.status_code == status
        error = graph_error(limited)
        assert error["code"] == code and error["type"] == "OAuthException" and error["is_transient"] is True
        assert error["message"].startswith(f"(#{code})")
        assert graph(platforms, "me", token).status_code == 200
    platforms.fault("instagram", "rate_limit")
    assert json.loads(graph(platforms, "me", token).headers["X-App-Usage"])["call_count"] == 100


def test_every_graph_answer_carries_app_usage_and_the_budget_runs_out(platforms):
    token = ig_token(platforms)
    usage = json.loads(graph(platforms, "me", token).headers["X-App-Usage"])
    assert set(usage) == {"call_count", "total_cputime", "total_time"}
    assert 0 <= usage["call_count"] < 5
    session = requests.Session()
    session.trust_env = False
    url = f"{platforms.url}/instagram-graph/v23.0/me"
    statuses = [session.get(url, params={"access_token": token}, timeout=10).status_code for _ in range(200)]
    assert statuses[-1] == 400 and statuses.count(200) == 198  # 200 an hour for one user, the exchange too
    assert graph_error(graph(platforms, "me", token))["code"] == 4
    platforms.advance_clock(3601)
    recovered = graph(platforms, "me", token)
    assert recovered.status_code == 200 and json.loads(recovered.headers["X-App-Usage"])["call_count"] == 0


def test_tiktok_rate_limit_and_server_errors(platforms):
    tokens = tt_tokens(platforms)
    platforms.fault("tiktok", "rate_limit", count=2)
    for _ in range(2):
        limited = tiktok(
            platforms, "POST", "video/list/", tokens["access_token"], "id", json={"max_count": 5}
        )
        assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    platforms.fault("tiktok", "error500", endpoint="video_list")
    assert tiktok(platforms, "GET", "user/info/", tokens["access_token"], "open_id").status_code == 200
    broken = tiktok(platforms, "POST", "video/list/", tokens["access_token"], "id", json={"max_count": 5})
    assert broken.status_code == 500 and broken.json()["error"]["code"] == "internal_error"
    ok = tiktok(
        platforms, "POST", "video/list/", tokens["access_token"], TT_VIDEO_FIELDS, json={"max_count": 5}
    )
    assert ok.status_code == 200


def test_a_ratio_of_faults_is_seeded(platforms):
    token = ig_token(platforms)

    def run():
        platforms.clear_faults()
        platforms.fault("instagram", "error500", ratio=0.3, endpoint="profile")
        return [graph(platforms, "me", token).status_code for _ in range(30)]

    first = run()
    assert 3 <= first.count(500) <= 18 and set(first) == {200, 500}
    platforms.reset()
    token = ig_token(platforms)
    assert run() == first


def test_a_timeout_answers_late_after_doing_the_work(platforms):
    tokens = tt_tokens(platforms)
    platforms.fault("tiktok", "timeout", seconds=0.6, endpoint="refresh_token")
    with pytest.raises(requests.exceptions.ReadTimeout):
        tt_refresh(platforms, tokens["refresh_token"], timeout=0.2)
    # The refresh happened: the old refresh token rotated away while the client heard nothing.
    assert tt_refresh(platforms, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    rotated = [token for token in platforms.state()["tokens"] if token["kind"] == "tt_refresh"]
    assert [token["rotated"] for token in rotated] == [True, False]


def test_calls_are_counted_per_endpoint_and_account(platforms):
    token = ig_token(platforms)
    post = platforms.account("instagram", "kopi.creator")["posts"][0]["id"]
    graph(platforms, "me", token)
    graph(platforms, "me/media", token)
    graph(platforms, f"{post}/insights", token, metric="reach")
    graph(platforms, f"{post}/insights", token, metric="likes")
    graph(platforms, "me", "IGAAnobody")

    calls = platforms.state()["calls"]
    assert calls["by_endpoint"] == {
        "instagram.token": 1,
        "instagram.long_lived_token": 1,
        "instagram.profile": 2,
        "instagram.media_list": 1,
        "instagram.media_insights": 2,
    }
    assert calls["by_account"]["instagram:kopi.creator"]["instagram.profile"] == 1
    assert calls["total"] == 7
    insights = platforms.calls(endpoint="instagram.media_insights", account="instagram:kopi.creator")
    assert [call["target"] for call in insights] == [post, post]
    assert all(call["status"] == 200 for call in insights)
    platforms.reset()
    assert platforms.state()["calls"]["total"] == 0


def test_the_clock_moves_on_and_resets(platforms):
    before = platforms.state()["now"]
    moved = platforms.advance_clock(7200)
    assert moved["offset"] == 7200 and moved["now"] >= before + 7200
    platforms.reset()
    assert platforms.state()["clock_offset"] == 0
    with pytest.raises(PlatformEmulatorError) as error:
        platforms.advance_clock(-5)
    assert error.value.status == 400


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.append((self.path, parse_qs(body)["signed_request"][0]))
        answer = json.dumps({"url": "http://app/deletion/abc", "confirmation_code": "abc"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.received
    server.shutdown()
    server.server_close()


def _verify(signed_request, secret):
    signature, payload = signed_request.split(".")
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(b64decode(signature), expected)
    assert "=" not in signed_request
    return json.loads(b64decode(payload))


def test_deauthorize_posts_a_signed_request_and_revokes_the_tokens(platforms, receiver):
    url, received = receiver
    token = ig_token(platforms)
    result = platforms.deauthorize("kopi.creator", f"{url}/platforms/instagram/deauthorize/")
    assert result["status"] == 200 and result["error"] is None
    ((path, signed_request),) = received
    assert path == "/platforms/instagram/deauthorize/" and signed_request == result["signed_request"]
    payload = _verify(signed_request, platforms.instagram_client_secret)
    assert payload["algorithm"] == "HMAC-SHA256"
    assert payload["user_id"] == platforms.account("instagram", "kopi.creator")["id"]
    assert isinstance(payload["issued_at"], int)
    assert graph_error(graph(platforms, "me", token))["error_subcode"] == 460
    signature, body = signed_request.split(".")
    forged = hmac.new(b"another-secret", body.encode(), hashlib.sha256).digest()
    assert not hmac.compare_digest(b64decode(signature), forged)


def test_data_deletion_returns_the_apps_answer(platforms, receiver):
    url, received = receiver
    result = platforms.data_deletion("nano.rina", f"{url}/deletion/")
    assert json.loads(result["body"]) == {"url": "http://app/deletion/abc", "confirmation_code": "abc"}
    assert (
        _verify(received[0][1], "kolabo-ig-secret")["user_id"]
        == platforms.account("instagram", "nano.rina")["id"]
    )
    assert _verify(platforms.signed_request("tiny.account"), "kolabo-ig-secret")["user_id"]
    unreachable = platforms.deauthorize("nano.rina", "http://127.0.0.1:9/nothing")
    assert unreachable["status"] is None and unreachable["error"]


def test_concurrent_calls_are_all_counted(platforms):
    token = ig_token(platforms)
    url = f"{platforms.url}/instagram-graph/v23.0/me/media"

    def fetch():
        session = requests.Session()
        session.trust_env = False
        return [session.get(url, params={"access_token": token}, timeout=10).status_code for _ in range(10)]

    results = []
    threads = [threading.Thread(target=lambda: results.extend(fetch())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 80
    assert platforms.state()["calls"]["by_account"]["instagram:kopi.creator"]["instagram.media_list"] == 80
