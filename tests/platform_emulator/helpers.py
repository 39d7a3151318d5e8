"""Talking to the platform emulator over HTTP as the app's clients would (requests, no Django)."""

import base64
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import requests

REDIRECT_URI = "http://127.0.0.1:9/platforms/callback"  # never contacted: redirects are not followed
IG_SCOPES = "instagram_business_basic,instagram_business_manage_insights"
TT_SCOPES = "user.info.basic,user.info.profile,user.info.stats,video.list"
TT_USER_FIELDS = (
    "open_id,union_id,avatar_url,display_name,username,follower_count,following_count,likes_count,video_count"
)
TT_VIDEO_FIELDS = "id,create_time,cover_image_url,share_url,video_description,duration,title,like_count,comment_count,share_count,view_count"
MEDIA_FIELDS = "id,caption,media_type,media_product_type,permalink,thumbnail_url,media_url,timestamp,like_count,comments_count"


class Http(requests.Session):
    """No proxies from the environment, no redirects followed, a timeout on every call."""

    def __init__(self):
        super().__init__()
        self.trust_env = False

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, url, **kwargs)


http = Http()


def query_of(url):
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


class FormParser(HTMLParser):
    """The consent page's form: hidden inputs and the select's options."""

    def __init__(self):
        super().__init__()
        self.fields, self.options = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.fields[attrs["name"]] = attrs["value"]
        elif tag == "option":
            self.options.append(attrs["value"])
            if "selected" in attrs:
                self.fields["account"] = attrs["value"]


def parse_form(page):
    parser = FormParser()
    parser.feed(page)
    return parser


# Instagram


def ig_exchange(emu, code, redirect_uri=REDIRECT_URI, secret=None):
    data = {
        "client_id": emu.instagram_client_id,
        "client_secret": secret or emu.instagram_client_secret,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return http.post(f"{emu.url}/instagram-api/oauth/access_token", data=data)


def ig_code(emu, username="kopi.creator", scope=IG_SCOPES):
    return query_of(emu.authorize("instagram", username, REDIRECT_URI, "state-1", scope=scope))["code"]


def ig_short_token(emu, username="kopi.creator", scope=IG_SCOPES):
    response = ig_exchange(emu, ig_code(emu, username, scope))
    assert response.status_code == 200, response.text
    return response.json()["data"][0]


def ig_long_lived(emu, short_token):
    params = {
        "grant_type": "ig_exchange_token",
        "client_secret": emu.instagram_client_secret,
        "access_token": short_token,
    }
    return http.get(f"{emu.url}/instagram-graph/access_token", params=params)


def ig_token(emu, username="kopi.creator", scope=IG_SCOPES):
    """A long-lived token of the account, as the app keeps it."""
    response = ig_long_lived(emu, ig_short_token(emu, username, scope)["access_token"])
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def graph(emu, path, token, **params):
    return http.get(f"{emu.url}/instagram-graph/v23.0/{path}", params={**params, "access_token": token})


def graph_error(response):
    return response.json()["error"]


# TikTok


def tt_exchange(emu, code, redirect_uri=REDIRECT_URI, secret=None):
    data = {
        "client_key": emu.tiktok_client_key,
        "client_secret": secret or emu.tiktok_client_secret,
        "code": code,
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    }
    return http.post(f"{emu.url}/tiktok-api/v2/oauth/token/", data=data)


def tt_refresh(emu, refresh_token, **kwargs):
    data = {
        "client_key": emu.tiktok_client_key,
        "client_secret": emu.tiktok_client_secret,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
    }
    return http.post(f"{emu.url}/tiktok-api/v2/oauth/token/", data=data, **kwargs)


def tt_code(emu, username="kopi.creator", scope=TT_SCOPES):
    return query_of(emu.authorize("tiktok", username, REDIRECT_URI, "state-1", scope=scope))["code"]


def tt_tokens(emu, username="kopi.creator", scope=TT_SCOPES):
    response = tt_exchange(emu, tt_code(emu, username, scope))
    assert response.status_code == 200 and "error" not in response.json(), response.text
    return response.json()


def tiktok(emu, method, path, token, fields, **kwargs):
    return http.request(
        method,
        f"{emu.url}/tiktok-api/v2/{path}",
        params={"fields": fields},
        headers={"Authorization": f"Bearer {token}"},
        **kwargs,
    )


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
