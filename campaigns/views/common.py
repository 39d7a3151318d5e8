"""What the application and invitation pages share: running one service call, and whether the
organization can accept an offer now (slots, escrow) and why not."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns.models import Campaign
from campaigns.services.collaborations import acceptance_refusal, slots_taken
from marketplace.errors import DomainError
from marketplace.money import format_money
from payments.services import funding

GET_POST = require_http_methods(["GET", "POST"])


def _attempt(request: HttpRequest, call: Callable[[], object], success: str) -> None:
    """Run one service call; show its refusal as an error, or `success`."""
    try:
        call()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


def _acceptance(campaign: Campaign) -> dict:
    """Whether the organization can accept anyone on the campaign now, and why not (a fixed number
    of queries): the slots taken, a campaign-wide reason, and the escrow and its top-ups."""
    taken = slots_taken(campaign)
    reason = acceptance_refusal(campaign, taken=taken)
    acceptance = {"taken": taken, "reason": reason, "state": None, "top_ups": {}}
    if not reason and campaign.is_paid:
        state = funding.funding_state(campaign)
        acceptance["state"] = state
        acceptance["top_ups"] = {t.offer: t for t in funding.funding_top_ups(campaign, state=state)}
    return acceptance


def _accept_block(acceptance: dict, *, campaign: Campaign, offer: str, fee) -> dict:
    """Why Accept is disabled for one offer ("" when it is not), and where the money is found."""
    block = {"reason": acceptance["reason"], "top_up": None, "money_link": False}
    if block["reason"]:
        return block
    if not campaign.is_paid:
        if fee > 0:
            block["reason"] = _("A volunteer brief pays no fee: decline this offer.")
        return block
    state = acceptance["state"]
    available = state.totals["available"]
    if fee <= available:
        return block
    block["money_link"] = True
    block["top_up"] = acceptance["top_ups"].get(offer)
    if block["top_up"] is not None:
        block["reason"] = _("Accepting needs %(amount)s more in escrow. Top it up first.") % {
            "amount": format_money(block["top_up"].amount, campaign.currency)
        }
    elif state.processing > 0:
        block["reason"] = _("Stripe is confirming your payment. Accept once it is in escrow.")
    else:
        block["reason"] = _(
            "Fund the campaign first: accepting needs %(fee)s in escrow and %(available)s is available."
        ) % {
            "fee": format_money(fee, campaign.currency),
            "available": format_money(available, campaign.currency),
        }
    return block
