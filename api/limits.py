"""Rate limits. DRF's throttles per key and per user, plus an atomic Redis counter for the flows
people abuse (invitations, applications, payout actions): incr is atomic, so concurrent requests
cannot all slip under the limit the way a read-then-write check lets them."""

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from api.authentication import principal_of


class PrincipalThrottle(SimpleRateThrottle):
    """Per API key, token or user (anonymous callers by IP)."""

    scope = "principal"

    def get_cache_key(self, request, view):
        principal = principal_of(request)
        if principal == "anonymous":
            principal = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": principal}


def sensitive_limit(request, flow: str) -> None:
    """Raise 429 past settings.API_SENSITIVE_LIMITS[flow] = (requests, seconds) for this caller."""
    limit, window = settings.API_SENSITIVE_LIMITS[flow]
    key = f"api:sensitive:{flow}:{principal_of(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    if count > limit:
        raise Throttled(wait=window, detail=f"Too many {flow} requests: at most {limit} per {window} s.")
