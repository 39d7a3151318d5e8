"""Serializers for collaborations, submissions, messages, ratings and notifications. Inputs never
carry a status, the agreed fee of a collaboration or who decided (see StrictInput)."""

from rest_framework import serializers

from api.serializers.base import CampaignRef, CreatorRef, StrictInput
from campaigns.models import Collaboration, CollaborationDeliverable, Message, Rating, Submission
from marketplace.models import Notification


class RequiredReasonIn(StrictInput):
    reason = serializers.CharField(max_length=5000)

    class Meta:
        ref_name = "RequiredReasonInput"


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
    campaign = CampaignRef(read_only=True)
    creator = CreatorRef(read_only=True)
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
