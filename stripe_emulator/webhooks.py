"""Signed webhook delivery, as Stripe does it: `Stripe-Signature: t=<unix>,v1=<HMAC-SHA256>`."""

import collections
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request

# Delays before each retry of a failed delivery. Stripe retries for days; tests and the demo need
# a receiver that is briefly down (runserver still starting) to get its events, not more.
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)


def payload(event):
    """The exact body that is signed and posted: Stripe sends indented JSON too, so receivers that
    verify a re-serialized body instead of the raw bytes fail here as they would in production."""
    return json.dumps(event, indent=2)


def sign(body, secret, timestamp):
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # Stripe counts a redirect as a failed delivery; following it would hide a wrong URL.
    def redirect_request(self, *args, **kwargs):
        return None


class Sender:
    """Posts events from one background thread, in the order they were emitted."""

    def __init__(self, secret, timeout=10.0):
        self.secret = secret
        self.timeout = timeout
        self._items = collections.deque()
        self._ready = threading.Condition()
        self._generation = 0
        self._pending = 0
        # No proxies: the receiver is always on this machine.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
        self.deliveries = collections.deque(maxlen=1000)
        threading.Thread(target=self._run, name="webhooks", daemon=True).start()

    def send(self, url, event_id, body):
        with self._ready:
            self._items.append((self._generation, url, event_id, body))
            self._pending += 1
            self._ready.notify()

    def cancel(self):
        """Forget queued events (a reset): a test must not receive the previous test's events."""
        with self._ready:
            self._generation += 1
            self._pending -= len(self._items)
            self._items.clear()
            self.deliveries.clear()

    def status(self):
        with self._ready:
            return {"pending": self._pending, "deliveries": list(self.deliveries)}

    def _run(self):
        while True:
            with self._ready:
                while not self._items:
                    self._ready.wait()
                item = self._items.popleft()
            try:
                self._deliver(*item)
            finally:
                with self._ready:
                    if item[0] == self._generation:
                        self._pending -= 1

    def _current(self, generation):
        with self._ready:
            return generation == self._generation

    def _deliver(self, generation, url, event_id, body):
        for attempt, delay in enumerate((0, *RETRY_DELAYS), start=1):
            time.sleep(delay)
            if not self._current(generation):
                return
            status, error = self._post(url, body)
            with self._ready:
                if generation == self._generation:
                    self.deliveries.append(
                        {"event": event_id, "url": url, "attempt": attempt, "status": status, "error": error}
                    )
            if status is not None and 200 <= status < 300:
                return

    def _post(self, url, body):
        # Signed at each attempt, like Stripe: a retry carries a fresh timestamp. The URL is checked
        # to be http(s) where it is set (--webhook-url, the control API).
        request = urllib.request.Request(  # noqa: S310
            url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(body, self.secret, int(time.time())),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as error:
            return error.code, None
        except (OSError, ValueError) as error:
            return None, str(error)
