"""marketplace.wsgi serves /r/<code> redirects with SecurityMiddleware only; anything else, and any
short-link answer that is not a redirect, goes through the whole site (language, headers, logging)."""

import io
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings

from marketplace import wsgi
from tests.campaigns.factories import start_collaboration
from tracking.clicks import flush_clicks
from tracking.models import TrackingSettings

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@contextmanager
def _keep_test_connection():
    # As Django's test client does: the real handler's signals would close the test transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def call(app, path, *, language="en", scheme="http"):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "443" if scheme == "https" else "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "HTTP_USER_AGENT": BROWSER,
        "HTTP_ACCEPT_LANGUAGE": language,
        "REMOTE_ADDR": "198.51.100.20",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    with _keep_test_connection():
        body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body.decode()


@pytest.fixture
def link(campaign, creator, brand_owner):
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    return collaboration.tracked_link


def test_a_short_link_redirects_and_counts_through_the_short_path(link):
    TrackingSettings.objects.create(campaign=link.campaign, target_url="https://shop.example/kopi")

    status, headers, _body = call(wsgi.application, f"/r/{link.code}")

    assert status == 302
    query = parse_qs(urlsplit(headers["Location"]).query)
    assert query["utm_content"] == [link.code] and query["kclid"]
    assert "Set-Cookie" not in headers  # no session, CSRF or language cookie on a redirect
    flush_clicks()
    link.refresh_from_db()
    assert link.clicks == 1


def test_an_unknown_code_gets_the_sites_404_page_in_the_visitors_language():
    status, headers, body = call(wsgi.application, "/r/nosuchcode", language="id")

    assert status == 404
    assert headers.get("Content-Language") == "id"  # LocaleMiddleware ran: the whole site answered
    assert 'lang="id"' in body


def test_a_link_without_a_destination_is_explained_by_the_whole_site(link):
    status, headers, body = call(wsgi.application, f"/r/{link.code}")

    assert status == 404
    assert "This link has no destination yet" in body
    assert "Content-Security-Policy" in headers  # the site's middleware, not the short path
    link.refresh_from_db()
    assert link.clicks == 0


def test_the_short_path_keeps_the_security_headers(link):
    TrackingSettings.objects.create(campaign=link.campaign, target_url="https://shop.example/kopi")
    with override_settings(SECURE_HSTS_SECONDS=3600, SECURE_CONTENT_TYPE_NOSNIFF=True):
        handler = wsgi.ShortLinkHandler()  # SecurityMiddleware reads its settings when built

    status, headers, _body = call(handler, f"/r/{link.code}", scheme="https")

    assert status == 302
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_other_pages_still_go_through_the_whole_site():
    status, headers, _body = call(wsgi.application, "/")

    assert status == 200
    assert "Content-Security-Policy" in headers
