"""Serializers for the caller, organizations, their members and creator profiles."""

from rest_framework import serializers

from brands.models import Membership, Organization
from creators.models import CreatorProfile, SocialAccount
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
