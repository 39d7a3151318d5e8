"""Deliveries go to the address that was checked: one lookup, every answer checked, then the
connection pinned to it with the partner's Host header and TLS name (no DNS rebinding)."""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from webhooks import services, transport
from webhooks.models import WebhookDelivery

S = WebhookDelivery.Status


class Dns:
    """A DNS server for the tests: answers per name, in order; the last answer repeats."""

    def __init__(self, answers: dict[str, list]):
        self.answers = answers
        self.lookups: list[str] = []

    def __call__(self, host, port):
        self.lookups.append(host)
        queue = self.answers[host]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def subscribe(brand_org, brand_owner):
    def make(url):
        return services.subscription_create(
            organization=brand_org, by_user=brand_owner, url=url, event_types=["application.created"]
        )

    return make


@pytest.fixture
def send(brand_org, django_capture_on_commit_callbacks):
    def emit():
        with django_capture_on_commit_callbacks(execute=True):
            return services.emit(brand_org.pk, "application.created", {"application": {"id": 7}})

    return emit


@pytest.mark.django_db
def test_a_name_that_resolves_to_loopback_at_delivery_time_is_refused(receiver, subscribe, send):
    # Registered as a public https name; by the time of the delivery it points at this machine.
    subscribe(f"https://hooks.partner.example:{receiver.server.server_port}/kolabo")
    dns = Dns({"hooks.partner.example": [["127.0.0.1"]]})

    with transport.resolving_with(dns):
        [delivery] = send()

    delivery.refresh_from_db()
    assert delivery.status == S.PENDING  # retried later, like any failure
    assert delivery.last_error == "hooks.partner.example resolves to a private network address; not sent."
    assert receiver.requests == []
    assert dns.lookups == ["hooks.partner.example"]


@pytest.mark.django_db
def test_one_private_address_among_public_ones_refuses_the_delivery(receiver, subscribe, send):
    subscribe("https://hooks.partner.example/kolabo")
    dns = Dns({"hooks.partner.example": [["93.184.215.14", "::ffff:127.0.0.1"]]})

    with transport.resolving_with(dns):
        [delivery] = send()

    delivery.refresh_from_db()
    assert "private network address" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_connection_goes_to_the_checked_address_with_the_original_host(receiver, subscribe, send):
    port = receiver.server.server_port
    subscribe(f"http://localhost:{port}/hooks/kolabo")
    # A second lookup (what an HTTP client resolving on its own would do) gets another answer.
    dns = Dns({"localhost": [["127.0.0.1"], OSError("a second lookup happened")]})

    with transport.resolving_with(dns):
        [delivery] = send()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (S.DELIVERED, "")
    assert dns.lookups == ["localhost"]
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"localhost:{port}"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104
        ("224.0.0.251", False),
        ("255.255.255.255", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::1", False),  # 6to4 wrapping 127.0.0.1
        ("not-an-address", False),
    ],
)
def test_only_public_unicast_addresses_are_allowed(address, public):
    assert transport.address_is_public(address) is public


# TLS: the pinned connection still checks the certificate against the host name, sent as SNI.


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    """A self-signed certificate for `name`: (certificate and key file, the same file as CA)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"{name}.pem"
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(path), str(path)


@pytest.fixture
def tls_receiver(tmp_path):
    """Start an https endpoint on 127.0.0.1 whose certificate names `name` only (no address)."""
    servers = []

    def start(name):
        cert_file, ca_file = _certificate(tmp_path, name)
        seen = {"sni": [], "host": []}

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen["host"].append(self.headers["Host"])
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file)
        context.sni_callback = lambda sock, server_name, ctx: seen["sni"].append(server_name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server.server_port, ca_file, seen

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_tls_to_the_pinned_address_checks_the_certificate_against_the_host_name(tls_receiver):
    port, ca_file, seen = tls_receiver("localhost")
    dns = Dns({"localhost": [["127.0.0.1"]]})

    with transport.resolving_with(dns):
        answer = transport.post(
            f"https://localhost:{port}/kolabo",
            body=b"{}",
            headers={},
            timeout=5,
            allow_local=True,
            ca_certs=ca_file,
        )

    # The certificate names localhost only: checking it against 127.0.0.1 would have failed.
    assert answer.status == 204
    assert seen == {"sni": ["localhost"], "host": [f"localhost:{port}"]}


def test_a_certificate_for_another_name_is_refused(tls_receiver):
    port, ca_file, seen = tls_receiver("other.example")
    dns = Dns({"localhost": [["127.0.0.1"]]})

    with transport.resolving_with(dns), pytest.raises(urllib3.exceptions.SSLError):
        transport.post(
            f"https://localhost:{port}/kolabo",
            body=b"{}",
            headers={},
            timeout=5,
            allow_local=True,
            ca_certs=ca_file,
        )
    assert seen["host"] == []
