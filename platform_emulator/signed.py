"""Meta's signed_request: `<signature>.<payload>`, both base64url without padding, the signature an
HMAC-SHA256 of the payload's base64 text with the app secret. Posted as a form field to the app's
deauthorize and data-deletion callbacks."""

import base64
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 10.0
BODY_LIMIT = 10000


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(secret, payload):
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return f"{_b64(signature)}.{body}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Meta does not follow redirects from a callback; following one would hide a wrong URL.
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies: the receiver is a local app.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)


def post(url, signed_request):
    """POST the form to `url`: {"status", "body", "error"} (status None when nothing answered)."""
    data = urllib.parse.urlencode({"signed_request": signed_request}).encode()
    # The URL is checked to be http(s) by the control API.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "facebookexternalua"},
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return {
                "status": response.status,
                "body": response.read(BODY_LIMIT).decode("utf-8", "replace"),
                "error": None,
            }
    except urllib.error.HTTPError as error:
        return {
            "status": error.code,
            "body": error.read(BODY_LIMIT).decode("utf-8", "replace"),
            "error": None,
        }
    except (OSError, ValueError) as error:
        return {"status": None, "body": "", "error": str(error)}
