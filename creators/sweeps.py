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
from marketplace.queueing import enqueue_each, sweep_grace_cutoff

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
