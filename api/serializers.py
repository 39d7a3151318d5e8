"""Separate input and output serializers, each named once. Inputs list exactly the fields a caller
may set: status, organization, owner, staff flags, amounts that are computed and Stripe ids are
never among them, so a body carrying them is refused (unknown fields answer 400)."""

from rest_framework import serializers

from brands.models import Membership, Organization
from campaigns.models import Campaign, DeliverableSpec
from campaigns.services.briefs import BRIEF_FIELDS
from creators.models import Cause, CreatorProfile, DeliverableFormat, Niche, Platform, SocialAccount
from marketplace.models import User


class StrictInput(serializers.Serializer):
    """Refuse fields the caller may not set, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set here."] for name in unknown}
                )
        return super().to_internal_value(data)


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


class DeliverableSpecOut(serializers.ModelSerializer):
    class Meta:
        model = DeliverableSpec
        fields = ["platform", "format", "quantity", "notes"]
        ref_name = "DeliverableSpec"


class CampaignOut(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    niches = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    causes = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    deliverables = DeliverableSpecOut(many=True, read_only=True)

    class Meta:
        model = Campaign
        # The brief's own fields, as the services define them, plus what the platform keeps.
        fields = [
            "id",
            "organization",
            "status",
            *BRIEF_FIELDS,
            "niches",
            "causes",
            "deliverables",
            "published_at",
            "created_at",
            "updated_at",
        ]
        ref_name = "Campaign"


class DeliverableSpecIn(StrictInput):
    platform = serializers.ChoiceField(choices=Platform.choices)
    format = serializers.ChoiceField(choices=DeliverableFormat.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=50, default=1)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "DeliverableSpecInput"


class CampaignIn(StrictInput):
    """A brief's fields. On update every field is optional (PATCH semantics)."""

    title = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Campaign.Kind.choices, required=False)
    compensation = serializers.ChoiceField(choices=Campaign.Compensation.choices, required=False)
    objective = serializers.ChoiceField(choices=Campaign.Objective.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    niches = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Niche.objects.all(), required=False
    )
    causes = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Cause.objects.all(), required=False
    )
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), required=False)
    min_followers = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    max_followers = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    min_engagement_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )
    target_countries = serializers.ListField(child=serializers.CharField(max_length=2), required=False)
    target_languages = serializers.ListField(child=serializers.CharField(max_length=8), required=False)
    fee_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    fee_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    currency = serializers.ChoiceField(choices=Campaign._meta.get_field("currency").choices, required=False)
    slots = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    application_deadline = serializers.DateField(required=False, allow_null=True)
    content_due_date = serializers.DateField(required=False, allow_null=True)
    usage_rights = serializers.ChoiceField(choices=Campaign.UsageRights.choices, required=False)
    dos = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    donts = serializers.CharField(max_length=3000, required=False, allow_blank=True)
    required_hashtags = serializers.CharField(max_length=300, required=False, allow_blank=True)
    disclosure_required = serializers.BooleanField(required=False)
    review_rounds = serializers.IntegerField(min_value=0, max_value=10, required=False)
    nano_share = serializers.IntegerField(min_value=0, max_value=50, required=False)
    deliverables = DeliverableSpecIn(many=True, required=False)

    class Meta:
        ref_name = "CampaignInput"


class CampaignCancelIn(StrictInput):
    reason = serializers.CharField(max_length=2000)

    class Meta:
        ref_name = "CampaignCancelInput"


class SocialAccountOut(serializers.ModelSerializer):
    class Meta:
        model = SocialAccount
        fields = ["platform", "handle", "followers", "engagement_rate", "tier", "verified", "metrics_date"]
        ref_name = "SocialAccount"


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
