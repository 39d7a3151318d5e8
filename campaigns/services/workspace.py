"""The collaboration workspace: its rules, the steps every workspace write shares, and cancellation.

Draft rounds live in `drafts`, publishing and confirmation in `publishing`, and the reads for the
workspace pages in `campaigns.collaboration_selectors`.

Lock order everywhere: collaboration → deliverable → submission. Every deliverable move ends with
`collaboration_refresh_status`, so the collaboration's status always sums up its deliverables.
"""

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import can_manage_org
from campaigns.models import Collaboration, CollaborationDeliverable, Submission
from campaigns.notifications import notify_org
from campaigns.services.collaborations import collaboration_refresh_status, queue_campaign_completion_check
from campaigns.services.common import transition
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record, notify_user
from payments import services as payments
from webhooks import events as webhook_events

D = CollaborationDeliverable.Status
C = Collaboration.Status

AUTO_CONFIRM_DAYS = 5

# Which upload kinds each extension may hold; the file's first bytes must agree.
UPLOAD_EXTENSIONS = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".webp": "webp",
    ".mp4": "mp4",
    ".mov": "quicktime",
    ".webm": "webm",
    ".pdf": "pdf",
}
# QuickTime files written by older tools start with an atom other than `ftyp`.
QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")

# Creator-side and organization-side of a collaboration.
CREATOR = "creator"
ORGANIZATION = "organization"
STAFF = "staff"


# Rules


def upload_max_mb() -> int:
    return getattr(settings, "SUBMISSION_MAX_UPLOAD_MB", 50)


def _sniff(head: bytes) -> set[str]:
    """The upload kinds these first bytes (magic numbers) can belong to."""
    kinds = set()
    if head.startswith(b"\xff\xd8\xff"):
        kinds.add("jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        kinds.add("png")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kinds.add("webp")
    if head[4:8] == b"ftyp":
        kinds.update({"mp4", "quicktime"})
    if head[4:8] in QUICKTIME_ATOMS:
        kinds.add("quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        kinds.add("webm")
    if head.startswith(b"%PDF-"):
        kinds.add("pdf")
    return kinds


def submission_file_check(file) -> None:
    """Refuse uploads that are too large, or whose extension or content is not an allowed type."""
    limit_mb = upload_max_mb()
    if file.size > limit_mb * 1024 * 1024:
        raise ValidationFailed(
            _("This file is %(size)s; files can be at most %(limit)s MB.")
            % {"size": filesizeformat(file.size), "limit": limit_mb},
            field="file",
        )
    extension = os.path.splitext(file.name or "")[1].lower()
    kind = UPLOAD_EXTENSIONS.get(extension)
    if kind is None:
        raise ValidationFailed(
            _("Upload a JPEG, PNG or WebP image, an MP4, MOV or WebM video, or a PDF."), field="file"
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if kind not in _sniff(head):
        raise ValidationFailed(
            _("This file's content is not what its %(extension)s name says. Export it again and upload that.")
            % {"extension": extension},
            field="file",
        )


def check_url(value: str, *, field: str, message: str) -> None:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationFailed(message, field=field) from None
    if len(value) > 500:
        raise ValidationFailed(_("Links can be at most 500 characters."), field=field)


def capped(deliverable: CollaborationDeliverable, review_rounds: int) -> bool:
    """A draft under review whose revision rounds are all used: approve it or raise a dispute."""
    return (
        deliverable.status in (D.SUBMITTED, D.CHANGES_REQUESTED) and deliverable.rounds_used >= review_rounds
    )


def cancel_refusal(*, collaboration: Collaboration, side: str, statuses: list[str]) -> str | None:
    """Why `side` may not cancel now, or None when it may.

    - The organization (owner or manager) may cancel while nothing is approved yet: every
      deliverable is still waiting for a draft, submitted, or back for changes.
    - The creator may cancel while nothing is published yet.
    - After that only Kolabo staff can cancel, by settling a dispute.
    - Completed, cancelled and disputed collaborations cannot be cancelled here.
    """
    if collaboration.status == C.CANCELLED:
        return _("This collaboration is already cancelled.")
    if collaboration.status == C.COMPLETED:
        return _("A completed collaboration cannot be cancelled.")
    if collaboration.status == C.DISPUTED:
        return _("This collaboration is in dispute. Kolabo staff decide whether it is cancelled.")
    if side == ORGANIZATION:
        if any(status not in (D.PENDING, D.SUBMITTED, D.CHANGES_REQUESTED) for status in statuses):
            return _(
                "Content has already been approved, so the organization can no longer cancel. Raise a dispute if something went wrong."
            )
        return None
    if side == CREATOR:
        if any(status in (D.PUBLISHED, D.CONFIRMED) for status in statuses):
            return _(
                "Content has already been published, so the collaboration can no longer be cancelled. Raise a dispute if something went wrong."
            )
        return None
    return _("Only the creator or the organization's owners and managers can cancel.")


def acting_side(*, collaboration: Collaboration, user: User, action: str) -> str:
    """The side `user` acts for: the creator, or an owner/manager of the campaign's organization."""
    if collaboration.creator.user_id == user.pk:
        return CREATOR
    if not can_manage_org(user, collaboration.campaign.organization_id):
        raise PermissionDeniedError(
            _("Only the creator or the organization's owners and managers can %(action)s.")
            % {"action": action}
        )
    return ORGANIZATION


# Shared steps (the caller holds the collaboration lock)


def deliverable_label(deliverable: CollaborationDeliverable) -> str:
    spec = deliverable.spec
    return _("%(platform)s %(format)s #%(number)s") % {
        "platform": spec.get_platform_display(),
        "format": str(spec.get_format_display()).lower(),
        "number": deliverable.number,
    }


def params_for(collaboration: Collaboration, deliverable: CollaborationDeliverable | None = None) -> dict:
    params = {
        "campaign": collaboration.campaign.title,
        "creator": collaboration.creator.display_name,
        "organization": collaboration.campaign.organization.name,
    }
    if deliverable is not None:
        params["deliverable"] = deliverable_label(deliverable)
    return params


def lock_collaboration(pk: int) -> Collaboration:
    return (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("campaign__organization", "creator__user")
        .get(pk=pk)
    )


def lock_deliverable(deliverable: CollaborationDeliverable) -> tuple[Collaboration, CollaborationDeliverable]:
    collaboration = lock_collaboration(deliverable.collaboration_id)
    deliverable = (
        CollaborationDeliverable.objects.select_for_update(of=("self",))
        .select_related("spec")
        .get(pk=deliverable.pk)
    )
    return collaboration, deliverable


def require_live(collaboration: Collaboration) -> None:
    if collaboration.status == C.DISPUTED:
        raise InvalidTransition(
            _("This collaboration is in dispute. Kolabo staff will settle it before anything else changes.")
        )
    if collaboration.status == C.CANCELLED:
        raise InvalidTransition(_("This collaboration was cancelled."))
    if collaboration.status == C.COMPLETED:
        raise InvalidTransition(_("This collaboration is already complete."))


def notify_other_side(
    *, collaboration: Collaboration, side: str, kind: str, key: str, params: dict, url: str = ""
) -> None:
    """Tell the side that did not act: the organization when `side` is the creator, else the creator."""
    url = url or collaboration.get_absolute_url()
    if side == CREATOR:
        notify_org(
            organization=collaboration.campaign.organization_id, kind=kind, key=key, params=params, url=url
        )
    else:
        notify_user(user=collaboration.creator.user, kind=kind, key=key, params=params, url=url)


def notify_both_sides(*, collaboration: Collaboration, kind: str, key: str, params: dict) -> None:
    url = collaboration.get_absolute_url()
    notify_user(user=collaboration.creator.user, kind=kind, key=key, params=params, url=url)
    notify_org(
        organization=collaboration.campaign.organization_id, kind=kind, key=key, params=params, url=url
    )


def refresh(*, collaboration: Collaboration, actor: User | None, reason: str = "") -> str:
    """Recompute the collaboration's status; tell both sides when it has just completed."""
    before = collaboration.status
    status = collaboration_refresh_status(collaboration=collaboration, actor=actor, reason=reason)
    if status == C.COMPLETED and before != C.COMPLETED:
        payments.collaboration_payable(collaboration=collaboration)
        queue_campaign_completion_check(campaign_id=collaboration.campaign_id)
        notify_both_sides(
            collaboration=collaboration,
            kind="collaboration.completed",
            key=f"collaboration.completed:{collaboration.pk}",
            params=params_for(collaboration),
        )
    return status


def approve_latest(
    *, collaboration: Collaboration, deliverable: CollaborationDeliverable, actor: User, reason: str = ""
) -> Submission:
    """Approve the latest draft round (both locked by the caller).

    Staff settling a dispute may approve a draft that was sent back for changes: it is taken back
    into review first, so no state is skipped and the trail shows both steps.
    """
    submission = (
        Submission.objects.select_for_update().filter(deliverable=deliverable).order_by("-round").first()
    )
    if submission is None:
        raise InvalidTransition(_("There is no draft to approve yet."))
    previous = submission.decision
    if deliverable.status == D.CHANGES_REQUESTED:
        transition(
            deliverable,
            D.SUBMITTED,
            actor=actor,
            action="deliverable.reopened",
            reason=reason,
            data={"round": submission.round},
        )
    transition(
        deliverable,
        D.APPROVED,
        actor=actor,
        action="deliverable.approved",
        reason=reason,
        data={"round": submission.round, "previous_decision": previous},
    )
    submission.decision = Submission.Decision.APPROVED
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.save(update_fields=["decision", "decided_by", "decided_at"])
    notify_user(
        user=collaboration.creator.user,
        kind="submission.approved",
        key=f"submission.approved:{submission.pk}",
        params=params_for(collaboration, deliverable),
        url=collaboration.get_absolute_url(),
    )
    return submission


def cancel(*, collaboration: Collaboration, by_user: User, reason: str) -> None:
    """Set CANCELLED on a locked collaboration. The rules are checked by the caller."""
    from_status = collaboration.status
    collaboration.status = C.CANCELLED
    collaboration.status_before_dispute = ""
    collaboration.cancelled_at = timezone.now()
    collaboration.cancelled_by = by_user
    collaboration.cancel_reason = reason
    collaboration.save(
        update_fields=["status", "status_before_dispute", "cancelled_at", "cancelled_by", "cancel_reason"]
    )
    audit_record(
        actor=by_user,
        action="collaboration.cancelled",
        target=collaboration,
        from_status=from_status,
        to_status=C.CANCELLED,
        reason=reason,
    )
    webhook_events.collaboration_status_changed(collaboration, from_status, C.CANCELLED)
    payments.collaboration_fee_release(collaboration=collaboration, by_user=by_user)
    queue_campaign_completion_check(campaign_id=collaboration.campaign_id)


# Cancellation


def collaboration_cancel(*, collaboration: Collaboration, by_user: User, reason: str) -> Collaboration:
    """Cancel with a reason. Who may cancel when (see `cancel_refusal`):

    - the organization (owner or manager) while nothing is approved yet;
    - the creator while nothing is published yet;
    - after that only Kolabo staff, by settling a dispute (`dispute_resolve`, outcome cancel).
    Cancelled, completed and disputed collaborations cannot be cancelled here. Cancelling frees
    the campaign slot.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        collaboration = lock_collaboration(collaboration.pk)
        side = acting_side(collaboration=collaboration, user=by_user, action=_("cancel"))
        statuses = list(collaboration.deliverables.values_list("status", flat=True))
        refusal = cancel_refusal(collaboration=collaboration, side=side, statuses=statuses)
        if refusal:
            raise InvalidTransition(refusal)
        if not reason:
            raise ValidationFailed(_("Tell the other side why you cancel."), field="reason")
        cancel(collaboration=collaboration, by_user=by_user, reason=reason)
        notify_other_side(
            collaboration=collaboration,
            side=side,
            kind="collaboration.cancelled",
            key=f"collaboration.cancelled:{collaboration.pk}",
            params=params_for(collaboration) | {"reason": reason[:300]},
        )
    return collaboration
