"""The client's IP address, for rate limits (allauth's login limits and the API's throttle).

X-Forwarded-For is written by whoever sends the request, so it is trusted only as far as the
deployment says (settings):

- nothing configured (the default): REMOTE_ADDR, the peer of the connection. Behind a proxy that
  is the proxy's address, so configure one of the two below there.
- TRUSTED_PROXY_COUNT = N: N proxies we run sit in front and each appends the address it received
  the request from, so the Nth address from the right of X-Forwarded-For is the client's; anything
  left of it was written by the client and is ignored.
- TRUSTED_CLIENT_IP_HEADER = "X-Real-IP" (for example): the proxy overwrites this header on every
  request with the client's address.

This holds only when the app server cannot be reached except through those proxies.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str:
    """The normalised IP in `value` ("203.0.113.5", "[2001:db8::1]:443", "203.0.113.5:8080"), or ""."""
    value = (value or "").strip()
    if value.startswith("["):  # [v6]:port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # v4:port
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The address to count requests against; "" when even REMOTE_ADDR is missing."""
    header = getattr(settings, "TRUSTED_CLIENT_IP_HEADER", "")
    if header:
        found = _address(request.headers.get(header))
        if found:
            return found
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [part for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        # Fewer entries than proxies: the request skipped one of them; fall back to the peer.
        if len(forwarded) >= count:
            found = _address(forwarded[-count])
            if found:
                return found
    return _address(request.META.get("REMOTE_ADDR"))
