"""Serializers for collaborations, submissions, messages, ratings and notifications. Inputs never
carry a status, the agreed fee of a collaboration or who decided (see StrictInput)."""

from rest_framework import serializers

from api.serializers.base import CampaignRef, CreatorRef, StrictInput
from campaigns.models import Collaboration, CollaborationDeliverable, Message, Rating, Submission
from marketplace.models import Notification
from platforms.models import PlatformPost, PostSnapshot


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


class VerifiedPostOut(serializers.ModelSerializer):
    permalink = serializers.URLField(read_only=True, help_text="The post on the platform.")
    posted_at = serializers.DateTimeField(read_only=True, help_text="When it was posted, per the platform.")
    media_type = serializers.CharField(
        read_only=True, help_text="The platform's type for it (for example `REELS`, `VIDEO`, `IMAGE`)."
    )

    class Meta:
        model = PlatformPost
        fields = ["permalink", "posted_at", "media_type"]
        ref_name = "VerifiedPost"


class PostSnapshotOut(serializers.ModelSerializer):
    due_at = serializers.DateTimeField(read_only=True, help_text="When this reading is (or was) due.")
    taken_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When Kolabo read the numbers from the platform; null until then (the numbers are null too).",
    )

    class Meta:
        model = PostSnapshot
        fields = ["moment", "due_at", "taken_at", "reach", "views", "likes", "comments", "shares", "saves"]
        ref_name = "PostSnapshot"
        extra_kwargs = {
            "moment": {"help_text": "`published` (at publication), `day_1`, `day_7` or `day_30` after it."},
            **{
                name: {"help_text": "Null when the platform gives no such number for this post."}
                for name in ("reach", "views", "likes", "comments", "shares", "saves")
            },
        }


class CaptionProblemOut(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["hashtag", "disclosure"],
        help_text="`hashtag`: a hashtag the brief requires; `disclosure`: none of the brief's disclosure tags.",
    )
    tag = serializers.CharField(
        help_text="The missing hashtag, or for `disclosure` the accepted tags separated by spaces (any one)."
    )

    class Meta:
        ref_name = "CaptionProblem"


class DeliverableOut(serializers.ModelSerializer):
    platform = serializers.CharField(source="spec.platform", read_only=True)
    format = serializers.CharField(source="spec.format", read_only=True)
    verified_post = VerifiedPostOut(
        read_only=True,
        allow_null=True,
        help_text=(
            "The creator's own post, read from their connected account when they published; null on "
            "the manual path (no connected account: `post_url` and the numbers are the creator's word)."
        ),
    )
    caption_problems = CaptionProblemOut(
        many=True,
        read_only=True,
        help_text="What the verified post's caption lacks of the brief's hashtags and disclosure; empty when nothing.",
    )
    post_snapshots = PostSnapshotOut(
        many=True,
        read_only=True,
        help_text=(
            "The verified post's numbers read by Kolabo at publication, then after 24 hours, 7 and 30 "
            "days, in that order; empty on the manual path."
        ),
    )

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
            "verified_post",
            "caption_problems",
            "post_snapshots",
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
