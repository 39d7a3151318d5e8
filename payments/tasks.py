"""Thin Celery tasks: ids in, one service call, safe to run twice (each service checks status first)."""

from celery import shared_task

from payments import gateway

# Only an unclear Stripe answer (timeout, 5xx, 409) is worth retrying; a refusal is final.
RETRY = {
    "autoretry_for": (gateway.Unclear,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,
    "max_retries": 12,
}


@shared_task(name="payments.payout_send", **RETRY)
def payout_send(payout_id: int) -> str:
    from payments.services.payouts import payout_send as send

    return send(payout_id=payout_id)


@shared_task(name="payments.payout_reconcile", **RETRY)
def payout_reconcile(payout_id: int) -> str:
    from payments.services.payouts import payout_reconcile as reconcile

    return reconcile(payout_id=payout_id)


@shared_task(name="payments.payouts_reconcile_stale")
def payouts_reconcile_stale() -> int:
    from payments.services.payouts import payouts_reconcile_stale as sweep

    return sweep()


@shared_task(name="payments.refund_send", **RETRY)
def refund_send(refund_id: int) -> str:
    from payments.services.refunds import refund_send as send

    return send(refund_id=refund_id)


@shared_task(name="payments.stripe_event_process", **RETRY)
def stripe_event_process(event_id: str) -> str:
    from payments.stripe_events import stripe_event_process as process

    return process(event_id=event_id)


# Beat sweeps: committed work whose task was lost to a broker outage is queued again.


@shared_task(name="payments.payouts_requeue_approved")
def payouts_requeue_approved() -> int:
    from payments.services.sweeps import payouts_requeue_approved as sweep

    return sweep()


@shared_task(name="payments.refunds_requeue_pending")
def refunds_requeue_pending() -> int:
    from payments.services.sweeps import refunds_requeue_pending as sweep

    return sweep()


@shared_task(name="payments.commissions_accrue_due")
def commissions_accrue_due() -> int:
    """Beat: accrue commissions whose attribution window has closed, and post those the escrow now
    covers. Safe beside itself: each accrual is written once, under row locks and a 1:1 constraint."""
    from payments.services.commissions import commissions_accrue_due as accrue

    return accrue()
