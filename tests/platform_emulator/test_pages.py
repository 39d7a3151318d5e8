"""The demo pages: every account at /, one account's posts and its "New post" form (plain HTML)."""

import html
from urllib.parse import urlsplit

from tests.platform_emulator.helpers import (
    MEDIA_FIELDS,
    TT_VIDEO_FIELDS,
    graph,
    http,
    ig_token,
    query_of,
    tiktok,
    tt_tokens,
)


def page(emu, path):
    response = http.get(f"{emu.url}{path}")
    assert response.headers["Content-Type"].startswith("text/html")
    return response


def post_as(emu, path, **form):
    return http.post(f"{emu.url}{path}", data=form)


def test_the_index_lists_the_accounts_per_platform_with_links(platforms):
    response = page(platforms, "/")

    assert response.status_code == 200
    text = response.text
    assert text.index("<h2>Instagram</h2>") < text.index("<h2>TikTok</h2>")
    instagram, tiktok_part = text.split("<h2>TikTok</h2>")
    assert '<a href="/instagram/@kopi.creator">@kopi.creator</a>' in instagram
    assert '<a href="/instagram/@personal.budi">' in instagram
    assert '<a href="/tiktok/@nano.rina">@nano.rina</a>' in tiktok_part
    assert "/instagram/" not in tiktok_part
    assert "<script" not in text


def test_an_account_page_shows_its_posts_and_a_new_post_form(platforms):
    newest = platforms.account("instagram", "kopi.creator")["posts"][0]

    response = page(platforms, "/instagram/@kopi.creator")

    assert response.status_code == 200
    text = response.text
    assert "<h1>Instagram @kopi.creator</h1>" in text
    assert html.escape(newest["caption"]) in text
    assert f'<img src="/cdn/{newest["id"]}.png"' in text
    assert f"<code>{newest['permalink']}</code>" in text
    assert f"{newest['likes']:,} likes" in text and f"{newest['views']:,} views" in text
    assert '<form method="post" action="/instagram/@kopi.creator">' in text
    assert 'name="caption"' in text and 'name="type" value="reel"' in text and 'value="feed"' in text
    # The thumbnail it shows is served.
    assert http.get(f"{platforms.url}/cdn/{newest['id']}.png").status_code == 200


def test_a_new_reel_appears_in_the_graph_api_media_list(platforms):
    token = ig_token(platforms)

    response = post_as(
        platforms, "/instagram/@kopi.creator", caption="Sahur #iklan #KopiNusantara", type="reel"
    )

    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).path == "/instagram/@kopi.creator"
    post_id = query_of(location)["posted"]
    media = graph(platforms, "me/media", token, fields=MEDIA_FIELDS, limit=5).json()["data"]
    assert media[0]["id"] == post_id
    assert media[0]["caption"] == "Sahur #iklan #KopiNusantara"
    assert media[0]["media_product_type"] == "REELS" and media[0]["permalink"].startswith(
        "https://www.instagram.com/reel/"
    )
    # Back on the page, the new post is first and its link is there to copy.
    text = page(platforms, location).text
    assert f"Posted. Its link: <code>{media[0]['permalink']}</code>" in text
    assert text.index(media[0]["permalink"]) < text.index(
        platforms.account("instagram", "kopi.creator")["posts"][1]["permalink"]
    )


def test_a_new_feed_post_is_a_photo(platforms):
    token = ig_token(platforms, "nano.rina")

    post_as(platforms, "/instagram/@nano.rina", caption="Outfit kampus", type="feed")

    newest = graph(platforms, "me/media", token, fields=MEDIA_FIELDS, limit=1).json()["data"][0]
    assert (newest["caption"], newest["media_product_type"], newest["media_type"]) == (
        "Outfit kampus",
        "FEED",
        "IMAGE",
    )
    assert newest["permalink"].startswith("https://www.instagram.com/p/")


def test_a_new_tiktok_video_appears_in_the_video_list(platforms):
    token = tt_tokens(platforms)["access_token"]

    response = post_as(platforms, "/tiktok/@kopi.creator", caption="Kopi tubruk #iklan")

    assert response.status_code == 303
    post_id = query_of(response.headers["Location"])["posted"]
    answer = tiktok(platforms, "POST", "video/list/", token, TT_VIDEO_FIELDS, json={"max_count": 5}).json()
    video = answer["data"]["videos"][0]
    assert (video["id"], video["video_description"]) == (post_id, "Kopi tubruk #iklan")
    assert video["share_url"] == f"https://www.tiktok.com/@kopi.creator/video/{post_id}"
    assert "Reel (video)" not in page(platforms, "/tiktok/@kopi.creator").text  # no type to choose


def test_captions_are_escaped(platforms):
    post_as(platforms, "/tiktok/@nano.rina", caption='<script>alert("x")</script>')

    text = page(platforms, "/tiktok/@nano.rina").text

    assert "<script>" not in text and "&lt;script&gt;" in text


def test_bad_input_is_shown_and_posts_nothing(platforms):
    before = platforms.account("instagram", "kopi.creator")["post_count"]

    wrong_type = post_as(platforms, "/instagram/@kopi.creator", caption="Hi", type="story")
    too_long = post_as(platforms, "/instagram/@kopi.creator", caption="x" * 2201, type="reel")

    assert wrong_type.status_code == 400 and "Choose a reel or a feed post." in wrong_type.text
    assert too_long.status_code == 400 and "at most 2200 characters" in too_long.text
    assert platforms.account("instagram", "kopi.creator")["post_count"] == before


def test_unknown_accounts_and_methods(platforms):
    assert page(platforms, "/instagram/@nobody").status_code == 404
    assert post_as(platforms, "/tiktok/@nobody", caption="Hi").status_code == 404
    assert http.delete(f"{platforms.url}/").status_code == 405
    # The consent pages and the API keep their own paths.
    assert http.get(f"{platforms.url}/instagram/kopi.creator").status_code == 404
