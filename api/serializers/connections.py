"""Serializers for a creator's own connected platform accounts (platforms.PlatformConnection).

Read-only, for the creator only. Tokens, token dates, scopes and refresh errors are never listed:
the fields below are named one by one, so a new model field stays out until someone adds it here.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import StatusField
from platforms.models import MetricsSnapshot, PlatformConnection

AUDIENCE_HELP = (
    "Shares of the audience in percent, largest first, as the platform gives them (Instagram from "
    "100 followers); empty when it gives none. {}"
)


class AudienceShareOut(serializers.Serializer):
    code = serializers.CharField(
        help_text="Country code, city, age range or gender, as the platform names it."
    )
    share = serializers.FloatField(help_text="Percent of the audience, one decimal.")

    class Meta:
        ref_name = "AudienceShare"


class ConnectionMetricsOut(serializers.ModelSerializer):
    taken_at = serializers.DateTimeField(read_only=True, help_text="When Kolabo read these numbers.")
    followers = serializers.IntegerField(read_only=True)
    posts_counted = serializers.IntegerField(
        read_only=True, help_text="How many recent posts the engagement rate is computed over."
    )
    engagement_rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=(
            "Verified engagement rate in %, from the median likes and comments of recent posts "
            "(docs/matching.md). Null: not enough recent posts to say (never 0 for that)."
        ),
    )
    audience_countries = AudienceShareOut(
        many=True, read_only=True, help_text=AUDIENCE_HELP.format("Codes are ISO 3166 countries.")
    )
    audience_cities = AudienceShareOut(many=True, read_only=True, help_text=AUDIENCE_HELP.format(""))
    audience_ages = AudienceShareOut(many=True, read_only=True, help_text=AUDIENCE_HELP.format(""))
    audience_genders = AudienceShareOut(many=True, read_only=True, help_text=AUDIENCE_HELP.format(""))

    class Meta:
        model = MetricsSnapshot
        fields = [
            "taken_at",
            "followers",
            "following",
            "media_count",
            "posts_counted",
            "engagement_rate",
            "audience_countries",
            "audience_cities",
            "audience_ages",
            "audience_genders",
        ]
        ref_name = "ConnectionMetrics"


class ConnectionOut(serializers.ModelSerializer):
    status = StatusField("ConnectionStatus", PlatformConnection.Status.choices)
    disconnect_reason = serializers.ChoiceField(
        choices=PlatformConnection.Reason.choices,
        read_only=True,
        help_text=(
            "Empty while connected. `by_creator`, `expired` (the platform's permission ran out), "
            "`revoked` (access removed on the platform), `deauthorized` (the app removed on the "
            "platform) or `data_deleted`. Reconnect from your Kolabo profile."
        ),
    )
    username = serializers.CharField(read_only=True, help_text="The account's username on the platform.")
    connected_at = serializers.DateTimeField(read_only=True)
    disconnected_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_refreshed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When Kolabo last read the account; null before the first read.",
    )
    next_refresh_at = serializers.SerializerMethodField(
        help_text="When Kolabo reads the account next (at least weekly, daily during a collaboration); "
        "null once disconnected."
    )
    latest_metrics = ConnectionMetricsOut(
        read_only=True,
        allow_null=True,
        help_text=(
            "The latest verified numbers, with their date (`taken_at`); a disconnected account keeps "
            "its last ones. Null before the first read, or after the data was deleted."
        ),
    )

    class Meta:
        model = PlatformConnection
        fields = [
            "id",
            "platform",
            "username",
            "status",
            "disconnect_reason",
            "connected_at",
            "disconnected_at",
            "last_refreshed_at",
            "next_refresh_at",
            "latest_metrics",
        ]
        ref_name = "PlatformConnection"

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_refresh_at(self, obj):
        return (
            self.fields["connected_at"].to_representation(obj.next_refresh_at) if obj.is_connected else None
        )
