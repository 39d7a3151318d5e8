"""Campaigns (briefs): list, create, read, update, publish, close, cancel."""

import django_filters
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api import serializers as s
from api.access import api_key, can_write, member_organizations
from api.fast import campaign_rows, campaign_values
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from api.views.core import organization_for
from campaigns.models import Campaign
from campaigns.services import briefs
from marketplace.errors import PermissionDeniedError


def campaigns_for(request):
    key = api_key(request)
    # A key has one organization: filtering on its id lets the database use the index directly.
    # Safe because authentication checked, on this very request, that the key's creator is still a
    # member of it (api.authentication._current_membership).
    tenant = (
        Q(organization_id=key.organization_id) if key else Q(organization__in=member_organizations(request))
    )
    return (
        Campaign.objects.filter(tenant)
        .select_related("organization")
        .prefetch_related("niches", "causes", "deliverables")
    )


def campaign_for(request, pk: int) -> Campaign:
    campaign = campaigns_for(request).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def require_write(request, campaign_or_org_id: int) -> None:
    if not can_write(request, campaign_or_org_id):
        raise PermissionDeniedError("Only owners and managers (or a read-write key) can change campaigns.")


def _service_fields(data: dict) -> dict:
    fields = dict(data)
    if "deliverables" in fields:
        fields["deliverables"] = [dict(spec) for spec in fields["deliverables"]]
    return fields


class CampaignFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Campaign.Status.choices, help_text="Only campaigns in this status."
    )
    organization = django_filters.CharFilter(field_name="organization__slug", help_text="Organization slug.")
    kind = django_filters.ChoiceFilter(choices=Campaign.Kind.choices)
    currency = django_filters.ChoiceFilter(choices=Campaign._meta.get_field("currency").choices)

    class Meta:
        model = Campaign
        fields = ["status", "organization", "kind", "currency"]


class CampaignList(ListEndpoint):
    serializer_class = s.CampaignOut
    queryset = Campaign.objects.none()  # for the schema
    filterset_class = CampaignFilter

    @extend_schema(
        summary="Campaigns of your organizations",
        operation_id="campaigns_list",
        responses=s.CampaignOut(many=True),
    )
    def get(self, request):
        queryset = self.filter_queryset(campaigns_for(request).order_by("-created_at", "-pk"))
        # Plain rows, not model instances: campaign_rows renders them exactly as CampaignOut would.
        page = self.paginate_queryset(campaign_values(queryset.prefetch_related(None).select_related(None)))
        return self.get_paginated_response(campaign_rows(list(page)))


class OrganizationCampaignCreate(Endpoint):
    serializer_class = s.CampaignIn

    @extend_schema(
        summary="Create a draft campaign for the organization",
        operation_id="organizations_campaigns_create",
        request=s.CampaignIn,
        responses={201: s.CampaignOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, slug):
        organization = organization_for(request, slug)
        require_write(request, organization.pk)
        data = s.CampaignIn(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = briefs.campaign_create(
            organization=organization, by_user=request.user, **_service_fields(data.validated_data)
        )
        return Response(
            s.CampaignOut(campaign_for(request, campaign.pk)).data, status=status.HTTP_201_CREATED
        )


class CampaignDetail(Endpoint):
    serializer_class = s.CampaignOut

    @extend_schema(summary="One campaign", operation_id="campaigns_retrieve")
    def get(self, request, pk):
        return Response(s.CampaignOut(campaign_for(request, pk)).data)

    @extend_schema(
        summary="Change a campaign (a published one keeps its deal)",
        operation_id="campaigns_partial_update",
        request=s.CampaignIn,
        responses={200: s.CampaignOut},
    )
    def patch(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        data = s.CampaignIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        briefs.campaign_update(
            campaign=campaign, by_user=request.user, **_service_fields(data.validated_data)
        )
        return Response(s.CampaignOut(campaign_for(request, pk)).data)


class CampaignAction(Endpoint):
    """POST /campaigns/{id}/{publish|close|cancel}/"""

    action_name = ""
    serializer_class = s.CampaignOut

    def post(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        if self.action_name == "publish":
            briefs.campaign_publish(campaign=campaign, by_user=request.user)
        elif self.action_name == "close":
            briefs.campaign_close(campaign=campaign, by_user=request.user)
        else:
            data = s.CampaignCancelIn(data=request.data)
            data.is_valid(raise_exception=True)
            briefs.campaign_cancel(
                campaign=campaign, by_user=request.user, reason=data.validated_data["reason"]
            )
        return Response(s.CampaignOut(campaign_for(request, pk)).data)


def _action(name: str, summary: str, request=None):
    def post(self, request, pk):
        return CampaignAction.post(self, request, pk)

    schema = extend_schema(
        summary=summary,
        operation_id=f"campaigns_{name}",
        request=request,
        responses={200: s.CampaignOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    return type(f"Campaign{name.title()}", (CampaignAction,), {"action_name": name, "post": schema(post)})


CampaignPublish = _action("publish", "Publish a draft (every problem is listed at once)")
CampaignClose = _action("close", "Close a published campaign to new applications")
CampaignCancel = _action("cancel", "Cancel a campaign, with a reason", request=s.CampaignCancelIn)
