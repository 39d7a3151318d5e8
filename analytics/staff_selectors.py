"""The staff dashboard's figures: gross value, payouts, disputes, the verification queue, active
campaigns and exposure fairness. Staff only (analytics.views.staff checks the role and MFA).

Money is read per currency and never summed across currencies. Everything but exposure fairness
runs in a fixed number of queries (5). Exposure fairness replays the recommendations of every open
brief (campaigns.recommendations.exposure_report, the same numbers `manage.py exposure_report`
prints), which is slow, so it is cached for EXPOSURE_CACHE_SECONDS.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from analytics.creator_selectors import month_of
from brands.models import VerificationRequest
from campaigns.models import Campaign, Dispute
from campaigns.recommendations import ExposureReport, exposure_report
from payments.ledger import ZERO, money
from payments.models import Account, LedgerEntry, LedgerTransaction, Payout

K = LedgerTransaction.Kind
S = Payout.Status
FUNDING_KINDS = (K.FUNDING, K.SPONSOR_FUNDING)
# Payouts not yet settled, in the order the money moves.
PENDING_STATUSES = (S.REQUESTED, S.HELD, S.APPROVED, S.PROCESSING, S.UNKNOWN)
EXPOSURE_CACHE_KEY = "kolabo:analytics:exposure-report"
EXPOSURE_CACHE_SECONDS = 600
# The verification queue by time waiting: (label, up to N days), then everything older.
WAITING_BUCKETS = (
    (gettext_lazy("Under a day"), 1),
    (gettext_lazy("1 to 3 days"), 3),
    (gettext_lazy("3 to 7 days"), 7),
)
OLDER_LABEL = gettext_lazy("Over 7 days")


@dataclass
class GrossMonth:
    month: date
    escrow: Decimal = ZERO  # money funded for creators
    fees: Decimal = ZERO  # Kolabo's fee on it

    @property
    def gross(self) -> Decimal:
        return self.escrow + self.fees


@dataclass
class CurrencyGross:
    currency: str
    months: list[GrossMonth]

    @property
    def escrow(self) -> Decimal:
        return sum((m.escrow for m in self.months), ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((m.fees for m in self.months), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.escrow + self.fees


@dataclass
class PayoutFigure:
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)  # per currency

    def add(self, currency: str, count: int, amount: Decimal) -> None:
        self.count += count
        self.amounts[currency] = money(self.amounts.get(currency, ZERO) + amount)


@dataclass
class ExposureFigures:
    report: ExposureReport
    computed_at: datetime


@dataclass
class StaffDashboard:
    gross: list[CurrencyGross]
    payouts_pending: dict[str, PayoutFigure]  # status -> figure, PENDING_STATUSES order
    payouts_paid: PayoutFigure
    payouts_failed: PayoutFigure
    disputes_open: int
    disputes_resolved: int
    verifications_pending: int
    verification_oldest: datetime | None
    verification_ages: list[tuple[str, int]]  # pending requests by time waiting
    campaigns_by_kind: dict[str, int]  # published briefs, kind -> count

    @property
    def pending_total(self) -> PayoutFigure:
        total = PayoutFigure()
        for figure in self.payouts_pending.values():
            for currency, amount in figure.amounts.items():
                total.add(currency, 0, amount)
            total.count += figure.count
        return total

    @property
    def campaigns_active(self) -> int:
        return sum(self.campaigns_by_kind.values())


def gross_value() -> list[CurrencyGross]:
    """Per currency and month: escrow funded (by organizations and sponsors) and the fees on it,
    from the ledger's funding transactions. 1 query."""
    rows = (
        LedgerEntry.objects.filter(
            transaction__kind__in=FUNDING_KINDS,
            account__in=(Account.CAMPAIGN_ESCROW, Account.PLATFORM_REVENUE),
        )
        .annotate(month=TruncMonth("transaction__created_at"))
        .values("currency", "month", "account")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_currency: dict[str, dict[date, GrossMonth]] = defaultdict(dict)
    for row in rows:
        month = month_of(row["month"])
        line = by_currency[row["currency"]].setdefault(month, GrossMonth(month=month))
        amount = money(-row["total"])  # escrow and revenue are credited when money comes in
        if row["account"] == Account.CAMPAIGN_ESCROW:
            line.escrow += amount
        else:
            line.fees += amount
    return [
        CurrencyGross(currency=currency, months=[months[m] for m in sorted(months)])
        for currency, months in sorted(by_currency.items())
    ]


def staff_dashboard() -> StaffDashboard:
    """The dashboard's figures (exposure fairness apart: `exposure_figures`). 5 queries."""
    pending = {status: PayoutFigure() for status in PENDING_STATUSES}
    paid, failed = PayoutFigure(), PayoutFigure()
    payout_rows = (
        Payout.objects.values("status", "currency").annotate(n=Count("pk"), total=Sum("amount")).order_by()
    )
    for row in payout_rows:
        status = row["status"]
        target = pending.get(status) or (paid if status == S.PAID else failed if status == S.FAILED else None)
        if target is not None:
            target.add(row["currency"], row["n"], row["total"] or ZERO)
    disputes = Dispute.objects.aggregate(
        open=Count("pk", filter=Q(status=Dispute.Status.OPEN)),
        resolved=Count("pk", filter=Q(status=Dispute.Status.RESOLVED)),
    )
    now = timezone.now()
    waited = {label: now - timedelta(days=days) for label, days in WAITING_BUCKETS}
    queue = VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING).aggregate(
        n=Count("pk"),
        oldest=Min("submitted_at"),
        **{
            f"age_{index}": Count(
                "pk",
                filter=Q(submitted_at__gt=waited[label])
                & (Q(submitted_at__lte=waited[WAITING_BUCKETS[index - 1][0]]) if index else Q()),
            )
            for index, (label, _days) in enumerate(WAITING_BUCKETS)
        },
    )
    older = queue["n"] - sum(queue[f"age_{index}"] for index in range(len(WAITING_BUCKETS)))
    kinds = dict(
        Campaign.objects.filter(status=Campaign.Status.PUBLISHED)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("kind", "n")
    )
    return StaffDashboard(
        gross=gross_value(),
        payouts_pending=pending,
        payouts_paid=paid,
        payouts_failed=failed,
        disputes_open=disputes["open"],
        disputes_resolved=disputes["resolved"],
        verifications_pending=queue["n"],
        verification_oldest=queue["oldest"],
        verification_ages=[
            *((str(label), queue[f"age_{index}"]) for index, (label, _days) in enumerate(WAITING_BUCKETS)),
            (str(OLDER_LABEL), older),
        ],
        campaigns_by_kind={kind: kinds.get(kind, 0) for kind in Campaign.Kind.values},
    )


def exposure_figures(*, refresh: bool = False) -> ExposureFigures:
    """exposure_report() (the command's numbers), cached: it replays every open brief's ranking."""
    figures = None if refresh else cache.get(EXPOSURE_CACHE_KEY)
    if figures is None:
        figures = ExposureFigures(report=exposure_report(), computed_at=timezone.now())
        cache.set(EXPOSURE_CACHE_KEY, figures, EXPOSURE_CACHE_SECONDS)
    return figures
