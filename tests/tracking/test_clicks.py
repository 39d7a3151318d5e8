"""Clicks on /r/<code>: counted once per visitor per 30 minutes, bots left out, no IP stored, and
the buffer flushed to the database exactly once. The buffered path runs on the real Redis of
REDIS_URL; the database path (no Redis, or Redis down) runs everywhere."""

import json
import os
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import override_settings

from tests.campaigns.factories import start_collaboration
from tests.creators.factories import CreatorProfileFactory
from tracking import clicks
from tracking.clicks import click_for_token, flush_clicks
from tracking.models import Click, TrackedLink, TrackingSettings

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
IP = "203.0.113.77"
REDIS_URL = os.environ.get("REDIS_URL", "")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Nothing listens on port 1: every command fails at once, as when Redis is down.
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="the click buffer needs Redis (set REDIS_URL)")

MODES = [pytest.param("redis", marks=needs_redis), "database"]


@pytest.fixture(autouse=True)
def _redis_not_paused():
    clicks.redis_pause_reset()
    yield
    clicks.redis_pause_reset()


@pytest.fixture(params=MODES)
def mode(request):
    """Run the test with the Redis buffer and with clicks written during the request."""
    if request.param == "redis":
        yield "redis"
    else:
        with override_settings(CACHES=LOCMEM):
            yield "database"


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


@pytest.fixture
def link(campaign, collaboration):
    TrackingSettings.objects.create(campaign=campaign, target_url="https://shop.example/kopi?ref=ig")
    return collaboration.tracked_link


def visit(client, link, *, ua=BROWSER, ip=IP, method="get"):
    response = getattr(client, method)(f"/r/{link.code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query).get("kclid", [None])[0]


def counted(link) -> int:
    """Flush (a no-op without Redis), then the link's counter, checked against its Click rows."""
    flush_clicks()
    link.refresh_from_db()
    assert link.clicks == Click.objects.filter(link=link).count()
    return link.clicks


# Deduplication and bots


def test_the_same_visitor_within_30_minutes_counts_once_and_keeps_its_token(client, link, mode):
    first = visit(client, link)
    second = visit(client, link)
    third = visit(client, link)

    assert first and first == second == third
    assert counted(link) == 1
    assert Click.objects.get(link=link).token == first


def test_a_different_user_agent_or_ip_is_another_visitor(client, link, mode):
    tokens = {visit(client, link), visit(client, link, ua=PHONE), visit(client, link, ip="198.51.100.9")}

    assert len(tokens) == 3
    assert counted(link) == 3


def test_the_same_visitor_counts_again_after_the_window(client, link, mode, settings):
    settings.TRACKING_DEDUP_SECONDS = 0.3  # the 30 minutes, shortened

    first = visit(client, link)
    time.sleep(0.4)
    second = visit(client, link)

    assert first != second
    assert counted(link) == 2


def test_a_bot_is_redirected_without_a_click_id_and_not_counted(client, link, mode):
    assert visit(client, link, ua=GOOGLEBOT) is None
    assert visit(client, link, ua="") is None
    assert visit(client, link, method="head") is None  # link checkers and previews

    assert counted(link) == 0
    assert clicks.clicks_pending() == 0


def test_clicks_of_two_links_are_counted_apart(client, campaign, link, mode, brand_owner):
    other = start_collaboration(campaign, CreatorProfileFactory(), by_user=brand_owner).tracked_link

    visit(client, link)
    visit(client, other)
    visit(client, other, ua=PHONE)

    assert counted(link) == 1
    assert counted(other) == 2
    assert other.last_clicked_at is not None


# No raw IP anywhere


def test_no_raw_ip_is_stored_in_the_database_or_in_redis(client, link, mode, brand_owner):
    visit(client, link)
    visit(client, link, ua=PHONE)
    counted(link)

    rows = list(Click.objects.values())
    assert len(rows) == 2
    for row in rows:
        assert all(IP not in str(value) for value in row.values()), row
        assert len(row["visitor"]) == 64 and IP not in row["visitor"]
    # Every text column of every table of the tracking app, read raw.
    with connection.cursor() as cursor:
        for table in ("tracking_click", "tracking_trackedlink"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table names)
            for values in cursor.fetchall():
                assert all(IP not in str(value) for value in values)
    if mode == "redis":
        client_ = clicks._redis()
        for key in client_.scan_iter("*"):
            assert IP.encode() not in key
            kind = client_.type(key)
            values = {b"string": lambda k: [client_.get(k)], b"list": lambda k: client_.lrange(k, 0, -1)}
            for value in values.get(kind, lambda k: [])(key):
                assert IP.encode() not in value


def test_the_visitor_hash_depends_on_the_salt(settings):
    settings.TRACKING_VISITOR_SALT = "one"
    one = clicks.visitor_hash(IP, BROWSER)
    settings.TRACKING_VISITOR_SALT = "two"

    assert clicks.visitor_hash(IP, BROWSER) != one
    assert clicks.visitor_hash(IP, BROWSER) == clicks.visitor_hash(IP, BROWSER)


# The buffer and the flush


@needs_redis
def test_clicks_wait_in_the_buffer_until_the_flush(client, link):
    visit(client, link)
    visit(client, link, ua=PHONE)

    assert Click.objects.count() == 0 and clicks.clicks_pending() == 2
    assert flush_clicks() == 2
    assert flush_clicks() == 0  # flushing again writes nothing
    link.refresh_from_db()
    assert link.clicks == 2 and Click.objects.count() == 2


@needs_redis
def test_a_flush_that_died_before_writing_is_taken_over(client, link):
    tokens = {visit(client, link), visit(client, link, ua=PHONE)}
    # A flush claims the batch, then dies before writing it.
    _flush_id, items = clicks.clicks_claim(clicks._redis())
    assert len(items) == 2 and clicks.clicks_pending() == 0

    assert flush_clicks() == 0  # too recent: its flush may still be working
    assert flush_clicks(recover_after=0) == 2

    assert set(Click.objects.values_list("token", flat=True)) == tokens
    assert counted(link) == 2
    assert flush_clicks(recover_after=0) == 0


@needs_redis
def test_a_flush_that_died_after_writing_counts_nothing_twice(client, link):
    visit(client, link)
    visit(client, link, ua=PHONE)
    # A flush claims and writes the batch, then dies before forgetting its processing list.
    flush_id, items = clicks.clicks_claim(clicks._redis())
    assert clicks.clicks_write(items) == 2
    assert clicks.clicks_write(items) == 0  # written twice: still once

    assert flush_clicks(recover_after=0) == 0
    link.refresh_from_db()
    assert link.clicks == 2 and Click.objects.count() == 2
    assert not clicks._redis().exists(clicks._processing_key(flush_id))


@needs_redis
def test_a_flush_skips_an_unreadable_item_and_writes_the_rest(client, link):
    visit(client, link)
    clicks._redis().rpush(clicks._buffer_key(), b"not json")

    assert flush_clicks() == 1
    assert clicks.clicks_pending() == 0


@needs_redis
def test_redis_going_down_writes_the_click_during_the_request(client, link):
    with override_settings(CACHES=DEAD_REDIS):
        token = visit(client, link)
        again = visit(client, link)

    assert token == again
    assert Click.objects.filter(link=link, token=token).count() == 1
    link.refresh_from_db()
    assert link.clicks == 1


def test_without_redis_the_click_is_written_during_the_request(client, link):
    with override_settings(CACHES=DEAD_REDIS):
        token = visit(client, link)
        assert flush_clicks() == 0

    link.refresh_from_db()
    assert link.clicks == 1 and Click.objects.get(link=link).token == token


def test_the_flush_task_is_registered_under_its_beat_name():
    from django.conf import settings

    from marketplace.celery import app
    from tracking import tasks  # noqa: F401

    assert "tracking.clicks_flush" in app.tasks
    assert any(entry["task"] == "tracking.clicks_flush" for entry in settings.CELERY_BEAT_SCHEDULE.values())


# Reading a click back


def test_click_for_token_finds_a_buffered_and_then_a_written_click(client, link, collaboration, mode):
    token = visit(client, link)

    touch = click_for_token(token)
    assert touch is not None
    assert (touch.link_id, touch.collaboration_id, touch.campaign_id) == (
        link.pk,
        collaboration.pk,
        collaboration.campaign_id,
    )
    if mode == "redis":
        assert touch.click_id is None  # still in the buffer
    flush_clicks()
    written = click_for_token(token)
    click = Click.objects.get(token=token)
    assert written.click_id == click.pk and written.clicked_at == click.clicked_at
    assert abs((written.clicked_at - touch.clicked_at).total_seconds()) < 0.01


def test_click_for_token_refuses_unknown_and_forged_tokens(client, link, mode):
    visit(client, link)

    assert click_for_token("") is None
    assert click_for_token("not-a-real-token-1234") is None
    assert click_for_token("x" * 500) is None


@needs_redis
def test_a_buffered_click_payload_carries_only_the_visitor_hash(client, link):
    token = visit(client, link)

    payload = json.loads(clicks._redis().get(clicks._pending_key(token)))

    assert set(payload) == {"token", "link", "collaboration", "campaign", "visitor", "at"}
    assert payload["visitor"] == clicks.visitor_hash(IP, BROWSER)
    assert TrackedLink.objects.get(pk=payload["link"]) == link


@needs_redis
def test_a_changed_destination_applies_from_the_next_click(
    client, link, campaign, brand_owner, django_capture_on_commit_callbacks
):
    from tracking.settings_services import tracking_settings_update

    first = client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=IP)
    assert first["Location"].startswith("https://shop.example/kopi?")  # now cached in Redis

    with django_capture_on_commit_callbacks(execute=True):
        tracking_settings_update(
            campaign=campaign, by_user=brand_owner, target_url="https://shop.example/new"
        )

    second = client.get(f"/r/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=IP)
    assert second["Location"].startswith("https://shop.example/new?")
