"""Reads for the campaign page (the organization's dashboard of one campaign): funnel, slots,
next actions and due dates, in a fixed number of queries."""

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import (
    Application,
    Campaign,
    Collaboration,
    CollaborationDeliverable,
    Dispute,
    Invitation,
    Submission,
)

D = CollaborationDeliverable.Status


C = Collaboration.Status


# Deliverable states reached once a draft has been approved at least once.
APPROVED_OR_LATER = (D.APPROVED, D.PUBLISHED, D.CONFIRMED)


PUBLISHED_OR_LATER = (D.PUBLISHED, D.CONFIRMED)


def _collaborations_with_progress(campaign: Campaign) -> list[Collaboration]:
    return list(
        Collaboration.objects.filter(campaign=campaign)
        .select_related("creator")
        .annotate(
            deliverable_count=Count("deliverables", distinct=True),
            approved_count=Count(
                "deliverables", filter=Q(deliverables__status__in=APPROVED_OR_LATER), distinct=True
            ),
            published_count=Count(
                "deliverables", filter=Q(deliverables__status__in=PUBLISHED_OR_LATER), distinct=True
            ),
            to_review_count=Count("deliverables", filter=Q(deliverables__status=D.SUBMITTED), distinct=True),
            to_confirm_count=Count("deliverables", filter=Q(deliverables__status=D.PUBLISHED), distinct=True),
            has_submission=Exists(Submission.objects.filter(deliverable__collaboration=OuterRef("pk"))),
        )
        .order_by("due_date", "pk")
    )


def _funnel_from(*, invited: int, applied: int, collaborations: list[Collaboration]) -> dict[str, int]:
    counted = [c for c in collaborations if c.status != C.CANCELLED]

    def all_reached(c: Collaboration, reached: int) -> bool:
        return c.deliverable_count > 0 and reached == c.deliverable_count

    return {
        "invited": invited,
        "applied": applied,
        "accepted": len(counted),
        "submitted": sum(1 for c in counted if c.has_submission),
        "approved": sum(1 for c in counted if all_reached(c, c.approved_count)),
        "published": sum(1 for c in counted if all_reached(c, c.published_count)),
        "completed": sum(1 for c in counted if c.status == C.COMPLETED),
    }


def campaign_funnel(*, campaign: Campaign) -> dict[str, int]:
    """How far the campaign's creators got, stage by stage.

    - invited: invitations ever sent, whatever their answer;
    - applied: applications ever made, withdrawn and declined included;
    - accepted: collaborations that were not cancelled;
    - submitted: of those, collaborations with at least one draft submitted;
    - approved: of those, collaborations whose every deliverable was approved at least once
      (it is approved, published or confirmed);
    - published: of those, collaborations whose every deliverable is published (confirmed or not);
    - completed: collaborations completed.
    """
    return _funnel_from(
        invited=campaign.invitations.count(),
        applied=campaign.applications.count(),
        collaborations=_collaborations_with_progress(campaign),
    )


def _next_actions(
    *,
    campaign: Campaign,
    open_applications: int,
    counter_offers: int,
    collaborations: list[Collaboration],
    open_disputes: int,
    today: datetime.date,
) -> list[str]:
    actions: list[str] = []
    if campaign.status == Campaign.Status.DRAFT:
        actions.append(_("Publish this draft when the brief is complete, so creators can apply."))
    if open_applications:
        actions.append(
            ngettext(
                "%(count)s application to review.", "%(count)s applications to review.", open_applications
            )
            % {"count": open_applications}
        )
    if counter_offers:
        actions.append(
            ngettext(
                "%(count)s counter-offer to answer.", "%(count)s counter-offers to answer.", counter_offers
            )
            % {"count": counter_offers}
        )
    live = [c for c in collaborations if c.status in Collaboration.LIVE]
    to_review = sum(c.to_review_count for c in live)
    if to_review:
        actions.append(
            ngettext(
                "%(count)s draft waiting for your review.",
                "%(count)s drafts waiting for your review.",
                to_review,
            )
            % {"count": to_review}
        )
    to_confirm = sum(c.to_confirm_count for c in live)
    if to_confirm:
        actions.append(
            ngettext(
                "%(count)s published post to confirm.", "%(count)s published posts to confirm.", to_confirm
            )
            % {"count": to_confirm}
        )
    if open_disputes:
        actions.append(
            ngettext(
                "%(count)s dispute is waiting for Kolabo staff.",
                "%(count)s disputes are waiting for Kolabo staff.",
                open_disputes,
            )
            % {"count": open_disputes}
        )
    if campaign.status == Campaign.Status.PUBLISHED:
        taken = sum(1 for c in collaborations if c.status != C.CANCELLED)
        if campaign.application_deadline and campaign.application_deadline < today:
            actions.append(_("The application deadline has passed: close the campaign to stop applications."))
        elif taken >= campaign.slots:
            actions.append(
                _("All slots are filled: close the campaign, or add slots to accept more creators.")
            )
        elif not open_applications and not counter_offers:
            actions.append(_("Slots are still open: invite creators who fit the brief."))
    return actions


def campaign_next_actions(*, campaign: Campaign) -> list[str]:
    """What the organization should do next on this campaign, in plain sentences."""
    return campaign_dashboard(campaign=campaign)["next_actions"]


def campaign_dashboard(*, campaign: Campaign) -> dict[str, Any]:
    """Everything the campaign page shows: funnel, slots, next actions and due dates (7 queries)."""
    today = timezone.localdate()
    collaborations = _collaborations_with_progress(campaign)
    application_counts = dict(
        campaign.applications.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    invitation_counts = dict(
        campaign.invitations.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    open_disputes = Dispute.objects.filter(
        collaboration__campaign=campaign, status=Dispute.Status.OPEN
    ).count()
    open_applications = sum(application_counts.get(s, 0) for s in Application.OPEN)
    counter_offers = invitation_counts.get(Invitation.Status.COUNTERED, 0)
    funnel = _funnel_from(
        invited=sum(invitation_counts.values()),
        applied=sum(application_counts.values()),
        collaborations=collaborations,
    )
    due_dates: list[dict[str, Any]] = []
    if campaign.application_deadline:
        due_dates.append(
            {"date": campaign.application_deadline, "label": _("Application deadline"), "collaboration": None}
        )
    if campaign.content_due_date:
        due_dates.append(
            {"date": campaign.content_due_date, "label": _("Content due"), "collaboration": None}
        )
    for collaboration in collaborations:
        if collaboration.due_date and collaboration.status in Collaboration.LIVE:
            due_dates.append(
                {
                    "date": collaboration.due_date,
                    "label": _("Content due from %(creator)s")
                    % {"creator": collaboration.creator.display_name},
                    "collaboration": collaboration,
                }
            )
    due_dates.sort(key=lambda row: row["date"])
    for row in due_dates:
        row["overdue"] = row["date"] < today
        row["days_left"] = (row["date"] - today).days
    return {
        "funnel": funnel,
        "funnel_rows": [
            (key, label, funnel[key])
            for key, label in (
                ("invited", _("Invited")),
                ("applied", _("Applied")),
                ("accepted", _("Accepted")),
                ("submitted", _("Submitted")),
                ("approved", _("Approved")),
                ("published", _("Published")),
                ("completed", _("Completed")),
            )
        ],
        "slots_taken": funnel["accepted"],
        "slots_total": campaign.slots,
        "open_applications": open_applications,
        "open_invitations": sum(invitation_counts.get(s, 0) for s in Invitation.OPEN),
        "counter_offers": counter_offers,
        "collaborations": collaborations,
        "next_actions": _next_actions(
            campaign=campaign,
            open_applications=open_applications,
            counter_offers=counter_offers,
            collaborations=collaborations,
            open_disputes=open_disputes,
            today=today,
        ),
        "due_dates": due_dates,
    }
