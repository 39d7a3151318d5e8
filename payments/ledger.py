"""Posting to the double-entry ledger, and reading balances from it.

Signs: a debit is positive, a credit negative; every transaction sums to zero per currency.
Liability accounts (escrow, creator payable, refunds, revenue) therefore hold negative sums; the
readers below turn them into the positive amounts people talk about.

Dimensions: escrow entries carry the campaign, and the collaboration when the money is reserved for
one; payable entries carry the creator and the collaboration.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from .models import Account, LedgerEntry, LedgerTransaction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Leg:
    account: str
    amount: Decimal
    campaign_id: int | None = None
    collaboration_id: int | None = None
    creator_id: int | None = None


class Unbalanced(ValueError):
    pass


def post(
    *,
    kind: str,
    reference: str,
    currency: str,
    legs: list[Leg],
    campaign_id: int | None = None,
    collaboration_id: int | None = None,
    memo: str = "",
    by_user=None,
    sponsor_id: int | None = None,
) -> LedgerTransaction | None:
    """Write one balanced transaction; returns None when `reference` is already posted.

    The unique reference makes posting idempotent: a retried task or a redelivered webhook finds
    its transaction there and moves nothing twice.
    """
    legs = [
        Leg(leg.account, money(leg.amount), leg.campaign_id, leg.collaboration_id, leg.creator_id)
        for leg in legs
    ]
    legs = [leg for leg in legs if leg.amount != 0]
    if not legs:
        return None
    total = sum((leg.amount for leg in legs), ZERO)
    if total != 0:
        raise Unbalanced(f"{kind} {reference}: legs sum to {total} {currency}, not 0")
    with transaction.atomic():
        if LedgerTransaction.objects.filter(reference=reference).exists():
            return None
        try:
            with transaction.atomic():
                posted = LedgerTransaction.objects.create(
                    kind=kind,
                    reference=reference,
                    campaign_id=campaign_id,
                    collaboration_id=collaboration_id,
                    memo=memo[:300],
                    sponsor_id=sponsor_id,
                    created_by=by_user if by_user is not None and by_user.is_authenticated else None,
                )
        except IntegrityError:
            return None  # posted a moment ago by a concurrent run
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                transaction=posted,
                account=leg.account,
                amount=leg.amount,
                currency=currency,
                campaign_id=leg.campaign_id,
                collaboration_id=leg.collaboration_id,
                creator_id=leg.creator_id,
            )
            for leg in legs
        )
    return posted


def _sum(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(total=Sum("amount"))["total"] or ZERO


def escrow_available(*, campaign_id: int, currency: str) -> Decimal:
    """Funded and not reserved for any collaboration."""
    return -_sum(
        account=Account.CAMPAIGN_ESCROW,
        campaign_id=campaign_id,
        collaboration__isnull=True,
        currency=currency,
    )


def escrow_reserved(*, collaboration_id: int) -> Decimal:
    """Held in escrow for this collaboration (reserved, not yet owed to the creator)."""
    return -_sum(account=Account.CAMPAIGN_ESCROW, collaboration_id=collaboration_id)


def creator_payable(*, collaboration_id: int) -> Decimal:
    """Owed to the creator for this collaboration and not yet sent."""
    return -_sum(account=Account.CREATOR_PAYABLE, collaboration_id=collaboration_id)


def campaign_totals(*, campaign_id: int) -> dict[str, dict[str, Decimal]]:
    """Per currency: funded, available, reserved, owed, paid, refunded, fees — all from the ledger.

    Owed and paid cover fees and commissions alike; `commissions` is what the escrow paid into
    creator payable for commissions (docs/money.md, "Commissions"), so fee money can be told apart.
    """
    totals: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(
            ("funded", "available", "reserved", "owed", "paid", "refunded", "fees", "commissions"), ZERO
        )
    )
    rows = (
        LedgerEntry.objects.filter(campaign_id=campaign_id)
        .values("transaction__kind", "account", "currency", "collaboration_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        kind, account, currency, amount = (
            row["transaction__kind"],
            row["account"],
            row["currency"],
            row["total"],
        )
        line = totals[currency]
        if account == Account.CAMPAIGN_ESCROW:
            if row["collaboration_id"] is None:
                line["available"] -= amount
            else:
                line["reserved"] -= amount
            if kind in (LedgerTransaction.Kind.FUNDING, LedgerTransaction.Kind.SPONSOR_FUNDING):
                line["funded"] -= amount
            elif kind == LedgerTransaction.Kind.COMMISSION_PAYABLE:
                line["commissions"] += amount
        elif account == Account.CREATOR_PAYABLE:
            line["owed"] -= amount
            if kind in (LedgerTransaction.Kind.PAYOUT, LedgerTransaction.Kind.PAYOUT_REVERSAL):
                line["paid"] += amount
        elif account == Account.PLATFORM_REVENUE:
            line["fees"] -= amount
        elif account == Account.REFUNDS and kind == LedgerTransaction.Kind.REFUND_PAID:
            line["refunded"] += amount
    return dict(totals)
