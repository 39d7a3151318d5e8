"""Sending a webhook to the address that was checked.

Resolving the partner's host name once to check it and letting the HTTP client resolve it again to
connect leaves a gap: a name can answer with a public address to the check and with 127.0.0.1 to
the connection (DNS rebinding). So the name is resolved once, every address is checked, and the
connection goes to that exact address with urllib3, while the request keeps the partner's Host
header and TLS keeps the host name for SNI and certificate verification.

Loopback is reachable only for the literal hosts localhost, 127.0.0.1 and ::1, and only while
WEBHOOKS_ALLOW_LOCAL_HTTP is on (development and tests).
"""

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
RESPONSE_TEXT_MAX = 200


class Refused(Exception):
    """The destination is not allowed or cannot be resolved; nothing was sent."""


@dataclass
class Answer:
    status: int
    text: str


def address_is_public(value: str) -> bool:
    """True only for globally routable unicast addresses (IPv4 and IPv6, IPv4 inside IPv6 too)."""
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    if address.version == 6:
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and not address_is_public(str(embedded)):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


# Replaced only by `resolving_with` in tests, to play a DNS server that changes its answers.
_resolve: Callable[[str, int], list[str]] = _system_resolve


@contextlib.contextmanager
def resolving_with(resolver: Callable[[str, int], list[str]]) -> Iterator[None]:
    global _resolve
    previous, _resolve = _resolve, resolver
    try:
        yield
    finally:
        _resolve = previous


def checked_addresses(host: str, port: int, *, allow_local: bool) -> list[str]:
    """The addresses to connect to for `host`, all checked, resolved exactly once."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            addresses = _resolve(host, port)
        except OSError as error:
            raise Refused(f"Could not resolve {host}: {error}") from error
    else:
        addresses = [str(literal)]
    if not addresses:
        raise Refused(f"Could not resolve {host}.")
    local = allow_local and host in LOCAL_HOSTS
    for address in addresses:
        allowed = address_is_public(address) or (local and ipaddress.ip_address(address).is_loopback)
        if not allowed:
            raise Refused(f"{host} resolves to a private network address; not sent.")
    return addresses


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    allow_local: bool,
    ca_certs: str | None = None,
) -> Answer:
    """POST `body` to `url` through a checked, pinned address; no redirects, no proxies.

    Raises Refused before sending, urllib3.exceptions.TimeoutError on a timeout and
    urllib3.exceptions.HTTPError when the connection fails.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    https = parts.scheme == "https"
    default_port = 443 if https else 80
    port = parts.port or default_port
    try:
        host_ascii = host.encode("idna").decode("ascii") if ":" not in host else host
    except UnicodeError as error:
        raise Refused(f"{host} is not a valid host name.") from error
    host_header = f"[{host_ascii}]" if ":" in host_ascii else host_ascii
    if port != default_port:
        host_header += f":{port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    addresses = checked_addresses(host_ascii, port, allow_local=allow_local)
    options = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if https:
        options |= {
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": ca_certs or certifi.where(),
            "server_hostname": host_ascii,  # SNI
            "assert_hostname": host_ascii,  # the certificate must name the host, not the address
        }
    pool_class = urllib3.HTTPSConnectionPool if https else urllib3.HTTPConnectionPool
    for index, address in enumerate(addresses):
        with pool_class(address, port, **options) as pool:
            try:
                response = pool.urlopen(
                    "POST",
                    target,
                    body=body,
                    headers={**headers, "Host": host_header},
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                )
            except urllib3.exceptions.NewConnectionError:
                if index + 1 < len(addresses):
                    continue  # nothing was sent: try the next checked address
                raise
            try:
                text = response.read(RESPONSE_TEXT_MAX * 4)
            finally:
                response.release_conn()
            return Answer(response.status, text.decode("utf-8", "replace")[:RESPONSE_TEXT_MAX])
    raise Refused(f"Could not resolve {host}.")  # not reached: addresses is never empty
