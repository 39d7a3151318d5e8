"""Authenticity signals for a social account: a 0–100 score with flags, never a filter.

The formula is published in docs/matching.md. Every function here is pure: it reads the account's
stored metrics and the numbers passed in, and touches no database (except tier_medians_from_accounts,
which only reads the queryset it is given).
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import SocialAccount, Tier

# Median engagement rate (%) per follower tier, from public industry benchmarks for Instagram
# (2023–2024 reports agree on this shape: smaller accounts engage more). These are DEFAULTS: replace
# them with the platform's own medians from tier_medians_from_accounts() once there is enough data.
# No benchmark covers accounts under 1,000 followers, so "starter" borrows nano's figure.
DEFAULT_TIER_MEDIAN_ER: dict[str, float] = {
    Tier.STARTER.value: 4.0,
    Tier.NANO.value: 4.0,
    Tier.MICRO.value: 2.5,
    Tier.MID.value: 1.7,
    Tier.MACRO.value: 1.3,
    Tier.MEGA.value: 1.0,
}

# A tier's median from fewer accounts than this is noise; the default is kept instead.
MIN_ACCOUNTS_FOR_MEDIAN = 30

# Following > followers only means something once an account is past the follow-for-follow stage.
RATIO_MIN_FOLLOWERS = 1_000
# Engagement outside [LOW, HIGH] × the tier median is flagged.
ER_LOW_MULTIPLE = 0.25
ER_HIGH_MULTIPLE = 4.0
# Metrics are fresh for this many days, then the freshness score falls linearly to 0.
FRESH_DAYS = 90
STALE_DAYS = 365

# Weights of the three signals in the 0–100 score; they sum to 100.
AUTHENTICITY_WEIGHTS = {"ratio": 30, "engagement": 40, "freshness": 30}


@dataclass
class Authenticity:
    score: int
    flags: list[str] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)


def _round4(value: float) -> float:
    return round(float(value), 4)


def _percent(value) -> str:
    return number_format(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


def _median_text(value) -> str:
    # 2.5 stays "2.5" (not "2.50"): medians are quoted as configured.
    return number_format(Decimal(str(value)).normalize())


def ratio_signal(*, followers: int, following: int) -> float:
    """followers / following, capped at 1; 1.0 below 1,000 followers or when following nobody."""
    if followers < RATIO_MIN_FOLLOWERS or following <= 0:
        return 1.0
    return _round4(min(followers / following, 1.0))


def engagement_signal(*, engagement_rate, tier_median_er) -> float:
    """1.0 inside [0.25×, 4×] the tier median; linear to 0 at ER 0 below, and to 0 at 8× above."""
    if not tier_median_er or float(tier_median_er) <= 0:
        return 1.0
    multiple = float(engagement_rate) / float(tier_median_er)
    if multiple < ER_LOW_MULTIPLE:
        return _round4(multiple / ER_LOW_MULTIPLE)
    if multiple > ER_HIGH_MULTIPLE:
        return _round4(max(0.0, 1 - (multiple - ER_HIGH_MULTIPLE) / ER_HIGH_MULTIPLE))
    return 1.0


def freshness_signal(*, metrics_date: date, today: date) -> float:
    """1.0 up to 90 days old, then linear to 0 at 365 days."""
    age = (today - metrics_date).days
    if age <= FRESH_DAYS:
        return 1.0
    if age >= STALE_DAYS:
        return 0.0
    return _round4(1 - (age - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS))


def authenticity_score(
    *, followers: int, following: int, engagement_rate, metrics_date: date, tier_median_er, today: date
) -> tuple[int, dict[str, float]]:
    """The 0–100 score and its three signals, from plain numbers (no flags, no text)."""
    components = {
        "ratio": ratio_signal(followers=followers, following=following),
        "engagement": engagement_signal(engagement_rate=engagement_rate, tier_median_er=tier_median_er),
        "freshness": freshness_signal(metrics_date=metrics_date, today=today),
    }
    total = sum(Decimal(str(components[name])) * weight for name, weight in AUTHENTICITY_WEIGHTS.items())
    return int(total.quantize(Decimal("1"), rounding=ROUND_HALF_UP)), components


def authenticity_signals(*, account: SocialAccount, tier_median_er, today: date) -> Authenticity:
    """Score 0–100 and human-readable flags. Nobody is excluded on this: it informs, it never filters."""
    score, components = authenticity_score(
        followers=account.followers,
        following=account.following,
        engagement_rate=account.engagement_rate,
        metrics_date=account.metrics_date,
        tier_median_er=tier_median_er,
        today=today,
    )

    flags = []
    if account.followers >= RATIO_MIN_FOLLOWERS and account.following > account.followers:
        flags.append(
            _("Follows back a lot: follows %(following)s accounts with %(followers)s followers.")
            % {
                "following": number_format(account.following, force_grouping=True),
                "followers": number_format(account.followers, force_grouping=True),
            }
        )
    if tier_median_er and float(tier_median_er) > 0:
        multiple = float(account.engagement_rate) / float(tier_median_er)
        values = {
            "rate": _percent(account.engagement_rate),
            "tier": Tier(account.tier).label,
            "median": _median_text(tier_median_er),
        }
        if multiple < ER_LOW_MULTIPLE:
            flags.append(
                _(
                    "Engagement %(rate)s%% is under a quarter of the %(tier)s median (%(median)s%%): "
                    "possible bought followers."
                )
                % values
            )
        elif multiple > ER_HIGH_MULTIPLE:
            flags.append(
                _(
                    "Engagement %(rate)s%% is over 4× the %(tier)s median (%(median)s%%): "
                    "possible engagement pods or bought likes."
                )
                % values
            )
    age = (today - account.metrics_date).days
    if age > FRESH_DAYS:
        flags.append(_("Metrics are %(days)s days old.") % {"days": number_format(age, force_grouping=True)})
    return Authenticity(score=score, flags=flags, components=components)


def tier_medians_from_accounts(accounts: QuerySet | Iterable[tuple[str, object]]) -> dict[str, float]:
    """Median engagement rate per tier from data, falling back to DEFAULT_TIER_MEDIAN_ER per tier.

    Takes a SocialAccount queryset (streamed as (tier, engagement_rate) pairs) or any iterable of
    such pairs. A tier with fewer than MIN_ACCOUNTS_FOR_MEDIAN accounts keeps its default.
    """
    if isinstance(accounts, QuerySet):
        accounts = accounts.values_list("tier", "engagement_rate").iterator(chunk_size=5_000)
    rates: dict[str, list[Decimal]] = defaultdict(list)
    for tier, rate in accounts:
        rates[tier].append(Decimal(str(rate)))
    medians = dict(DEFAULT_TIER_MEDIAN_ER)
    for tier, values in rates.items():
        if len(values) >= MIN_ACCOUNTS_FOR_MEDIAN:
            medians[tier] = _round4(statistics.median(values))
    return medians
