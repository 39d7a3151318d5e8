"""Serializers for campaigns (briefs) and their deliverable specs."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.base import StrictInput
from campaigns.forms.fields import hashtags_clean
from campaigns.models import Campaign, DeliverableSpec
from campaigns.services.brief_checks import BRIEF_FIELDS
from creators.models import Cause, DeliverableFormat, Niche, Platform
from platforms.models import CONNECTABLE


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
    disclosure_tags = serializers.CharField(
        max_length=Campaign._meta.get_field("disclosure_tags").max_length,
        required=False,
        allow_blank=True,
        help_text=(
            "Hashtags separated by spaces, for example `#iklan #ad #sponsored`: any one of them in the "
            "caption counts as the disclosure. Stored normalised (each tag once)."
        ),
    )
    requires_verified_accounts = serializers.BooleanField(
        required=False,
        help_text=(
            "Only creators whose account is connected to Kolabo (Instagram or TikTok), so their numbers "
            "are verified, are eligible, recommended and invitable. Needs Instagram or TikTok among "
            "`platforms` (or no platform named)."
        ),
    )
    review_rounds = serializers.IntegerField(min_value=0, max_value=10, required=False)
    nano_share = serializers.IntegerField(min_value=0, max_value=50, required=False)
    deliverables = DeliverableSpecIn(many=True, required=False)

    class Meta:
        ref_name = "CampaignInput"

    def validate_disclosure_tags(self, value: str) -> str:
        try:
            return hashtags_clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def validate(self, attrs):
        platforms = attrs.get("platforms")
        if attrs.get("requires_verified_accounts") and platforms and not set(platforms) & set(CONNECTABLE):
            message = _(
                "Only Instagram and TikTok accounts can be connected to Kolabo. Add one of them to "
                "the platforms, or accept self-reported numbers."
            )
            raise serializers.ValidationError({"requires_verified_accounts": message})
        return attrs


class CampaignCancelIn(StrictInput):
    reason = serializers.CharField(max_length=2000)

    class Meta:
        ref_name = "CampaignCancelInput"
