"""Beat sweeps for money work that committed but never started because the broker was down.

The payout or refund row already says what is due; its task was lost (marketplace/queueing.py logs
the failed send). Each sweep queues that task again. Safe beside a late delivery of the original:
payout_send moves approved → processing under a row lock and does nothing for any other status,
and refund_send stops at a paid refund and reuses the Stripe idempotency key refund-<id>.
Payouts left processing or unknown are payouts_reconcile_stale's job, not this module's.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from marketplace.queueing import enqueue_each, sweep_grace_cutoff
from payments import tasks
from payments.models import CampaignRefund, Payout

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# Stripe remembers an idempotency key for 24 hours. Past that, resending refund-<id> could refund a
# second time if the first request did reach Stripe, so older refunds are left to staff.
REFUND_RESEND_WINDOW = timedelta(hours=20)


def payouts_requeue_approved(*, now=None) -> int:
    """Approved payouts whose send never started are queued again; returns how many."""
    now = now or timezone.now()
    ids = list(
        Payout.objects.filter(status=Payout.Status.APPROVED, reviewed_at__lt=sweep_grace_cutoff(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    if ids:
        logger.warning("Approved payouts not sent yet, queued again: %s", ids)
    return enqueue_each(tasks.payout_send, ids)


def refunds_requeue_pending(*, now=None) -> int:
    """Refunds still pending after the grace period are queued again; returns how many."""
    now = now or timezone.now()
    pending = CampaignRefund.objects.filter(status=CampaignRefund.Status.PENDING)
    ids = list(
        pending.filter(created_at__lt=sweep_grace_cutoff(now), created_at__gte=now - REFUND_RESEND_WINDOW)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    too_old = list(
        pending.filter(created_at__lt=now - REFUND_RESEND_WINDOW).values_list("pk", flat=True)[:50]
    )
    if too_old:
        logger.error(
            "Refunds pending for too long to resend safely; staff must check them at Stripe: %s", too_old
        )
    if ids:
        logger.warning("Pending refunds queued again: %s", ids)
    return enqueue_each(tasks.refund_send, ids)
