"""Rate-limit state per platform in Django's cache (platforms/ratelimits.py)."""

import pytest
from django.core.cache import cache

from platforms import ratelimits


@pytest.fixture(autouse=True)
def _fresh_state():
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)
    yield
    for platform in ("instagram", "tiktok"):
        ratelimits.reset(platform)


def test_backoff_doubles_with_jitter_and_is_capped():
    for attempt, full in [(1, 10), (2, 20), (3, 40), (4, 80)]:
        for _ in range(50):
            assert full * 0.5 <= ratelimits.backoff_seconds(attempt, base=10, cap=1000) <= full
    assert ratelimits.backoff_seconds(40, base=10, cap=100) <= 100
    assert ratelimits.backoff_seconds(0, base=10, cap=100) <= 10


def test_one_account_limit_never_pauses_the_platform():
    for _ in range(10):
        assert ratelimits.note_rate_limited("instagram", app_wide=False) == 0
    assert ratelimits.cooldown_remaining("instagram") == 0


def test_app_wide_limits_in_a_row_pause_every_worker(settings):
    settings.PLATFORM_COOLDOWN_BASE_SECONDS = 30
    for _ in range(ratelimits.ESCALATE_AFTER - 1):
        assert ratelimits.note_rate_limited("tiktok", app_wide=True) == 0
    paused = ratelimits.note_rate_limited("tiktok", app_wide=True)
    assert 15 <= paused <= 30
    assert 14 <= ratelimits.cooldown_remaining("tiktok") <= 30
    assert ratelimits.cooldown_remaining("instagram") == 0
    # The next strike doubles it (the longer pause wins over the one running).
    assert 30 <= ratelimits.note_rate_limited("tiktok", app_wide=True) <= 60


def test_a_success_ends_the_strikes():
    for _ in range(ratelimits.ESCALATE_AFTER - 1):
        ratelimits.note_rate_limited("tiktok", app_wide=True)
    ratelimits.note_success("tiktok")
    assert ratelimits.note_rate_limited("tiktok", app_wide=True) == 0
    assert ratelimits.cooldown_remaining("tiktok") == 0


def test_retry_after_pauses_at_once_for_at_least_that_long():
    assert ratelimits.note_rate_limited("instagram", app_wide=True, retry_after=120) >= 120
    assert ratelimits.cooldown_remaining("instagram") > 110


def test_high_app_usage_pauses_before_the_platform_refuses(settings):
    settings.PLATFORM_COOLDOWN_BASE_SECONDS = 30
    assert ratelimits.note_usage("instagram", 40) == 0
    assert ratelimits.note_usage("instagram", None) == 0
    assert ratelimits.cooldown_remaining("instagram") == 0
    assert 15 <= ratelimits.note_usage("instagram", 90) <= 30
    assert 30 <= ratelimits.note_usage("instagram", 97) <= 60


def test_state_lives_in_the_shared_cache():
    ratelimits.note_rate_limited("instagram", app_wide=True, retry_after=60)
    keys = [key for key in ("platforms:ratelimit:instagram:until",) if cache.get(key)]
    assert keys  # what another worker reads
    ratelimits.reset("instagram")
    assert ratelimits.cooldown_remaining("instagram") == 0


def test_a_broken_cache_never_stops_a_refresh(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "add", broken)
    monkeypatch.setattr(cache, "delete", broken)
    assert ratelimits.cooldown_remaining("instagram") == 0
    assert ratelimits.note_rate_limited("instagram", app_wide=True, retry_after=5) == 0
    ratelimits.note_success("instagram")
    monkeypatch.undo()
