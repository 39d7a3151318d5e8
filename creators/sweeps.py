"""Beat sweep for roster import jobs whose task was lost (the broker was down when it was queued,
or its worker died). Safe to queue again: roster_import_job_run claims the job with a conditional
update, so only one run imports it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from creators import tasks
from creators.models import RosterImportJob
from marketplace.queueing import enqueue, enqueue_each, sweep_grace_cutoff

logger = logging.getLogger(__name__)


def roster_import_jobs_requeue(*, now=None) -> int:
    """Jobs queued but never started, or running longer than a task may live, are queued again."""
    now = now or timezone.now()
    S = RosterImportJob.Status
    ids = list(
        RosterImportJob.objects.filter(
            Q(status=S.QUEUED, created_at__lt=sweep_grace_cutoff(now))
            | Q(status=S.RUNNING, started_at__lt=now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    if ids:
        logger.warning("Roster import jobs queued again: %s", ids)
    return enqueue_each(tasks.roster_import_run, ids)


def roster_claim_invitations_requeue(*, now=None) -> int:
    """Unclaimed roster creators with an email whose claim invitation never went (the broker was
    down after the import committed) are queued again; the task sends each one at most once."""
    from creators.models import CreatorProfile
    from creators.roster.validation import PLACEHOLDER_DOMAIN

    now = now or timezone.now()
    ids = list(
        CreatorProfile.objects.filter(
            roster_status=CreatorProfile.RosterStatus.UNCLAIMED,
            claim_invited_at=None,
            roster_imported_at__lt=sweep_grace_cutoff(now),
        )
        .exclude(user__email__endswith="@" + PLACEHOLDER_DOMAIN)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    if ids:
        logger.warning("Roster claim invitations queued again: %s profiles", len(ids))
        enqueue(tasks.roster_claim_invitations_send, ids)
    return len(ids)
