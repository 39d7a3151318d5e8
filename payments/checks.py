"""Ledger invariants and reconciliation with Stripe, as plain findings (ledger_check prints them)."""

from collections.abc import Iterator

from django.db.models import Count, Sum

from payments import gateway
from payments.ledger import money
from payments.models import Account, CampaignFunding, LedgerEntry, LedgerTransaction, Payout

Kind = LedgerTransaction.Kind


def _unbalanced() -> Iterator[str]:
    rows = (
        LedgerEntry.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id")
    )
    for row in rows:
        if money(row["total"]) == 0:
            continue  # SQLite sums decimals as floats: -9.09e-13 is a balanced transaction
        yield f"transaction {row['transaction_id']} does not balance in {row['currency']}: {row['total']}"
    for posted in LedgerTransaction.objects.annotate(legs=Count("entries")).filter(legs__lt=2):
        yield f"transaction {posted.pk} ({posted.reference}) has {posted.legs} leg(s)"


def _negative_balances() -> Iterator[str]:
    """Liabilities must never turn into assets: nobody owes us escrow or a creator's fee."""
    groupings = [
        (Account.CAMPAIGN_ESCROW, ("campaign_id", "collaboration_id", "currency"), "escrow"),
        (Account.CREATOR_PAYABLE, ("collaboration_id", "currency"), "creator payable"),
        (Account.REFUNDS, ("campaign_id", "currency"), "refunds due"),
    ]
    for account, keys, label in groupings:
        rows = (
            LedgerEntry.objects.filter(account=account)
            .values(*keys)
            .annotate(total=Sum("amount"))
            .filter(total__gt=0)
            .order_by(*keys)
        )
        for row in rows:
            where = ", ".join(f"{key}={row[key]}" for key in keys)
            yield f"{label} is negative ({-row['total']}) for {where}"


def _fundings() -> Iterator[str]:
    posted = set(
        LedgerTransaction.objects.filter(kind__in=(Kind.FUNDING, Kind.SPONSOR_FUNDING)).values_list(
            "reference", flat=True
        )
    )
    for funding in CampaignFunding.objects.filter(status=CampaignFunding.Status.PAID).only("pk"):
        if f"funding:{funding.pk}" not in posted:
            yield f"funding {funding.pk} is paid but never reached the ledger"


def _payouts() -> Iterator[str]:
    sent = set(LedgerTransaction.objects.filter(kind=Kind.PAYOUT).values_list("reference", flat=True))
    reversed_ = set(
        LedgerTransaction.objects.filter(kind=Kind.PAYOUT_REVERSAL).values_list("reference", flat=True)
    )
    settled = (Payout.Status.PAID, Payout.Status.FAILED, Payout.Status.CLOSED)
    for payout in Payout.objects.filter(status__in=settled):
        key = f"{payout.pk}:{payout.attempt}"
        if payout.status == Payout.Status.PAID:
            if not payout.transfer_id:
                yield f"payout {payout.pk} is paid without a Stripe transfer id"
            if f"payout:{key}" not in sent or f"payout-reversal:{key}" in reversed_:
                yield f"payout {payout.pk} is paid but the ledger does not show it sent"
        elif payout.attempt and f"payout-reversal:{key}" not in reversed_:
            yield f"payout {payout.pk} is {payout.status} but its ledger posting was not reversed"


def _stripe() -> Iterator[str]:
    """Every transfer we think exists matches Stripe; none exists that we think was not sent."""
    for payout in Payout.objects.exclude(attempt=0).order_by("pk"):
        try:
            transfers = [
                t
                for t in gateway.transfers_for_group(payout.transfer_group)
                if t.metadata.get("payout") == str(payout.pk) and not t.reversed
            ]
        except gateway.GatewayError as error:
            yield f"payout {payout.pk}: Stripe lookup failed ({error.message})"
            continue
        if payout.status == Payout.Status.PAID:
            expected = gateway.to_minor(payout.amount, payout.currency)
            match = [t for t in transfers if t.id == payout.transfer_id]
            if not match:
                yield f"payout {payout.pk}: transfer {payout.transfer_id} not found at Stripe"
            elif match[0].amount != expected or match[0].currency != payout.currency:
                yield f"payout {payout.pk}: Stripe transfer is {match[0].amount} {match[0].currency}, expected {expected}"
            if len(transfers) > 1:
                yield f"payout {payout.pk}: {len(transfers)} transfers at Stripe (duplicate payment)"
        elif payout.status in Payout.DEAD and transfers:
            yield f"payout {payout.pk} is {payout.status} but Stripe holds transfer {transfers[0].id}"


def ledger_findings(*, stripe: bool = True) -> list[str]:
    checks = [_unbalanced, _negative_balances, _fundings, _payouts]
    if stripe:
        checks.append(_stripe)
    return [finding for check in checks for finding in check()]
