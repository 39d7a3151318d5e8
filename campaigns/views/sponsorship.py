"""Web pages for brand sponsorships of NGO campaigns: the NGO invites, the brand offers, the other
side answers, the sponsor funds, and both follow the money. Views check the input, call one
service, and show what happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brands.selectors import organization_for_member
from campaigns.forms.sponsorship import SponsorFundForm, SponsorInviteForm, SponsorOfferForm
from campaigns.models import Campaign
from campaigns.selectors import browsing, organizations
from campaigns.selectors import sponsorships as selectors
from campaigns.services import sponsorship as services
from campaigns.views.common import GET_POST
from marketplace.errors import DomainError
from marketplace.money import format_money
from payments import gateway
from payments.services import funding as funding_services


def impact_url(campaign: Campaign) -> str:
    """The campaign's public impact page, when the analytics app provides it."""
    try:
        return reverse("analytics:impact", args=[campaign.pk])
    except NoReverseMatch:
        return ""


def _money(amount, campaign: Campaign) -> str:
    return format_money(amount, campaign.currency)


# The NGO invites a brand


@login_required
@GET_POST
def sponsorship_invite(request, pk):
    campaign, membership = organizations.campaign_for_member(user=request.user, pk=pk)
    if request.method == "POST" and not membership.can_edit_org():
        return render(
            request,
            "brands/forbidden.html",
            {
                "organization": campaign.organization,
                "message": _("Only owners and managers of the organization invite sponsors."),
            },
            status=403,
        )
    form = SponsorInviteForm(request.POST or None, campaign=campaign)
    refusal = services.campaign_refusal(campaign)
    if request.method == "POST" and form.is_valid():
        try:
            sponsor = selectors.brand_for_sponsorship(form.cleaned_data["sponsor"])
            sponsorship = services.sponsorship_invite(
                campaign=campaign,
                sponsor=sponsor,
                amount=form.cleaned_data["amount"],
                message=form.cleaned_data["message"],
                by_user=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _("%(sponsor)s is invited to sponsor “%(campaign)s” with %(amount)s.")
                % {
                    "sponsor": sponsor.name,
                    "campaign": campaign.title,
                    "amount": _money(sponsorship.amount, campaign),
                },
            )
            return redirect("campaigns:campaign_manage", pk=campaign.pk)
    return render(
        request,
        "campaigns/sponsorship/invite.html",
        {
            "campaign": campaign,
            "organization": campaign.organization,
            "membership": membership,
            "form": form,
            "refusal": refusal,
        },
    )


# A brand offers


@login_required
@GET_POST
def sponsorship_offer(request, pk):
    campaign = browsing.brief_for_viewer(user=request.user, pk=pk)
    brands = selectors.brands_managed_by(request.user)
    form = SponsorOfferForm(request.POST or None, campaign=campaign, brands=brands)
    refusal = services.campaign_refusal(campaign)
    if request.method == "POST" and brands and form.is_valid():
        sponsor = form.brands[form.cleaned_data["sponsor"]]
        try:
            sponsorship = services.sponsorship_offer(
                campaign=campaign,
                sponsor=sponsor,
                amount=form.cleaned_data["amount"],
                message=form.cleaned_data["message"],
                by_user=request.user,
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request,
                _(
                    "Your offer of %(amount)s is sent to %(ngo)s. You can fund the campaign once they accept it."
                )
                % {"amount": _money(sponsorship.amount, campaign), "ngo": campaign.organization.name},
            )
            return redirect("campaigns:sponsorship_detail", pk=sponsorship.pk)
    return render(
        request,
        "campaigns/sponsorship/offer.html",
        {"campaign": campaign, "form": form, "brands": brands, "refusal": refusal},
        status=403 if request.method == "POST" and not brands else 200,
    )


# One sponsorship, seen by either side


def _detail(
    request: HttpRequest, access: selectors.SponsorshipAccess, *, fund_form=None, status=200
) -> HttpResponse:
    sponsorship = access.sponsorship
    campaign = sponsorship.campaign
    spend = selectors.sponsorship_spend(sponsorship)
    can_fund = selectors.sponsor_can_fund(access, spend)
    if can_fund and fund_form is None:
        fund_form = SponsorFundForm(campaign=campaign, left=spend.left_to_fund)
    fundings, refunds = selectors.sponsorship_payments(sponsorship)
    return render(
        request,
        "campaigns/sponsorship/detail.html",
        {
            "sponsorship": sponsorship,
            "campaign": campaign,
            "access": access,
            "spend": spend,
            "needed": funding_services.funding_needed(campaign) if can_fund else None,
            "fee_rate_percent": format((funding_services.fee_rate(campaign) * 100).normalize(), "f"),
            "can_fund": can_fund,
            "fund_form": fund_form if can_fund else None,
            "fundings": fundings,
            "refunds": refunds,
            "brief_visible": campaign.status != Campaign.Status.DRAFT or not access.is_sponsor,
            "impact_url": impact_url(campaign) if campaign.status != Campaign.Status.DRAFT else "",
        },
        status=status,
    )


@login_required
def sponsorship_detail(request, pk):
    return _detail(request, selectors.sponsorship_for_member(user=request.user, pk=pk))


def _answer(request: HttpRequest, pk: int, call, success: str) -> HttpResponse:
    access = selectors.sponsorship_for_member(user=request.user, pk=pk)
    try:
        call(sponsorship=access.sponsorship, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    if access.side == selectors.SIDE_NGO and request.POST.get("back") == "manage":
        return redirect("campaigns:campaign_manage", pk=access.sponsorship.campaign_id)
    return redirect("campaigns:sponsorship_detail", pk=pk)


@login_required
@require_POST
def sponsorship_accept(request, pk):
    return _answer(request, pk, services.sponsorship_accept, _("Sponsorship accepted."))


@login_required
@require_POST
def sponsorship_decline(request, pk):
    return _answer(request, pk, services.sponsorship_decline, _("Sponsorship declined."))


@login_required
@require_POST
def sponsorship_withdraw(request, pk):
    return _answer(request, pk, services.sponsorship_withdraw, _("Sponsorship withdrawn."))


@login_required
@require_POST
def sponsorship_fund(request, pk):
    """The sponsor pays into the campaign's escrow through Stripe Checkout."""
    access = selectors.sponsorship_for_member(user=request.user, pk=pk)
    campaign = access.sponsorship.campaign
    spend = selectors.sponsorship_spend(access.sponsorship)
    form = SponsorFundForm(request.POST, campaign=campaign, left=spend.left_to_fund)
    if not form.is_valid():
        return _detail(request, access, fund_form=form)
    try:
        funding = funding_services.sponsor_funding_start(
            sponsorship=access.sponsorship,
            by_user=request.user,
            amount=form.cleaned_data["amount"],
            site_url=request.build_absolute_uri("/"),
        )
    except DomainError as error:
        if not (access.is_sponsor and access.can_edit):
            # No payment form on this side's page: say why on the page instead.
            messages.error(request, error.message)
            return redirect("campaigns:sponsorship_detail", pk=pk)
        form.add_domain_error(error)
        return _detail(request, access, fund_form=form)
    except gateway.GatewayError as error:
        messages.error(request, error.message)
        return redirect("campaigns:sponsorship_detail", pk=pk)
    return redirect(funding.checkout_url)


# An organization's sponsorships


@login_required
def org_sponsorships(request, slug):
    organization, membership = organization_for_member(user=request.user, slug=slug)
    rows = selectors.organization_sponsorships(organization)
    return render(
        request,
        "campaigns/sponsorship/org_sponsorships.html",
        {
            "organization": organization,
            "membership": membership,
            "section": "sponsorships",
            "rows": [(row, impact_url(row.sponsorship.campaign)) for row in rows],
        },
    )
