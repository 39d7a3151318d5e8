"""The local Stripe emulator, through the official library as the app uses it (no Django models)."""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from stripe_emulator.forms import decode

FUNDING_LINE = {"price_data": {"currency": "idr", "unit_amount": 250_000, "product_data": {"name": "Slot"}}}


@pytest.fixture
def client(emulator):
    return stripe.StripeClient(emulator.api_key, base_addresses={"api": emulator.url}, max_network_retries=0)


@pytest.fixture
def creator_account(client, emulator):
    """An Express account that finished onboarding, so it can receive transfers."""
    account = client.v1.accounts.create(
        params={"type": "express", "country": "ID", "email": "ayu@example.com", "metadata": {"creator": "7"}}
    )
    emulator.complete_onboarding(account.id)
    return account.id


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_browser = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def _browse(url, method="GET"):
    """A plain HTTP client that shows redirects instead of following them: (status, headers, body)."""
    request = urllib.request.Request(url, data=b"" if method == "POST" else None, method=method)  # noqa: S310 - emulator pages
    try:
        with _browser.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _fund(client, emulator, quantity=2, **extra):
    """A paid checkout session of `quantity` × IDR 250,000: returns the completed session."""
    session = client.v1.checkout.sessions.create(
        params={"mode": "payment", "line_items": [{**FUNDING_LINE, "quantity": quantity}], **extra}
    )
    return emulator.complete_checkout(session.id)


def _available(balance, currency):
    return next(entry.amount for entry in balance.available if entry.currency == currency)


# Accounts and onboarding


def test_new_express_account_cannot_receive_payouts_until_onboarded(client):
    account = client.v1.accounts.create(
        params={
            "type": "express",
            "country": "ID",
            "email": "ayu@example.com",
            "business_type": "individual",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"creator": "7"},
        }
    )

    assert account.id.startswith("acct_") and len(account.id) == len("acct_") + 24
    assert (account.object, account.type, account.livemode) == ("account", "express", False)
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (
        False,
        False,
        False,
    )
    assert account.requirements.currently_due and "business_type" not in account.requirements.currently_due
    assert account.capabilities.transfers == "inactive"
    assert account.default_currency == "idr"
    assert client.v1.accounts.retrieve(account.id).metadata.to_dict() == {"creator": "7"}


def test_account_update_merges_metadata_and_emits_account_updated(client, emulator):
    account = client.v1.accounts.create(params={"type": "express", "metadata": {"creator": "7", "old": "x"}})

    updated = client.v1.accounts.update(
        account.id, params={"email": "new@example.com", "metadata": {"old": ""}}
    )

    assert updated.email == "new@example.com"
    assert updated.metadata.to_dict() == {"creator": "7"}
    [event] = emulator.events(type="account.updated")
    assert event["account"] == account.id
    assert event["data"]["previous_attributes"]["metadata"] == {"creator": "7", "old": "x"}


def test_account_without_type_or_controller_is_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.accounts.create(params={"country": "ID"})
    assert (error.value.code, error.value.param) == ("parameter_missing", "type")


def test_onboarding_page_redirects_to_return_url_and_enables_payouts(client, emulator):
    account = client.v1.accounts.create(params={"type": "express", "country": "ID"})
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "http://kolabo.test/payments/onboarding/refresh/",
            "return_url": "http://kolabo.test/payments/onboarding/return/",
            "type": "account_onboarding",
        }
    )
    assert link.object == "account_link" and link.expires_at > link.created

    status, _, page = _browse(link.url)
    assert status == 200 and "Complete onboarding" in page and "<form" in page

    status, headers, _ = _browse(link.url, method="POST")
    assert status == 302 and headers["Location"] == "http://kolabo.test/payments/onboarding/return/"

    account = client.v1.accounts.retrieve(account.id)
    assert (account.details_submitted, account.charges_enabled, account.payouts_enabled) == (True, True, True)
    assert account.requirements.currently_due == [] and account.capabilities.transfers == "active"
    [event] = emulator.events(type="account.updated")
    assert event["account"] == account.id and event["data"]["object"]["payouts_enabled"] is True
    assert event["data"]["previous_attributes"]["payouts_enabled"] is False

    # A used link sends the person to refresh_url, where the app makes a new one.
    status, headers, _ = _browse(link.url)
    assert status == 302 and headers["Location"] == "http://kolabo.test/payments/onboarding/refresh/"


def test_account_link_for_unknown_account_is_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.account_links.create(
            params={
                "account": "acct_x",
                "refresh_url": "http://r",
                "return_url": "http://s",
                "type": "account_onboarding",
            }
        )
    assert (error.value.code, error.value.param) == ("resource_missing", "account")


# Transfers and reversals


def test_transfer_moves_money_from_platform_to_connected_account(client, emulator, creator_account):
    emulator.credit(1_000_000, "idr")

    transfer = client.v1.transfers.create(
        params={
            "amount": 400_000,
            "currency": "idr",
            "destination": creator_account,
            "transfer_group": "collab-12",
            "description": "Payout 12",
            "metadata": {"payout": "12"},
        }
    )

    assert transfer.id.startswith("tr_") and transfer.object == "transfer"
    assert (transfer.amount, transfer.currency, transfer.destination) == (400_000, "idr", creator_account)
    assert (transfer.amount_reversed, transfer.reversed, transfer.metadata.to_dict()) == (
        0,
        False,
        {"payout": "12"},
    )
    assert client.v1.transfers.retrieve(transfer.id).transfer_group == "collab-12"
    assert _available(client.v1.balance.retrieve(), "idr") == 600_000
    connected = client.v1.balance.retrieve(options={"stripe_account": creator_account})
    assert _available(connected, "idr") == 400_000
    [event] = emulator.events(type="transfer.created")
    assert event["data"]["object"]["id"] == transfer.id and "account" not in event


def test_transfers_list_by_transfer_group_and_destination_newest_first(client, emulator, creator_account):
    emulator.credit(10_000, "usd")
    other = client.v1.accounts.create(params={"type": "express", "country": "US"}).id
    emulator.complete_onboarding(other)
    first = client.v1.transfers.create(
        params={"amount": 100, "currency": "usd", "destination": creator_account, "transfer_group": "g1"}
    )
    second = client.v1.transfers.create(
        params={"amount": 200, "currency": "usd", "destination": creator_account, "transfer_group": "g1"}
    )
    client.v1.transfers.create(
        params={"amount": 300, "currency": "usd", "destination": other, "transfer_group": "g2"}
    )

    page = client.v1.transfers.list(params={"transfer_group": "g1"})
    assert (page.object, page.url, page.has_more) == ("list", "/v1/transfers", False)
    assert [t.id for t in page.data] == [second.id, first.id]
    assert [t.amount for t in client.v1.transfers.list(params={"destination": other}).data] == [300]
    limited = client.v1.transfers.list(params={"limit": 1})
    assert len(limited.data) == 1 and limited.has_more is True
    assert [t.amount for t in limited.auto_paging_iter()] == [300, 200, 100]


def test_transfer_needs_a_destination_with_payouts_enabled(client, emulator):
    emulator.credit(10_000, "usd")
    pending = client.v1.accounts.create(params={"type": "express", "country": "US"}).id

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": pending})
    assert error.value.http_status == 400 and error.value.code == "insufficient_capabilities_for_transfer"

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": "acct_unknown"})
    assert (error.value.code, error.value.param) == ("resource_missing", "destination")


def test_transfer_is_limited_by_the_available_balance_in_its_currency(client, emulator, creator_account):
    emulator.credit(500, "usd")

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params={"amount": 100, "currency": "idr", "destination": creator_account})
    assert error.value.code == "balance_insufficient"
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params={"amount": 501, "currency": "usd", "destination": creator_account})
    assert error.value.code == "balance_insufficient"

    client.v1.transfers.create(params={"amount": 500, "currency": "usd", "destination": creator_account})
    assert _available(client.v1.balance.retrieve(), "usd") == 0
    assert emulator.state()["objects"]["transfer"][0]["amount"] == 500


def test_transfer_reversals_move_money_back_until_fully_reversed(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    transfer = client.v1.transfers.create(
        params={"amount": 1_000, "currency": "usd", "destination": creator_account}
    )

    partial = client.v1.transfers.reversals.create(
        transfer.id, params={"amount": 300, "metadata": {"why": "fee"}}
    )
    assert partial.id.startswith("trr_") and partial.object == "transfer_reversal"
    assert (partial.amount, partial.transfer, partial.metadata.to_dict()) == (
        300,
        transfer.id,
        {"why": "fee"},
    )
    transfer = client.v1.transfers.retrieve(transfer.id)
    assert (transfer.amount_reversed, transfer.reversed) == (300, False)

    rest = client.v1.transfers.reversals.create(transfer.id)
    assert rest.amount == 700
    transfer = client.v1.transfers.retrieve(transfer.id)
    assert (transfer.amount_reversed, transfer.reversed, transfer.reversals.total_count) == (1_000, True, 2)
    assert _available(client.v1.balance.retrieve(), "usd") == 1_000
    assert _available(client.v1.balance.retrieve(options={"stripe_account": creator_account}), "usd") == 0
    assert [r.amount for r in client.v1.transfers.reversals.list(transfer.id).data] == [700, 300]
    events = emulator.events(type="transfer.reversed")
    assert [e["data"]["object"]["amount_reversed"] for e in events] == [1_000, 300]

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 1})
    assert error.value.code == "amount_too_large"


# Checkout, payment intents, refunds


def test_checkout_session_completes_into_a_succeeded_payment_intent(client, emulator):
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{**FUNDING_LINE, "quantity": 2}],
            "success_url": "http://kolabo.test/funded/?session={CHECKOUT_SESSION_ID}",
            "cancel_url": "http://kolabo.test/cancelled/",
            "client_reference_id": "campaign-5",
            "metadata": {"campaign": "5"},
            "payment_intent_data": {"metadata": {"campaign": "5"}, "transfer_group": "campaign-5"},
        }
    )
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert (session.amount_total, session.currency, session.client_reference_id) == (
        500_000,
        "idr",
        "campaign-5",
    )
    assert session.url.startswith(emulator.url)

    emulator.complete_checkout(session.id)

    session = client.v1.checkout.sessions.retrieve(session.id)
    assert (session.status, session.payment_status) == ("complete", "paid")
    intent = client.v1.payment_intents.retrieve(session.payment_intent)
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 500_000, "idr")
    assert (intent.metadata.to_dict(), intent.transfer_group) == ({"campaign": "5"}, "campaign-5")
    expanded = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert expanded.payment_intent.id == intent.id
    assert _available(client.v1.balance.retrieve(), "idr") == 500_000
    # Newest first: the session's event came before the payment intent's.
    assert [e["type"] for e in emulator.events()] == [
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]

    # Completing again is harmless: no second payment.
    emulator.complete_checkout(session.id)
    assert _available(client.v1.balance.retrieve(), "idr") == 500_000


def test_checkout_page_pays_and_redirects_to_success_url(client, emulator):
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [{**FUNDING_LINE, "quantity": 1}],
            "success_url": "http://kolabo.test/funded/?session={CHECKOUT_SESSION_ID}",
        }
    )

    status, _, page = _browse(session.url)
    assert status == 200 and "Pay" in page and "Slot" in page
    status, headers, _ = _browse(session.url, method="POST")

    assert status == 302 and headers["Location"] == f"http://kolabo.test/funded/?session={session.id}"
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"


def test_checkout_session_validates_line_items(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [{"price_data": {"currency": "idr", "product_data": {"name": "x"}}}],
            }
        )
    assert (error.value.code, error.value.param) == (
        "parameter_missing",
        "line_items[0][price_data][unit_amount]",
    )


def test_refunds_never_exceed_what_is_left_of_the_payment(client, emulator):
    intent_id = _fund(client, emulator)["payment_intent"]

    refund = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 100_000, "metadata": {"k": "v"}}
    )
    assert refund.id.startswith("re_") and (refund.status, refund.amount, refund.currency) == (
        "succeeded",
        100_000,
        "idr",
    )
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 400_001})
    assert error.value.code == "amount_too_large"

    rest = client.v1.refunds.create(params={"payment_intent": intent_id})
    assert rest.amount == 400_000
    assert client.v1.refunds.retrieve(rest.id).payment_intent == intent_id
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1})
    assert error.value.code == "charge_already_refunded"
    assert _available(client.v1.balance.retrieve(), "idr") == 0


# Balance, Stripe-Account, events, errors


def test_stripe_account_header_selects_the_connected_accounts_objects(client, emulator, creator_account):
    emulator.credit(700, "usd", account=creator_account)

    connected = client.v1.balance.retrieve(options={"stripe_account": creator_account})
    platform = client.v1.balance.retrieve()

    assert connected.object == "balance" and connected.pending == []
    assert _available(connected, "usd") == 700
    assert [entry.currency for entry in platform.available] == ["usd"] and _available(platform, "usd") == 0
    [event] = client.v1.events.list(options={"stripe_account": creator_account}).data
    assert (event.type, event.account) == ("account.updated", creator_account)
    assert client.v1.events.list().data == []  # the platform's own events: none yet
    with pytest.raises(stripe.PermissionError) as error:
        client.v1.balance.retrieve(options={"stripe_account": "acct_unknown"})
    assert error.value.http_status == 403


def test_events_list_newest_first_filtered_and_retrievable(client, emulator, creator_account):
    emulator.credit(300, "usd")
    for amount in (100, 200):
        client.v1.transfers.create(
            params={"amount": amount, "currency": "usd", "destination": creator_account}
        )
    _fund(client, emulator, quantity=1)

    events = client.v1.events.list(params={"type": "transfer.created"})
    assert [e.data.object.amount for e in events.data] == [200, 100]
    assert [e.type for e in client.v1.events.list(params={"limit": 1}).data] == ["payment_intent.succeeded"]
    event = client.v1.events.retrieve(events.data[0].id)
    assert (event.object, event.type, event.livemode) == ("event", "transfer.created", False)
    assert len(client.v1.events.list(params={"type": "checkout.session.*"}).data) == 1


def test_wrong_or_missing_api_key_is_401(emulator):
    wrong = stripe.StripeClient("sk_test_wrong", base_addresses={"api": emulator.url}, max_network_retries=0)
    with pytest.raises(stripe.AuthenticationError) as error:
        wrong.v1.balance.retrieve()
    assert error.value.http_status == 401

    status, _, body = _browse(f"{emulator.url}/v1/balance")
    assert status == 401 and json.loads(body)["error"]["type"] == "invalid_request_error"


def test_unknown_id_is_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.retrieve("tr_x")
    assert (error.value.http_status, error.value.code) == (404, "resource_missing")
    assert error.value.user_message == "No such transfer: 'tr_x'"
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.payment_intents.retrieve("pi_x")
    assert error.value.http_status == 404


# Idempotency


def test_same_idempotency_key_and_parameters_replay_the_first_answer(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    params = {"amount": 400, "currency": "usd", "destination": creator_account, "metadata": {"payout": "1"}}

    first = client.v1.transfers.create(params=params, options={"idempotency_key": "payout-1-1"})
    second = client.v1.transfers.create(params=dict(params), options={"idempotency_key": "payout-1-1"})

    assert second.id == first.id
    assert second.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert (
        len(client.v1.transfers.list().data) == 1 and _available(client.v1.balance.retrieve(), "usd") == 600
    )


def test_same_idempotency_key_with_other_parameters_is_an_idempotency_error(
    client, emulator, creator_account
):
    emulator.credit(1_000, "usd")
    params = {"amount": 400, "currency": "usd", "destination": creator_account}
    client.v1.transfers.create(params=params, options={"idempotency_key": "payout-2-1"})

    with pytest.raises(stripe.IdempotencyError) as error:
        client.v1.transfers.create(
            params={**params, "amount": 401}, options={"idempotency_key": "payout-2-1"}
        )
    assert error.value.http_status == 400
    with pytest.raises(stripe.IdempotencyError):
        client.v1.refunds.create(params={"payment_intent": "pi_x"}, options={"idempotency_key": "payout-2-1"})


def test_idempotency_keys_are_scoped_per_stripe_account(client, emulator, creator_account):
    first = client.v1.checkout.sessions.create(
        params={"mode": "payment", "line_items": [{**FUNDING_LINE, "quantity": 1}]},
        options={"idempotency_key": "k"},
    )
    other = client.v1.checkout.sessions.create(
        params={"mode": "payment", "line_items": [{**FUNDING_LINE, "quantity": 1}]},
        options={"idempotency_key": "k", "stripe_account": creator_account},
    )
    assert other.id != first.id


def test_execution_errors_are_replayed_but_validation_errors_are_not(client, emulator, creator_account):
    params = {"amount": 400, "currency": "usd", "destination": creator_account}
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.create(params=params, options={"idempotency_key": "payout-3-1"})
    emulator.credit(1_000, "usd")
    # Stripe saved the balance error under the key: a retry with it gets the same error.
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params=params, options={"idempotency_key": "payout-3-1"})
    assert error.value.code == "balance_insufficient"
    assert error.value.headers["Idempotent-Replayed"] == "true"

    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.create(
            params={**params, "amount": "x"}, options={"idempotency_key": "payout-4-1"}
        )
    transfer = client.v1.transfers.create(params=params, options={"idempotency_key": "payout-4-2"})
    assert transfer.amount == 400


def test_concurrent_requests_with_one_key_create_one_transfer(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    params = {"amount": 100, "currency": "usd", "destination": creator_account, "transfer_group": "payout-9"}
    ids = []

    def send():
        transfer = client.v1.transfers.create(params=dict(params), options={"idempotency_key": "payout-9-1"})
        ids.append(transfer.id)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(ids) == 20 and len(set(ids)) == 1
    assert len(client.v1.transfers.list(params={"transfer_group": "payout-9"}).data) == 1


# Webhooks


def test_signed_event_verifies_with_the_secret_only(emulator, creator_account):
    [event] = emulator.events(type="account.updated")
    signed = emulator.signed_event(event["id"])

    verified = stripe.Webhook.construct_event(signed["payload"], signed["signature"], emulator.webhook_secret)
    assert (verified.id, verified.type, verified.account) == (event["id"], "account.updated", creator_account)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(signed["payload"], signed["signature"], "whsec_wrong")
    old = emulator.signed_event(event["id"], timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(old["payload"], old["signature"], emulator.webhook_secret)


class _Receiver:
    """A webhook endpoint on loopback that answers `statuses` in turn (then 200) and keeps requests."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                receiver.received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/payments/stripe/webhook/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(emulator):
    receivers = []

    def make(statuses=()):
        receivers.append(_Receiver(statuses))
        emulator.set_webhook_url(receivers[-1].url)
        return receivers[-1]

    yield make
    emulator.set_webhook_url(None)
    for item in receivers:
        item.close()


def test_events_are_posted_signed_in_order(client, emulator, receiver):
    endpoint = receiver()
    account = client.v1.accounts.create(params={"type": "express"}).id
    emulator.complete_onboarding(account)
    _fund(client, emulator, quantity=1)

    emulator.wait_for_webhooks()

    events = [
        stripe.Webhook.construct_event(body, header, emulator.webhook_secret)
        for body, header in endpoint.received
    ]
    assert [e.type for e in events] == [
        "account.updated",
        "checkout.session.completed",
        "payment_intent.succeeded",
    ]
    assert events[0].account == account and "account" not in events[1]


def test_failed_deliveries_are_retried(client, emulator, receiver):
    endpoint = receiver(statuses=[500])
    account = client.v1.accounts.create(params={"type": "express"}).id
    emulator.complete_onboarding(account)

    status = emulator.wait_for_webhooks()

    assert [d["status"] for d in status["deliveries"]] == [500, 200]
    assert len(endpoint.received) == 2 and endpoint.received[0][0] == endpoint.received[1][0]


# Failure injection


def test_injected_decline_rejects_the_next_transfers_to_that_destination(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    other = client.v1.accounts.create(params={"type": "express"}).id
    emulator.complete_onboarding(other)
    emulator.fail_transfers(1, destination=creator_account)

    client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": other})
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": creator_account})
    assert error.value.http_status == 400 and error.value.code == "transfers_not_allowed"

    client.v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": creator_account})
    assert len(client.v1.transfers.list().data) == 2


def test_injected_timeout_creates_the_transfer_but_loses_the_answer(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    emulator.timeout_transfers(1)
    params = {"amount": 250, "currency": "usd", "destination": creator_account, "transfer_group": "payout-5"}

    with pytest.raises(stripe.APIConnectionError):
        client.v1.transfers.create(params=params, options={"idempotency_key": "payout-5-1"})

    [found] = client.v1.transfers.list(params={"transfer_group": "payout-5"}).data
    assert found.amount == 250
    assert len(emulator.events(type="transfer.created")) == 1
    # Retrying with the same key gets the transfer that was made, not a second one.
    retried = client.v1.transfers.create(params=params, options={"idempotency_key": "payout-5-1"})
    assert retried.id == found.id
    assert len(client.v1.transfers.list(params={"transfer_group": "payout-5"}).data) == 1


def test_payout_failed_is_an_event_of_the_connected_account(client, emulator, creator_account):
    payout = emulator.payout_failed(creator_account, amount=5_000, currency="idr", failure_code="no_account")

    [event] = emulator.events(type="payout.failed")
    assert event["account"] == creator_account
    assert (
        event["data"]["object"]["failure_code"] == "no_account"
        and event["data"]["object"]["status"] == "failed"
    )
    fetched = client.v1.payouts.retrieve(payout["id"], options={"stripe_account": creator_account})
    assert (fetched.amount, fetched.currency, fetched.failure_message) == (
        5_000,
        "idr",
        payout["failure_message"],
    )


def test_reset_forgets_everything(client, emulator, creator_account):
    emulator.credit(1_000, "usd")
    emulator.fail_transfers(3)

    emulator.reset()

    state = emulator.state()
    assert state["objects"] == {} and state["balances"] == [] and state["failures"] == []
    with pytest.raises(stripe.PermissionError):
        client.v1.balance.retrieve(options={"stripe_account": creator_account})


# Form decoding


def test_form_decoding_builds_nested_dicts_and_lists_but_keeps_metadata_keys():
    query = (
        "line_items[0][price_data][unit_amount]=1000&line_items[0][quantity]=2&line_items[1][quantity]=1"
        "&metadata[0]=zero&metadata[k]=v&expand[]=payment_intent&capabilities[transfers][requested]=true"
    )
    assert decode(query) == {
        "line_items": [{"price_data": {"unit_amount": "1000"}, "quantity": "2"}, {"quantity": "1"}],
        "metadata": {"0": "zero", "k": "v"},
        "expand": ["payment_intent"],
        "capabilities": {"transfers": {"requested": "true"}},
    }
