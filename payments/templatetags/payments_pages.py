"""{% load payments_pages %}: the money line other pages show, read from the ledger, and the payout
history's labels."""

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from payments import selectors
from payments.models import Payout

register = template.Library()


@register.simple_tag
def campaign_money(campaign):
    """{% campaign_money campaign as money %} → funded, needed, currency, is_paid (2 queries)."""
    return selectors.campaign_money_line(campaign=campaign)


# The payout history (audit events) in words: actions and statuses are stored as keys.
PAYOUT_ACTIONS = {
    "payout.requested": _("Payout requested"),
    "payout.approved": _("Approved"),
    "payout.rejected": _("Rejected"),
    "payout.held": _("Put on hold"),
    "payout.sending": _("Sent to Stripe"),
    "payout.paid": pgettext_lazy("money", "Paid"),
    "payout.failed": _("Stripe did not accept the transfer"),
    "payout.unknown": _("No clear answer from Stripe; checking"),
    "payout.reversed": _("Transfer reversed at Stripe"),
    "payout.retried": _("Retried"),
    "payout.closed": _("Closed without paying"),
}


@register.filter
def payout_action(action: str) -> str:
    """{{ event.action|payout_action }}: "payout.requested" → "Payout requested"."""
    return str(PAYOUT_ACTIONS.get(action, action))


@register.filter
def payout_status(status: str) -> str:
    """{{ event.to_status|payout_status }}: a payout status key → its display name ("" stays "")."""
    if not status:
        return ""
    try:
        return str(Payout.Status(status).label)
    except ValueError:
        return status
