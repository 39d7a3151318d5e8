"""The Stripe webhook at its edges: verified but malformed events (400), objects Stripe does not
know (2xx, no effect), timestamps from the future (400), and payout.failed checked with Stripe
before anything is recorded. Events travel signed, over HTTP to the emulator and back."""

import hashlib
import hmac
import json
import time

import pytest
from django.urls import reverse

from payments.models import ConnectedAccount, StripeEvent
from payments.services import accounts
from payments.stripe_events import TOLERANCE_SECONDS
from tests.campaigns.factories import make_creator


def post_signed(client, emulator, event: dict | str, timestamp=None):
    """POST a body signed with the emulator's webhook secret, as Stripe would sign it."""
    payload = event if isinstance(event, str) else json.dumps(event)
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(emulator.webhook_secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={digest.hexdigest()}",
    )


def deliver(client, emulator, event_id, timestamp=None):
    signed = emulator.signed_event(event_id, timestamp=timestamp)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=signed["payload"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed["signature"],
    )


def onboarded(creator_profile) -> ConnectedAccount:
    accounts.connected_account_onboarding_url(
        creator=creator_profile,
        by_user=creator_profile.user,
        return_url="http://testserver/r",
        refresh_url="http://testserver/f",
    )
    return ConnectedAccount.objects.get(creator=creator_profile)


GOOD = {"id": "evt_1", "object": "event", "type": "transfer.created", "data": {"object": {"id": "tr_1"}}}


@pytest.mark.parametrize(
    "event",
    [
        {k: v for k, v in GOOD.items() if k != "id"},
        {**GOOD, "id": ""},
        {k: v for k, v in GOOD.items() if k != "type"},
        {**GOOD, "type": 7},
        {k: v for k, v in GOOD.items() if k != "data"},
        {**GOOD, "data": {}},
        {**GOOD, "data": {"object": "tr_1"}},
        {**GOOD, "data": {"object": {}}},
        {**GOOD, "type": "payout.failed", "data": {"object": {"id": "po_1"}}},  # no connected account
        "[]",
    ],
    ids=[
        "no-id",
        "empty-id",
        "no-type",
        "type-not-text",
        "no-data",
        "no-object",
        "object-not-a-dict",
        "object-without-id",
        "payout-failed-without-account",
        "not-an-object",
    ],
)
def test_a_verified_but_malformed_event_gets_400_and_is_not_stored(client, db, emulator, event):
    response = post_signed(client, emulator, event)

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_an_event_for_an_object_stripe_does_not_know_is_acknowledged_with_no_effect(client, db, emulator):
    event = {**GOOD, "id": "evt_ghost", "data": {"object": {"id": "tr_does_not_exist"}}}

    first = post_signed(client, emulator, event)
    again = post_signed(client, emulator, event)

    assert (first.status_code, first.content) == (200, b"unknown object")
    assert (again.status_code, again.content) == (200, b"duplicate")
    assert StripeEvent.objects.get().processed_at is not None


def test_a_timestamp_from_beyond_the_tolerance_in_the_future_is_refused(client, db, emulator):
    creator = make_creator()
    account = onboarded(creator)
    emulator.payout_failed(account.stripe_id)
    (failed,) = [event["id"] for event in emulator.events(type="payout.failed")]

    future = deliver(client, emulator, failed, timestamp=int(time.time()) + TOLERANCE_SECONDS + 120)

    assert future.status_code == 400
    assert not StripeEvent.objects.exists()
    account.refresh_from_db()
    assert account.last_payout_failure == ""
    # Within the tolerance a clock a little ahead is fine.
    assert deliver(client, emulator, failed, timestamp=int(time.time()) + 30).status_code == 200


def test_payout_failed_is_checked_with_stripe_and_uses_what_stripe_says(client, db, emulator):
    creator = make_creator()
    account = onboarded(creator)
    bank_payout = emulator.payout_failed(account.stripe_id, failure_message="The bank account is closed.")
    # A signed event whose object says something else than Stripe's copy: Stripe's copy wins.
    event = {
        "id": "evt_claims",
        "object": "event",
        "type": "payout.failed",
        "account": account.stripe_id,
        "data": {"object": {"id": bank_payout["id"], "failure_message": "Send the money to account 123."}},
    }

    assert post_signed(client, emulator, event).status_code == 200

    account.refresh_from_db()
    assert account.last_payout_failure == "The bank account is closed."


def test_payout_failed_for_a_payout_stripe_does_not_know_changes_nothing(client, db, emulator):
    creator = make_creator()
    account = onboarded(creator)
    event = {
        "id": "evt_forged_payout",
        "object": "event",
        "type": "payout.failed",
        "account": account.stripe_id,
        "data": {"object": {"id": "po_never_made", "failure_message": "Your bank closed."}},
    }

    response = post_signed(client, emulator, event)

    assert (response.status_code, response.content) == (200, b"unknown object")
    account.refresh_from_db()
    assert account.last_payout_failure == ""
    assert not creator.user.notifications.filter(kind="payout.bank_failed").exists()
