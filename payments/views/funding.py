"""A brand funds a campaign through Stripe Checkout, and sees what the campaign has spent. A sponsor's
payment (campaigns.views.sponsorship) comes back through the same return page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigns.selectors import organizations as campaign_selectors
from campaigns.selectors.sponsorships import sponsor_fundings_visible_to
from marketplace.errors import DomainError
from payments import gateway, selectors
from payments.models import CampaignFunding
from payments.services import funding as funding_services


def _campaign(request, pk: int):
    campaign, _membership = campaign_selectors.campaign_for_member(user=request.user, pk=pk)
    return campaign


@login_required
@require_POST
def funding_start(request, pk):
    campaign = _campaign(request, pk)
    try:
        funding = funding_services.funding_start(
            campaign=campaign,
            by_user=request.user,
            offer=request.POST.get("offer", "")[:50],
            site_url=request.build_absolute_uri("/"),
        )
    except (DomainError, gateway.GatewayError) as error:  # both carry a message for people
        messages.error(request, error.message)
        return redirect("payments:campaign_spend", pk=campaign.pk)
    return redirect(funding.checkout_url)


@login_required
def funding_return(request, pk):
    """Where Stripe Checkout sends the brand back. Only the verified `checkout.session.completed`
    webhook credits the escrow; this page says whether it has arrived yet."""
    # Other organizations' fundings answer 404; a sponsor's managers see the fundings it paid.
    funding = selectors.fundings_visible_to(request.user).select_related("campaign").filter(pk=pk).first()
    sponsor_side = funding is None
    if sponsor_side:
        funding = get_object_or_404(
            sponsor_fundings_visible_to(request.user).select_related("campaign"), pk=pk
        )
    session_id = request.GET.get("session_id", "")
    if session_id and session_id != funding.checkout_session_id:
        raise Http404
    # Stripe sends the brand here as soon as the payment goes through, often before the webhook:
    # ask Stripe, so the money page says "payment processing" instead of offering to pay again.
    processing = funding_services.funding_checkout_check(funding=funding)
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
    if sponsor_side:
        return redirect("campaigns:sponsorship_detail", pk=funding.sponsorship_id)
    return redirect("payments:campaign_spend", pk=funding.campaign_id)


@login_required
def campaign_spend(request, pk):
    campaign, membership = campaign_selectors.campaign_for_member(user=request.user, pk=pk)
    # A payment made at Stripe whose webhook has not arrived yet shows as processing, not as unpaid.
    funding_services.fundings_check_open(campaign=campaign)
    context = selectors.campaign_spend(campaign=campaign)
    can_edit = membership.can_edit_org()
    context.update(
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "membership": membership,
            "can_fund": can_edit and context["fundable"] and context["needed"] > 0,
            "can_top_up": can_edit and context["fundable"],
        }
    )
    return render(request, "payments/campaign_spend.html", context)
