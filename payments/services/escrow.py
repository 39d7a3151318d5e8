"""Collaboration escrow: the hooks the campaigns app calls (re-exported by payments.services).

In ledger terms (see payments/ledger.py for signs):
- accepting a paid collaboration reserves its fee inside the escrow (refused when not funded);
- a cancelled collaboration releases it; a completed one makes it owed to the creator and opens
  a payout request for staff review (payments.services.payouts).

Funding is in payments.services.funding, refunds in payments.services.refunds.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Collaboration
from marketplace.errors import DomainError
from marketplace.money import format_money
from payments.ledger import Leg, escrow_available, escrow_reserved, post
from payments.models import Account, LedgerTransaction, Payout
from payments.services.funding import (
    fee_rate,
    funding_confirm,
    funding_needed,
    funding_record_offline,
    funding_record_paid,
    funding_start,
    funding_state,
    funding_top_ups,
)
from payments.services.refunds import campaign_refund_unspent

# The funding and refund names above are re-exported for the old import path, which tests and
# campaigns/views/offers.py still use; new code imports them from their own module.
__all__ = [
    "FundingRequired",
    "campaign_refund_unspent",
    "collaboration_fee_release",
    "collaboration_fee_reserve",
    "collaboration_payable",
    "fee_rate",
    "funding_confirm",
    "funding_needed",
    "funding_record_offline",
    "funding_record_paid",
    "funding_start",
    "funding_state",
    "funding_top_ups",
]

Kind = LedgerTransaction.Kind


class FundingRequired(DomainError):
    code = "funding_required"


def collaboration_fee_reserve(*, collaboration: Collaboration, by_user) -> None:
    """Reserve the agreed fee for a just-accepted collaboration, inside the acceptance transaction
    (which holds the campaign row lock, so two acceptances cannot spend the same money)."""
    if collaboration.fee <= 0:
        return
    campaign = collaboration.campaign
    available = escrow_available(campaign_id=campaign.pk, currency=collaboration.currency)
    if available < collaboration.fee:
        raise FundingRequired(
            _(
                "Fund this campaign first: accepting needs %(fee)s in escrow and %(available)s is "
                "available. Fund it, or top it up for this offer, on the campaign's money page."
            )
            % {
                "fee": format_money(collaboration.fee, collaboration.currency),
                "available": format_money(available, collaboration.currency),
            }
        )
    post(
        kind=Kind.RESERVE,
        reference=f"reserve:{collaboration.pk}",
        currency=collaboration.currency,
        campaign_id=campaign.pk,
        collaboration_id=collaboration.pk,
        by_user=by_user,
        legs=[
            Leg(Account.CAMPAIGN_ESCROW, collaboration.fee, campaign.pk),
            Leg(Account.CAMPAIGN_ESCROW, -collaboration.fee, campaign.pk, collaboration.pk),
        ],
    )


def collaboration_fee_release(*, collaboration: Collaboration, by_user, refund: bool = True) -> None:
    """A cancelled collaboration's reserved fee goes back to the campaign's available escrow, and
    to the brand (`refund`) when the campaign no longer takes creators."""
    reserved = escrow_reserved(collaboration_id=collaboration.pk)
    if reserved <= 0:
        return
    campaign_id = collaboration.campaign_id
    post(
        kind=Kind.RELEASE,
        reference=f"release:{collaboration.pk}",
        currency=collaboration.currency,
        campaign_id=campaign_id,
        collaboration_id=collaboration.pk,
        by_user=by_user,
        legs=[
            Leg(Account.CAMPAIGN_ESCROW, reserved, campaign_id, collaboration.pk),
            Leg(Account.CAMPAIGN_ESCROW, -reserved, campaign_id),
        ],
    )
    campaign = Campaign.objects.get(pk=campaign_id)
    if refund and campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
        campaign_refund_unspent(campaign=campaign, by_user=by_user)


def collaboration_payable(*, collaboration: Collaboration) -> Payout | None:
    """A completed collaboration: its reserved fee becomes owed to the creator, and a payout
    request waits for staff review. Idempotent (the ledger reference and the live-payout rule)."""
    reserved = escrow_reserved(collaboration_id=collaboration.pk)
    if reserved <= 0:
        return None
    campaign_id = collaboration.campaign_id
    with transaction.atomic():
        posted = post(
            kind=Kind.PAYABLE,
            reference=f"payable:{collaboration.pk}",
            currency=collaboration.currency,
            campaign_id=campaign_id,
            collaboration_id=collaboration.pk,
            legs=[
                Leg(Account.CAMPAIGN_ESCROW, reserved, campaign_id, collaboration.pk),
                Leg(
                    Account.CREATOR_PAYABLE,
                    -reserved,
                    campaign_id,
                    collaboration.pk,
                    collaboration.creator_id,
                ),
            ],
        )
        if posted is None:
            return None
        from payments.services.payouts import payout_request

        return payout_request(collaboration=collaboration, amount=reserved)
