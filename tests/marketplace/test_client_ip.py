"""Rate limits count per client: X-Forwarded-For is trusted only as far as the settings say."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from api.limits import PrincipalThrottle
from marketplace.client_ip import client_ip

PROXY = "10.0.0.1"


def request_from(remote_addr="198.51.100.20", **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers)


def test_without_trusted_proxies_only_the_peer_address_counts():
    request = request_from("198.51.100.20", x_forwarded_for="203.0.113.9", x_real_ip="203.0.113.8")

    assert client_ip(request) == "198.51.100.20"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # The client wrote the leftmost entry itself; our one proxy appended the real peer.
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "[2001:db8::5]:4711", "2001:db8::5"),
        (1, "203.0.113.9:4711", "203.0.113.9"),
        # Fewer entries than proxies, or garbage: the peer address, never a guess.
        (2, "203.0.113.9", PROXY),
        (1, "not-an-ip", PROXY),
        (1, "", PROXY),
    ],
)
def test_a_trusted_proxy_count_takes_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_ip(request_from(PROXY, x_forwarded_for=forwarded)) == expected


def test_a_trusted_header_names_the_client(settings):
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"

    assert client_ip(request_from(PROXY, x_real_ip="203.0.113.8", x_forwarded_for="1.2.3.4")) == "203.0.113.8"
    assert client_ip(request_from(PROXY)) == PROXY


def test_the_api_throttle_ignores_a_spoofed_forwarded_for():
    # DRF's own get_ident returns X-Forwarded-For as sent when NUM_PROXIES is unset.
    request = request_from("198.51.100.20", x_forwarded_for="203.0.113.9")

    assert PrincipalThrottle().get_ident(request) == "198.51.100.20"


def test_the_api_throttle_uses_the_trusted_proxy_setting(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert PrincipalThrottle().get_ident(request_from(PROXY, x_forwarded_for="1.2.3.4, 203.0.113.9")) == (
        "203.0.113.9"
    )


# allauth's login limit, through the login page


@pytest.fixture
def login_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}


def login_attempt(client, number, *, remote_addr=PROXY, **headers):
    return client.post(
        reverse("account_login"),
        {"login": f"nobody{number}@example.com", "password": "wrong-password"},
        headers=headers,
        REMOTE_ADDR=remote_addr,
    )


@pytest.mark.django_db
def test_two_clients_behind_a_trusted_proxy_are_limited_separately(client, settings, login_limit):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(3):
        assert login_attempt(client, number, x_forwarded_for="203.0.113.9").status_code == 200

    assert login_attempt(client, 3, x_forwarded_for="203.0.113.9").status_code == 429
    # Everyone arrives from the proxy's address, yet another client is not locked out.
    assert login_attempt(client, 4, x_forwarded_for="198.51.100.77").status_code == 200


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_escape_the_limit(client, login_limit):
    for number in range(3):
        response = login_attempt(
            client, number, remote_addr="198.51.100.20", x_forwarded_for=f"1.2.3.{number}"
        )
        assert response.status_code == 200

    response = login_attempt(client, 3, remote_addr="198.51.100.20", x_forwarded_for="1.2.3.99")

    assert response.status_code == 429
