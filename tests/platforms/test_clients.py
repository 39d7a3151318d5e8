"""The platform clients against the emulator, over HTTP: typed results and Kolabo's errors."""

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from platforms.clients import (
    InstagramClient,
    PlatformRefused,
    PlatformUnavailable,
    RateLimited,
    TikTokClient,
    TokenInvalid,
)
from platforms.clients import tiktok as tiktok_api

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


REDIRECT_URI = "https://kolabo.test/platforms/callback/"


def grant_for(emulator, platform, username):
    """Tokens for an emulator account, as the OAuth flow would get them (without the browser).

    {"access_token", "expires_in", "external_id"} (+ "refresh_token", "refresh_expires_in" on TikTok).
    """
    location = emulator.authorize(platform, username, REDIRECT_URI, "state-test")
    code = parse_qs(urlsplit(location).query)["code"][0]
    http = requests.Session()
    http.trust_env = False
    if platform == "instagram":
        short = http.post(
            f"{emulator.url}/instagram-api/oauth/access_token",
            data={
                "client_id": emulator.instagram_client_id,
                "client_secret": emulator.instagram_client_secret,
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT_URI,
                "code": code,
            },
        ).json()["data"][0]
        long = http.get(
            f"{emulator.url}/instagram-graph/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": emulator.instagram_client_secret,
                "access_token": short["access_token"],
            },
        ).json()
        return {**long, "external_id": str(short["user_id"])}
    body = http.post(
        f"{emulator.url}/tiktok-api/v2/oauth/token/",
        data={
            "client_key": emulator.tiktok_client_key,
            "client_secret": emulator.tiktok_client_secret,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT_URI,
        },
    ).json()
    return {**body, "external_id": body["open_id"]}


def calls(emulator, endpoint):
    return len(emulator.calls(endpoint=endpoint))


# Instagram


def test_instagram_profile_and_recent_posts(platforms):
    grant = grant_for(platforms, "instagram", "kopi.creator")
    client = InstagramClient(grant["access_token"])
    profile = client.profile()
    assert (profile.username, profile.followers, profile.account_type) == ("kopi.creator", 8400, "BUSINESS")
    assert profile.external_id == grant["external_id"]
    assert profile.following == 612
    assert profile.picture_url.endswith(".png")

    posts = client.recent_posts()
    assert len(posts) == 30
    assert calls(platforms, "instagram.media_list") == 1
    assert [post.posted_at for post in posts] == sorted((post.posted_at for post in posts), reverse=True)
    first = posts[0]
    assert isinstance(first.posted_at, datetime) and first.posted_at.tzinfo is not None
    assert first.permalink.startswith("https://www.instagram.com/")
    assert first.likes is not None and first.comments is not None
    assert all(post.thumbnail_url for post in posts)
    seeded = {post["id"]: post for post in platforms.account("instagram", "kopi.creator")["posts"]}
    assert first.likes == seeded[first.external_id]["likes"]
    # The Graph's usage header is read on every answer.
    assert isinstance(client.app_usage, int)


def test_instagram_pages_with_next_until_the_limit(platforms):
    client = InstagramClient(grant_for(platforms, "instagram", "kopi.creator")["access_token"])
    posts = client.recent_posts(limit=40)
    assert len(posts) == 40 == len({post.external_id for post in posts})
    assert calls(platforms, "instagram.media_list") == 2
    assert (
        len(InstagramClient(grant_for(platforms, "instagram", "nano.rina")["access_token"]).recent_posts())
        == 14
    )


def test_instagram_one_post_and_its_insights(platforms):
    client = InstagramClient(grant_for(platforms, "instagram", "kopi.creator")["access_token"])
    newest = client.recent_posts(limit=1)[0]
    assert client.post(newest.external_id) == newest
    insights = client.post_insights(newest.external_id)
    seeded = platforms.post(newest.external_id)
    assert (insights.reach, insights.likes, insights.saves) == (
        seeded["reach"],
        seeded["likes"],
        seeded["saves"],
    )
    with pytest.raises(PlatformRefused):
        client.post("not-a-media-id")


def test_instagram_audience_per_breakdown_and_none_below_100_followers(platforms):
    grant = grant_for(platforms, "instagram", "kopi.creator")
    client = InstagramClient(grant["access_token"])
    countries = client.audience(grant["external_id"], "country")
    assert max(countries, key=countries.get) == "ID"
    assert sum(countries.values()) > 0
    every = client.audiences(grant["external_id"])
    assert set(every) == {"country", "city", "age", "gender"}
    assert set(every["gender"]) <= {"F", "M", "U"}
    assert "18-24" in every["age"]

    tiny = grant_for(platforms, "instagram", "tiny.account")
    assert InstagramClient(tiny["access_token"]).audience(tiny["external_id"], "country") is None
    assert InstagramClient(tiny["access_token"]).audiences(tiny["external_id"]) is None


def test_instagram_token_refresh_needs_a_day_old_token(platforms):
    grant = grant_for(platforms, "instagram", "kopi.creator")
    client = InstagramClient(grant["access_token"])
    with pytest.raises(PlatformRefused):
        client.refresh_token()  # "token too new"
    platforms.advance_clock(2 * 86400)
    renewed = client.refresh_token()
    assert renewed.access_token != grant["access_token"]
    assert renewed.expires_in == 60 * 86400
    assert InstagramClient(renewed.access_token).profile().username == "kopi.creator"
    assert grant["access_token"] not in repr(renewed)


def test_instagram_dead_tokens_are_token_invalid_with_the_reason(platforms):
    token = grant_for(platforms, "instagram", "kopi.creator")["access_token"]
    platforms.expire_tokens("instagram", "kopi.creator")
    with pytest.raises(TokenInvalid) as expired:
        InstagramClient(token).profile()
    assert expired.value.reason == TokenInvalid.EXPIRED
    assert token not in str(expired.value)

    token = grant_for(platforms, "instagram", "nano.rina")["access_token"]
    platforms.revoke_tokens("instagram", "nano.rina")
    with pytest.raises(TokenInvalid) as revoked:
        InstagramClient(token).recent_posts()
    assert revoked.value.reason == TokenInvalid.REVOKED


@pytest.mark.parametrize(("code", "app_wide"), [(4, True), (17, False), (32, False), (613, False)])
def test_instagram_rate_limits(platforms, code, app_wide):
    client = InstagramClient(grant_for(platforms, "instagram", "kopi.creator")["access_token"])
    platforms.fault("instagram", "rate_limit", count=1, code=code)
    with pytest.raises(RateLimited) as limited:
        client.profile()
    assert limited.value.app_wide is app_wide
    assert f"code {code}" in str(limited.value)
    assert limited.value.answered_before == 0
    assert client.profile().username == "kopi.creator"  # one call only
    platforms.fault("instagram", "rate_limit", count=1, code=code)
    with pytest.raises(RateLimited) as after_one:
        client.recent_posts()
    assert after_one.value.answered_before == 1


def test_instagram_server_errors_and_timeouts_are_unavailable(platforms, settings):
    token = grant_for(platforms, "instagram", "kopi.creator")["access_token"]
    platforms.fault("instagram", "error500", count=1)
    with pytest.raises(PlatformUnavailable):
        InstagramClient(token).profile()
    settings.PLATFORM_TIMEOUT_SECONDS = 0.2
    platforms.fault("instagram", "timeout", count=1, seconds=1)
    with pytest.raises(PlatformUnavailable) as timed_out:
        InstagramClient(token).recent_posts()
    assert "0.2 seconds" in str(timed_out.value)
    assert token not in str(timed_out.value)


def test_unreachable_platform_is_unavailable(settings):
    settings.INSTAGRAM_GRAPH_BASE = "http://127.0.0.1:9/instagram-graph"  # discard port: nobody listens
    with pytest.raises(PlatformUnavailable) as error:
        InstagramClient("IGAAsecret").profile()
    assert "IGAAsecret" not in str(error.value)


# TikTok


def test_tiktok_profile_and_recent_videos_follow_the_cursor(platforms):
    grant = grant_for(platforms, "tiktok", "kopi.creator")
    client = TikTokClient(grant["access_token"])
    profile = client.profile()
    assert (profile.username, profile.followers, profile.external_id) == (
        "kopi.creator",
        15200,
        grant["open_id"],
    )
    assert profile.media_count == 40

    videos = client.recent_posts()
    assert len(videos) == 30 == len({video.external_id for video in videos})
    assert calls(platforms, "tiktok.video_list") == 2  # 20 + 10
    assert [video.posted_at for video in videos] == sorted(
        (video.posted_at for video in videos), reverse=True
    )
    assert videos[0].permalink == f"https://www.tiktok.com/@kopi.creator/video/{videos[0].external_id}"
    assert videos[0].views is not None and videos[0].shares is not None
    assert len(TikTokClient(grant_for(platforms, "tiktok", "nano.rina")["access_token"]).recent_posts()) == 12


def test_tiktok_video_query_returns_only_the_owners_videos(platforms):
    mine = TikTokClient(grant_for(platforms, "tiktok", "kopi.creator")["access_token"])
    other = TikTokClient(grant_for(platforms, "tiktok", "nano.rina")["access_token"])
    own = mine.recent_posts(limit=2)
    foreign = other.recent_posts(limit=1)[0]
    found = mine.posts([own[0].external_id, foreign.external_id, own[1].external_id])
    assert [video.external_id for video in found] == [own[0].external_id, own[1].external_id]
    assert mine.post(foreign.external_id) is None
    assert mine.post(own[0].external_id) == own[0]


def test_tiktok_refresh_rotates_the_refresh_token(platforms):
    grant = grant_for(platforms, "tiktok", "kopi.creator")
    renewed = tiktok_api.refresh_token(grant["refresh_token"])
    assert renewed.refresh_token and renewed.refresh_token != grant["refresh_token"]
    assert renewed.expires_in == 86400 and renewed.refresh_expires_in
    assert TikTokClient(renewed.access_token).profile().username == "kopi.creator"
    with pytest.raises(TokenInvalid) as reused:
        tiktok_api.refresh_token(grant["refresh_token"])  # rotated away
    assert grant["refresh_token"] not in str(reused.value)
    assert tiktok_api.refresh_token(renewed.refresh_token).access_token


def test_tiktok_revoke_and_dead_tokens(platforms):
    grant = grant_for(platforms, "tiktok", "kopi.creator")
    tiktok_api.revoke(grant["access_token"])
    with pytest.raises(TokenInvalid):
        TikTokClient(grant["access_token"]).profile()
    with pytest.raises(TokenInvalid):
        tiktok_api.refresh_token(grant["refresh_token"])

    grant = grant_for(platforms, "tiktok", "nano.rina")
    platforms.expire_tokens("tiktok", "nano.rina", kind="access")
    with pytest.raises(TokenInvalid):
        TikTokClient(grant["access_token"]).recent_posts()
    assert tiktok_api.refresh_token(grant["refresh_token"]).access_token  # the refresh token still works


def test_tiktok_rate_limits_and_server_errors(platforms):
    grant = grant_for(platforms, "tiktok", "kopi.creator")
    client = TikTokClient(grant["access_token"])
    platforms.fault("tiktok", "rate_limit", count=1)
    with pytest.raises(RateLimited) as limited:
        client.profile()
    assert limited.value.app_wide
    platforms.fault("tiktok", "rate_limit", count=1)
    with pytest.raises(RateLimited):
        tiktok_api.refresh_token(grant["refresh_token"])
    platforms.fault("tiktok", "error500", count=1)
    with pytest.raises(PlatformUnavailable):
        client.recent_posts()
    assert client.profile().username == "kopi.creator"
