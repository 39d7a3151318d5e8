"""Serializers for the caller, organizations, their members and creator profiles."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from brands.models import Membership, Organization
from creators.models import CreatorProfile, MetricsSource, SocialAccount, Tier
from creators.services.social_accounts import self_reported_of
from marketplace.models import User


class MeOut(serializers.ModelSerializer):
    creator_profile = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Your creator profile's address, if you have one.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "preferred_language", "is_staff", "creator_profile"]
        ref_name = "Me"


class MembershipOut(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role"]
        ref_name = "Member"


class OrganizationOut(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "kind", "default_currency", "verification_status"]
        ref_name = "Organization"


# Where an account's numbers come from, said the same way wherever the API shows them (the web's
# "Verified · <date>" / "Self-reported" label, templates/creators/_metrics_source.html).
METRICS_SOURCE_HELP = (
    "`verified`: followers, engagement and audience were read from the platform through the "
    "creator's connected account (Instagram or TikTok), on `metrics_verified_at`. `self_reported`: "
    "typed in by the creator, not checked by Kolabo."
)
METRICS_VERIFIED_AT_HELP = (
    "When Kolabo last read the numbers from the platform; null for self-reported numbers. A "
    "disconnected account keeps its last verified numbers with this date."
)
SELF_REPORTED_HELP = (
    "For a verified account only: what the creator had typed for it, shown for transparency and "
    "never used over the verified numbers (eligibility, matching and discovery use the verified "
    "ones). Null when the numbers are self-reported (they are then the main fields) or the creator "
    "typed nothing before connecting the account."
)


class SelfReportedOut(serializers.Serializer):
    """What the creator typed on a verified account (SocialAccount.self_reported); any may be null."""

    followers = serializers.IntegerField(allow_null=True, help_text="Followers, as typed.")
    engagement_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Engagement rate in %, from the typed averages.",
    )
    tier = serializers.ChoiceField(
        choices=Tier.choices, allow_null=True, help_text="Tier of the typed followers."
    )
    metrics_date = serializers.DateField(
        allow_null=True, help_text="The date the creator gave for these numbers."
    )

    class Meta:
        ref_name = "SelfReportedMetrics"


# The typed values shown: the same numbers as the account's main fields (self_reported holds more).
SELF_REPORTED_SHOWN = ("followers", "engagement_rate", "tier", "metrics_date")


def self_reported_out(account: SocialAccount) -> dict | None:
    """SELF_REPORTED_HELP: the typed values of a verified account, or None."""
    if not account.is_metrics_verified or not account.self_reported:
        return None
    typed = self_reported_of(account)
    return SelfReportedOut({field: typed.get(field) for field in SELF_REPORTED_SHOWN}).data


class SocialAccountOut(serializers.ModelSerializer):
    verified = serializers.BooleanField(
        read_only=True,
        help_text="Checked by Kolabo staff (identity). Whether the numbers are verified is `metrics_source`.",
    )
    metrics_source = serializers.ChoiceField(
        choices=MetricsSource.choices, read_only=True, help_text=METRICS_SOURCE_HELP
    )
    metrics_verified_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=METRICS_VERIFIED_AT_HELP
    )
    self_reported = serializers.SerializerMethodField(help_text=SELF_REPORTED_HELP)

    class Meta:
        model = SocialAccount
        fields = [
            "platform",
            "handle",
            "followers",
            "engagement_rate",
            "tier",
            "verified",
            "metrics_date",
            "metrics_source",
            "metrics_verified_at",
            "self_reported",
        ]
        ref_name = "SocialAccount"

    @extend_schema_field(SelfReportedOut(allow_null=True))
    def get_self_reported(self, obj) -> dict | None:
        return self_reported_out(obj)


class CreatorOut(serializers.ModelSerializer):
    niches = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    causes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    social_accounts = SocialAccountOut(many=True, read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = CreatorProfile
        fields = [
            "slug",
            "display_name",
            "bio",
            "country",
            "city",
            "languages",
            "niches",
            "causes",
            "open_to_pro_bono",
            "currency",
            "social_accounts",
        ]
        ref_name = "Creator"
