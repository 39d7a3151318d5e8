"""A campaign's report: the same numbers as the report page, its PDF and CSV, with the same access
rule (the organization's members and keys, and an accepted sponsor's; anyone else gets a 404)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from analytics.selectors import campaign_report
from api.access import caller
from api.serializers import analytics as s
from api.views.base import Endpoint
from campaigns import visibility


class CampaignReport(Endpoint):
    serializer_class = s.CampaignReportOut
    filter_backends = []  # filters are explicit query parameters, documented per operation
    pagination_class = None

    @extend_schema(
        summary="The campaign's report: reach, engagement, clicks, conversions, spend and costs",
        description="Every figure carries its source (verified, self_reported, mixed, tracked or ledger) "
        "and is null when unknown. Money is in the campaign currency; spend is what is committed to "
        "the creators (fees reserved, owed or paid, and commissions) from the ledger. The formulas are "
        "in docs/analytics.md.",
        operation_id="campaigns_report_retrieve",
    )
    def get(self, request, pk):
        campaign = get_object_or_404(
            visibility.campaigns_reported_to(caller(request)).select_related("organization"), pk=pk
        )
        return Response(s.CampaignReportOut(campaign_report(campaign)).data)
