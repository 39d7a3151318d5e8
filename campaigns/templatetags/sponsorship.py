"""Sponsorship on the campaign pages: the NGO's panel on its manage page, and the sponsors' credit
(with a brand manager's offer button) on the public brief."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from brands.permissions import can_manage_org
from campaigns.forms.sponsorship import SponsorInviteForm
from campaigns.models import Campaign
from campaigns.selectors import sponsorships as selectors
from campaigns.services import sponsorship as services

register = template.Library()


def _is_cause(campaign: Campaign) -> bool:
    return campaign.kind == Campaign.Kind.CAUSE and campaign.organization.is_ngo


@register.simple_tag(takes_context=True)
def sponsorship_manage_panel(context, campaign, user):
    """The NGO's sponsors with their money, answers to offers, and the invite form. Cause
    campaigns of NGOs only; nothing (and no query) for any other brief."""
    if not _is_cause(campaign):
        return ""
    rows = selectors.campaign_sponsorships(campaign)
    can_edit = can_manage_org(user, campaign.organization_id)
    return render_to_string(
        "campaigns/sponsorship/_manage_panel.html",
        {
            "campaign": campaign,
            "rows": rows,
            "can_edit": can_edit,
            "refusal": services.campaign_refusal(campaign) if can_edit else None,
            "form": SponsorInviteForm(campaign=campaign) if can_edit else None,
        },
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def sponsor_credit(context, campaign):
    """ "Sponsored by Brand A and Brand B" with their logos (accepted sponsorships only), and for a
    brand's manager an offer button while the campaign takes sponsors."""
    if not _is_cause(campaign):
        return ""
    sponsors = selectors.sponsors_credited(campaign)
    request = context.get("request")
    user = getattr(request, "user", None)
    offer_url = ""
    if (
        user is not None
        and user.is_authenticated
        and not context.get("membership")
        and services.campaign_refusal(campaign) is None
        and selectors.brands_managed_by(user)
    ):
        offer_url = reverse("campaigns:sponsorship_offer", args=[campaign.pk])
    if not sponsors and not offer_url:
        return ""
    return render_to_string(
        "campaigns/sponsorship/_credit.html",
        {
            "sponsors": sponsors,
            "names": get_text_list([s.name for s in sponsors], _("and")),
            "offer_url": offer_url,
        },
        request=request,
    )
