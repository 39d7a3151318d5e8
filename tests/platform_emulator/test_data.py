"""Profiles, media and videos with paging, insights, demographics, thumbnails, and the seed."""

import struct
import time
import zlib

from tests.platform_emulator.helpers import (
    MEDIA_FIELDS,
    TT_USER_FIELDS,
    TT_VIDEO_FIELDS,
    graph,
    graph_error,
    http,
    ig_token,
    query_of,
    tiktok,
    tt_tokens,
)

DAY = 24 * 3600
MEDIA_METRICS = "reach,likes,comments,shares,saved,views"


def _demographics(emu, token, user_id, breakdown):
    params = {"metric": "follower_demographics", "period": "lifetime", "metric_type": "total_value"}
    return graph(emu, f"{user_id}/insights", token, breakdown=breakdown, **params)


def test_media_pages_newest_first_with_cursors_and_next_links(platforms):
    token = ig_token(platforms)
    first = graph(platforms, "me/media", token, fields=MEDIA_FIELDS, limit=30)
    assert first.status_code == 200
    page = first.json()
    assert len(page["data"]) == 30 and "previous" not in page["paging"]
    assert set(page["paging"]["cursors"]) == {"before", "after"}
    assert query_of(page["paging"]["next"])["access_token"] == token

    second = http.get(page["paging"]["next"]).json()
    assert len(second["data"]) == 15 and "next" not in second["paging"]
    items = page["data"] + second["data"]
    stamps = [item["timestamp"] for item in items]
    assert stamps == sorted(stamps, reverse=True) and len({item["id"] for item in items}) == 45
    back = http.get(second["paging"]["previous"]).json()
    assert [item["id"] for item in back["data"]] == [item["id"] for item in page["data"]]

    reel = next(item for item in items if item["media_product_type"] == "REELS")
    assert reel["media_type"] == "VIDEO" and reel["permalink"].startswith("https://www.instagram.com/reel/")
    assert reel["thumbnail_url"] == f"{platforms.url}/cdn/{reel['id']}.png"
    image = next(item for item in items if item["media_type"] == "IMAGE")
    assert "thumbnail_url" not in image and image["media_url"].endswith(f"/cdn/{image['id']}.png")
    assert image["permalink"].startswith("https://www.instagram.com/p/")
    assert len(image["timestamp"]) == 24 and image["timestamp"].endswith("+0000")

    one = graph(platforms, image["id"], token, fields=MEDIA_FIELDS).json()
    assert one == image
    unknown = graph(platforms, "me/media", token, fields="id,impressions")
    assert unknown.status_code == 400 and graph_error(unknown)["code"] == 100


def test_media_of_another_account_is_not_found(platforms):
    token = ig_token(platforms)
    rina_post = platforms.account("instagram", "nano.rina")["posts"][0]["id"]
    for path in (rina_post, f"{rina_post}/insights?metric=reach"):
        error = graph_error(graph(platforms, path, token))
        assert (error["code"], error["error_subcode"]) == (100, 33)


def test_media_insights_answer_the_post_metrics(platforms):
    token = ig_token(platforms)
    post = platforms.account("instagram", "kopi.creator")["posts"][0]
    answer = graph(platforms, f"{post['id']}/insights", token, metric=MEDIA_METRICS)
    assert answer.status_code == 200
    values = {item["name"]: item["values"][0]["value"] for item in answer.json()["data"]}
    assert values == {
        "reach": post["reach"],
        "likes": post["likes"],
        "comments": post["comments"],
        "shares": post["shares"],
        "saved": post["saves"],
        "views": post["views"],
    }
    first = answer.json()["data"][0]
    assert first["period"] == "lifetime" and first["id"] == f"{post['id']}/insights/reach/lifetime"

    platforms.update_post(post["id"], likes=999)
    updated = graph(platforms, f"{post['id']}/insights", token, metric="likes").json()
    assert updated["data"][0]["values"][0]["value"] == 999
    wrong = graph(platforms, f"{post['id']}/insights", token, metric="impressions")
    assert graph_error(wrong)["code"] == 100

    basic_only = ig_token(platforms, scope="instagram_business_basic")
    refused = graph(platforms, f"{post['id']}/insights", basic_only, metric="reach")
    assert refused.status_code == 403 and graph_error(refused)["code"] == 10


def test_follower_demographics_per_breakdown(platforms):
    token = ig_token(platforms)
    user_id = platforms.account("instagram", "kopi.creator")["id"]
    for breakdown, sample in (
        ("country", "ID"),
        ("city", "Jakarta, Jakarta"),
        ("age", "25-34"),
        ("gender", "F"),
    ):
        answer = _demographics(platforms, token, user_id, breakdown)
        assert answer.status_code == 200, answer.text
        (metric,) = answer.json()["data"]
        assert metric["name"] == "follower_demographics" and metric["period"] == "lifetime"
        (block,) = metric["total_value"]["breakdowns"]
        assert block["dimension_keys"] == [breakdown]
        results = {row["dimension_values"][0]: row["value"] for row in block["results"]}
        assert sample in results
    assert set(results) == {"F", "M", "U"}
    countries = _demographics(platforms, token, "me", "country").json()["data"][0]["total_value"]
    top = countries["breakdowns"][0]["results"][0]
    assert top["dimension_values"] == ["ID"] and top["value"] > 8400 * 0.6
    bad = _demographics(platforms, token, user_id, "language")
    assert graph_error(bad)["code"] == 100


def test_demographics_need_a_hundred_followers(platforms):
    token = ig_token(platforms, "tiny.account")
    answer = _demographics(platforms, token, "me", "country")
    assert answer.status_code == 400
    error = graph_error(answer)
    assert error["code"] == 100 and "not enough followers" in error["message"]

    platforms.update_account("instagram", "tiny.account", followers=150)
    assert _demographics(platforms, token, "me", "country").status_code == 200


def test_tiktok_video_list_pages_with_a_cursor_and_query_returns_only_the_owners(platforms):
    token = tt_tokens(platforms)["access_token"]
    seen, cursor, pages = [], None, 0
    while True:
        body = {"max_count": 20} if cursor is None else {"max_count": 20, "cursor": cursor}
        answer = tiktok(platforms, "POST", "video/list/", token, TT_VIDEO_FIELDS, json=body).json()
        assert answer["error"]["code"] == "ok"
        seen += answer["data"]["videos"]
        cursor, pages = answer["data"]["cursor"], pages + 1
        if not answer["data"]["has_more"]:
            break
    assert pages == 2 and len(seen) == 40 and len({video["id"] for video in seen}) == 40
    times = [video["create_time"] for video in seen]
    assert times == sorted(times, reverse=True)
    video = seen[0]
    assert video["share_url"] == f"https://www.tiktok.com/@kopi.creator/video/{video['id']}"
    assert video["cover_image_url"] == f"{platforms.url}/cdn/{video['id']}.png"

    too_many = tiktok(platforms, "POST", "video/list/", token, TT_VIDEO_FIELDS, json={"max_count": 21})
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_params"

    rinas = platforms.account("tiktok", "nano.rina")["posts"][0]["id"]
    query = {"filters": {"video_ids": [seen[3]["id"], rinas, seen[0]["id"]]}}
    found = tiktok(platforms, "POST", "video/query/", token, "id,like_count,view_count", json=query).json()
    assert [video["id"] for video in found["data"]["videos"]] == [seen[3]["id"], seen[0]["id"]]
    assert found["data"]["videos"][0]["like_count"] == seen[3]["like_count"]


def test_tiktok_user_info_counts_the_videos(platforms):
    token = tt_tokens(platforms, "nano.rina")["access_token"]
    account = platforms.account("tiktok", "nano.rina")
    user = tiktok(platforms, "GET", "user/info/", token, TT_USER_FIELDS).json()["data"]["user"]
    assert user["likes_count"] == sum(post["likes"] for post in account["posts"])
    assert user["display_name"] == "Rina W." and user["following_count"] == 151
    unknown = tiktok(platforms, "GET", "user/info/", token, "open_id,email")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_params"


def test_thumbnails_are_real_pngs_coloured_by_id(platforms):
    posts = platforms.account("instagram", "kopi.creator")["posts"]
    first, second = (http.get(f"{platforms.url}/cdn/{post['id']}.png") for post in posts[:2])
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/png"
    data = first.content
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (width, height, depth, colour) == (64, 64, 8, 2)
    length = struct.unpack(">I", data[33:37])[0]
    assert data[37:41] == b"IDAT" and len(zlib.decompress(data[41 : 41 + length])) == 64 * (1 + 64 * 3)
    assert first.content != second.content
    assert http.get(f"{platforms.url}/cdn/{posts[0]['id']}.png").content == data
    assert http.get(f"{platforms.url}/cdn/unknown.png").status_code == 404


def test_the_seed_is_the_same_after_every_reset(platforms):
    def snapshot():
        return [
            platforms.account(account["platform"], account["username"])
            for account in platforms.state()["accounts"]
        ]

    before = snapshot()
    token = ig_token(platforms)
    graph(platforms, "me/media", token)
    platforms.add_account("instagram", "extra.one", 500, posts=3)
    platforms.reset()
    assert snapshot() == before
    platforms.reset()
    assert snapshot() == before
    assert [(a["platform"], a["username"]) for a in before] == [
        ("instagram", "kopi.creator"),
        ("instagram", "nano.rina"),
        ("instagram", "tiny.account"),
        ("instagram", "personal.budi"),
        ("tiktok", "kopi.creator"),
        ("tiktok", "nano.rina"),
    ]
    kopi = before[0]
    recent = [post for post in kopi["posts"] if post["timestamp"] > time.time() - 90 * DAY]
    assert len(recent) >= 30 and kopi["followers"] == 8400
    assert max(kopi["audience"]["country"], key=kopi["audience"]["country"].get) == "ID"


def test_accounts_and_posts_added_through_the_control_api(platforms):
    account = platforms.add_account(
        "instagram",
        "brand.new",
        followers=2000,
        account_type="MEDIA_CREATOR",
        audience={"country": {"MY": 70, "ID": 30}},
        posts=[{"caption": "Halo!", "likes": 80, "comments": 4, "timestamp": "2026-01-02T03:04:05+0000"}],
    )
    assert account["audience"]["country"] == {"MY": 1400, "ID": 600}
    (post,) = account["posts"]
    assert post["timestamp"] == 1767323045 and post["likes"] == 80 and post["caption"] == "Halo!"

    newer = platforms.add_post(
        "instagram", "brand.new", caption="Reel baru", media_product_type="REELS", likes=10
    )
    assert newer["permalink"].startswith("https://www.instagram.com/reel/")
    token = ig_token(platforms, "brand.new")
    media = graph(platforms, "me/media", token, fields="id,caption,like_count").json()["data"]
    assert [item["caption"] for item in media] == ["Reel baru", "Halo!"]

    platforms.update_post(newer["id"], deleted=True)
    assert graph_error(graph(platforms, newer["id"], token))["error_subcode"] == 33
    platforms.update_account("instagram", "brand.new", followers=2500, new_username="brand.renamed")
    me = graph(platforms, "me", token, fields="username,followers_count,media_count").json()
    assert (me["username"], me["followers_count"], me["media_count"]) == ("brand.renamed", 2500, 1)

    tiktoker = platforms.add_account("tiktok", "tt.new", 900, posts=25)
    assert len(tiktoker["posts"]) == 25 and tiktoker["id"].startswith("-000")
