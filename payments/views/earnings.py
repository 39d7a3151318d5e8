"""A creator's earnings, and "Get paid": Stripe Express onboarding."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from payments import commission_selectors, gateway, selectors
from payments.services import accounts

logger = logging.getLogger(__name__)


EARNINGS_PAGE_SIZE = 50


@login_required
def earnings(request):
    creator = _creator(request)
    payouts = selectors.creator_payouts(creator=creator).select_related("collaboration__commission_accrual")
    page = Paginator(payouts, EARNINGS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/earnings.html",
        {
            "creator": creator,
            "lines": selectors.creator_earnings(creator=creator),
            "commissions": commission_selectors.creator_commissions(creator=creator),
            "page": page,
            "account": selectors.creator_stripe_account(creator=creator),
        },
    )


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
