"""Reads for the webhook pages and API: each runs a fixed number of queries."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from brands.models import Membership, Organization
from webhooks.models import WebhookDelivery, WebhookSubscription


def managed_organization(*, user, slug: str) -> tuple[Organization, Membership]:
    """The organization if the user owns or manages it; a 404 for everyone else (viewers too)."""
    if user is None or not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organization").filter(user=user, organization__slug=slug).first()
    )
    if membership is None or not membership.can_edit_org():
        raise Http404
    return membership.organization, membership


def subscriptions_with_counts(queryset: QuerySet[WebhookSubscription]) -> QuerySet[WebhookSubscription]:
    failed = WebhookDelivery.Status.FAILED
    return queryset.select_related("organization", "created_by").annotate(
        delivery_count=Count("deliveries"),
        failed_count=Count("deliveries", filter=Q(deliveries__status=failed)),
    )


def deliveries_of(subscription: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(subscription=subscription).order_by("-created_at", "-pk")
