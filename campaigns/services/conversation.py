"""Talking inside a collaboration: the message thread, disputes settled by staff, and ratings."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Avg, Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import membership_of
from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Message, Rating
from campaigns.services.workspace import (
    CREATOR,
    acting_side,
    approve_latest,
    cancel,
    capped,
    lock_collaboration,
    notify_both_sides,
    notify_other_side,
    params_for,
    refresh,
)
from creators.models import CreatorProfile
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.notifications import STAFF
from marketplace.services import audit_record, notify_user
from webhooks import events as webhook_events

C = Collaboration.Status
D = CollaborationDeliverable.Status

MESSAGE_MAX = 5000
EXCERPT_LENGTH = 140


# Messages


def message_create(*, collaboration: Collaboration, by_user: User, body: str) -> Message:
    """Write in the collaboration's thread; the other side is notified with an excerpt.

    The creator and the organization's owners and managers write; viewers only read. The thread
    stays open after completion or cancellation so the two sides can still settle loose ends.
    """
    body = (body or "").strip()
    side = acting_side(collaboration=collaboration, user=by_user, action=_("write messages"))
    if not body:
        raise ValidationFailed(_("Write a message first."), field="body")
    if len(body) > MESSAGE_MAX:
        raise ValidationFailed(
            _("Messages can be at most %(max)s characters.") % {"max": f"{MESSAGE_MAX:,}"}, field="body"
        )
    with transaction.atomic():
        message = Message.objects.create(collaboration=collaboration, author=by_user, body=body)
        excerpt = body if len(body) <= EXCERPT_LENGTH else body[: EXCERPT_LENGTH - 1].rstrip() + "…"
        notify_other_side(
            collaboration=collaboration,
            side=side,
            kind="message.created",
            key=f"message.created:{message.pk}",
            params=params_for(collaboration) | {"author": by_user.get_full_name(), "excerpt": excerpt},
            url=f"{collaboration.get_absolute_url()}#message-{message.pk}",
        )
    return message


# Disputes


def dispute_refusal(
    *, collaboration: Collaboration, deliverables: list[CollaborationDeliverable], today: date | None = None
) -> str | None:
    """Why a dispute cannot be raised now, or None when it can.

    A dispute is for a deadlock: a draft that used all its revision rounds, or a collaboration in
    progress past its content due date.
    """
    today = today or timezone.localdate()
    if collaboration.status == C.DISPUTED:
        return _("A dispute is already open on this collaboration.")
    if collaboration.status not in Collaboration.LIVE:
        return _("Only a collaboration in progress can be disputed.")
    review_rounds = collaboration.campaign.review_rounds
    if any(capped(deliverable, review_rounds) for deliverable in deliverables):
        return None
    if collaboration.due_date is not None and collaboration.due_date < today:
        return None
    return _(
        "A dispute can be raised once a draft has used all its revision rounds, or when the content is overdue. Until then, talk it through in the messages."
    )


def dispute_raise(*, collaboration: Collaboration, by_user: User, reason: str) -> Dispute:
    """The creator or an organization owner/manager asks Kolabo staff to settle a deadlock.

    The collaboration is frozen (DISPUTED) until staff resolve it; its previous status is kept.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        collaboration = lock_collaboration(collaboration.pk)
        side = acting_side(collaboration=collaboration, user=by_user, action=_("raise a dispute"))
        refusal = dispute_refusal(
            collaboration=collaboration, deliverables=list(collaboration.deliverables.all())
        )
        if refusal:
            raise InvalidTransition(refusal)
        if not reason:
            raise ValidationFailed(_("Explain what went wrong so staff can help."), field="reason")
        dispute = Dispute.objects.create(collaboration=collaboration, raised_by=by_user, reason=reason)
        from_status = collaboration.status
        collaboration.status_before_dispute = from_status
        collaboration.status = C.DISPUTED
        collaboration.save(update_fields=["status", "status_before_dispute"])
        audit_record(
            actor=by_user,
            action="collaboration.disputed",
            target=collaboration,
            from_status=from_status,
            to_status=C.DISPUTED,
            reason=reason,
            data={"dispute": dispute.pk},
        )
        webhook_events.collaboration_status_changed(collaboration, from_status, C.DISPUTED)
        params = params_for(collaboration) | {"reason": reason[:300]}
        key = f"dispute.raised:{dispute.pk}"
        notify_other_side(
            collaboration=collaboration, side=side, kind="dispute.raised", key=key, params=params
        )
        queue = reverse("campaigns:dispute_queue")
        for staff in staff_permissions.users_who_handle_disputes():
            notify_user(
                user=staff,
                kind="dispute.raised",
                key=key,
                params=params,
                url=f"{queue}#dispute-{dispute.pk}",
                audience=STAFF,
            )
    return dispute


def dispute_resolve(*, dispute: Dispute, by_user: User, outcome: str, resolution: str) -> Dispute:
    """Staff settle a dispute, with a note both sides read.

    - resume: back to where it was, and every capped draft gets one more revision round;
    - approve: every draft waiting for review or sent back for changes is approved;
    - cancel: the collaboration is cancelled (the only way to cancel after publication).
    """
    resolution = (resolution or "").strip()
    if not staff_permissions.can_handle_disputes(by_user):
        raise PermissionDeniedError(_("Only Kolabo staff can settle disputes."))
    if outcome not in Dispute.Outcome.values:
        raise ValidationFailed(_("Choose how to settle the dispute."), field="outcome")
    if not resolution:
        raise ValidationFailed(
            _("Write a note that explains the decision to both sides."), field="resolution"
        )
    with transaction.atomic():
        collaboration = lock_collaboration(dispute.collaboration_id)
        dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
        if dispute.status != Dispute.Status.OPEN or collaboration.status != C.DISPUTED:
            raise InvalidTransition(_("This dispute has already been settled."))
        if collaboration.creator.user_id == by_user.pk or membership_of(
            organization=collaboration.campaign.organization_id, user=by_user
        ):
            raise PermissionDeniedError(_("You cannot settle a dispute you are part of."))

        if outcome == Dispute.Outcome.CANCEL:
            cancel(collaboration=collaboration, by_user=by_user, reason=resolution)
        else:
            restored = collaboration.status_before_dispute or C.ACTIVE
            collaboration.status = restored
            collaboration.status_before_dispute = ""
            collaboration.save(update_fields=["status", "status_before_dispute"])
            audit_record(
                actor=by_user,
                action="collaboration.dispute_settled",
                target=collaboration,
                from_status=C.DISPUTED,
                to_status=restored,
                reason=resolution,
                data={"dispute": dispute.pk, "outcome": outcome},
            )
            webhook_events.collaboration_status_changed(collaboration, C.DISPUTED, restored)
            deliverables = list(
                CollaborationDeliverable.objects.select_for_update(of=("self",))
                .select_related("spec")
                .filter(collaboration=collaboration)
                .order_by("pk")
            )
            review_rounds = collaboration.campaign.review_rounds
            for deliverable in deliverables:
                if (
                    outcome == Dispute.Outcome.RESUME
                    and capped(deliverable, review_rounds)
                    and deliverable.rounds_used
                ):
                    deliverable.rounds_used -= 1
                    deliverable.save(update_fields=["rounds_used"])
                    audit_record(
                        actor=by_user,
                        action="deliverable.extra_round",
                        target=deliverable,
                        reason=resolution,
                        data={"rounds_used": deliverable.rounds_used, "dispute": dispute.pk},
                    )
                elif outcome == Dispute.Outcome.APPROVE and deliverable.status in (
                    D.SUBMITTED,
                    D.CHANGES_REQUESTED,
                ):
                    approve_latest(
                        collaboration=collaboration, deliverable=deliverable, actor=by_user, reason=resolution
                    )
            refresh(collaboration=collaboration, actor=by_user, reason=resolution)

        dispute.status = Dispute.Status.RESOLVED
        dispute.outcome = outcome
        dispute.resolution = resolution
        dispute.resolved_by = by_user
        dispute.resolved_at = timezone.now()
        dispute.save(update_fields=["status", "outcome", "resolution", "resolved_by", "resolved_at"])
        audit_record(
            actor=by_user,
            action="dispute.resolved",
            target=dispute,
            from_status=Dispute.Status.OPEN,
            to_status=Dispute.Status.RESOLVED,
            reason=resolution,
            data={"outcome": outcome},
        )
        notify_both_sides(
            collaboration=collaboration,
            kind="dispute.resolved",
            key=f"dispute.resolved:{dispute.pk}",
            params=params_for(collaboration)
            | {"outcome": str(Dispute.Outcome(outcome).label), "resolution": resolution[:300]},
        )
    return dispute


def disputes_open() -> QuerySet[Dispute]:
    """The staff queue: open disputes, oldest first, with what staff need to decide."""
    return (
        Dispute.objects.filter(status=Dispute.Status.OPEN)
        .select_related("collaboration__campaign__organization", "collaboration__creator", "raised_by")
        .order_by("created_at", "pk")
    )


def disputes_recently_resolved(limit: int = 10) -> list[Dispute]:
    return list(
        Dispute.objects.filter(status=Dispute.Status.RESOLVED)
        .select_related("collaboration__campaign", "collaboration__creator", "resolved_by")
        .order_by("-resolved_at", "-pk")[:limit]
    )


# Ratings


def rating_create(*, collaboration: Collaboration, by_user: User, score, comment: str = "") -> Rating:
    """After completion the creator rates the organization and an owner/manager rates the creator, once each."""
    comment = (comment or "").strip()
    with transaction.atomic():
        collaboration = lock_collaboration(collaboration.pk)
        side = acting_side(collaboration=collaboration, user=by_user, action=_("rate"))
        if collaboration.status != C.COMPLETED:
            raise InvalidTransition(_("You can rate once the collaboration is complete."))
        rated_side = Rating.Side.ORGANIZATION if side == CREATOR else Rating.Side.CREATOR
        if collaboration.ratings.filter(rated_side=rated_side).exists():
            raise InvalidTransition(
                _("You have already rated %(name)s for this collaboration.")
                % {
                    "name": collaboration.campaign.organization.name
                    if side == CREATOR
                    else collaboration.creator.display_name
                }
            )
        if isinstance(score, bool) or str(score).strip() not in {"1", "2", "3", "4", "5"}:
            raise ValidationFailed(_("Choose a score from 1 to 5."), field="score")
        if len(comment) > 2000:
            raise ValidationFailed(_("The comment can be at most 2,000 characters."), field="comment")
        rating = Rating.objects.create(
            collaboration=collaboration,
            rated_side=rated_side,
            rated_by=by_user,
            score=int(str(score).strip()),
            comment=comment,
        )
        audit_record(
            actor=by_user,
            action="rating.created",
            target=rating,
            reason=comment,
            data={"rated_side": rated_side, "score": rating.score},
        )
        notify_other_side(
            collaboration=collaboration,
            side=side,
            kind="rating.received",
            key=f"rating.received:{rating.pk}",
            params=params_for(collaboration) | {"score": rating.score},
        )
    return rating


def _summary(queryset: QuerySet[Rating]) -> tuple[Decimal | None, int]:
    result = queryset.aggregate(avg=Avg("score"), count=Count("pk"))
    if not result["count"]:
        return None, 0
    average = Decimal(str(result["avg"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return average, result["count"]


def creator_rating_summary(creator: CreatorProfile) -> tuple[Decimal | None, int]:
    """Average score (one decimal) and number of ratings organizations gave this creator."""
    return _summary(Rating.objects.filter(collaboration__creator=creator, rated_side=Rating.Side.CREATOR))


def organization_rating_summary(organization: Organization) -> tuple[Decimal | None, int]:
    """Average score (one decimal) and number of ratings creators gave this organization."""
    return _summary(
        Rating.objects.filter(
            collaboration__campaign__organization=organization, rated_side=Rating.Side.ORGANIZATION
        )
    )
