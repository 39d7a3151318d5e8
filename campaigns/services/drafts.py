"""Draft rounds of a collaboration deliverable and their review: submit, approve, request changes.

Lock order: collaboration → deliverable → submission (see campaigns.services.workspace).
"""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import Collaboration, CollaborationDeliverable, Submission
from campaigns.notifications import notify_org
from campaigns.services.common import require_creator, transition
from campaigns.services.workspace import (
    D,
    approve_latest,
    check_url,
    lock_deliverable,
    params_for,
    refresh,
    require_live,
    submission_file_check,
)
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.services import notify_user
from webhooks import events as webhook_events


def _digest(chunks) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def _same_content(submission: Submission, *, link: str, caption: str, file) -> bool:
    if submission.link != link or submission.caption != caption:
        return False
    if file is None:
        return not submission.file
    if not submission.file or submission.file.size != file.size:
        return False
    file.seek(0)
    uploaded = _digest(file.chunks())
    file.seek(0)
    with submission.file.open("rb") as stored:
        return _digest(stored.chunks()) == uploaded


def submission_create(
    *, deliverable: CollaborationDeliverable, by_user: User, link: str = "", caption: str = "", file=None
) -> Submission:
    """Submit a draft round for review: a link (with caption), or an uploaded file.

    Submitting the same content again while the latest round still waits for review returns that
    round (a double click, a retried request); different content is refused until it is reviewed.
    """
    link = (link or "").strip()
    caption = (caption or "").strip()
    with transaction.atomic():
        collaboration, deliverable = lock_deliverable(deliverable)
        require_creator(creator=collaboration.creator, user=by_user)
        if file is not None:
            submission_file_check(file)
        if link:
            check_url(link, field="link", message=_("Enter a link to your draft that starts with https://."))
        elif file is None:
            raise ValidationFailed(_("Add a link to your draft or upload the file."), field="link")
        if len(caption) > 5000:
            raise ValidationFailed(_("The caption can be at most 5,000 characters."), field="caption")

        latest = deliverable.submissions.order_by("-round").first()
        if deliverable.status == D.SUBMITTED and latest and latest.decision == Submission.Decision.PENDING:
            if _same_content(latest, link=link, caption=caption, file=file):
                return latest
            raise InvalidTransition(_("Your draft is already waiting for review."))
        require_live(collaboration)

        number = (latest.round if latest else 0) + 1
        transition(
            deliverable, D.SUBMITTED, actor=by_user, action="deliverable.submitted", data={"round": number}
        )
        submission = Submission.objects.create(
            deliverable=deliverable,
            round=number,
            link=link,
            caption=caption,
            file=file or "",
            submitted_by=by_user,
        )
        refresh(collaboration=collaboration, actor=by_user)
        notify_org(
            organization=collaboration.campaign.organization_id,
            kind="submission.created",
            key=f"submission.created:{submission.pk}",
            params=params_for(collaboration, deliverable) | {"round": number},
            url=collaboration.get_absolute_url(),
        )
        webhook_events.submission_created(submission, collaboration)
    return submission


def _lock_for_review(
    submission: Submission, by_user: User
) -> tuple[Collaboration, CollaborationDeliverable, Submission]:
    collaboration, deliverable = lock_deliverable(submission.deliverable)
    require_org_manager(organization=collaboration.campaign.organization_id, user=by_user)
    require_live(collaboration)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    latest_round = deliverable.submissions.order_by("-round").values_list("round", flat=True).first()
    if submission.round != latest_round:
        raise InvalidTransition(_("A newer draft replaced this one. Review the latest round."))
    if submission.decision != Submission.Decision.PENDING or deliverable.status != D.SUBMITTED:
        raise InvalidTransition(_("This draft has already been reviewed."))
    return collaboration, deliverable, submission


def submission_approve(*, submission: Submission, by_user: User) -> Submission:
    with transaction.atomic():
        collaboration, deliverable, submission = _lock_for_review(submission, by_user)
        submission = approve_latest(collaboration=collaboration, deliverable=deliverable, actor=by_user)
        refresh(collaboration=collaboration, actor=by_user)
    return submission


def submission_request_changes(*, submission: Submission, by_user: User, feedback: str) -> Submission:
    """Send the draft back with feedback; each request uses one of the campaign's revision rounds."""
    feedback = (feedback or "").strip()
    with transaction.atomic():
        collaboration, deliverable, submission = _lock_for_review(submission, by_user)
        rounds = collaboration.campaign.review_rounds
        if deliverable.rounds_used >= rounds:
            raise InvalidTransition(
                _("You have used all %(rounds)s revision rounds. Approve the draft or raise a dispute.")
                % {"rounds": rounds}
            )
        if not feedback:
            raise ValidationFailed(_("Tell the creator what to change."), field="feedback")
        deliverable.rounds_used += 1
        transition(
            deliverable,
            D.CHANGES_REQUESTED,
            actor=by_user,
            action="deliverable.changes_requested",
            reason=feedback,
            data={"round": submission.round, "rounds_used": deliverable.rounds_used},
            extra_fields=("rounds_used",),
        )
        submission.decision = Submission.Decision.CHANGES_REQUESTED
        submission.feedback = feedback
        submission.decided_by = by_user
        submission.decided_at = timezone.now()
        submission.save(update_fields=["decision", "feedback", "decided_by", "decided_at"])
        refresh(collaboration=collaboration, actor=by_user)
        notify_user(
            user=collaboration.creator.user,
            kind="submission.changes_requested",
            key=f"submission.changes_requested:{submission.pk}",
            params=params_for(collaboration, deliverable) | {"feedback": feedback[:300]},
            url=collaboration.get_absolute_url(),
        )
    return submission
