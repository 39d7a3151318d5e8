"""The collaboration workspace: draft rounds and their review, publishing, confirmation, cancellation.

Lock order everywhere: collaboration → deliverable → submission. Every deliverable move ends with
`collaboration_refresh_status`, so the collaboration's status always sums up its deliverables.
The reads at the bottom serve the workspace pages.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brands.models import Membership
from brands.permissions import can_manage_org, membership_of, require_org_manager
from campaigns import visibility
from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Rating, Submission
from campaigns.notifications import notify_org
from campaigns.services.collaborations import collaboration_refresh_status, queue_campaign_completion_check
from campaigns.services.common import require_creator, transition
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, User
from marketplace.services import audit_record, notify_user
from payments import services as payments
from webhooks import events as webhook_events

D = CollaborationDeliverable.Status
C = Collaboration.Status

AUTO_CONFIRM_DAYS = 5
REMINDER_WINDOW = timedelta(hours=48)
METRICS = ("views", "likes", "comments", "shares", "saves")

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


def _check_url(value: str, *, field: str, message: str) -> None:
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


def _lock(deliverable: CollaborationDeliverable) -> tuple[Collaboration, CollaborationDeliverable]:
    collaboration = lock_collaboration(deliverable.collaboration_id)
    deliverable = (
        CollaborationDeliverable.objects.select_for_update(of=("self",))
        .select_related("spec")
        .get(pk=deliverable.pk)
    )
    return collaboration, deliverable


def _require_live(collaboration: Collaboration) -> None:
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


# Drafts and review


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
        collaboration, deliverable = _lock(deliverable)
        require_creator(creator=collaboration.creator, user=by_user)
        if file is not None:
            submission_file_check(file)
        if link:
            _check_url(link, field="link", message=_("Enter a link to your draft that starts with https://."))
        elif file is None:
            raise ValidationFailed(_("Add a link to your draft or upload the file."), field="link")
        if len(caption) > 5000:
            raise ValidationFailed(_("The caption can be at most 5,000 characters."), field="caption")

        latest = deliverable.submissions.order_by("-round").first()
        if deliverable.status == D.SUBMITTED and latest and latest.decision == Submission.Decision.PENDING:
            if _same_content(latest, link=link, caption=caption, file=file):
                return latest
            raise InvalidTransition(_("Your draft is already waiting for review."))
        _require_live(collaboration)

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
    collaboration, deliverable = _lock(submission.deliverable)
    require_org_manager(organization=collaboration.campaign.organization_id, user=by_user)
    _require_live(collaboration)
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


# Publishing and confirmation


def _metric(name: str, value) -> int | None:
    """An optional metric: empty, or a whole number of 0 or more."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        number = -1
    if number < 0:
        raise ValidationFailed(_("Enter a whole number of 0 or more."), field=name)
    return number


def deliverable_publish(
    *,
    deliverable: CollaborationDeliverable,
    by_user: User,
    post_url: str,
    views=None,
    likes=None,
    comments=None,
    shares=None,
    saves=None,
) -> CollaborationDeliverable:
    """The creator publishes the approved draft and records the post link and a metrics snapshot."""
    post_url = (post_url or "").strip()
    given = {"views": views, "likes": likes, "comments": comments, "shares": shares, "saves": saves}
    with transaction.atomic():
        collaboration, deliverable = _lock(deliverable)
        require_creator(creator=collaboration.creator, user=by_user)
        _require_live(collaboration)
        if deliverable.status != D.APPROVED:
            raise InvalidTransition(_("Only an approved draft can be published."))
        _check_url(
            post_url, field="post_url", message=_("Enter the link to the published post (http or https).")
        )
        metrics = {name: _metric(name, value) for name, value in given.items()}
        deliverable.post_url = post_url
        deliverable.published_at = timezone.now()
        for name, value in metrics.items():
            setattr(deliverable, name, value)
        transition(
            deliverable,
            D.PUBLISHED,
            actor=by_user,
            action="deliverable.published",
            data={"post_url": post_url, **{k: v for k, v in metrics.items() if v is not None}},
            extra_fields=("post_url", "published_at", *METRICS),
        )
        refresh(collaboration=collaboration, actor=by_user)
        notify_org(
            organization=collaboration.campaign.organization_id,
            kind="deliverable.published",
            key=f"deliverable.published:{deliverable.pk}",
            params=params_for(collaboration, deliverable),
            url=collaboration.get_absolute_url(),
        )
    return deliverable


def _confirm(
    *, collaboration: Collaboration, deliverable: CollaborationDeliverable, actor: User | None, auto: bool
) -> None:
    deliverable.confirmed_at = timezone.now()
    deliverable.auto_confirmed = auto
    transition(
        deliverable,
        D.CONFIRMED,
        actor=actor,
        action="deliverable.auto_confirmed" if auto else "deliverable.confirmed",
        reason=_("No answer from the organization within %(days)s days.") % {"days": AUTO_CONFIRM_DAYS}
        if auto
        else "",
        extra_fields=("confirmed_at", "auto_confirmed"),
    )
    refresh(collaboration=collaboration, actor=actor)
    kind = "deliverable.auto_confirmed" if auto else "deliverable.confirmed"
    key = f"{kind}:{deliverable.pk}"
    params = params_for(collaboration, deliverable) | {"days": AUTO_CONFIRM_DAYS}
    url = collaboration.get_absolute_url()
    notify_user(user=collaboration.creator.user, kind=kind, key=key, params=params, url=url)
    if auto:
        # Nobody on the organization side clicked, so they learn it happened.
        notify_org(
            organization=collaboration.campaign.organization_id, kind=kind, key=key, params=params, url=url
        )


def deliverable_confirm(*, deliverable: CollaborationDeliverable, by_user: User) -> CollaborationDeliverable:
    with transaction.atomic():
        collaboration, deliverable = _lock(deliverable)
        require_org_manager(organization=collaboration.campaign.organization_id, user=by_user)
        _require_live(collaboration)
        if deliverable.status != D.PUBLISHED:
            raise InvalidTransition(_("Only a published post can be confirmed."))
        _confirm(collaboration=collaboration, deliverable=deliverable, actor=by_user, auto=False)
    return deliverable


def deliverables_auto_confirm_due(*, now: datetime | None = None) -> int:
    """Confirm posts the organization left unanswered for AUTO_CONFIRM_DAYS. Safe to run twice."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=AUTO_CONFIRM_DAYS)
    due = list(
        CollaborationDeliverable.objects.filter(
            status=D.PUBLISHED, published_at__lte=cutoff, collaboration__status__in=Collaboration.LIVE
        )
        .order_by("pk")
        .values_list("pk", "collaboration_id")
    )
    confirmed = 0
    for pk, collaboration_id in due:
        with transaction.atomic():
            collaboration = lock_collaboration(collaboration_id)
            deliverable = (
                CollaborationDeliverable.objects.select_for_update(of=("self",))
                .select_related("spec")
                .get(pk=pk)
            )
            if (
                collaboration.status not in Collaboration.LIVE
                or deliverable.status != D.PUBLISHED
                or deliverable.published_at > cutoff
            ):
                continue
            _confirm(collaboration=collaboration, deliverable=deliverable, actor=None, auto=True)
            confirmed += 1
    return confirmed


def collaborations_remind_content_due(*, now: datetime | None = None) -> int:
    """Remind creators whose content is due within 48 hours and still has drafts to send.

    Each collaboration and due date is reminded once, however often the task runs.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = timezone.localdate(now + REMINDER_WINDOW)
    collaborations = (
        Collaboration.objects.filter(
            status__in=Collaboration.LIVE,
            due_date__gte=today,
            due_date__lte=horizon,
            deliverables__status__in=[D.PENDING, D.CHANGES_REQUESTED],
        )
        .distinct()
        .select_related("campaign", "creator__user")
        .order_by("pk")
    )
    sent = 0
    for collaboration in collaborations:
        user = collaboration.creator.user
        key = f"deadline.content_due:{collaboration.pk}:{collaboration.due_date.isoformat()}"
        with transaction.atomic():
            if user.notifications.filter(dedupe_key=f"{key}:u{user.pk}").exists():
                continue
            notify_user(
                user=user,
                kind="deadline.content_due",
                key=key,
                params={
                    "campaign": collaboration.campaign.title,
                    "due": formats.date_format(collaboration.due_date),
                },
                url=collaboration.get_absolute_url(),
            )
            sent += 1
    return sent


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


# Reads for the workspace pages


@dataclass(frozen=True)
class Viewer:
    """Who looks at a collaboration: the creator, a member of its organization, or staff."""

    side: str
    can_act: bool
    membership: Membership | None = None


def collaboration_for_viewer(*, user: User, pk: int) -> tuple[Collaboration, Viewer]:
    """The collaboration if `user` may see it; a 404 for everyone else.

    Staff see collaborations that went to a dispute, read-only, to settle it.
    """
    collaboration = get_object_or_404(
        visibility.collaborations_visible_to(user).select_related("campaign__organization", "creator__user"),
        pk=pk,
    )
    if collaboration.creator.user_id == user.pk:
        return collaboration, Viewer(side=CREATOR, can_act=True)
    membership = membership_of(organization=collaboration.campaign.organization_id, user=user)
    if membership is not None:
        return collaboration, Viewer(
            side=ORGANIZATION, can_act=membership.can_edit_org(), membership=membership
        )
    # Visible, yet neither side: a dispute handler (campaigns.visibility).
    return collaboration, Viewer(side=STAFF, can_act=False)


def collaborations_for_user(*, user: User, organization_slug: str = "") -> QuerySet[Collaboration]:
    """The user's collaborations as a creator and across their organizations, most urgent first.

    `organization_slug` narrows to one organization; "creator" to the user's own work.
    """
    if organization_slug == CREATOR:
        narrowed = visibility.as_creator(user)
    elif organization_slug:
        narrowed = visibility.as_organization(user) & Q(campaign__organization__slug=organization_slug)
    else:
        narrowed = Q()
    return (
        visibility.collaborations_of(user)
        .filter(narrowed)
        .select_related("campaign__organization", "creator")
        .prefetch_related(
            Prefetch("deliverables", queryset=CollaborationDeliverable.objects.select_related("spec")),
            Prefetch("ratings", queryset=Rating.objects.only("pk", "collaboration_id", "rated_side")),
        )
        .annotate(
            urgency=Case(
                When(status__in=Collaboration.LIVE, then=0),
                When(status=C.DISPUTED, then=1),
                When(status=C.COMPLETED, then=2),
                default=3,
                output_field=IntegerField(),
            )
        )
        .order_by("urgency", F("due_date").asc(nulls_last=True), "-created_at", "-pk")
    )


@dataclass(frozen=True)
class NextAction:
    text: str
    deadline: date | None = None
    mine: bool = False  # the reader is the one who must act


def next_action(
    *, collaboration: Collaboration, side: str, deliverables: list[CollaborationDeliverable], rated: set[str]
) -> NextAction:
    """What happens next, in words, for the creator or the organization side.

    Uses prefetched deliverables (with spec) and the set of sides already rated.
    """
    ngo = collaboration.campaign.organization.is_ngo
    if collaboration.status == C.CANCELLED:
        return NextAction(_("Cancelled"))
    if collaboration.status == C.DISPUTED:
        return NextAction(_("Waiting for Kolabo staff to settle the dispute"))
    if collaboration.status == C.COMPLETED:
        if side == CREATOR and Rating.Side.ORGANIZATION not in rated:
            return NextAction(_("Rate the NGO") if ngo else _("Rate the brand"), mine=True)
        if side == ORGANIZATION and Rating.Side.CREATOR not in rated:
            return NextAction(_("Rate the creator"), mine=True)
        return NextAction(_("Nothing left to do"))

    by_status: dict[str, CollaborationDeliverable] = {}
    for deliverable in deliverables:
        by_status.setdefault(deliverable.status, deliverable)
    due = collaboration.due_date
    first_published = min(
        (d.published_at for d in deliverables if d.status == D.PUBLISHED and d.published_at), default=None
    )
    confirm_by = (
        timezone.localdate(first_published + timedelta(days=AUTO_CONFIRM_DAYS)) if first_published else None
    )
    if side == CREATOR:
        if D.CHANGES_REQUESTED in by_status:
            label = deliverable_label(by_status[D.CHANGES_REQUESTED])
            return NextAction(
                _("Make the changes requested on %(deliverable)s") % {"deliverable": label}, due, True
            )
        if D.PENDING in by_status:
            label = deliverable_label(by_status[D.PENDING])
            return NextAction(_("Submit your draft of %(deliverable)s") % {"deliverable": label}, due, True)
        if D.APPROVED in by_status:
            return NextAction(_("Publish the approved post and add its link"), due, True)
        if D.SUBMITTED in by_status:
            return NextAction(
                _("Waiting for the NGO's review") if ngo else _("Waiting for the brand's review"), due
            )
        if D.PUBLISHED in by_status:
            return NextAction(
                _("Waiting for the NGO to confirm") if ngo else _("Waiting for the brand to confirm"),
                confirm_by,
            )
        return NextAction(_("Nothing left to do"))
    if D.SUBMITTED in by_status:
        label = deliverable_label(by_status[D.SUBMITTED])
        return NextAction(_("Review the draft of %(deliverable)s") % {"deliverable": label}, due, True)
    if D.PUBLISHED in by_status:
        label = deliverable_label(by_status[D.PUBLISHED])
        return NextAction(
            _("Confirm the published %(deliverable)s") % {"deliverable": label}, confirm_by, True
        )
    if D.CHANGES_REQUESTED in by_status:
        return NextAction(_("Waiting for the creator's changes"), due)
    if D.PENDING in by_status:
        return NextAction(_("Waiting for the creator's draft"), due)
    if D.APPROVED in by_status:
        return NextAction(_("Waiting for the creator to publish"), due)
    return NextAction(_("Nothing left to do"))


def collaboration_audit_trail(
    *, collaboration: Collaboration, deliverable_ids, submission_ids
) -> list[AuditEvent]:
    """Every audited change on the collaboration, its deliverables, drafts, disputes and ratings."""
    types = ContentType.objects.get_for_models(
        Collaboration, CollaborationDeliverable, Submission, Dispute, Rating
    )
    dispute_ids = [str(pk) for pk in collaboration.disputes.values_list("pk", flat=True)]
    rating_ids = [str(pk) for pk in collaboration.ratings.values_list("pk", flat=True)]
    condition = (
        Q(target_type=types[Collaboration], target_id=str(collaboration.pk))
        | Q(target_type=types[CollaborationDeliverable], target_id__in=[str(pk) for pk in deliverable_ids])
        | Q(target_type=types[Submission], target_id__in=[str(pk) for pk in submission_ids])
        | Q(target_type=types[Dispute], target_id__in=dispute_ids)
        | Q(target_type=types[Rating], target_id__in=rating_ids)
    )
    return list(
        AuditEvent.objects.filter(condition)
        .select_related("actor", "target_type")
        .order_by("created_at", "id")
    )
