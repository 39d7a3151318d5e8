"""Reads for the money pages. Each function runs a fixed number of queries, whatever the row count.

Balances come from the ledger (payments.ledger); payouts add where each request stands.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, QuerySet, Sum

from campaigns.models import Campaign, CollaborationDeliverable
from campaigns.visibility import as_creator, as_organization
from creators.models import CreatorProfile
from marketplace import permissions as staff_permissions
from marketplace.callers import Caller, may_use_staff_role, person_of
from marketplace.models import AuditEvent
from payments.ledger import ZERO, money
from payments.models import Account, CampaignFunding, CampaignRefund, ConnectedAccount, LedgerEntry, Payout
from payments.services import funding
from platforms.selectors import post_evidence

S = Payout.Status

# How the earnings page groups payout statuses (rejected ones are listed, not summed).
PENDING = (S.REQUESTED, S.HELD)
SENDING = (S.APPROVED, S.PROCESSING, S.UNKNOWN)

# The staff queue's filter: "review" (the default) is what needs a decision.
QUEUE_REVIEW = "review"
QUEUE_ALL = "all"


# Visibility: what the caller (a user, or an API principal) may see of the money


def fundings_visible_to(caller: Caller | None) -> QuerySet[CampaignFunding]:
    """Fundings of the caller's organizations' campaigns (members only; a key: its own)."""
    return CampaignFunding.objects.filter(as_organization(caller))


def payouts_visible_to(caller: Caller | None) -> QuerySet[Payout]:
    """A creator's own payouts; every payout for a payout reviewer (on the web the staff pages ask
    for MFA first; through the API only a staff session verified with MFA). Organization API
    keys see none: payouts are the creator's money."""
    user = person_of(caller)
    if staff_permissions.can_review_payouts(user) and may_use_staff_role(caller):
        return Payout.objects.all()
    return Payout.objects.filter(as_creator(caller))


# Creator earnings


@dataclass
class CurrencyEarnings:
    """One currency's line on the earnings page."""

    currency: str
    owed: Decimal = ZERO  # the creator payable balance: earned, not sent yet
    pending: Decimal = ZERO  # payouts waiting for review or on hold
    sending: Decimal = ZERO  # approved, being sent, or being checked with Stripe
    paid: Decimal = ZERO
    failed: Decimal = ZERO


def creator_earnings(*, creator: CreatorProfile) -> list[CurrencyEarnings]:
    """Per currency (sorted by code): owed from the ledger, then payout amounts by stage. 2 queries."""
    lines: dict[str, CurrencyEarnings] = {}

    def line(currency: str) -> CurrencyEarnings:
        return lines.setdefault(currency, CurrencyEarnings(currency=currency))

    owed_rows = (
        LedgerEntry.objects.filter(account=Account.CREATOR_PAYABLE, creator=creator)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in owed_rows:
        # Creator payable is a liability: credits (negative) are what we owe.
        line(row["currency"]).owed = money(-row["total"])
    payout_rows = (
        Payout.objects.filter(creator=creator)
        .values("currency", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in payout_rows:
        status, total = row["status"], row["total"]
        target = line(row["currency"])
        if status in PENDING:
            target.pending += total
        elif status in SENDING:
            target.sending += total
        elif status == S.PAID:
            target.paid += total
        elif status == S.FAILED:
            target.failed += total
    return [lines[currency] for currency in sorted(lines)]


def creator_payouts(*, creator: CreatorProfile) -> QuerySet[Payout]:
    """The creator's payouts, newest first, with what each row shows loaded."""
    return (
        Payout.objects.filter(creator=creator)
        .select_related("collaboration__campaign__organization")
        .order_by("-created_at", "-pk")
    )


def creator_stripe_account(*, creator: CreatorProfile) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(creator=creator).first()


# Campaign spend


def campaign_spend(*, campaign: Campaign) -> dict[str, Any]:
    """The campaign's money in its currency: ledger totals, what it still needs (nothing once it is
    closed or cancelled), payments being confirmed, offers that need a top-up, the fee, and its
    fundings and refunds. 7 queries."""
    state = funding.funding_state(campaign)
    needed = state.needed
    rate = funding.fee_rate(campaign)
    fee_on_needed = money(needed * rate)
    return {
        "totals": state.totals,
        "processing": state.processing,
        "fundable": state.fundable,
        "open_slots": state.open_slots,
        "brief_fee": state.brief_fee,
        "needed": needed,
        "fee_rate": rate,
        "fee_percent": format((rate * 100).normalize(), "f"),
        "fee_on_needed": fee_on_needed,
        "checkout_total": needed + fee_on_needed,
        "top_ups": funding.funding_top_ups(campaign, state=state),
        "fundings": list(
            CampaignFunding.objects.filter(campaign=campaign)
            .select_related("created_by")
            .order_by("-created_at", "-pk")
        ),
        "refunds": list(CampaignRefund.objects.filter(campaign=campaign).order_by("-created_at", "-pk")),
    }


def campaign_money_line(*, campaign: Campaign) -> dict[str, Any]:
    """For the campaign page's "Money" line: funded, still needed (only while it can take money),
    being confirmed, and how many offers need a top-up, in the campaign currency."""
    state = funding.funding_state(campaign)
    return {
        "funded": state.totals["funded"],
        "needed": state.needed,
        "processing": state.processing,
        "fundable": state.fundable,
        "top_ups": len(funding.funding_top_ups(campaign, state=state)),
        "currency": campaign.currency,
        "is_paid": campaign.is_paid,
    }


# Staff review


def queue_statuses(choice: str) -> tuple[str, ...]:
    """The payout statuses a queue filter shows: "review" (requested + held), "all", or one status."""
    if choice == QUEUE_ALL:
        return tuple(S.values)
    if choice in S.values:
        return (choice,)
    return PENDING


def payout_queue(*, status: str = QUEUE_REVIEW) -> QuerySet[Payout]:
    """Payouts for the staff queue, newest first, with creator, campaign, organization and Stripe
    readiness joined in (one query per page, whatever its length)."""
    return (
        Payout.objects.filter(status__in=queue_statuses(status))
        .select_related(
            "creator__stripe_account",
            "collaboration__campaign__organization",
        )
        .order_by("-created_at", "-pk")
    )


def payout_evidence(*, payout_id: int) -> dict[str, Any] | None:
    """What staff check before paying: the collaboration, each deliverable with its draft rounds,
    published link and brand confirmation, the ledger entries and the payout's audit trail.
    None when there is no such payout."""
    payout = (
        Payout.objects.select_related(
            "creator__user",
            "creator__stripe_account",
            "collaboration__campaign__organization",
            "reviewed_by",
        )
        .filter(pk=payout_id)
        .first()
    )
    if payout is None:
        return None
    collaboration = payout.collaboration
    deliverables = list(
        CollaborationDeliverable.objects.filter(collaboration=collaboration)
        .select_related("spec")
        .annotate(draft_count=Count("submissions"))
    )
    ledger_entries = list(
        LedgerEntry.objects.filter(collaboration=collaboration)
        .select_related("transaction")
        .order_by("transaction__created_at", "pk")
    )
    audit_events = list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Payout), target_id=str(payout.pk)
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    return {
        "payout": payout,
        "collaboration": collaboration,
        "campaign": collaboration.campaign,
        "stripe_account": getattr(payout.creator, "stripe_account", None),
        "deliverables": deliverables,
        "draft_rounds": sum(d.draft_count for d in deliverables),
        # The creator's own posts read from their connected account, with the platform's numbers.
        "post_evidence": post_evidence(deliverable_ids=[d.pk for d in deliverables]),
        "ledger_entries": ledger_entries,
        "audit_events": audit_events,
    }
