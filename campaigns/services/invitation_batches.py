"""Bulk invitations as a background job: start checks the request and queues it; the Celery task
invites the creators chunk by chunk and records progress for the campaign page.

Each chunk is one transaction that holds the batch row: its invitations, notifications and the
batch's counters commit together. A worker killed mid-chunk leaves no trace of that chunk, and the
next delivery resumes from `processed`, so neither invitations nor counts are ever doubled.
"""

import hashlib
import json
import logging
import time
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from brands.verification_limits import INVITE, unverified_limits_refusal
from campaigns import tasks
from campaigns.models import Campaign, InvitationBatch
from campaigns.services.invitations import (
    INVITED,
    invitation_create_many,
    invitation_terms_clean,
    require_published,
)
from marketplace.errors import DomainError, ValidationFailed
from marketplace.models import User
from marketplace.queueing import enqueue, enqueue_on_commit
from marketplace.services import audit_record

logger = logging.getLogger(__name__)

Status = InvitationBatch.Status
# The invite page answers inline up to this many creators; more go to a batch.
INLINE_INVITE_LIMIT = 20
CHUNK_SIZE = 500
MAX_BATCH_CREATORS = 20_000
# How many skipped creators the campaign page lists with their reason (the counts cover all).
SKIPPED_SHOWN = 50
# A run stops after this long and queues its own continuation, far inside CELERY_TASK_SOFT_TIME_LIMIT.
TIME_BUDGET_SECONDS = 120


def batch_key(*, creator_ids: Iterable[int], offered_fee: Decimal, message: str) -> str:
    """The same creators (in any order), fee and message give the same key."""
    payload = json.dumps([sorted(creator_ids), f"{offered_fee:.2f}", message])
    return hashlib.sha256(payload.encode()).hexdigest()


def invitation_batch_start(
    *,
    campaign: Campaign,
    by_user: User,
    creator_ids: Iterable[int],
    offered_fee: Decimal | None,
    message: str = "",
) -> InvitationBatch:
    """Check the request now, then invite `creator_ids` (in that order) in the background.

    Sending the same request again returns the existing batch; if that batch failed, it resumes.
    An organization that is not verified cannot list more creators than the brief may still invite
    (brands.verification_limits): the whole batch is refused and none is sent.
    """
    require_org_manager(organization=campaign.organization_id, user=by_user)
    require_published(campaign)
    offered_fee, message = invitation_terms_clean(campaign=campaign, offered_fee=offered_fee, message=message)
    ids = list(dict.fromkeys(int(creator_id) for creator_id in creator_ids))
    if not ids:
        raise ValidationFailed(_("Name at least one creator."), field="creators")
    if len(ids) > MAX_BATCH_CREATORS:
        raise ValidationFailed(
            _("Invite at most %(limit)s creators at once; you listed %(count)s.")
            % {"limit": MAX_BATCH_CREATORS, "count": len(ids)},
            field="creators",
        )
    # Checked again per chunk under the campaign lock; refusing here says so before anything is queued.
    refusal = unverified_limits_refusal(
        campaign.organization, action=INVITE, campaign=campaign, count=len(ids)
    )
    if refusal is not None:
        raise refusal
    key = batch_key(creator_ids=ids, offered_fee=offered_fee, message=message)

    with transaction.atomic():
        batch, created = InvitationBatch.objects.get_or_create(
            campaign=campaign,
            idempotency_key=key,
            defaults={
                "created_by": by_user,
                "offered_fee": offered_fee,
                "message": message,
                "creator_ids": ids,
                "total": len(ids),
            },
        )
        if created:
            action = "invitation_batch.created"
        elif InvitationBatch.objects.filter(pk=batch.pk, status=Status.FAILED).update(
            status=Status.QUEUED, error="", finished_at=None, created_by=by_user
        ):
            # The one who asks again runs it; the first sender may be why it failed.
            action = "invitation_batch.resumed"
            batch.refresh_from_db()
        else:
            return batch
        audit_record(
            actor=by_user, action=action, target=batch, to_status=batch.status, data={"total": batch.total}
        )
        enqueue_on_commit(tasks.invitation_batch_run, batch.pk)
    return batch


def invitation_batch_process(*, batch_id: int) -> str:
    """Invite chunk after chunk until the batch is finished or the time budget is spent."""
    started = time.monotonic()
    while invitation_batch_process_chunk(batch_id=batch_id):
        if time.monotonic() - started > TIME_BUDGET_SECONDS:
            enqueue(tasks.invitation_batch_run, batch_id)
            break
    return InvitationBatch.objects.values_list("status", flat=True).get(pk=batch_id)


def _language(user: User | None) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def _summary(results: dict, invite_results: list) -> dict:
    """Add a chunk's outcome to the batch's summary: counts per outcome, and the first skipped lines."""
    counts = dict(results.get("counts", {}))
    skipped = list(results.get("skipped", []))
    for result in invite_results:
        counts[result.status] = counts.get(result.status, 0) + 1
        if result.status != INVITED and len(skipped) < SKIPPED_SHOWN:
            creator = result.creator
            skipped.append(
                {
                    "creator_id": result.creator_id,
                    "name": creator.display_name if creator else "",
                    "url": creator.get_absolute_url() if creator else "",
                    "status": result.status,
                    "message": str(result.message),
                }
            )
    return {"counts": counts, "skipped": skipped}


def invitation_batch_process_chunk(*, batch_id: int) -> bool:
    """Invite the next chunk; returns whether more remains for this worker to do.

    Returns False when the batch is finished, failed, or locked by another worker (which carries on).
    """
    with transaction.atomic():
        batch = (
            InvitationBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign", "created_by")
            .filter(pk=batch_id, status__in=InvitationBatch.ACTIVE)
            .first()
        )
        if batch is None:
            return False
        now = timezone.now()
        chunk = batch.creator_ids[batch.processed : batch.processed + CHUNK_SIZE]
        with translation.override(_language(batch.created_by)):
            try:
                # A savepoint: a refused chunk rolls back alone and the failure is still recorded.
                with transaction.atomic():
                    results = invitation_create_many(
                        campaign=batch.campaign,
                        by_user=batch.created_by,
                        creators=chunk,
                        offered_fee=batch.offered_fee,
                        message=batch.message,
                    )
            except DomainError as error:
                _fail(batch, str(error.message))
                return False
            summary = _summary(batch.results, results)
        invited = sum(1 for result in results if result.status == INVITED)
        done = batch.processed + len(chunk) >= batch.total
        InvitationBatch.objects.filter(pk=batch.pk).update(
            status=Status.DONE if done else Status.RUNNING,
            started_at=batch.started_at or now,
            finished_at=now if done else None,
            processed=F("processed") + len(chunk),
            invited=F("invited") + invited,
            skipped=F("skipped") + (len(chunk) - invited),
            results=summary,
        )
        if done:
            _audit_end(batch, Status.DONE, data=summary["counts"])
    return not done


def _audit_end(batch: InvitationBatch, to_status: str, **details) -> None:
    audit_record(
        actor=None,
        action=f"invitation_batch.{to_status}",
        target=batch,
        from_status=batch.status,
        to_status=to_status,
        **details,
    )


def _fail(batch: InvitationBatch, error: str) -> None:
    """Mark a locked batch failed; what was invited stays invited, and resending the request resumes it."""
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status=Status.FAILED,
        error=error,
        finished_at=timezone.now(),
        started_at=batch.started_at or timezone.now(),
    )
    _audit_end(batch, Status.FAILED, reason=error)


def invitation_batch_fail(*, batch_id: int) -> None:
    """The task gave up after its retries: say so on the page instead of showing it running forever."""
    logger.error("Invitation batch %s failed after its retries", batch_id)
    with transaction.atomic():
        batch = (
            InvitationBatch.objects.select_for_update(of=("self",))
            .filter(pk=batch_id, status__in=InvitationBatch.ACTIVE)
            .select_related("created_by")
            .first()
        )
        if batch is None:
            return
        with translation.override(_language(batch.created_by)):
            error = _("Something went wrong on our side. Send the same invitations again to resume.")
        _fail(batch, error)


def invitation_batches_recent(*, campaign: Campaign, limit: int = 5) -> QuerySet[InvitationBatch]:
    """The latest batches of a campaign, for its page."""
    return campaign.invitation_batches.select_related("created_by").order_by("-created_at", "-pk")[:limit]
