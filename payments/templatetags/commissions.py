"""{% load commissions %}: the campaign money page's commissions section."""

from django import template
from django.template.loader import render_to_string

from payments import commission_selectors

register = template.Library()


@register.simple_tag
def campaign_commissions(campaign):
    """{% campaign_commissions campaign %}: commission terms, owed / waiting / paid and each accrual;
    nothing for a campaign that never had commissions (4 queries)."""
    context = commission_selectors.campaign_commissions(campaign=campaign)
    if not context["has_commission"] and not context["accruals"]:
        return ""
    return render_to_string("payments/_campaign_commissions.html", {"campaign": campaign, **context})
