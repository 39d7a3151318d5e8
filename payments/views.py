"""Stripe-facing views: the webhook, funding a campaign through Checkout, and "Get paid"."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import OperationalError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from campaigns import selectors as campaign_selectors
from marketplace.errors import DomainError, PermissionDeniedError
from payments import gateway, webhooks
from payments.models import CampaignFunding
from payments.services import accounts, escrow

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verified over the raw body; 400 with no side effect when it does not verify or is malformed."""
    try:
        event = webhooks.stripe_event_verify(request.body, request.headers.get("Stripe-Signature", ""))
    except webhooks.MalformedEvent:
        return HttpResponseBadRequest("malformed event")
    except gateway.BadSignature:
        return HttpResponseBadRequest("invalid signature")
    stored, done = webhooks.stripe_event_store(event)
    if done:
        return HttpResponse("duplicate")
    try:
        outcome = webhooks.stripe_event_process(event_id=stored.event_id)
    except OperationalError:
        # A row lock we could not get in time (or the database is busy): Stripe retries a 503.
        return HttpResponse("busy, retry", status=503)
    except gateway.Unclear:
        return HttpResponse("Stripe did not answer, retry", status=503)
    return HttpResponse(outcome)


def _campaign(request, pk: int):
    campaign, _membership = campaign_selectors.campaign_for_member(user=request.user, pk=pk)
    return campaign


@login_required
@require_POST
def funding_start(request, pk):
    campaign = _campaign(request, pk)
    try:
        funding = escrow.funding_start(
            campaign=campaign,
            by_user=request.user,
            offer=request.POST.get("offer", "")[:50],
            site_url=request.build_absolute_uri("/"),
        )
    except PermissionDeniedError as error:
        messages.error(request, error.message)
        return redirect("payments:campaign_spend", pk=campaign.pk)
    except (DomainError, gateway.GatewayError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return redirect("payments:campaign_spend", pk=campaign.pk)
    return redirect(funding.checkout_url)


@login_required
def funding_return(request, pk):
    """Where Stripe Checkout sends the brand back. Only the verified `checkout.session.completed`
    webhook credits the escrow; this page says whether it has arrived yet."""
    funding = get_object_or_404(CampaignFunding.objects.select_related("campaign"), pk=pk)
    _campaign(request, funding.campaign_id)  # 404 for other organizations
    session_id = request.GET.get("session_id", "")
    if session_id and session_id != funding.checkout_session_id:
        raise Http404
    # Stripe sends the brand here as soon as the payment goes through, often before the webhook:
    # ask Stripe, so the money page says "payment processing" instead of offering to pay again.
    processing = escrow.funding_checkout_check(funding=funding)
    if funding.status == CampaignFunding.Status.PAID:
        messages.success(request, _("Payment received. The campaign's escrow is funded."))
    elif processing:
        messages.info(
            request,
            _(
                "Payment processing: Stripe is confirming the payment; the escrow is credited as soon "
                "as it does. Reload in a moment."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "Stripe is confirming the payment, or it did not go through. If you left the checkout "
                "before paying, continue the payment below."
            ),
        )
    return redirect("payments:campaign_spend", pk=funding.campaign_id)


def _creator(request):
    profile = getattr(request.user, "creator_profile", None)
    if profile is None:
        raise Http404
    return profile


@login_required
@require_POST
def get_paid(request):
    """Start (or continue) Stripe Express onboarding."""
    creator = _creator(request)
    try:
        url = accounts.connected_account_onboarding_url(
            creator=creator,
            by_user=request.user,
            return_url=request.build_absolute_uri(reverse("payments:get_paid_return")),
            refresh_url=request.build_absolute_uri(reverse("payments:earnings")),
        )
    except gateway.GatewayError as error:
        messages.error(
            request, _("Stripe could not start the set-up: %(reason)s Try again.") % {"reason": error.message}
        )
        return redirect("payments:earnings")
    return redirect(url)


@login_required
def get_paid_return(request):
    creator = _creator(request)
    account = getattr(creator, "stripe_account", None)
    if account is not None:
        try:
            account = accounts.connected_account_sync(stripe_id=account.stripe_id)
        except gateway.GatewayError:
            logger.warning("creator %s: Stripe did not answer on onboarding return", creator.pk)
    if account is not None and account.payouts_enabled:
        messages.success(request, _("Stripe is set up: your payouts will arrive in your account."))
    else:
        messages.info(
            request, _("Stripe still needs some details before it can pay you. Continue the set-up below.")
        )
    return redirect("payments:earnings")
