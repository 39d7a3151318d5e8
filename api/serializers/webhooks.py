"""Webhook subscriptions and deliveries: inputs list only what a caller may set (never the
organization, the secret, the status or the counters), outputs are named once for the schema."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.base import StrictInput
from webhooks.models import EventType, WebhookDelivery, WebhookSubscription


# One enum for the catalogue: a delivery's `event_type` names it EventTypeEnum; the lists refer to it.
@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/EventTypeEnum"}})
class EventTypeList(serializers.ListField):
    child = serializers.ChoiceField(choices=EventType.choices)


class WebhookSubscriptionIn(StrictInput):
    url = serializers.CharField(
        max_length=500,
        help_text="https:// URL that receives the events (http only to localhost in development).",
    )
    event_types = EventTypeList(allow_empty=False, max_length=len(EventType))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        ref_name = "WebhookSubscriptionInput"


class WebhookSubscriptionOut(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    event_types = EventTypeList(read_only=True)
    secret_hint = serializers.CharField(read_only=True, help_text="The start of the signing secret.")

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "organization",
            "url",
            "description",
            "event_types",
            "active",
            "secret_hint",
            "created_at",
            "deactivated_at",
        ]
        ref_name = "WebhookSubscription"


class WebhookSubscriptionCreatedOut(WebhookSubscriptionOut):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret. Returned only in this response: store it now."
    )

    class Meta(WebhookSubscriptionOut.Meta):
        fields = [*WebhookSubscriptionOut.Meta.fields, "secret"]
        ref_name = "WebhookSubscriptionWithSecret"


class WebhookDeliveryOut(serializers.ModelSerializer):
    payload = serializers.JSONField(read_only=True, help_text="The body sent: {id, type, created, data}.")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_response_code",
            "last_error",
            "response_ms",
            "created_at",
            "delivered_at",
            "payload",
        ]
        read_only_fields = fields
        ref_name = "WebhookDelivery"
