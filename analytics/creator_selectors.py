"""A creator's own analytics: earnings over time, engagement per collaboration, ratings received,
and the clicks and conversions their collaborations drove. Reads only the creator's own rows.

Money comes from the ledger (payments.ledger), one currency at a time: IDR and USD are never added
together. Engagement figures carry their source: "verified" when the deliverable's post was read
from the creator's connected account, "self_reported" when the creator typed the numbers in.
`creator_analytics` runs a fixed number of queries (6), whatever the number of collaborations.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from analytics.impact import has_impact_page
from analytics.selectors import ENGAGEMENT_METRICS, POST_FIELDS, PUBLISHED, post_metrics, source_of
from campaigns.models import Collaboration, CollaborationDeliverable, Rating
from creators.models import CreatorProfile
from marketplace.money import format_money
from payments.ledger import ZERO, money
from payments.models import Account, LedgerEntry, LedgerTransaction
from tracking.models import Click, Conversion, ConversionGoal

K = LedgerTransaction.Kind
# Creator payable movements: what the creator earned (credits) and what was sent (debits).
EARNED_KINDS = (K.PAYABLE, K.COMMISSION_PAYABLE, K.PAYABLE_RETURNED)
PAID_KINDS = (K.PAYOUT, K.PAYOUT_REVERSAL)


def month_of(value) -> date:
    """The first day of the month a TruncMonth value stands for, in the site's time zone."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


@dataclass
class MonthMoney:
    month: date
    earned: Decimal = ZERO  # became owed to the creator this month (fees and commissions)
    paid: Decimal = ZERO  # sent to the creator's Stripe account this month


@dataclass
class CurrencyEarnings:
    currency: str
    months: list[MonthMoney]

    @property
    def earned(self) -> Decimal:
        return sum((m.earned for m in self.months), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((m.paid for m in self.months), ZERO)


@dataclass
class CollaborationLine:
    collaboration: Collaboration
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    source: str = ""  # verified | self_reported | mixed; "" when no post has numbers yet
    clicks: int = 0
    conversions: int = 0
    conversion_amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def engagements(self) -> int | None:
        values = [getattr(self, name) for name in ENGAGEMENT_METRICS]
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    @property
    def amounts_display(self) -> str:
        return ", ".join(format_money(amount, cur) for cur, amount in sorted(self.conversion_amounts.items()))

    @property
    def has_impact_page(self) -> bool:
        return has_impact_page(self.collaboration.campaign)

    @property
    def is_cause(self) -> bool:
        return self.collaboration.campaign.kind == self.collaboration.campaign.Kind.CAUSE


@dataclass
class CreatorAnalytics:
    earnings: list[CurrencyEarnings]
    collaborations: list[CollaborationLine]
    ratings: list[Rating]
    clicks_by_month: list[tuple[date, int]]
    conversions_by_goal: list[tuple[str, int]]

    @property
    def rating_average(self) -> Decimal | None:
        if not self.ratings:
            return None
        total = sum(r.score for r in self.ratings)
        return (Decimal(total) / len(self.ratings)).quantize(Decimal("0.01"))

    @property
    def clicks(self) -> int:
        return sum(line.clicks for line in self.collaborations)

    @property
    def conversions(self) -> int:
        return sum(line.conversions for line in self.collaborations)


def _earnings(creator: CreatorProfile) -> list[CurrencyEarnings]:
    rows = (
        LedgerEntry.objects.filter(
            account=Account.CREATOR_PAYABLE,
            creator=creator,
            transaction__kind__in=(*EARNED_KINDS, *PAID_KINDS),
        )
        .annotate(month=TruncMonth("transaction__created_at"))
        .values("currency", "month", "transaction__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_currency: dict[str, dict[date, MonthMoney]] = defaultdict(dict)
    for row in rows:
        month = month_of(row["month"])
        line = by_currency[row["currency"]].setdefault(month, MonthMoney(month=month))
        # Creator payable is a liability: credits (negative) are earned, debits (positive) sent.
        if row["transaction__kind"] in EARNED_KINDS:
            line.earned = money(line.earned - row["total"])
        else:
            line.paid = money(line.paid + row["total"])
    return [
        CurrencyEarnings(currency=currency, months=[months[m] for m in sorted(months)])
        for currency, months in sorted(by_currency.items())
    ]


def creator_collaborations(creator: CreatorProfile):
    """The creator's collaborations, newest first, with what the page shows loaded."""
    return (
        Collaboration.objects.filter(creator=creator)
        .select_related("campaign__organization")
        .order_by("-created_at", "-pk")
    )


def creator_analytics(*, creator: CreatorProfile) -> CreatorAnalytics:
    """Everything on the creator's analytics page, for this creator only. 6 queries."""
    lines = {c.pk: CollaborationLine(collaboration=c) for c in creator_collaborations(creator)}
    # The campaign report's rule (analytics.selectors.post_metrics), published posts only.
    deliverables = CollaborationDeliverable.objects.filter(
        collaboration__creator=creator, status__in=PUBLISHED
    ).values("collaboration_id", *POST_FIELDS)
    sources: dict[int, set[str]] = defaultdict(set)
    for row in deliverables:
        line = lines.get(row["collaboration_id"])
        if line is None:
            continue
        values, source = post_metrics(row)
        numbers = {name: value for name, value in values.items() if value is not None}
        if not numbers:
            continue  # unknown stays unknown, never 0
        for name, value in numbers.items():
            setattr(line, name, (getattr(line, name) or 0) + value)
        sources[line.collaboration.pk].add(source)
    for pk, found in sources.items():
        lines[pk].source = source_of(found)

    goal_labels = dict(ConversionGoal.Kind.choices)
    by_goal: dict[str, int] = defaultdict(int)
    conversion_rows = (
        Conversion.objects.filter(collaboration__creator=creator)
        .values("collaboration_id", "goal__kind", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    for row in conversion_rows:
        line = lines[row["collaboration_id"]]
        line.conversions += row["n"]
        by_goal[row["goal__kind"]] += row["n"]
        if row["amount"] is not None and row["currency"]:
            amounts = line.conversion_amounts
            amounts[row["currency"]] = amounts.get(row["currency"], ZERO) + row["amount"]

    # Counted Click rows are the truth (TrackedLink.clicks is a cache kept by the flush).
    months: dict[date, int] = defaultdict(int)
    click_rows = (
        Click.objects.filter(link__collaboration__creator=creator)
        .annotate(month=TruncMonth("clicked_at"))
        .values("link__collaboration_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in click_rows:
        months[month_of(row["month"])] += row["n"]
        line = lines.get(row["link__collaboration_id"])
        if line is not None:
            line.clicks += row["n"]
    clicks_by_month = sorted(months.items())
    ratings = list(
        Rating.objects.filter(collaboration__creator=creator, rated_side=Rating.Side.CREATOR)
        .select_related("collaboration__campaign__organization")
        .order_by("created_at", "pk")
    )
    return CreatorAnalytics(
        earnings=_earnings(creator),
        collaborations=list(lines.values()),
        ratings=ratings,
        clicks_by_month=clicks_by_month,
        conversions_by_goal=[(str(goal_labels[kind]), n) for kind, n in sorted(by_goal.items())],
    )
