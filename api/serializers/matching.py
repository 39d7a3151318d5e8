"""Serializers for a campaign's recommendations."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import StrictInput
from api.serializers.core import (
    METRICS_SOURCE_HELP,
    METRICS_VERIFIED_AT_HELP,
    SELF_REPORTED_HELP,
    SelfReportedOut,
    self_reported_out,
)
from creators.models import MetricsSource


class RecommendationOut(serializers.Serializer):
    """One row of campaigns.recommendations.recommendation_rows."""

    rank = serializers.IntegerField(source="recommendation.rank")
    score = serializers.IntegerField(source="recommendation.score", help_text="Match score, 0–100.")
    creator = serializers.CharField(source="recommendation.creator.slug", help_text="Creator slug.")
    creator_name = serializers.CharField(source="recommendation.creator.display_name")
    platform = serializers.CharField(source="recommendation.account.platform")
    handle = serializers.CharField(source="recommendation.account.handle")
    followers = serializers.IntegerField(source="recommendation.account.followers")
    metrics_source = serializers.ChoiceField(
        source="recommendation.account.metrics_source",
        choices=MetricsSource.choices,
        help_text=METRICS_SOURCE_HELP,
    )
    metrics_verified_at = serializers.DateTimeField(
        source="recommendation.account.metrics_verified_at",
        allow_null=True,
        help_text=METRICS_VERIFIED_AT_HELP,
    )
    self_reported = serializers.SerializerMethodField(help_text=SELF_REPORTED_HELP)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why the creator fits.")
    flags = serializers.ListField(child=serializers.CharField(), help_text="What to check before inviting.")
    exposure = serializers.IntegerField(
        source="recommendation.exposure",
        help_text="On how many other open briefs the creator is recommended.",
    )
    reserved_nano = serializers.BooleanField(
        source="recommendation.reserved_nano", help_text="Placed by the nano-creator reserve."
    )
    computed_at = serializers.DateTimeField(source="recommendation.computed_at")

    class Meta:
        ref_name = "MatchingRecommendation"

    @extend_schema_field(SelfReportedOut(allow_null=True))
    def get_self_reported(self, obj) -> dict | None:
        return self_reported_out(obj.recommendation.account)


class RecommendationInviteIn(StrictInput):
    count = serializers.IntegerField(min_value=1, help_text="How many of the top recommendations to invite.")
    offered_fee = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Fee offered to each creator; leave out to offer the brief's own fee.",
    )
    message = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "MatchingRecommendationInviteInput"
