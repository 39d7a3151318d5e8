"""{% load payments_pages %}: the money line other pages show, read from the ledger."""

from django import template

from payments import selectors

register = template.Library()


@register.simple_tag
def campaign_money(campaign):
    """{% campaign_money campaign as money %} → funded, needed, currency, is_paid (2 queries)."""
    return selectors.campaign_money_line(campaign=campaign)
