"""Reads for an organization's campaigns, for its members: one campaign, and the list with counts.
Each function runs a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from brands.models import Membership, Organization
from brands.selectors import organization_for_member
from marketplace.models import User

from .. import visibility
from ..models import Application, Campaign, Collaboration, Invitation

C = Collaboration.Status


def campaign_for_member(*, user: User, pk: int) -> tuple[Campaign, Membership]:
    """The campaign and the user's membership in its organization; everyone else gets a 404."""
    campaign = get_object_or_404(
        visibility.organization_campaigns_visible_to(user).select_related("organization"), pk=pk
    )
    membership = Membership.objects.filter(organization_id=campaign.organization_id, user=user).first()
    if membership is None:
        raise Http404
    return campaign, membership


def campaign_for_report_reader(*, user: User, pk: int) -> tuple[Campaign, Membership]:
    """The campaign whose report the user reads, and the membership they read it through: in the
    campaign's organization, or in a brand that sponsors it (visibility.campaigns_reported_to)."""
    campaign = get_object_or_404(visibility.campaigns_reported_to(user).select_related("organization"), pk=pk)
    memberships = Membership.objects.filter(user=user).select_related("organization")
    membership = memberships.filter(organization_id=campaign.organization_id).first()
    if membership is None:
        membership = memberships.filter(
            organization__sponsorships__campaign=campaign, organization__sponsorships__status="accepted"
        ).first()
    if membership is None:
        raise Http404
    return campaign, membership


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("campaign").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate each campaign with the numbers an organization's list shows."""
    return queryset.annotate(
        open_applications=_count_subquery(
            Application.objects.filter(campaign=OuterRef("pk"), status__in=Application.OPEN)
        ),
        application_count=_count_subquery(Application.objects.filter(campaign=OuterRef("pk"))),
        open_invitations=_count_subquery(
            Invitation.objects.filter(campaign=OuterRef("pk"), status__in=Invitation.OPEN)
        ),
        slots_taken=_count_subquery(
            Collaboration.objects.filter(campaign=OuterRef("pk")).exclude(status=C.CANCELLED)
        ),
    )


def org_campaigns(*, user: User, slug: str, status: str = "") -> tuple[Organization, Membership, QuerySet]:
    """All the organization's campaigns (optionally one status) with counts. Members only (404)."""
    organization, membership = organization_for_member(user=user, slug=slug)
    qs = Campaign.objects.filter(organization=organization)
    if status in Campaign.Status.values:
        qs = qs.filter(status=status)
    return (
        organization,
        membership,
        with_counts(qs.select_related("organization")).order_by("-created_at", "-pk"),
    )


def org_campaign_status_counts(*, organization: Organization) -> dict[str, int]:
    rows = (
        Campaign.objects.filter(organization=organization).order_by().values("status").annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}
