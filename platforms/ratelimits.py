"""Rate-limit state per platform, shared by every worker through Django's cache (Redis in
production and CI; the local-memory cache in the embedded default, where one process runs all).

Two levels, because the platforms limit at two levels:
- **One account** (Instagram codes 17, 32, 613; any single rate-limited answer): only that
  connection waits; the refresh service moves its `next_refresh_at` by `backoff_seconds`.
- **The whole app** (Instagram code 4, TikTok's 429s when they keep coming, X-App-Usage near 100 %):
  every worker pauses that platform until `cooldown_until`. A single app-wide answer counts a
  strike; `ESCALATE_AFTER` strikes in a row with no answered call in between (counted across
  workers) start a cooldown, as does a `Retry-After` or X-App-Usage ≥ `USAGE_PAUSE_PERCENT`. A
  real throttle refuses nearly every call, so it gets there within moments; scattered refusals
  (one call in ten, say) do not stop everyone. The cooldown doubles with each further strike, is
  capped, and has jitter so the workers do not all wake at once.

Callers check `cooldown_remaining(platform)` before calling the platform and defer instead.
A cache failure never stops a refresh: the state is advice, and the platform will say again.
"""

import logging
import random
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

ESCALATE_AFTER = 5
USAGE_PAUSE_PERCENT = 90
COOLDOWN_MAX_SECONDS = 60 * 60
STRIKES_TTL_SECONDS = 60 * 60


def _cooldown_key(platform: str) -> str:
    return f"platforms:ratelimit:{platform}:until"


def _strikes_key(platform: str) -> str:
    return f"platforms:ratelimit:{platform}:strikes"


def cooldown_base_seconds() -> float:
    return float(settings.PLATFORM_COOLDOWN_BASE_SECONDS)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """`base × 2^(attempt − 1)`, capped at `cap`, times a random factor in [0.5, 1] (jitter)."""
    attempt = max(attempt, 1)
    delay = min(cap, base * 2 ** min(attempt - 1, 30))
    return delay * random.uniform(0.5, 1.0)


def cooldown_remaining(platform: str) -> float:
    """Seconds before anyone should call `platform` again; 0 when calls may go ahead."""
    try:
        until = cache.get(_cooldown_key(platform))
    except Exception:  # the cache is down: go ahead, the platform will tell us if it minds
        logger.warning("Rate-limit state for %s unreadable; calling anyway", platform, exc_info=True)
        return 0.0
    return max(0.0, float(until) - time.time()) if until else 0.0


def _pause(platform: str, seconds: float) -> float:
    """Start (or lengthen) the platform's cooldown; returns the seconds it still lasts."""
    until = time.time() + seconds
    key = _cooldown_key(platform)
    current = cache.get(key)
    if current and float(current) >= until:
        return float(current) - time.time()
    cache.set(key, until, timeout=int(seconds) + 5)
    logger.warning("Pausing %s calls for %.1f s (rate limited)", platform, seconds)
    return seconds


def note_rate_limited(platform: str, *, retry_after: float | None = None, app_wide: bool = False) -> float:
    """Record a rate-limited answer. Returns the platform-wide cooldown now in force (0: none)."""
    try:
        key = _strikes_key(platform)
        cache.add(key, 0, timeout=STRIKES_TTL_SECONDS)
        try:
            strikes = cache.incr(key)
        except ValueError:  # expired or evicted between add and incr
            cache.add(key, 1, timeout=STRIKES_TTL_SECONDS)
            strikes = 1
        if not app_wide:
            return cooldown_remaining(platform)
        if retry_after or strikes >= ESCALATE_AFTER:
            seconds = backoff_seconds(
                max(strikes - ESCALATE_AFTER + 1, 1), base=cooldown_base_seconds(), cap=COOLDOWN_MAX_SECONDS
            )
            return _pause(platform, max(seconds, min(retry_after or 0, COOLDOWN_MAX_SECONDS)))
        return cooldown_remaining(platform)
    except Exception:
        logger.warning("Rate-limit state for %s not recorded", platform, exc_info=True)
        return 0.0


def note_usage(platform: str, percent: int | None) -> float:
    """Instagram's X-App-Usage after a successful call: pause before the platform has to refuse."""
    if percent is None or percent < USAGE_PAUSE_PERCENT:
        return 0.0
    try:
        # 90 % → one base period; each further 5 % doubles it.
        step = 1 + (percent - USAGE_PAUSE_PERCENT) // 5
        return _pause(platform, backoff_seconds(step, base=cooldown_base_seconds(), cap=COOLDOWN_MAX_SECONDS))
    except Exception:
        logger.warning("Rate-limit state for %s not recorded", platform, exc_info=True)
        return 0.0


def note_success(platform: str) -> None:
    """A call went through: the strikes in a row end here."""
    try:
        cache.delete(_strikes_key(platform))
    except Exception:
        logger.warning("Rate-limit state for %s not reset", platform, exc_info=True)


def reset(platform: str) -> None:
    """Forget the platform's cooldown and strikes (tests, or staff after an incident)."""
    cache.delete_many([_cooldown_key(platform), _strikes_key(platform)])
