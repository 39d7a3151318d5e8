"""Serializers for applications and invitations. Inputs accept only what a caller may choose: never a
status, an organization or who decided (unknown fields answer 400, see StrictInput)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers.base import CampaignRef, CreatorRef, StrictInput
from campaigns.models import Application, Invitation, InvitationBatch

FEE = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
REASON = {"max_length": 1000, "required": False, "allow_blank": True, "default": ""}


def _collaboration_id(obj) -> int | None:
    collaboration = getattr(obj, "collaboration", None)
    return collaboration.pk if collaboration is not None else None


class ApplicationOut(serializers.ModelSerializer):
    campaign = CampaignRef(read_only=True)
    creator = CreatorRef(read_only=True)
    collaboration = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "campaign",
            "creator",
            "pitch",
            "proposed_fee",
            "is_counter_offer",
            "status",
            "decline_reason",
            "created_at",
            "decided_at",
            "collaboration",
        ]
        ref_name = "Application"

    def get_collaboration(self, obj) -> int | None:
        return _collaboration_id(obj)


class ApplicationIn(StrictInput):
    pitch = serializers.CharField(max_length=Application._meta.get_field("pitch").max_length)
    proposed_fee = serializers.DecimalField(**FEE, required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "ApplicationInput"


class ReasonIn(StrictInput):
    reason = serializers.CharField(**REASON)

    class Meta:
        ref_name = "ReasonInput"


class InvitationOut(serializers.ModelSerializer):
    campaign = CampaignRef(read_only=True)
    creator = CreatorRef(read_only=True)
    collaboration = serializers.SerializerMethodField()
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "campaign",
            "creator",
            "offered_fee",
            "message",
            "counter_fee",
            "counter_message",
            "status",
            "expires_at",
            "is_expired",
            "created_at",
            "responded_at",
            "collaboration",
        ]
        ref_name = "Invitation"

    def get_collaboration(self, obj) -> int | None:
        return _collaboration_id(obj)


class InvitationIn(StrictInput):
    creator = serializers.SlugField(help_text=_("The creator's slug."))
    offered_fee = serializers.DecimalField(**FEE, required=False, allow_null=True, default=None)
    message = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "InvitationInput"


class InvitationBulkIn(StrictInput):
    creators = serializers.ListField(
        child=serializers.SlugField(), min_length=1, help_text=_("Creator slugs, in order.")
    )
    offered_fee = serializers.DecimalField(**FEE, required=False, allow_null=True, default=None)
    message = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "InvitationBulkInput"


class CounterIn(StrictInput):
    fee = serializers.DecimalField(**FEE)
    message = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "InvitationCounterInput"


class InvitationBatchOut(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="campaign_id", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    counts = serializers.SerializerMethodField()
    unknown_creators = serializers.SerializerMethodField()

    class Meta:
        model = InvitationBatch
        fields = [
            "id",
            "campaign",
            "status",
            "active",
            "total",
            "processed",
            "invited",
            "skipped",
            "counts",
            "error",
            "created_at",
            "finished_at",
            "unknown_creators",
        ]
        ref_name = "InvitationBatch"

    def get_counts(self, obj) -> dict[str, int]:
        return (obj.results or {}).get("counts", {})

    def get_unknown_creators(self, obj) -> list[str]:
        return self.context.get("unknown_creators", [])
