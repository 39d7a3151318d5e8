"""Stripe webhook events: verified, stored once, and treated as triggers.

Escrow is credited from `checkout.session.completed` only (its session fetched again and found
paid); `payment_intent.succeeded` and other types are recorded and acknowledged.

The endpoint (payments.views.stripe_webhook) verifies the signature over the raw body, stores the
event id (unique) and runs `stripe_event_process`. Each handler fetches the object from Stripe
again and applies what Stripe says now, so events may arrive twice, late or out of order and
the result is the same. An event is marked processed only when its handler finished, so a failed
one is processed again when Stripe redelivers it.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from payments import gateway
from payments.models import Payout, StripeEvent
from payments.services import accounts, escrow, payouts

# How long a webhook waits for a row lock before answering 503 (Stripe then retries).
LOCK_TIMEOUT = "5s"


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
    escrow.funding_confirm(session_id=_object(event)["id"])


def _account_updated(event: StripeEvent) -> None:
    accounts.connected_account_sync(stripe_id=_object(event)["id"])


def _transfer_event(event: StripeEvent) -> None:
    transfer = gateway.transfer_retrieve(_object(event)["id"])
    payout_id = transfer.metadata.get("payout")
    if not payout_id or not Payout.objects.filter(pk=payout_id).exists():
        return
    payouts.payout_transfer_seen(payout_id=int(payout_id), transfer=transfer)


def _payout_failed(event: StripeEvent) -> None:
    bank_payout = _object(event)
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
    if handler is not None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        try:
            handler(event)
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout TO DEFAULT")
    StripeEvent.objects.filter(pk=event.pk, processed_at__isnull=True).update(processed_at=timezone.now())
    return "processed" if handler is not None else "ignored"
