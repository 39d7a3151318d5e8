"""Recommendations of a campaign: the ranked, explained list, and inviting the top N."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.access import require_write
from api.limits import sensitive_limit
from api.serializers import matching as s
from api.serializers.offers import InvitationBatchOut
from api.views.base import IDEMPOTENCY_KEY, Endpoint
from api.views.campaigns import campaign_for
from campaigns.recommendations import recommendation_rows, recommendations_invite_top


class RecommendationList(Endpoint):
    serializer_class = s.RecommendationOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="The campaign's recommended creators, best first, with reasons and flags",
        operation_id="campaigns_recommendations_list",
        responses={200: s.RecommendationOut(many=True)},
    )
    def get(self, request, pk):
        campaign = campaign_for(request, pk)
        # A fixed number of queries for the whole stored set (at most a few hundred rows).
        page = self.paginate_queryset(recommendation_rows(campaign=campaign))
        return self.get_paginated_response(s.RecommendationOut(page, many=True).data)


class RecommendationInvite(Endpoint):
    serializer_class = InvitationBatchOut
    filter_backends = []  # filters are explicit query parameters, documented per operation

    @extend_schema(
        summary="Invite the top N recommended creators: a background batch; poll /invitation-batches/{id}/",
        operation_id="campaigns_recommendations_invite",
        request=s.RecommendationInviteIn,
        responses={202: InvitationBatchOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        campaign = campaign_for(request, pk)
        require_write(request, campaign.organization_id)
        sensitive_limit(request, "invitations")
        data = s.RecommendationInviteIn(data=request.data)
        data.is_valid(raise_exception=True)
        batch = recommendations_invite_top(
            campaign=campaign,
            by_user=request.user,
            count=data.validated_data["count"],
            offered_fee=data.validated_data.get("offered_fee"),
            message=data.validated_data["message"],
        )
        return Response(InvitationBatchOut(batch).data, status=status.HTTP_202_ACCEPTED)
