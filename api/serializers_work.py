"""Input and output serializers for applications, invitations, collaborations, messages, ratings and
notifications. Inputs accept only what a caller may choose: never a status, an organization, the
agreed fee of a collaboration or who decided (unknown fields answer 400, see StrictInput)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import StrictInput
from campaigns.models import (
    Application,
    Collaboration,
    CollaborationDeliverable,
    Invitation,
    InvitationBatch,
    Message,
    Rating,
    Submission,
)
from marketplace.models import Notification

FEE = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
REASON = {"max_length": 1000, "required": False, "allow_blank": True, "default": ""}


class _CampaignRef(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    organization = serializers.CharField(source="organization.slug", read_only=True)

    class Meta:
        ref_name = "CampaignRef"


class _CreatorRef(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        ref_name = "CreatorRef"


def _collaboration_id(obj) -> int | None:
    collaboration = getattr(obj, "collaboration", None)
    return collaboration.pk if collaboration is not None else None


# Applications


class ApplicationOut(serializers.ModelSerializer):
    campaign = _CampaignRef(read_only=True)
    creator = _CreatorRef(read_only=True)
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


class RequiredReasonIn(StrictInput):
    reason = serializers.CharField(max_length=5000)

    class Meta:
        ref_name = "RequiredReasonInput"


# Invitations


class InvitationOut(serializers.ModelSerializer):
    campaign = _CampaignRef(read_only=True)
    creator = _CreatorRef(read_only=True)
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


# Collaborations


class SubmissionOut(serializers.ModelSerializer):
    deliverable = serializers.IntegerField(source="deliverable_id", read_only=True)
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "deliverable",
            "round",
            "link",
            "caption",
            "has_file",
            "created_at",
            "decision",
            "feedback",
            "decided_at",
        ]
        ref_name = "Submission"

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class DeliverableOut(serializers.ModelSerializer):
    platform = serializers.CharField(source="spec.platform", read_only=True)
    format = serializers.CharField(source="spec.format", read_only=True)

    class Meta:
        model = CollaborationDeliverable
        fields = [
            "id",
            "platform",
            "format",
            "number",
            "status",
            "rounds_used",
            "post_url",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "published_at",
            "confirmed_at",
            "auto_confirmed",
        ]
        ref_name = "CollaborationDeliverable"


class CollaborationOut(serializers.ModelSerializer):
    campaign = _CampaignRef(read_only=True)
    creator = _CreatorRef(read_only=True)
    deliverables = DeliverableOut(many=True, read_only=True)

    class Meta:
        model = Collaboration
        fields = [
            "id",
            "campaign",
            "creator",
            "source",
            "fee",
            "currency",
            "status",
            "due_date",
            "created_at",
            "completed_at",
            "cancelled_at",
            "cancel_reason",
            "deliverables",
        ]
        ref_name = "Collaboration"


class SubmissionIn(StrictInput):
    link = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    caption = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "SubmissionInput"


class FeedbackIn(StrictInput):
    feedback = serializers.CharField(max_length=5000)

    class Meta:
        ref_name = "FeedbackInput"


class PublishIn(StrictInput):
    post_url = serializers.URLField(max_length=500)
    views = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    likes = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    comments = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    shares = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    saves = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)

    class Meta:
        ref_name = "PublishInput"


# Messages, ratings, notifications


class MessageOut(serializers.ModelSerializer):
    author = serializers.CharField(source="author.full_name", read_only=True)

    class Meta:
        model = Message
        fields = ["id", "author", "body", "created_at"]
        ref_name = "Message"


class MessageIn(StrictInput):
    body = serializers.CharField(max_length=5000)

    class Meta:
        ref_name = "MessageInput"


class RatingOut(serializers.ModelSerializer):
    collaboration = serializers.IntegerField(source="collaboration_id", read_only=True)

    class Meta:
        model = Rating
        fields = ["id", "collaboration", "rated_side", "score", "comment", "created_at"]
        ref_name = "Rating"


class RatingIn(StrictInput):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "RatingInput"


class NotificationOut(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)
    unread = serializers.BooleanField(source="is_unread", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "params", "url", "unread", "created_at", "read_at"]
        ref_name = "Notification"
