"""Reads for commissions on the money pages (payments.services.commissions writes them).

Each function runs a fixed number of queries, whatever the number of rows. An accrual is "payable"
once the ledger holds its COMMISSION_PAYABLE posting, "waiting" while the escrow does not cover it,
and "none" when nothing was earned.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from campaigns.models import Campaign
from creators.models import CreatorProfile
from payments.ledger import ZERO
from payments.models import Account, CommissionAccrual, LedgerEntry, LedgerTransaction, Payout
from payments.selectors import PENDING, SENDING
from tracking.models import Conversion, TrackingSettings

S = Payout.Status
PAYABLE, WAITING, NOTHING = "payable", "waiting", "none"


def _with_state(accruals: QuerySet[CommissionAccrual]) -> QuerySet[CommissionAccrual]:
    posted = LedgerTransaction.objects.filter(
        kind=LedgerTransaction.Kind.COMMISSION_PAYABLE, collaboration_id=OuterRef("collaboration_id")
    )
    return accruals.annotate(posted=Exists(posted))


def accrual_state(accrual: CommissionAccrual) -> str:
    """payable, waiting (for funding) or none; `accrual` comes from a query annotated with `posted`."""
    if accrual.amount <= 0:
        return NOTHING
    return PAYABLE if accrual.posted else WAITING


@dataclass
class CommissionTotals:
    """One currency's commissions: owed (payable, not paid yet), waiting for funding, paid."""

    currency: str
    owed: Decimal = ZERO
    waiting: Decimal = ZERO
    paid: Decimal = ZERO
    conversions: int = 0

    @property
    def any(self) -> bool:
        return bool(self.owed or self.waiting or self.paid or self.conversions)


@dataclass
class CommissionSummary:
    totals: list[CommissionTotals] = field(default_factory=list)
    accruals: list[CommissionAccrual] = field(default_factory=list)


def _summarise(accruals: list[CommissionAccrual], payouts: QuerySet[Payout]) -> list[CommissionTotals]:
    """Owed = what became payable, less commission payouts paid and those closed without paying
    (their amount went back to the escrow)."""
    lines: dict[str, CommissionTotals] = {}

    def line(currency: str) -> CommissionTotals:
        return lines.setdefault(currency, CommissionTotals(currency=currency))

    for accrual in accruals:
        target = line(accrual.currency)
        target.conversions += accrual.conversions
        state = accrual_state(accrual)
        if state == PAYABLE:
            target.owed += accrual.amount
        elif state == WAITING:
            target.waiting += accrual.amount
    rows = (
        payouts.filter(kind=Payout.Kind.COMMISSION, status__in=[S.PAID, S.CLOSED])
        .values("currency", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        target = line(row["currency"])
        target.owed -= row["total"]
        if row["status"] == S.PAID:
            target.paid += row["total"]
    return [lines[currency] for currency in sorted(lines)]


def creator_commissions(*, creator: CreatorProfile) -> CommissionSummary:
    """The creator's commissions per currency, and each accrual with its campaign. 2 queries."""
    accruals = list(
        _with_state(CommissionAccrual.objects.filter(collaboration__creator=creator))
        .select_related("collaboration__campaign__organization")
        .order_by("-created_at", "-pk")
    )
    return CommissionSummary(
        totals=_summarise(accruals, Payout.objects.filter(creator=creator)), accruals=accruals
    )


def campaign_commissions(*, campaign: Campaign) -> dict[str, Any]:
    """For the campaign's money page: the commission terms, totals, each accrual with its creator,
    and the commissions still counting (collaborations whose window is open). 4 queries."""
    tracking = TrackingSettings.objects.filter(campaign=campaign).first()
    accruals = list(
        _with_state(CommissionAccrual.objects.filter(collaboration__campaign=campaign))
        .select_related("collaboration__creator")
        .order_by("-created_at", "-pk")
    )
    totals = _summarise(accruals, Payout.objects.filter(collaboration__campaign=campaign))
    counting = Conversion.objects.filter(
        campaign=campaign,
        collaboration__isnull=False,
        collaboration__commission_accrual__isnull=True,
        commission__isnull=False,
    ).aggregate(total=Sum("commission"), count=Count("pk"))
    line = next((t for t in totals if t.currency == campaign.currency), None)
    return {
        "tracking": tracking,
        "has_commission": bool(tracking and tracking.has_commission),
        "window_days": tracking.attribution_window_days if tracking else None,
        "totals": line or CommissionTotals(currency=campaign.currency),
        "accruals": accruals,
        "counting": counting["total"] or ZERO,
        "counting_conversions": counting["count"],
    }


def payout_accrual(*, payout: Payout) -> CommissionAccrual | None:
    """The accrual a commission payout pays (None for a fee payout). 1 query."""
    if payout.kind != Payout.Kind.COMMISSION:
        return None
    return _with_state(CommissionAccrual.objects.filter(collaboration_id=payout.collaboration_id)).first()


@dataclass
class KindEarnings:
    """One kind (fee or commission) of a creator's earnings in one currency, as the earnings API
    reports them: owed from the ledger, payouts by stage, and (commissions) waiting for funding."""

    owed: Decimal = ZERO  # creator payable for this kind: earned, not sent yet
    pending: Decimal = ZERO  # payouts waiting for review or on hold
    sending: Decimal = ZERO  # approved, being sent, or being checked with Stripe
    paid: Decimal = ZERO
    failed: Decimal = ZERO
    waiting: Decimal = ZERO  # commissions only: accrued, the campaign's escrow does not cover them yet


@dataclass
class SplitEarnings:
    currency: str
    fees: KindEarnings = field(default_factory=KindEarnings)
    commissions: KindEarnings = field(default_factory=KindEarnings)


def creator_earnings_by_kind(*, creator: CreatorProfile) -> list[SplitEarnings]:
    """Per currency (sorted by code), the creator's fees and commissions apart, so a figure never
    mixes the two. Each creator-payable leg belongs to one kind through its posting: the fee's or
    the commission's payable, or a payout of that kind (payout:<id>:…, payout-reversal:<id>:…,
    payable-returned:<id>). 4 queries."""
    Kind = LedgerTransaction.Kind
    lines: dict[str, SplitEarnings] = {}

    def line(currency: str) -> SplitEarnings:
        return lines.setdefault(currency, SplitEarnings(currency=currency))

    commission_payouts = {
        str(pk)
        for pk in Payout.objects.filter(creator=creator, kind=Payout.Kind.COMMISSION).values_list(
            "pk", flat=True
        )
    }
    legs = (
        LedgerEntry.objects.filter(account=Account.CREATOR_PAYABLE, creator=creator)
        .values("currency", "transaction__kind", "transaction__reference")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    payout_postings = (Kind.PAYOUT, Kind.PAYOUT_REVERSAL, Kind.PAYABLE_RETURNED)
    for leg in legs:
        posting, reference = leg["transaction__kind"], leg["transaction__reference"]
        is_commission = posting == Kind.COMMISSION_PAYABLE or (
            posting in payout_postings and reference.split(":")[1] in commission_payouts
        )
        target = line(leg["currency"])
        part = target.commissions if is_commission else target.fees
        part.owed -= leg["total"]  # creator payable is a liability: credits are what we owe
    stages = (
        Payout.objects.filter(creator=creator)
        .values("currency", "kind", "status")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in stages:
        target = line(row["currency"])
        part = target.commissions if row["kind"] == Payout.Kind.COMMISSION else target.fees
        status, total = row["status"], row["total"]
        if status in PENDING:
            part.pending += total
        elif status in SENDING:
            part.sending += total
        elif status == S.PAID:
            part.paid += total
        elif status == S.FAILED:
            part.failed += total
    waiting = (
        _with_state(CommissionAccrual.objects.filter(collaboration__creator=creator))
        .filter(posted=False, amount__gt=0)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in waiting:
        line(row["currency"]).commissions.waiting += row["total"]
    return [lines[currency] for currency in sorted(lines)]
