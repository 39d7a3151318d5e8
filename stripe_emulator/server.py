"""The HTTP side: `python -m stripe_emulator [--host] [--port] [--port-file] [--api-key]
[--webhook-secret] [--webhook-url] [--verbose]`."""

import argparse
import os
import signal
import sys
import tempfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from stripe_emulator import control
from stripe_emulator.state import Emulator

DEFAULT_API_KEY = "sk_test_kolabo_emulator"
DEFAULT_WEBHOOK_SECRET = "whsec_kolabo_emulator"  # noqa: S105 - a local test-mode default, not a secret
# The port marketplace/settings.py's STRIPE_API_BASE defaults to, so a bare start needs no settings.
DEFAULT_PORT = 12111


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the official library's connection pool expects from Stripe.
    protocol_version = "HTTP/1.1"
    server_version = "stripe-emulator"

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        emulator = self.server.emulator
        if url.path.startswith("/_emulator/"):
            response = control.handle(emulator, method, url.path, url.query, body)
        else:
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            raw = body if method == "POST" else url.query
            response = emulator.api_request(method, url.path, self.headers, raw, f"http://{host}")
        if response.drop:
            # Injected timeout: the work is done but the client never hears back, so it sees the
            # connection end without an answer (stripe.APIConnectionError).
            self.close_connection = True
            return
        payload = response.body.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


def make_server(host, port, api_key, webhook_secret, webhook_url=None, verbose=False):
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.emulator = Emulator(api_key, webhook_secret, webhook_url)
    server.verbose = verbose
    return server


def _write_port(path, port):
    # Written whole then renamed, so whoever polls the file never reads half a number.
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".port-")
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"{port}\n")
    os.replace(temporary, path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m stripe_emulator", description="A local Stripe for Kolabo."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the port chosen here once listening")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET)
    parser.add_argument("--webhook-url", help="where to POST signed events")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if args.webhook_url and not args.webhook_url.startswith(("http://", "https://")):
        parser.error("--webhook-url must start with http:// or https://")

    server = make_server(
        args.host, args.port, args.api_key, args.webhook_secret, args.webhook_url, args.verbose
    )
    host, port = server.server_address[:2]
    if args.port_file:
        _write_port(args.port_file, port)
    print(f"stripe emulator listening on http://{host}:{port}", flush=True)
    # SIGTERM (the test fixture, make run's trap) ends serve_forever like Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
