"""Requests and answers as the handlers see them: server.py turns HTTP into these and back."""

import json
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: dict  # lower-case names
    body: bytes
    base_url: str  # where this emulator is reached, from the Host header
    target: str | None = None  # what the call was about (a media id...), for the call log

    @cached_property
    def query(self):
        return _last_values(self.query_string)

    @cached_property
    def form(self):
        if not self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return {}
        return _last_values(self.body.decode("utf-8", "replace"))

    def json(self):
        """The JSON body, or None when it is not a JSON object."""
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def bearer(self):
        scheme, _, credential = self.headers.get("authorization", "").partition(" ")
        return credential.strip() if scheme.lower() == "bearer" else None


def _last_values(text):
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"
    delay: float = 0.0  # an injected timeout: seconds to wait before answering


def json_response(status, data, headers=None):
    return Response(status, json.dumps(data).encode(), dict(headers or {}))


def html_response(status, text):
    return Response(status, text.encode(), content_type="text/html; charset=utf-8")


def redirect(location):
    return Response(302, b"", {"Location": location}, content_type="text/plain")


class ApiError(Exception):
    """An error answer in the platform's own shape (status and JSON body)."""

    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


def trace_id():
    """Meta's fbtrace_id / TikTok's log_id: random, only for support tickets."""
    return secrets.token_urlsafe(9)


class PageError(Exception):
    """The authorize page cannot go on (bad client id, redirect_uri...): shown, never redirected."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


def with_params(url, params, fragment=""):
    """`url` with `params` added to its query (None values left out)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(key, value) for key, value in params.items() if value is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), fragment))
