"""Rate limits: one per key, token or user on every request, plus tighter ones for the flows people
abuse (invitations, applications, payout actions).

Both count with one atomic counter per caller and fixed window: `cache.add` creates the window's
key (Redis SET NX EX) and `cache.incr` counts (Redis INCRBY in one Lua call; the local-memory cache
does both under its lock). DRF's own throttle reads a list, appends and writes it back, so parallel
requests of one key all read the same list and nearly all slip through; a counter cannot be raced.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.authentication import principal_of
from marketplace.client_ip import client_ip


def window_hit(name: str, window: int) -> tuple[int, float]:
    """Count one request under `name` in the current fixed window of `window` seconds.
    Returns (requests in this window so far, including this one; seconds until the window ends)."""
    now = time.time()
    index = int(now // window)
    key = f"api:limit:{name}:{window}:{index}"
    # The key outlives its window a little, so it cannot expire between add and incr.
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted meanwhile (a full local-memory cache): start the window again
        cache.add(key, 0, timeout=window + 5)
        count = cache.incr(key)
    return count, (index + 1) * window - now


class PrincipalThrottle(SimpleRateThrottle):
    """Per API key, token or user (anonymous callers by IP), e.g. 600/min, counted atomically."""

    scope = "principal"

    def get_ident(self, request):
        # DRF's own reads X-Forwarded-For as sent; use the deployment's trusted proxies instead.
        return client_ip(request)

    def get_rate(self):
        # Read at request time, so a changed setting applies without re-importing this module.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        principal = principal_of(request)
        if principal == "anonymous":
            principal = f"ip:{self.get_ident(request)}"
        return f"{self.scope}:{principal}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        name = self.get_cache_key(request, view)
        if name is None:
            return True
        count, self._wait = window_hit(name, self.duration)
        return count <= self.num_requests

    def wait(self):
        return max(math.ceil(self._wait), 1)


FLOWS = {
    "invitations": gettext_lazy("invitation"),
    "applications": gettext_lazy("application"),
    "payouts": gettext_lazy("payout"),
}


def sensitive_limit(request, flow: str) -> None:
    """Raise 429 past settings.API_SENSITIVE_LIMITS[flow] = (requests, seconds) for this caller."""
    limit, window = settings.API_SENSITIVE_LIMITS[flow]
    count, wait = window_hit(f"sensitive:{flow}:{principal_of(request)}", window)
    if count > limit:
        raise Throttled(
            wait=max(math.ceil(wait), 1),
            detail=_("Too many %(flow)s requests: at most %(limit)s per %(window)s s.")
            % {"flow": FLOWS.get(flow, flow), "limit": limit, "window": window},
        )
