"""The organization's webhook pages: subscriptions (secret shown once), delivery log, redelivery.

Owners and managers only; everybody else gets a 404, as for another organization's page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.errors import DomainError
from webhooks import selectors, services
from webhooks.forms import SubscriptionForm
from webhooks.models import WebhookDelivery, WebhookSubscription

PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions(request, slug):
    organization, membership = selectors.managed_organization(user=request.user, slug=slug)
    form = SubscriptionForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.subscription_create(
                organization=organization, by_user=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            form = SubscriptionForm()
    rows = selectors.subscriptions_with_counts(
        WebhookSubscription.objects.filter(organization=organization)
    ).order_by("-active", "-created_at", "-pk")
    return render(
        request,
        "webhooks/subscriptions.html",
        {
            "organization": organization,
            "membership": membership,
            "section": "webhooks",
            "form": form,
            "subscriptions": rows,
            "created": created,
        },
        status=400 if request.method == "POST" and created is None else 200,
    )


@login_required
@require_POST
def subscription_deactivate(request, slug, pk):
    organization, _membership = selectors.managed_organization(user=request.user, slug=slug)
    subscription = get_object_or_404(WebhookSubscription, pk=pk, organization=organization)
    try:
        services.subscription_deactivate(subscription=subscription, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The webhook is deactivated: nothing more is sent to it."))
    return redirect("webhooks:subscriptions", slug=organization.slug)


@login_required
def deliveries(request, slug, pk):
    organization, membership = selectors.managed_organization(user=request.user, slug=slug)
    subscription = get_object_or_404(WebhookSubscription, pk=pk, organization=organization)
    status = request.GET.get("status", "")
    queryset = selectors.deliveries_of(subscription)
    if status in WebhookDelivery.Status.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "organization": organization,
            "membership": membership,
            "section": "webhooks",
            "subscription": subscription,
            "page": page,
            "status": status,
            "query": urlencode({"status": status}) if status else "",
            "statuses": WebhookDelivery.Status.choices,
        },
    )


@login_required
@require_POST
def redeliver(request, slug, pk):
    organization, _membership = selectors.managed_organization(user=request.user, slug=slug)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("subscription"), pk=pk, subscription__organization=organization
    )
    try:
        services.delivery_redeliver(delivery=delivery, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The event is being sent again."))
    return redirect("webhooks:deliveries", slug=organization.slug, pk=delivery.subscription_id)
