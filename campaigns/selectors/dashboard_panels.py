"""Reads for the campaign panels of the personal dashboard (marketplace.views.dashboard): each
organization's latest campaigns, and the creator's waiting work. A fixed number of queries each."""

from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from brands.models import Membership
from marketplace.models import User

from ..models import Application, Campaign, Collaboration, Invitation

ORG_PANEL_LIMIT = 5


def org_campaigns_panel(*, user: User, limit: int = ORG_PANEL_LIMIT) -> list[dict[str, Any]]:
    """For the dashboard: each organization the user belongs to with its latest campaigns.

    Two queries whatever the number of organizations: the memberships, then the newest `limit`
    campaigns per organization ranked by a window function.
    """
    if user is None or not user.is_authenticated:
        return []
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
    if not memberships:
        return []
    ranked = (
        Campaign.objects.filter(organization_id__in=[m.organization_id for m in memberships])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("organization_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=limit)
        .order_by("organization_id", "rank")
    )
    by_org: dict[int, list[Campaign]] = {}
    for campaign in ranked:
        by_org.setdefault(campaign.organization_id, []).append(campaign)
    return [
        {
            "organization": m.organization,
            "membership": m,
            "can_edit": m.can_edit_org(),
            "campaigns": by_org.get(m.organization_id, []),
        }
        for m in memberships
    ]


def creator_work_summary(*, user: User) -> dict[str, Any] | None:
    """For the creator's dashboard: what is waiting for them across briefs and collaborations."""
    if not user.is_authenticated or not hasattr(user, "creator_profile"):
        return None
    profile = user.creator_profile
    collaborations = list(
        Collaboration.objects.filter(creator=profile, status__in=Collaboration.LIVE)
        .select_related("campaign", "campaign__organization")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:5]
    )
    return {
        "invitations": Invitation.objects.filter(creator=profile, status=Invitation.Status.PENDING).count(),
        "applications": Application.objects.filter(creator=profile, status__in=Application.OPEN).count(),
        "collaborations": collaborations,
        "live_count": Collaboration.objects.filter(creator=profile, status__in=Collaboration.LIVE).count(),
    }
