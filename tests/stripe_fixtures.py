"""The local Stripe emulator for the test session (python -m stripe_emulator, a separate process).

`stripe_emulator` (session) starts it on a free port and yields an `EmulatorHandle`; `emulator`
(per test) resets it and points Django's STRIPE_* settings at it. Tests talk to it through the
official library like the app does, and drive it through the handle's control methods.
"""

import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pytest

from tests.emulator_process import emulator_running

API_KEY = "sk_test_kolabo_emulator"
WEBHOOK_SECRET = "whsec_kolabo_emulator"

# The emulator is on loopback: never through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorError(Exception):
    def __init__(self, status, body):
        super().__init__(f"{status}: {body}")
        self.status, self.body = status, body


class EmulatorHandle:
    """The running emulator: where it is, its keys, and its /_emulator/ control API."""

    def __init__(self, url, api_key=API_KEY, webhook_secret=WEBHOOK_SECRET):
        self.url, self.api_key, self.webhook_secret = url, api_key, webhook_secret

    def _call(self, method, path, payload=None, query=None):
        url = f"{self.url}/_emulator/{path}"
        query = {key: value for key, value in (query or {}).items() if value is not None}
        if query:
            url += "?" + urlencode(query)
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - loopback
        try:
            with _opener.open(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise EmulatorError(error.code, error.read().decode()) from None

    def reset(self):
        """Forget every object, balance, event, injected failure and queued webhook."""
        self._call("POST", "reset", {})

    def state(self):
        """Every object grouped by type, the balances, pending failures and the webhook URL."""
        return self._call("GET", "state")

    def complete_checkout(self, session_id):
        """Pay a checkout session as the buyer would; returns the completed session."""
        return self._call("POST", f"checkout/sessions/{quote(session_id)}/complete", {})

    def complete_onboarding(self, account_id):
        """Finish a connected account's hosted onboarding; emits account.updated."""
        return self._call("POST", f"accounts/{quote(account_id)}/complete_onboarding", {})

    def fail_transfers(self, n=1, destination=None, code=None, message=None):
        """Decline the next `n` transfers (to `destination` only, when given) with a 400."""
        payload = {
            "mode": "decline",
            "count": n,
            "destination": destination,
            "code": code,
            "message": message,
        }
        return self._call("POST", "failures/transfers", payload)["failures"]

    def timeout_transfers(self, n=1, destination=None):
        """Create the next `n` transfers but drop the connection before answering."""
        payload = {"mode": "timeout", "count": n, "destination": destination}
        return self._call("POST", "failures/transfers", payload)["failures"]

    def payout_failed(self, account_id, amount=None, currency=None, failure_code=None, failure_message=None):
        """A failed bank payout of a connected account: emits payout.failed; returns the payout."""
        payload = {
            "amount": amount,
            "currency": currency,
            "failure_code": failure_code,
            "failure_message": failure_message,
        }
        return self._call("POST", f"accounts/{quote(account_id)}/payout_failed", payload)

    def events(self, type=None, account=None):
        """Stored events of every account, newest first (`type` may end in `*`)."""
        return self._call("GET", "events", query={"type": type, "account": account})["data"]

    def signed_event(self, event_id, timestamp=None):
        """{"payload": raw body, "signature": Stripe-Signature header, "timestamp": t} for a stored event."""
        return self._call("GET", f"events/{quote(event_id)}/signed", query={"timestamp": timestamp})

    def set_webhook_url(self, url):
        """Where events are POSTed from now on (None stops delivery)."""
        return self._call("POST", "webhook", {"url": url})

    def webhooks(self):
        """{"url", "pending", "deliveries": [{event, url, attempt, status, error}]}."""
        return self._call("GET", "webhook")

    def wait_for_webhooks(self, timeout=10.0):
        """Block until every queued event has been delivered or given up on."""
        deadline = time.monotonic() + timeout
        while (status := self.webhooks())["pending"]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"webhooks still pending after {timeout} s: {status}")
            time.sleep(0.02)
        return status

    def credit(self, amount, currency, account=None):
        """Add to the platform's (or a connected account's) available balance; returns the balance."""
        return self._call(
            "POST", "balance/credit", {"amount": amount, "currency": currency, "account": account}
        )


@pytest.fixture(scope="session")
def stripe_emulator(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stripe-emulator")
    with emulator_running(
        "Stripe",
        "stripe_emulator",
        ["--api-key", API_KEY, "--webhook-secret", WEBHOOK_SECRET],
        folder,
        EmulatorHandle,
    ) as handle:
        yield handle


@pytest.fixture
def emulator(stripe_emulator, settings):
    """A fresh emulator for this test, with Django's STRIPE_* settings pointing at it."""
    stripe_emulator.reset()
    settings.STRIPE_API_BASE = stripe_emulator.url
    settings.STRIPE_SECRET_KEY = stripe_emulator.api_key
    settings.STRIPE_WEBHOOK_SECRET = stripe_emulator.webhook_secret
    yield stripe_emulator
