"""Test mode only: make Stripe hold what the database says it holds, for the demo.

seed_demo books its campaign money as bank transfers (no Stripe is running while it loads), and the
local emulator that `make run` starts forgets everything when it stops. So after the emulator
starts, `manage.py demo_stripe_sync` brings Stripe up to the database, idempotently:

- the platform's available balance is topped up to what the ledger holds at Stripe (the
  `stripe_clearing` account), with Stripe's documented test card 4000000000000077, which puts funds
  straight into the available balance;
- the given creators get a Custom test account that can receive payouts (Stripe's test values
  fill every requirement), and an account Stripe no longer knows (the emulator restarted) is
  created again and put in its place.

Running it again changes nothing. It refuses to run with a live key (payments.gateway).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from creators.models import CreatorProfile
from marketplace.services import audit_record
from payments import gateway
from payments.ledger import ZERO
from payments.models import Account, ConnectedAccount, LedgerEntry, Payout
from payments.services.accounts import connected_account_sync


@dataclass
class SyncReport:
    topped_up: dict[str, Decimal] = field(default_factory=dict)  # currency -> amount added
    balances: dict[str, Decimal] = field(default_factory=dict)  # currency -> available afterwards
    held: dict[str, Decimal] = field(default_factory=dict)  # currency -> what the ledger holds at Stripe
    accounts_created: int = 0
    accounts_replaced: int = 0
    accounts_ready: int = 0
    accounts_not_ready: list[str] = field(default_factory=list)  # Express accounts still onboarding


def sandbox_sync(*, creators) -> SyncReport:
    if not gateway.is_test_mode():
        raise gateway.GatewayError("demo_stripe_sync only runs with a Stripe test-mode key.")
    report = SyncReport()
    for creator in creators:
        _account_ready(creator, report)
    _balance_matches_ledger(report)
    return report


def ledger_held_at_stripe() -> dict[str, Decimal]:
    """Per currency, what the ledger says Stripe holds for us (the stripe_clearing balance)."""
    rows = (
        LedgerEntry.objects.filter(account=Account.STRIPE_CLEARING)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    return {row["currency"]: row["total"] for row in rows if row["total"]}


def _balance_matches_ledger(report: SyncReport) -> None:
    report.held = ledger_held_at_stripe()
    available = gateway.balance()
    for currency, held in report.held.items():
        have = available.get(currency, ZERO)
        missing = held - have
        if missing > 0:
            # The key names the gap it fills: a rerun after a lost answer repeats the same request.
            key = (
                f"sandbox-top-up-{currency}-"
                f"{gateway.to_minor(held, currency)}-{gateway.to_minor(have, currency)}"
            )
            gateway.sandbox_balance_top_up(
                amount=missing,
                currency=currency,
                metadata={"kolabo": "demo balance matches the ledger"},
                idempotency_key=key,
            )
            report.topped_up[currency] = missing
            have = held
        report.balances[currency] = have


def _account_ready(creator: CreatorProfile, report: SyncReport) -> None:
    account = ConnectedAccount.objects.filter(creator=creator).first()
    if account is not None:
        try:
            data = gateway.account_retrieve(account.stripe_id)
        except gateway.Declined as error:
            if error.reason != gateway.REASON_ACCOUNT_MISSING:
                raise
            data = None
        if data is not None:
            connected_account_sync(stripe_id=account.stripe_id)
            if data.get("payouts_enabled"):
                report.accounts_ready += 1
            else:
                report.accounts_not_ready.append(account.stripe_id)
            return
    data = gateway.sandbox_account_create_ready(
        email=creator.user.email,
        country=str(creator.country.code or "ID"),
        first_name=creator.display_name.split(" ")[0],
        last_name=" ".join(creator.display_name.split(" ")[1:]),
        metadata={"creator": str(creator.pk), "kolabo": "demo"},
        idempotency_key=f"sandbox-account-{creator.pk}-{account.stripe_id if account else 'new'}",
    )
    with transaction.atomic():
        if account is None:
            account, created = ConnectedAccount.objects.get_or_create(
                creator=creator, defaults={"stripe_id": data["id"]}
            )
            report.accounts_created += created
            audit_record(actor=None, action="stripe_account.created", target=account, data={"demo": True})
        else:
            _replace(account, data["id"])
            report.accounts_replaced += 1
    connected_account_sync(stripe_id=account.stripe_id)
    report.accounts_ready += 1


def _replace(account: ConnectedAccount, stripe_id: str) -> None:
    """The old account is gone at Stripe (a restarted emulator): use the new one everywhere a payout
    has not been sent yet. Sent payouts keep the destination they were paid to."""
    old = account.stripe_id
    ConnectedAccount.objects.filter(pk=account.pk).update(stripe_id=stripe_id)
    account.stripe_id = stripe_id
    Payout.objects.filter(
        creator_id=account.creator_id, destination=old, status=Payout.Status.APPROVED
    ).update(destination=stripe_id)
    audit_record(
        actor=None,
        action="stripe_account.replaced",
        target=account,
        data={"old": old, "new": stripe_id, "demo": True},
    )
