"""Campaigns (briefs): list, create, read, update, publish, close, cancel."""

import django_filters
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.access import caller, require_write
from api.fast import campaign_rows, campaign_values
from api.serializers import campaigns as s
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from api.views.core import organization_for
from campaigns import visibility
from campaigns.models import Campaign
from campaigns.services import briefs, campaign_closing


def campaigns_for(request):
    """Campaigns of the caller's organizations (a key: its own): what members manage."""
    return (
        visibility.organization_campaigns_visible_to(caller(request))
        .select_related("organization")
        .prefetch_related("niches", "causes", "deliverables")
    )


def campaign_for(request, pk: int) -> Campaign:
    campaign = campaigns_for(request).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def brief_for(request, pk: int) -> Campaign:
    """A brief the caller may read, as on the web: published briefs for every person (creators read
    them before applying), their organizations' own, and the ones they took part in."""
    campaign = (
        visibility.campaigns_visible_to(caller(request))
        .select_related("organization")
        .prefetch_related("niches", "causes", "deliverables")
        .filter(pk=pk)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


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

    @extend_schema(
        summary="One campaign",
        description="Your organization's campaigns, and every published brief (creators read it "
        "before applying); closed briefs stay readable by the creators who took part. An "
        "organization API key reads its own organization's campaigns only.",
        operation_id="campaigns_retrieve",
    )
    def get(self, request, pk):
        return Response(s.CampaignOut(brief_for(request, pk)).data)

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
            campaign_closing.campaign_close(campaign=campaign, by_user=request.user)
        else:
            data = s.CampaignCancelIn(data=request.data)
            data.is_valid(raise_exception=True)
            campaign_closing.campaign_cancel(
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
