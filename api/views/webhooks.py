"""Outbound webhook subscriptions and their delivery log.

Only owners and managers of an organization (or its keys, acting with their creator's role) see
its webhooks; anybody else gets 404. Changing them needs write access (a read key gets 403).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.access import api_key, caller, require_write
from api.query import query_choice, query_flag
from api.serializers import webhooks as s
from api.views.base import IDEMPOTENCY_KEY, Endpoint, ListEndpoint
from brands.models import Organization
from brands.permissions import managed_organization_ids
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookSubscription


def subscriptions_for(request):
    return WebhookSubscription.objects.filter(
        organization_id__in=managed_organization_ids(caller(request))
    ).select_related("organization")


def subscription_for(request, pk: int) -> WebhookSubscription:
    found = subscriptions_for(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


ORGANIZATION = OpenApiParameter(
    "organization",
    str,
    required=False,
    description="Organization slug. Required to create with a session or personal token; an API key "
    "always works on its own organization.",
)


class WebhookSubscriptionList(ListEndpoint):
    serializer_class = s.WebhookSubscriptionOut

    @extend_schema(
        summary="Webhook subscriptions of the organizations you manage",
        operation_id="webhook_subscriptions_list",
        parameters=[ORGANIZATION, OpenApiParameter("active", bool, required=False)],
    )
    def get(self, request):
        queryset = subscriptions_for(request).order_by("-created_at", "-pk")
        if request.query_params.get("organization"):
            queryset = queryset.filter(organization__slug=request.query_params["organization"])
        active = query_flag(request, "active")
        if active is not None:
            queryset = queryset.filter(active=active)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.WebhookSubscriptionOut(page, many=True).data)

    @extend_schema(
        summary="Register a URL for events (the signing secret is in this response only)",
        operation_id="webhook_subscriptions_create",
        request=s.WebhookSubscriptionIn,
        responses={201: s.WebhookSubscriptionCreatedOut},
        parameters=[ORGANIZATION, IDEMPOTENCY_KEY],
    )
    def post(self, request):
        slug = request.query_params.get("organization", "")
        key = api_key(request)
        organizations = Organization.objects.filter(pk__in=managed_organization_ids(caller(request)))
        if slug:
            organization = organizations.filter(slug=slug).first()
        elif key is not None:
            organization = organizations.filter(pk=key.organization_id).first()
        else:
            raise ValidationError({"organization": ["Say which organization: ?organization=<slug>."]})
        if organization is None:
            raise Http404
        require_write(request, organization.pk)
        data = s.WebhookSubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = services.subscription_create(
            organization=organization, by_user=request.user, **data.validated_data
        )
        return Response(s.WebhookSubscriptionCreatedOut(subscription).data, status=status.HTTP_201_CREATED)


class WebhookSubscriptionDetail(Endpoint):
    serializer_class = s.WebhookSubscriptionOut

    @extend_schema(summary="One webhook subscription", operation_id="webhook_subscriptions_retrieve")
    def get(self, request, pk):
        return Response(s.WebhookSubscriptionOut(subscription_for(request, pk)).data)

    @extend_schema(
        summary="Deactivate a subscription (kept, with its delivery log)",
        operation_id="webhook_subscriptions_destroy",
        responses={204: OpenApiResponse(description="Deactivated.")},
    )
    def delete(self, request, pk):
        subscription = subscription_for(request, pk)
        require_write(request, subscription.organization_id)
        services.subscription_deactivate(subscription=subscription, by_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSubscriptionDeactivate(Endpoint):
    serializer_class = s.WebhookSubscriptionOut

    @extend_schema(
        summary="Deactivate a subscription: nothing more is sent to it",
        operation_id="webhook_subscriptions_deactivate",
        request=None,
        responses={200: s.WebhookSubscriptionOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        subscription = subscription_for(request, pk)
        require_write(request, subscription.organization_id)
        services.subscription_deactivate(subscription=subscription, by_user=request.user)
        return Response(s.WebhookSubscriptionOut(subscription_for(request, pk)).data)


class WebhookSubscriptionDeliveries(ListEndpoint):
    serializer_class = s.WebhookDeliveryOut

    @extend_schema(
        summary="The delivery log of a subscription, newest first",
        operation_id="webhook_subscriptions_deliveries_list",
        parameters=[
            OpenApiParameter("status", str, enum=WebhookDelivery.Status.values, required=False),
            OpenApiParameter("event_type", str, required=False),
        ],
    )
    def get(self, request, pk):
        subscription = subscription_for(request, pk)
        queryset = WebhookDelivery.objects.filter(subscription=subscription).order_by("-created_at", "-pk")
        status_value = query_choice(request, "status", WebhookDelivery.Status.values)
        if status_value:
            queryset = queryset.filter(status=status_value)
        if request.query_params.get("event_type"):
            queryset = queryset.filter(event_type=request.query_params["event_type"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.WebhookDeliveryOut(page, many=True).data)


def delivery_for(request, pk: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.filter(pk=pk, subscription__in=subscriptions_for(request))
        .select_related("subscription")
        .first()
    )
    if found is None:
        raise Http404
    return found


class WebhookDeliveryDetail(Endpoint):
    serializer_class = s.WebhookDeliveryOut

    @extend_schema(summary="One delivery, with its last answer", operation_id="webhook_deliveries_retrieve")
    def get(self, request, pk):
        return Response(s.WebhookDeliveryOut(delivery_for(request, pk)).data)


class WebhookDeliveryRedeliver(Endpoint):
    serializer_class = s.WebhookDeliveryOut

    @extend_schema(
        summary="Send a delivery again now (same event id, new signature)",
        operation_id="webhook_deliveries_redeliver",
        request=None,
        responses={202: s.WebhookDeliveryOut},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        delivery = delivery_for(request, pk)
        require_write(request, delivery.subscription.organization_id)
        services.delivery_redeliver(delivery=delivery, by_user=request.user)
        return Response(s.WebhookDeliveryOut(delivery_for(request, pk)).data, status=status.HTTP_202_ACCEPTED)
