"""Stripe webhook events: verified, stored once, and treated as triggers.

Escrow is credited from `checkout.session.completed` only (its session fetched again and found
paid); `payment_intent.succeeded` and other types are recorded and acknowledged.

The endpoint (payments/views/stripe_webhook.py) verifies the signature over the raw body, stores the
event id (unique) and runs `stripe_event_process`. Each handler fetches the object from Stripe
again and applies what Stripe says now, so events may arrive twice, late or out of order and
the result is the same. An event is marked processed only when its handler finished, so a failed
one is processed again when Stripe redelivers it.

Before anything is stored (`stripe_event_verify`): the signature must verify, the timestamp must be
neither older nor newer than Stripe's tolerance (the library checks only the past), and the event
must have the shape of one (id, type, data.object, and the object's id for the types we act on);
otherwise 400. An object Stripe does not know (404, resource_missing, when we fetch it) is recorded
and acknowledged with no effect: redelivering it cannot change the answer.
"""

import json
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from payments import gateway
from payments.models import Payout, StripeEvent
from payments.services import accounts, funding, payouts

# How long a webhook waits for a row lock before answering 503 (Stripe then retries).
LOCK_TIMEOUT = "5s"
# Stripe's default signature tolerance (stripe.Webhook.DEFAULT_TOLERANCE), applied both ways.
TOLERANCE_SECONDS = 300


class MalformedEvent(gateway.GatewayError):
    """A verified body that is not an event we can act on (no id, type or object)."""


def _signed_at(signature: str) -> int | None:
    for part in signature.split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    return None


def stripe_event_verify(payload: bytes, signature: str) -> dict:
    """The verified, well-formed event; gateway.BadSignature or MalformedEvent (both 400) else."""
    try:
        # The library cannot build an event from JSON that is not an object (it crashes): refuse first.
        is_object = isinstance(json.loads(payload), dict)
    except ValueError:
        is_object = False
    if not is_object:
        raise MalformedEvent("the body is not a JSON object")
    event = gateway.webhook_event(payload, signature)
    signed_at = _signed_at(signature)
    if signed_at is None or signed_at > time.time() + TOLERANCE_SECONDS:
        # A timestamp from the future would stay "fresh" long after any replay window closed.
        raise gateway.BadSignature("timestamp outside the tolerance zone")
    event_id, event_type, data = event.get("id"), event.get("type"), event.get("data")
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
        raise MalformedEvent("the event has no id or no type")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("the event has no data.object")
    object_id = data["object"].get("id")
    if event_type in HANDLERS and (not isinstance(object_id, str) or not object_id):
        raise MalformedEvent(f"the {event_type} event's object has no id")
    if event_type == "payout.failed" and not event.get("account"):
        raise MalformedEvent("a payout.failed event names no connected account")
    return event


def stripe_event_store(event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified event; returns (event, already processed)."""
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"],
                type=event.get("type", ""),
                account=event.get("account") or "",
                payload=event,
            )
    except IntegrityError:
        stored = StripeEvent.objects.get(event_id=event["id"])
    return stored, stored.processed_at is not None


def _object(event: StripeEvent) -> dict:
    return (event.payload.get("data") or {}).get("object") or {}


def _checkout_completed(event: StripeEvent) -> None:
    funding.funding_confirm(session_id=_object(event)["id"])


def _account_updated(event: StripeEvent) -> None:
    accounts.connected_account_sync(stripe_id=_object(event)["id"])


def _transfer_event(event: StripeEvent) -> None:
    transfer = gateway.transfer_retrieve(_object(event)["id"])
    payout_id = transfer.metadata.get("payout")
    if not payout_id or not Payout.objects.filter(pk=payout_id).exists():
        return
    payouts.payout_transfer_seen(payout_id=int(payout_id), transfer=transfer)


def _payout_failed(event: StripeEvent) -> None:
    # Like every event, a trigger only: what Stripe says about the payout now decides.
    bank_payout = gateway.payout_retrieve(_object(event)["id"], account=event.account)
    if bank_payout.get("status") != "failed":
        return
    reason = bank_payout.get("failure_message") or bank_payout.get("failure_code") or ""
    accounts.connected_account_bank_failure(stripe_id=event.account, reason=reason)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "account.updated": _account_updated,
    "transfer.created": _transfer_event,
    "transfer.reversed": _transfer_event,
    "payout.failed": _payout_failed,
}


def stripe_event_process(*, event_id: str) -> str:
    """Run the event's handler (types we do not use are just recorded). Returns what happened."""
    event = StripeEvent.objects.get(event_id=event_id)
    if event.processed_at is not None:
        return "duplicate"
    handler = HANDLERS.get(event.type)
    outcome = "processed" if handler is not None else "ignored"
    if handler is not None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            handler(event)
        except gateway.Declined as error:
            if error.code != "resource_missing":
                raise
            # Stripe has no such object (another account's, or a forged but signed id): nothing to do.
            outcome = "unknown object"
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout TO DEFAULT")
    StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(processed_at=timezone.now())
    return outcome
