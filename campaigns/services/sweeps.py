"""Beat sweep for bulk invitations whose run was lost (broker down when it was queued, or a worker
that died without a retry). Queuing a batch again is safe: each chunk claims the batch row with
SKIP LOCKED and commits its invitations with the progress, so two runs never invite twice."""

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from campaigns import tasks
from campaigns.models import InvitationBatch
from marketplace.queueing import enqueue_each, sweep_grace_cutoff

logger = logging.getLogger(__name__)

# A healthy batch (at most 20,000 creators, 500 per chunk) finishes well inside this.
BATCH_STUCK_AFTER = timedelta(minutes=30)


def invitation_batches_requeue_stuck(*, now=None) -> int:
    """Batches queued but never started, or running for far too long, are queued again."""
    now = now or timezone.now()
    S = InvitationBatch.Status
    ids = list(
        InvitationBatch.objects.filter(
            Q(status=S.QUEUED, created_at__lt=sweep_grace_cutoff(now))
            | Q(status=S.RUNNING, started_at__lt=now - BATCH_STUCK_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    if ids:
        logger.warning("Invitation batches queued again: %s", ids)
    return enqueue_each(tasks.invitation_batch_run, ids)
