"""Serializers for a campaign's report (analytics.selectors.campaign_report): the numbers of the
report page, its PDF and CSV. Every figure is {"value", "source"}; an unknown value is null, never 0.
Money and rates are strings with 2 decimals, like every amount in the API. Read-only; every
serializer's ref_name starts with "Analytics"."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.selectors import LEDGER, MIXED, SELF_REPORTED, TRACKED, VERIFIED
from api.serializers.base import StatusField

SOURCES = [("", ""), VERIFIED, SELF_REPORTED, TRACKED, LEDGER, MIXED]
DECIMAL = {"max_digits": 20, "decimal_places": 2, "read_only": True}


def source_field():
    return StatusField(
        "AnalyticsSourceEnum",
        SOURCES,
        help_text="verified: read from the creator's connected account; self_reported: typed in by "
        "the creator; mixed: a sum of both; tracked: Kolabo's links and conversion tracking; "
        "ledger: Kolabo's money ledger. Empty when the value is unknown.",
    )


class CountFigureOut(serializers.Serializer):
    value = serializers.IntegerField(read_only=True, allow_null=True)
    source = source_field()

    class Meta:
        ref_name = "AnalyticsCountFigure"


class DecimalFigureOut(serializers.Serializer):
    value = serializers.DecimalField(**DECIMAL, allow_null=True)
    source = source_field()

    class Meta:
        ref_name = "AnalyticsDecimalFigure"


class PointOut(serializers.Serializer):
    date = serializers.DateField(read_only=True)
    value = serializers.IntegerField(read_only=True)

    class Meta:
        ref_name = "AnalyticsSeriesPoint"


class GoalOut(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    conversions = CountFigureOut(read_only=True)
    amount = DecimalFigureOut(read_only=True, help_text="Sum of the amounts in the campaign currency.")
    other_currencies = serializers.DictField(
        child=serializers.DecimalField(**DECIMAL), read_only=True, help_text="Amounts in other currencies."
    )
    cost_per_conversion = DecimalFigureOut(read_only=True)
    per_creator = DecimalFigureOut(read_only=True, help_text="Conversions ÷ creators (not cancelled).")
    per_unit_spent = DecimalFigureOut(
        read_only=True, help_text="Conversions per `impact_unit` of the campaign currency spent."
    )

    class Meta:
        ref_name = "AnalyticsGoal"


class SpendBreakdownOut(serializers.Serializer):
    reserved = serializers.DecimalField(**DECIMAL)
    owed = serializers.DecimalField(**DECIMAL)
    paid = serializers.DecimalField(**DECIMAL)
    commissions = serializers.DecimalField(**DECIMAL, help_text="Part of reserved + owed + paid.")
    fees = serializers.DecimalField(**DECIMAL, help_text="Creator fees: spend less commissions.")
    platform_fee = serializers.DecimalField(**DECIMAL, help_text="Kolabo's fee, not part of spend.")
    funded = serializers.DecimalField(**DECIMAL)
    funded_by_sponsors = serializers.DecimalField(**DECIMAL)

    class Meta:
        ref_name = "AnalyticsSpendBreakdown"


class CollaborationFiguresOut(serializers.Serializer):
    collaboration = serializers.IntegerField(source="collaboration_id", read_only=True)
    creator = serializers.IntegerField(source="creator_id", read_only=True)
    creator_name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    posts = serializers.IntegerField(read_only=True)
    posts_verified = serializers.IntegerField(read_only=True)
    reach = CountFigureOut(read_only=True)
    potential_reach = CountFigureOut(read_only=True)
    views = CountFigureOut(read_only=True)
    engagements = CountFigureOut(read_only=True)
    engagement_rate = DecimalFigureOut(read_only=True)
    clicks = CountFigureOut(read_only=True)
    conversions = CountFigureOut(read_only=True)
    conversions_by_goal = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    amount_by_goal = serializers.DictField(child=serializers.DecimalField(**DECIMAL), read_only=True)
    spend = DecimalFigureOut(read_only=True)
    cost_per_engagement = DecimalFigureOut(read_only=True)
    cost_per_click = DecimalFigureOut(read_only=True)
    cost_per_conversion = DecimalFigureOut(read_only=True)

    class Meta:
        ref_name = "AnalyticsCollaborationFigures"


class CampaignReportOut(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk", read_only=True)
    title = serializers.CharField(source="campaign.title", read_only=True)
    currency = serializers.CharField(read_only=True)
    is_cause = serializers.BooleanField(read_only=True)
    generated_at = serializers.DateTimeField(read_only=True)
    creators = serializers.IntegerField(read_only=True, help_text="Collaborations not cancelled.")
    posts = serializers.IntegerField(read_only=True)
    posts_verified = serializers.IntegerField(read_only=True)
    reach = CountFigureOut(read_only=True)
    potential_reach = CountFigureOut(read_only=True)
    views = CountFigureOut(read_only=True)
    engagements = CountFigureOut(read_only=True)
    engagement_rate = DecimalFigureOut(read_only=True, help_text="Engagements ÷ views × 100.")
    clicks = CountFigureOut(read_only=True)
    conversions = CountFigureOut(read_only=True, help_text="Conversions attributed to a collaboration.")
    unattributed_conversions = serializers.IntegerField(read_only=True)
    goals = GoalOut(many=True, read_only=True)
    spend = DecimalFigureOut(read_only=True)
    spend_breakdown = SpendBreakdownOut(source="breakdown", read_only=True)
    budget = DecimalFigureOut(read_only=True)
    budget_basis = serializers.CharField(read_only=True, help_text='"brief", "funded" or "" (none).')
    spend_of_budget = DecimalFigureOut(read_only=True, help_text="Spend ÷ budget × 100.")
    cost_per_engagement = DecimalFigureOut(read_only=True)
    cost_per_click = DecimalFigureOut(read_only=True)
    cost_per_conversion = DecimalFigureOut(read_only=True)
    impact_unit = serializers.DecimalField(**DECIMAL)
    collaborations = CollaborationFiguresOut(many=True, read_only=True)
    engagement_series = serializers.SerializerMethodField()
    clicks_series = serializers.SerializerMethodField()

    class Meta:
        ref_name = "AnalyticsCampaignReport"

    def _points(self, series) -> list[dict]:
        return PointOut([{"date": day, "value": value} for day, value in series], many=True).data

    @extend_schema_field(PointOut(many=True))
    def get_engagement_series(self, report) -> list[dict]:
        return self._points(report.engagement_series)

    @extend_schema_field(PointOut(many=True))
    def get_clicks_series(self, report) -> list[dict]:
        return self._points(report.clicks_series)
