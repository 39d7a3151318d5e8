"""Roster imports in the background: the API's import job, queued after commit and run by a task."""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import require_org_manager
from creators import tasks
from creators.models import RosterImportJob
from creators.roster.importing import roster_import
from creators.roster.parsing import roster_count
from marketplace.errors import PermissionDeniedError
from marketplace.models import User
from marketplace.queueing import enqueue

# --- 4. In the background (the API's import job) ------------------------------------------------


def roster_import_job_start(
    *,
    organization: Organization,
    by_user: User,
    content: bytes,
    file_name: str = "",
    valid_rows_only: bool = False,
) -> RosterImportJob:
    """Check who asks and that the file can be read, store it, and import it after commit.

    A malformed file raises RosterFileError now, so the caller hears about it at once; the rows are
    validated (and written) by the job, whose report lists each problem by line and column.
    """
    require_org_manager(organization=organization, user=by_user)
    total = roster_count(content)  # streams the file once: a malformed one is refused now
    job = RosterImportJob.objects.create(
        organization=organization,
        created_by=by_user,
        content=content,
        file_name=file_name[:255],
        valid_rows_only=valid_rows_only,
        total=total,
        file_size=len(content),
    )
    transaction.on_commit(lambda: _queue_roster_import(job.pk))
    return job


def _queue_roster_import(job_id: int) -> None:
    enqueue(tasks.roster_import_run, job_id)


def roster_import_job_run(*, job_id: int) -> str:
    """Run a queued job once: the import and the job's result are saved in one transaction.

    A job left "running" longer than a task may live (its worker died, and with it the import's
    transaction) is claimed again, so a redelivered task finishes it instead of leaving it stuck.
    """
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone, translation

    from marketplace.errors import DomainError

    S = RosterImportJob.Status
    now = timezone.now()
    lost = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimed = (
        RosterImportJob.objects.filter(pk=job_id)
        .filter(Q(status=S.QUEUED) | Q(status=S.RUNNING, started_at__lt=lost))
        .update(status=S.RUNNING, started_at=now)
    )
    if not claimed:
        return "skipped"
    job = RosterImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    language = getattr(job.created_by, "preferred_language", "") or settings.LANGUAGE_CODE

    def progress(phase: str, done: int) -> None:
        # Committed at once (no transaction is open here), so the job page shows it while we run.
        RosterImportJob.objects.filter(pk=job_id).update(phase=phase, rows_done=done)

    def report(error) -> dict:
        return {"line": error.line, "column": error.column, "message": str(error.message)}

    try:
        with translation.override(language):
            if job.created_by is None:
                raise PermissionDeniedError(_("The person who started this import no longer has an account."))
            result = roster_import(
                organization=job.organization,
                by_user=job.created_by,
                content=bytes(job.content),
                valid_rows_only=job.valid_rows_only,
                progress=progress,
            )
    except DomainError as error:
        message = str(error.message)
        if RosterImportJob.objects.filter(
            pk=job_id, phase=RosterImportJob.Phase.WRITING, rows_done__gt=0
        ).exists():
            with translation.override(language):
                message += " " + _(
                    "The creators on the lines before the problem were imported. Import the same file "
                    "again to finish: it updates them, it never adds duplicates."
                )
        RosterImportJob.objects.filter(pk=job_id).update(
            status=S.FAILED, error=message, content=b"", finished_at=timezone.now()
        )
        return S.FAILED
    except Exception:
        # A bug, not the file: say so on the job and let the worker log it.
        with translation.override(language):
            message = _(
                "The import stopped on an unexpected error. Try again later; importing the file again updates, it never duplicates."
            )
        RosterImportJob.objects.filter(pk=job_id).update(
            status=S.FAILED, error=str(message), content=b"", finished_at=timezone.now()
        )
        raise
    # Stamped now, after the import ran (it used to be taken before the import started).
    RosterImportJob.objects.filter(pk=job_id).update(
        status=S.DONE,
        total=result.total,
        created=result.created,
        updated=result.updated,
        skipped=result.skipped,
        written=result.written,
        errors=[report(e) for e in result.errors],
        warnings=[report(w) for w in result.warnings],
        content=b"",
        finished_at=timezone.now(),
    )
    return S.DONE
