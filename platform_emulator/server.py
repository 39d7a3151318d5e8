"""The HTTP side: `python -m platform_emulator [--host] [--port] [--port-file] [--app-secret]
[--instagram-client-id] [--tiktok-client-key] [--tiktok-client-secret] [--seed-date] [--verbose]`."""

import argparse
import os
import re
import signal
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from platform_emulator import control, pages, png
from platform_emulator.state import Emulator, parse_seed_date
from platform_emulator.wire import Request, Response, json_response

# Local test-mode defaults, the values of platform_spec.md; not secrets.
DEFAULTS = {
    "instagram": ("kolabo-ig-app", "kolabo-ig-secret"),
    "tiktok": ("kolabo-tt-app", "kolabo-tt-secret"),
}
# The port PLATFORM_EMULATOR_URL defaults to, so a bare start needs no settings.
DEFAULT_PORT = 12112
API_PREFIXES = ("/instagram-api/", "/instagram-graph/", "/tiktok-api/")
CDN = re.compile(r"/cdn/(?P<key>[A-Za-z0-9_-]+)\.png")


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as requests' connection pool expects.
    protocol_version = "HTTP/1.1"
    server_version = "platform-emulator"
    # Headers and body go out in separate writes: without this, delayed ACKs cost 40 ms a call.
    disable_nagle_algorithm = True

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        request = Request(
            method=method,
            path=url.path,
            query_string=url.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
            base_url=f"http://{host}",
        )
        try:
            response = route(self.server.emulator, request)
        except Exception as error:
            # An emulator bug: say so in the answer instead of dropping the connection.
            self.log_error("emulator error on %s %s: %r", method, url.path, error)
            response = json_response(500, {"error": {"message": f"platform emulator bug: {error!r}"}})
        if response.delay:
            # Injected timeout: the work is done, the answer comes late (or to nobody).
            time.sleep(response.delay)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)


def route(emu, request):
    path = request.path
    if path.startswith("/_emulator/"):
        return control.handle(emu, request)
    if path in pages.PATHS:
        return pages.handle(emu, request)
    if pages.is_demo_path(path):
        return pages.demo(emu, request)
    if path.startswith(API_PREFIXES):
        return emu.api(request)
    match = CDN.fullmatch(path)
    if match and request.method == "GET":
        key = match["key"]
        with emu.lock:
            known = key in emu.accounts or (key in emu.posts and not emu.posts[key]["deleted"])
        if known:
            return Response(
                200, png.thumbnail(key), {"Cache-Control": "max-age=86400"}, content_type="image/png"
            )
    return json_response(404, {"error": {"message": f"Not found: {request.method} {path}"}})


def make_server(host, port, credentials, seed_date=None, verbose=False):
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.emulator = Emulator(credentials, seed_date)
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
        prog="python -m platform_emulator", description="A local Instagram and TikTok for Kolabo."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the port chosen here once listening")
    parser.add_argument("--instagram-client-id", default=DEFAULTS["instagram"][0])
    parser.add_argument(
        "--app-secret", default=DEFAULTS["instagram"][1], help="the Instagram app secret (signs requests)"
    )
    parser.add_argument("--tiktok-client-key", default=DEFAULTS["tiktok"][0])
    parser.add_argument("--tiktok-client-secret", default=DEFAULTS["tiktok"][1])
    parser.add_argument(
        "--seed-date",
        type=parse_seed_date,
        help="YYYY-MM-DD the seed posts are dated back from (default today)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)

    credentials = {
        "instagram": (args.instagram_client_id, args.app_secret),
        "tiktok": (args.tiktok_client_key, args.tiktok_client_secret),
    }
    server = make_server(args.host, args.port, credentials, args.seed_date, args.verbose)
    host, port = server.server_address[:2]
    if args.port_file:
        _write_port(args.port_file, port)
    print(f"platform emulator listening on http://{host}:{port}", flush=True)
    # SIGTERM (the test fixture, make run's trap) ends serve_forever like Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
