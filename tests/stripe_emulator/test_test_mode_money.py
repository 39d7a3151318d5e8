"""Stripe test mode's ways to put money and ready accounts on the emulator, through the official
library: a PaymentIntent paid with 4000000000000077 (pm_card_bypassPending) lands in the available
balance, and a Custom account given every requirement is verified at once."""

import time

import pytest
import stripe

from tests.stripe_emulator.test_emulator import _available

PREFILLED = {
    "type": "custom",
    "country": "ID",
    "email": "ayu@example.com",
    "capabilities": {"transfers": {"requested": True}},
    "business_type": "individual",
    "business_profile": {"mcc": "7311", "url": "https://kolabo.example/ayu"},
    "individual": {"first_name": "Ayu", "last_name": "Lestari"},
    "external_account": "btok_us_verified",
}


@pytest.fixture
def client(emulator):
    return stripe.StripeClient(emulator.api_key, base_addresses={"api": emulator.url}, max_network_retries=0)


def _pay(client, method, amount=500_000, currency="idr", **options):
    params = {"amount": amount, "currency": currency, "payment_method": method, "confirm": True}
    return client.v1.payment_intents.create(params=params, options=options)


def test_a_bypass_pending_payment_funds_the_available_balance_for_transfers(client):
    intent = _pay(client, "pm_card_bypassPending")

    assert intent.status == "succeeded" and intent.amount_received == 500_000
    balance = client.v1.balance.retrieve()
    assert _available(balance, "idr") == 500_000
    assert balance.pending == []
    account = client.v1.accounts.create(
        params={**PREFILLED, "tos_acceptance": {"date": int(time.time()), "ip": "127.0.0.1"}}
    )
    transfer = client.v1.transfers.create(
        params={"amount": 500_000, "currency": "idr", "destination": account.id}
    )
    assert transfer.amount == 500_000
    assert _available(client.v1.balance.retrieve(), "idr") == 0


def test_an_ordinary_test_card_settles_into_the_pending_balance_only(client):
    _pay(client, "pm_card_visa", amount=700)

    balance = client.v1.balance.retrieve()
    assert _available(balance, "idr") == 0
    assert [(entry.currency, entry.amount) for entry in balance.pending] == [("idr", 700)]


def test_a_declined_test_card_is_a_card_error_and_moves_nothing(client):
    with pytest.raises(stripe.CardError) as error:
        _pay(client, "pm_card_chargeDeclined")

    assert error.value.code == "card_declined"
    assert _available(client.v1.balance.retrieve(), "usd") == 0


def test_an_unknown_payment_method_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        _pay(client, "pm_card_does_not_exist")

    assert error.value.param == "payment_method"


def test_the_same_idempotency_key_funds_once(client):
    first = _pay(client, "pm_card_bypassPending", idempotency_key="top-up-1")
    again = _pay(client, "pm_card_bypassPending", idempotency_key="top-up-1")

    assert first.id == again.id
    assert _available(client.v1.balance.retrieve(), "idr") == 500_000


def test_a_custom_account_given_every_requirement_can_receive_payouts_at_once(client):
    account = client.v1.accounts.create(
        params={**PREFILLED, "tos_acceptance": {"date": int(time.time()), "ip": "127.0.0.1"}}
    )

    assert account.payouts_enabled and account.details_submitted
    assert account.requirements.currently_due == []
    assert account.capabilities["transfers"] == "active"


def test_a_custom_account_missing_the_terms_waits_until_an_update_provides_them(client, emulator):
    account = client.v1.accounts.create(params=PREFILLED)
    assert not account.payouts_enabled
    assert account.requirements.currently_due == ["tos_acceptance.date", "tos_acceptance.ip"]

    updated = client.v1.accounts.update(
        account.id, params={"tos_acceptance": {"date": int(time.time()), "ip": "127.0.0.1"}}
    )

    assert updated.payouts_enabled
    assert emulator.events(type="account.updated", account=account.id)


def test_the_platform_cannot_accept_the_terms_for_an_express_account(client):
    params = {**PREFILLED, "type": "express", "tos_acceptance": {"date": int(time.time()), "ip": "127.0.0.1"}}

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.accounts.create(params=params)

    assert error.value.param == "tos_acceptance"
