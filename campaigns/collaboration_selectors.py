"""Reads for the collaboration workspace pages: who views a collaboration, the lists, next steps, the trail."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Membership
from brands.permissions import membership_of
from campaigns import visibility
from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Rating, Submission
from campaigns.services.workspace import (
    AUTO_CONFIRM_DAYS,
    CREATOR,
    ORGANIZATION,
    STAFF,
    C,
    D,
    deliverable_label,
)
from marketplace.models import AuditEvent, User


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
