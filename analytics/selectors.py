"""Campaign and collaboration reports: every figure with its source, in a fixed number of queries.

Formulas and source labels are documented in docs/analytics.md; in short:

- views, reach and engagements come from published deliverables: "verified" when the post was read
  from the creator's connected account (its latest numbers, PlatformPost), "self_reported" when the
  creator typed them in; a sum of both is "mixed". Unknown stays None, never 0.
- engagements = likes + comments + shares + saves; engagement rate = engagements ÷ views × 100,
  over the posts that report both.
- clicks (counted Click rows) and conversions (attributed Conversion rows) are "tracked".
- spend is read from the ledger ("ledger"), in the campaign's currency: what is committed to the
  creators (fees reserved, owed or paid, plus commissions).
- a cost is spend ÷ a count, None when the count is 0 or unknown; it carries the count's source.

`campaign_report` runs CAMPAIGN_REPORT_QUERIES queries whatever the number of collaborations;
`collaboration_report` the same for one collaboration, or COLLABORATION_FIGURES_QUERIES without
money and time series (the collaboration page's short block).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, Collaboration, CollaborationDeliverable
from creators.models import SocialAccount
from payments.models import Account, LedgerEntry, LedgerTransaction
from platforms.models import PostSnapshot
from tracking.models import Click, Conversion, ConversionGoal

VERIFIED = "verified"
SELF_REPORTED = "self_reported"
TRACKED = "tracked"
LEDGER = "ledger"
MIXED = "mixed"
SOURCE_LABELS = {
    VERIFIED: _("Verified"),
    SELF_REPORTED: _("Self-reported"),
    TRACKED: _("Tracked"),
    LEDGER: _("Ledger"),
    MIXED: _("Verified + self-reported"),
}

ENGAGEMENT_METRICS = ("likes", "comments", "shares", "saves")
POST_METRICS = ("views", *ENGAGEMENT_METRICS)
D = CollaborationDeliverable.Status
PUBLISHED = (D.PUBLISHED, D.CONFIRMED)
K = LedgerTransaction.Kind
PAID_KINDS = (K.PAYOUT, K.PAYOUT_REVERSAL)
FUNDING_KINDS = (K.FUNDING, K.SPONSOR_FUNDING)

# "Impact per money spent" is per this much of the currency (about 62 USD vs 100 USD; both read
# as "a typical small creator fee").
IMPACT_UNITS = {"IDR": Decimal("1000000"), "USD": Decimal("100")}
DEFAULT_IMPACT_UNIT = Decimal("100")

TOP_CREATORS = 10
MAX_SERIES_DAYS = 366

CAMPAIGN_REPORT_QUERIES = 9
COLLABORATION_FIGURES_QUERIES = 3

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figure:
    """One number and where it comes from. `value` None means unknown (shown as "—")."""

    value: int | Decimal | None
    source: str

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.source, ""))


def source_of(sources: Iterable[str]) -> str:
    """One source for figures summed over several: the shared one, or "mixed"."""
    found = set(sources)
    if not found:
        return ""
    return found.pop() if len(found) == 1 else MIXED


# The values() fields `post_metrics` reads from a CollaborationDeliverable query.
POST_FIELDS = ("verified_post_id", *POST_METRICS, *(f"verified_post__{name}" for name in POST_METRICS))


def post_metrics(row: dict) -> tuple[dict[str, int | None], str]:
    """A published deliverable's figures, from a values() row with POST_FIELDS, and their source.

    Each figure is the verified post's latest reading when there is one, else what the creator
    typed (the deliverable keeps the numbers at publication)."""
    verified = row["verified_post_id"] is not None
    values = {}
    for name in POST_METRICS:
        latest = row[f"verified_post__{name}"] if verified else None
        values[name] = latest if latest is not None else row[name]
    return values, VERIFIED if verified else SELF_REPORTED


def _rate(numerator, denominator, *, scale=100) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def _cost(spend: Decimal | None, count) -> Decimal | None:
    if spend is None or not count:
        return None
    return (spend / Decimal(count)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class _Post:
    """One published deliverable's numbers, already resolved to their source."""

    collaboration_id: int
    platform: str
    source: str
    published_on: datetime.date | None
    views: int | None
    reach: int | None
    engagements: int | None
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GoalFigures:
    kind: str
    label: str
    conversions: Figure  # count, tracked
    amount: Figure  # sum in the campaign currency (donations, sales; pledges when given), tracked
    other_currencies: dict[str, Decimal]
    cost_per_conversion: Figure
    per_creator: Figure  # NGO impact: conversions ÷ creators
    per_unit_spent: Figure  # NGO impact: conversions ÷ spend × impact unit

    @property
    def has_amount(self) -> bool:
        return self.amount.value is not None


@dataclass(frozen=True)
class SpendBreakdown:
    """Money committed to the creators, by state, from the ledger (campaign currency)."""

    currency: str
    reserved: Decimal  # held in escrow for accepted collaborations, not yet owed
    owed: Decimal  # owed to creators (fees for completed work, commissions), not yet sent
    paid: Decimal  # sent to creators
    commissions: Decimal  # of reserved + owed + paid: commissions made payable
    platform_fee: Decimal  # Kolabo's fee charged with the funding, net of refunds (not in spend)
    funded: Decimal  # paid into the escrow, by the organization and sponsors
    funded_by_sponsors: Decimal

    @property
    def spend(self) -> Decimal:
        return self.reserved + self.owed + self.paid

    @property
    def fees(self) -> Decimal:
        return self.spend - self.commissions

    @property
    def total_cost(self) -> Decimal:
        return self.spend + self.platform_fee


@dataclass(frozen=True)
class CollaborationFigures:
    collaboration_id: int
    creator_id: int
    creator_name: str
    status: str
    status_label: str
    fee: Decimal
    currency: str
    credited_publicly: bool
    posts: int
    posts_verified: int
    reach: Figure
    potential_reach: Figure
    views: Figure
    engagements: Figure
    engagement_rate: Figure
    clicks: Figure
    conversions: Figure
    conversions_by_goal: dict[str, int]
    amount_by_goal: dict[str, Decimal]
    spend: Figure
    cost_per_engagement: Figure
    cost_per_click: Figure
    cost_per_conversion: Figure


@dataclass(frozen=True)
class CampaignReport:
    campaign: Campaign
    currency: str
    generated_at: datetime.datetime
    is_cause: bool
    creators: int  # collaborations not cancelled
    posts: int
    posts_verified: int
    reach: Figure
    potential_reach: Figure
    views: Figure
    engagements: Figure
    engagement_rate: Figure
    clicks: Figure
    conversions: Figure  # attributed to a collaboration
    unattributed_conversions: int
    goals: list[GoalFigures]
    spend: Figure
    breakdown: SpendBreakdown
    budget: Figure
    budget_basis: str  # "brief" (fee per creator × slots) | "funded" | ""
    spend_of_budget: Figure  # percent
    cost_per_engagement: Figure
    cost_per_click: Figure
    cost_per_conversion: Figure
    impact_unit: Decimal
    collaborations: list[CollaborationFigures]
    engagement_series: list[tuple[datetime.date, int]]
    clicks_series: list[tuple[datetime.date, int]]

    @property
    def top_creators(self) -> list[CollaborationFigures]:
        ranked = [c for c in self.collaborations if c.engagements.value]
        ranked.sort(key=lambda c: (-c.engagements.value, c.creator_name.lower(), c.collaboration_id))
        return ranked[:TOP_CREATORS]


@dataclass(frozen=True)
class CollaborationReport:
    collaboration: Collaboration
    currency: str
    figures: CollaborationFigures
    goals: list[GoalFigures]
    breakdown: SpendBreakdown | None
    clicks_series: list[tuple[datetime.date, int]]
    engagement_series: list[tuple[datetime.date, int]]


# Loading (one query each)


def _collaboration_rows(campaign_id: int, collaboration_id: int | None) -> list[dict]:
    qs = Collaboration.objects.filter(campaign_id=campaign_id)
    if collaboration_id is not None:
        qs = qs.filter(pk=collaboration_id)
    return list(
        qs.order_by("pk").values(
            "pk", "status", "fee", "currency", "credited_publicly", "creator_id", "creator__display_name"
        )
    )


def _posts(campaign_id: int, collaboration_id: int | None) -> list[_Post]:
    qs = CollaborationDeliverable.objects.filter(collaboration__campaign_id=campaign_id, status__in=PUBLISHED)
    if collaboration_id is not None:
        qs = qs.filter(collaboration_id=collaboration_id)
    rows = qs.order_by("pk").values(
        "pk", "collaboration_id", "spec__platform", "published_at", "verified_post__reach", *POST_FIELDS
    )
    posts = []
    for row in rows:
        values, source = post_metrics(row)
        published = row["published_at"]
        posts.append(
            _Post(
                collaboration_id=row["collaboration_id"],
                platform=row["spec__platform"],
                source=source,
                published_on=timezone.localdate(published) if published else None,
                views=values["views"],
                reach=row["verified_post__reach"] if source == VERIFIED else None,
                engagements=_sum_known(values[name] for name in ENGAGEMENT_METRICS),
                values=values | {"pk": row["pk"]},
            )
        )
    return posts


def _followers(campaign_id: int, collaboration_id: int | None) -> dict[tuple[int, str], tuple[int, str]]:
    """(creator, platform) → (followers, source) of the creator's biggest account there."""
    qs = SocialAccount.objects.filter(profile__collaborations__campaign_id=campaign_id)
    if collaboration_id is not None:
        qs = qs.filter(profile__collaborations__pk=collaboration_id)
    found: dict[tuple[int, str], tuple[int, str]] = {}
    for row in qs.order_by("pk").values("profile_id", "platform", "followers", "metrics_source"):
        key = (row["profile_id"], row["platform"])
        if key not in found or row["followers"] > found[key][0]:
            found[key] = (row["followers"], row["metrics_source"])
    return found


def _clicks_by_collaboration(campaign_id: int, collaboration_id: int | None) -> dict[int, int]:
    qs = Click.objects.filter(link__campaign_id=campaign_id)
    if collaboration_id is not None:
        qs = qs.filter(link__collaboration_id=collaboration_id)
    rows = qs.order_by().values("link__collaboration_id").annotate(n=Count("pk"))
    return {row["link__collaboration_id"]: row["n"] for row in rows}


def _clicks_by_day(campaign_id: int, collaboration_id: int | None) -> list[tuple[datetime.date, int]]:
    qs = Click.objects.filter(link__campaign_id=campaign_id)
    if collaboration_id is not None:
        qs = qs.filter(link__collaboration_id=collaboration_id)
    rows = (
        qs.annotate(day=TruncDate("clicked_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    counted = {row["day"]: row["n"] for row in rows}
    if not counted:
        return []
    # Every day from the first click to the last, zeros included, so the line is honest.
    first, last = min(counted), max(counted)
    first = max(first, last - datetime.timedelta(days=MAX_SERIES_DAYS - 1))
    days = (last - first).days + 1
    return [(day, counted.get(day, 0)) for day in (first + datetime.timedelta(n) for n in range(days))]


def _conversion_rows(campaign_id: int, collaboration_id: int | None) -> list[dict]:
    qs = Conversion.objects.filter(campaign_id=campaign_id)
    if collaboration_id is not None:
        qs = qs.filter(collaboration_id=collaboration_id)
    return list(
        qs.order_by()
        .values("collaboration_id", "goal_id", "goal__kind", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )


def _ledger_rows(campaign_id: int, currency: str, collaboration_id: int | None) -> list[dict]:
    qs = LedgerEntry.objects.filter(campaign_id=campaign_id, currency=currency)
    if collaboration_id is not None:
        qs = qs.filter(collaboration_id=collaboration_id)
    return list(
        qs.order_by().values("collaboration_id", "account", "transaction__kind").annotate(total=Sum("amount"))
    )


def _snapshot_rows(campaign_id: int, collaboration_id: int | None) -> list[dict]:
    qs = PostSnapshot.objects.filter(
        deliverable__collaboration__campaign_id=campaign_id,
        deliverable__status__in=PUBLISHED,
        taken_at__isnull=False,
    )
    if collaboration_id is not None:
        qs = qs.filter(deliverable__collaboration_id=collaboration_id)
    return list(qs.order_by("taken_at", "pk").values("deliverable_id", "taken_at", *ENGAGEMENT_METRICS))


# Computing


@dataclass
class _Money:
    reserved: Decimal = ZERO
    owed: Decimal = ZERO
    paid: Decimal = ZERO
    commissions: Decimal = ZERO

    @property
    def spend(self) -> Decimal:
        # Owed and paid include commissions; reserved never does.
        return self.reserved + self.owed + self.paid


def _money_by_collaboration(rows: list[dict]) -> tuple[dict[int, _Money], dict[str, Decimal]]:
    per: dict[int, _Money] = defaultdict(_Money)
    campaign = {"platform_fee": ZERO, "funded": ZERO, "funded_by_sponsors": ZERO}
    for row in rows:
        account, kind, total, collab = (
            row["account"],
            row["transaction__kind"],
            row["total"],
            row["collaboration_id"],
        )
        if account == Account.PLATFORM_REVENUE:
            campaign["platform_fee"] -= total
        elif account == Account.CAMPAIGN_ESCROW:
            if collab is not None:
                per[collab].reserved -= total
            elif kind in FUNDING_KINDS:
                campaign["funded"] -= total
                if kind == K.SPONSOR_FUNDING:
                    campaign["funded_by_sponsors"] -= total
        elif account == Account.CREATOR_PAYABLE and collab is not None:
            per[collab].owed -= total
            if kind in PAID_KINDS:
                per[collab].paid += total
            elif kind == K.COMMISSION_PAYABLE:
                per[collab].commissions -= total
    return per, campaign


def _breakdown(currency: str, per: dict[int, _Money], campaign: dict[str, Decimal]) -> SpendBreakdown:
    return SpendBreakdown(
        currency=currency,
        reserved=sum((m.reserved for m in per.values()), ZERO),
        owed=sum((m.owed for m in per.values()), ZERO),
        paid=sum((m.paid for m in per.values()), ZERO),
        commissions=sum((m.commissions for m in per.values()), ZERO),
        platform_fee=campaign["platform_fee"],
        funded=campaign["funded"],
        funded_by_sponsors=campaign["funded_by_sponsors"],
    )


def _sum_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


@dataclass
class _Audience:
    """Post figures summed over some posts."""

    reach: Figure
    potential_reach: Figure
    views: Figure
    engagements: Figure
    engagement_rate: Figure
    posts: int
    posts_verified: int

    def as_kwargs(self) -> dict:
        """These figures under their own names, which CollaborationFigures and CampaignReport share."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _audience(posts: list[_Post], followers: dict, creator_of: dict[int, int]) -> _Audience:
    with_views = [p for p in posts if p.views is not None]
    with_engagements = [p for p in posts if p.engagements is not None]
    with_reach = [p for p in posts if p.reach is not None]
    both = [p for p in posts if p.views and p.engagements is not None]
    accounts = {
        (creator_of[p.collaboration_id], p.platform) for p in posts if p.collaboration_id in creator_of
    }
    audience = [followers[key] for key in sorted(accounts) if key in followers]
    rate = _rate(sum(p.engagements for p in both), sum(p.views for p in both)) if both else None
    return _Audience(
        reach=Figure(_sum_known(p.reach for p in with_reach), VERIFIED),
        potential_reach=Figure(
            sum(n for n, _s in audience) if audience else None, source_of(s for _n, s in audience)
        ),
        views=Figure(_sum_known(p.views for p in with_views), source_of(p.source for p in with_views)),
        engagements=Figure(
            _sum_known(p.engagements for p in with_engagements),
            source_of(p.source for p in with_engagements),
        ),
        engagement_rate=Figure(rate, source_of(p.source for p in both)),
        posts=len(posts),
        posts_verified=sum(1 for p in posts if p.source == VERIFIED),
    )


def _engagement_series(posts: list[_Post], snapshots: list[dict]) -> list[tuple[datetime.date, int]]:
    """Total engagements of the posts, day by day: each post counts with its latest reading on or
    before that day, and the last day (today) is the report's total.

    A verified post's readings are its snapshots (at publication, after 24 hours, 7 and 30 days);
    a post without any (typed in by the creator, or not read yet) counts from its publication day."""
    events: list[tuple[datetime.date, int, int]] = []  # (day, deliverable, engagements)
    read = set()
    for row in snapshots:
        known = [row[name] for name in ENGAGEMENT_METRICS if row[name] is not None]
        if known:
            events.append((timezone.localdate(row["taken_at"]), row["deliverable_id"], sum(known)))
            read.add(row["deliverable_id"])
    today = timezone.localdate()
    for post in posts:
        if post.engagements is None:
            continue
        if post.values["pk"] not in read and post.published_on is not None:
            events.append((post.published_on, post.values["pk"], post.engagements))
        events.append((today, post.values["pk"], post.engagements))
    if not events:
        return []
    events.sort(key=lambda event: event[0])  # stable: readings of one day keep their order
    latest: dict[int, int] = {}
    series: dict[datetime.date, int] = {}
    for day, deliverable, value in events:
        latest[deliverable] = value
        series[day] = sum(latest.values())
    return sorted(series.items())[-MAX_SERIES_DAYS:]


def _goal_figures(
    goals: list[ConversionGoal],
    rows: list[dict],
    *,
    currency: str,
    spend: Decimal | None,
    creators: int,
    unit: Decimal,
) -> list[GoalFigures]:
    counts: dict[int, int] = defaultdict(int)
    amounts: dict[int, Decimal | None] = {}
    others: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        if row["collaboration_id"] is None:
            continue
        goal = row["goal_id"]
        counts[goal] += row["n"]
        if row["amount"] is None:
            continue
        if row["currency"] in ("", currency):
            amounts[goal] = (amounts.get(goal) or ZERO) + row["amount"]
        else:
            others[goal][row["currency"]] = others[goal].get(row["currency"], ZERO) + row["amount"]
    figures = []
    for goal in goals:
        count = counts.get(goal.pk, 0)
        figures.append(
            GoalFigures(
                kind=goal.kind,
                label=str(goal),
                conversions=Figure(count, TRACKED),
                amount=Figure(amounts.get(goal.pk), TRACKED),
                other_currencies=others.get(goal.pk, {}),
                cost_per_conversion=Figure(_cost(spend, count), TRACKED),
                per_creator=Figure(_rate(count, creators, scale=1), TRACKED),
                per_unit_spent=Figure(_rate(count * unit, spend, scale=1) if spend else None, TRACKED),
            )
        )
    return figures


def _collaboration_figures(
    row: dict,
    *,
    posts: list[_Post],
    followers: dict,
    clicks: int,
    conversions: dict[str, int],
    amounts: dict[str, Decimal],
    spend: Decimal | None,
) -> CollaborationFigures:
    audience = _audience(posts, followers, {row["pk"]: row["creator_id"]})
    converted = sum(conversions.values())
    spend_figure = Figure(spend, LEDGER)
    return CollaborationFigures(
        collaboration_id=row["pk"],
        creator_id=row["creator_id"],
        creator_name=row["creator__display_name"],
        status=row["status"],
        status_label=str(Collaboration.Status(row["status"]).label),
        fee=row["fee"],
        currency=row["currency"],
        credited_publicly=row["credited_publicly"],
        **audience.as_kwargs(),
        clicks=Figure(clicks, TRACKED),
        conversions=Figure(converted, TRACKED),
        conversions_by_goal=conversions,
        amount_by_goal=amounts,
        spend=spend_figure,
        cost_per_engagement=Figure(_cost(spend, audience.engagements.value), audience.engagements.source),
        cost_per_click=Figure(_cost(spend, clicks), TRACKED),
        cost_per_conversion=Figure(_cost(spend, converted), TRACKED),
    )


def impact_unit(currency: str) -> Decimal:
    return IMPACT_UNITS.get(currency, DEFAULT_IMPACT_UNIT)


def is_cause_campaign(campaign: Campaign) -> bool:
    return campaign.kind == Campaign.Kind.CAUSE


def campaign_report(campaign: Campaign) -> CampaignReport:
    """The whole campaign: summary figures, goals, money, per-collaboration rows and time series.
    CAMPAIGN_REPORT_QUERIES queries, whatever the number of collaborations."""
    currency = campaign.currency
    rows = _collaboration_rows(campaign.pk, None)
    posts = _posts(campaign.pk, None)
    followers = _followers(campaign.pk, None)
    clicks = _clicks_by_collaboration(campaign.pk, None)
    clicks_series = _clicks_by_day(campaign.pk, None)
    goals = list(ConversionGoal.objects.filter(campaign_id=campaign.pk).order_by("pk"))
    conversion_rows = _conversion_rows(campaign.pk, None)
    per_money, campaign_money = _money_by_collaboration(_ledger_rows(campaign.pk, currency, None))
    snapshots = _snapshot_rows(campaign.pk, None)

    conversions: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    unattributed = 0
    for row in conversion_rows:
        if row["collaboration_id"] is None:
            unattributed += row["n"]
            continue
        kind = row["goal__kind"]
        conversions[row["collaboration_id"]][kind] += row["n"]
        if row["amount"] is not None and row["currency"] in ("", currency):
            amounts[row["collaboration_id"]][kind] += row["amount"]
    posts_of: dict[int, list[_Post]] = defaultdict(list)
    for post in posts:
        posts_of[post.collaboration_id].append(post)

    collaborations = [
        _collaboration_figures(
            row,
            posts=posts_of.get(row["pk"], []),
            followers=followers,
            clicks=clicks.get(row["pk"], 0),
            conversions=dict(conversions.get(row["pk"], {})),
            amounts=dict(amounts.get(row["pk"], {})),
            spend=per_money[row["pk"]].spend if row["pk"] in per_money else ZERO,
        )
        for row in rows
    ]
    breakdown = _breakdown(currency, per_money, campaign_money)
    spend = breakdown.spend
    audience = _audience(posts, followers, {row["pk"]: row["creator_id"] for row in rows})
    creators = sum(1 for row in rows if row["status"] != Collaboration.Status.CANCELLED)
    total_clicks = sum(clicks.values())
    attributed = sum(sum(by_goal.values()) for by_goal in conversions.values())
    budget, basis = campaign.budget_max, "brief"
    if budget is None:
        budget, basis = (breakdown.funded, "funded") if breakdown.funded else (None, "")
    unit = impact_unit(currency)
    return CampaignReport(
        campaign=campaign,
        currency=currency,
        generated_at=timezone.now(),
        is_cause=is_cause_campaign(campaign),
        creators=creators,
        **audience.as_kwargs(),
        clicks=Figure(total_clicks, TRACKED),
        conversions=Figure(attributed, TRACKED),
        unattributed_conversions=unattributed,
        goals=_goal_figures(
            goals, conversion_rows, currency=currency, spend=spend, creators=creators, unit=unit
        ),
        spend=Figure(spend, LEDGER),
        breakdown=breakdown,
        budget=Figure(budget, LEDGER if basis == "funded" else ""),
        budget_basis=basis,
        spend_of_budget=Figure(_rate(spend, budget), LEDGER),
        cost_per_engagement=Figure(_cost(spend, audience.engagements.value), audience.engagements.source),
        cost_per_click=Figure(_cost(spend, total_clicks), TRACKED),
        cost_per_conversion=Figure(_cost(spend, attributed), TRACKED),
        impact_unit=unit,
        collaborations=collaborations,
        engagement_series=_engagement_series(posts, snapshots),
        clicks_series=clicks_series,
    )


def collaboration_report(collaboration: Collaboration, *, full: bool = True) -> CollaborationReport:
    """One collaboration's figures (the same formulas as the campaign report).

    `full=False` skips money, goals, followers and time series: COLLABORATION_FIGURES_QUERIES
    queries for the collaboration page's short block."""
    campaign_id, pk = collaboration.campaign_id, collaboration.pk
    currency = collaboration.currency
    row = {
        "pk": pk,
        "status": collaboration.status,
        "fee": collaboration.fee,
        "currency": currency,
        "credited_publicly": collaboration.credited_publicly,
        "creator_id": collaboration.creator_id,
        "creator__display_name": collaboration.creator.display_name,
    }
    posts = _posts(campaign_id, pk)
    clicks = _clicks_by_collaboration(campaign_id, pk).get(pk, 0)
    conversion_rows = _conversion_rows(campaign_id, pk)
    goals: list[ConversionGoal] = []
    breakdown = None
    spend = None
    followers: dict = {}
    clicks_series: list = []
    engagement_series: list = []
    if full:
        goals = list(ConversionGoal.objects.filter(campaign_id=campaign_id).order_by("pk"))
        followers = _followers(campaign_id, pk)
        per_money, _campaign_money = _money_by_collaboration(_ledger_rows(campaign_id, currency, pk))
        breakdown = _breakdown(currency, per_money, dict.fromkeys(_campaign_money, ZERO))
        spend = breakdown.spend
        clicks_series = _clicks_by_day(campaign_id, pk)
        engagement_series = _engagement_series(posts, _snapshot_rows(campaign_id, pk))
    conversions: dict[str, int] = defaultdict(int)
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for conversion in conversion_rows:
        kind = conversion["goal__kind"]
        conversions[kind] += conversion["n"]
        if conversion["amount"] is not None and conversion["currency"] in ("", currency):
            amounts[kind] += conversion["amount"]
    figures = _collaboration_figures(
        row,
        posts=posts,
        followers=followers,
        clicks=clicks,
        conversions=dict(conversions),
        amounts=dict(amounts),
        spend=spend,
    )
    return CollaborationReport(
        collaboration=collaboration,
        currency=currency,
        figures=figures,
        goals=_goal_figures(
            goals,
            conversion_rows,
            currency=currency,
            spend=spend,
            creators=1,
            unit=impact_unit(currency),
        ),
        breakdown=breakdown,
        clicks_series=clicks_series,
        engagement_series=engagement_series,
    )


def campaign_headline(campaign: Campaign) -> dict:
    """The manage page's few figures, cheaply (3 queries): engagements, clicks, conversions."""
    posts = CollaborationDeliverable.objects.filter(collaboration__campaign=campaign, status__in=PUBLISHED)
    engagements, sources = [], set()
    for row in posts.values(*POST_FIELDS):
        values, source = post_metrics(row)
        known = [values[name] for name in ENGAGEMENT_METRICS if values[name] is not None]
        if known:
            engagements.append(sum(known))
            sources.add(source)
    clicks = Click.objects.filter(link__campaign=campaign).count()
    conversions = Conversion.objects.filter(campaign=campaign).aggregate(
        attributed=Count("pk", filter=Q(collaboration__isnull=False))
    )["attributed"]
    return {
        "engagements": Figure(sum(engagements) if engagements else None, source_of(sources)),
        "clicks": Figure(clicks, TRACKED),
        "conversions": Figure(conversions, TRACKED),
    }
