"""Authenticity signals for a social account: a 0–100 score with flags, never a filter.

The formula is published in docs/matching.md. The scoring functions are pure: they read the
account's stored metrics and the numbers passed in. Two functions read the database:
tier_medians_from_accounts (only the queryset it is given) and the real-data loaders
(`real_data_by_account`, `real_data`), which read a connected account's recent MetricsSnapshots.

Three signals need real data (a connected account): engagement spread across recent posts, the
largest follower jump between two refreshes, and comments per like. Without it they are "not enough
data": left out of the score (the other weights count alone), never scored as perfect.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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

# Real-data signals (docs/matching.md). Engagement spread is the coefficient of variation of
# per-post likes + comments (platforms/metrics.py): real audiences give roughly 0.3–1.5. Under
# SPREAD_LOW every post gets nearly the same engagement (delivered packages); over SPREAD_HIGH it sits
# on a few posts (one viral post alone stays under it, about 1.2 at 10× and 2.6 at 30× in 30 posts).
SPREAD_LOW = Decimal("0.15")
SPREAD_HIGH = Decimal("2.5")
SPREAD_ZERO = Decimal("5")
# Follower growth between two refreshes (a day to a week apart) up to JUMP_OK % is ordinary; the
# signal falls to 0 at JUMP_ZERO %. Accounts under RATIO_MIN_FOLLOWERS swing by a few people: not judged.
JUMP_OK = Decimal("10")
JUMP_ZERO = Decimal("50")
# Median comments per like under this (1 comment per 200 likes) suggests bought likes.
COMMENTS_PER_LIKE_LOW = Decimal("0.005")
# Real-data signals read the snapshots taken in this many days before `today`.
REAL_DATA_DAYS = 90

# Weights of the signals in the 0–100 score. A signal without data is left out and the others are
# weighed alone, so an account without real data scores exactly as the first three (summing to 100).
AUTHENTICITY_WEIGHTS = {
    "ratio": 30,
    "engagement": 40,
    "freshness": 30,
    "spread": 20,
    "follower_jump": 20,
    "comments": 20,
}
REAL_DATA_SIGNALS = ("spread", "follower_jump", "comments")


@dataclass(frozen=True)
class RealData:
    """What a connected account's recent snapshots say; None where there is not enough data."""

    engagement_spread: Decimal | None = None
    comments_per_like: Decimal | None = None
    # The largest follower change (%) between two refreshes in the window.
    follower_jump: Decimal | None = None
    # Posts published in the 90 days before the latest refresh (recent activity); None: unknown.
    posts_last_90_days: int | None = None


@dataclass
class Authenticity:
    # None: not enough data to judge (the engagement rate is unknown), never shown as 100/100.
    score: int | None
    flags: list[str] = field(default_factory=list)
    # The signals scored, 0–1; a signal without data is absent here and named in `not_enough_data`.
    components: dict[str, float] = field(default_factory=dict)
    not_enough_data: list[str] = field(default_factory=list)

    @property
    def not_enough_data_labels(self) -> list[str]:
        return [str(SIGNAL_LABELS[name]) for name in self.not_enough_data]


SIGNAL_LABELS = {
    "ratio": gettext_lazy("follower/following ratio"),
    "engagement": gettext_lazy("engagement"),
    "spread": gettext_lazy("engagement spread across posts"),
    "follower_jump": gettext_lazy("follower jumps between refreshes"),
    "comments": gettext_lazy("comments per like"),
}


def _round4(value: float) -> float:
    return round(float(value), 4)


def _percent(value) -> str:
    return number_format(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2)


def _median_text(value) -> str:
    # 2.5 stays "2.5" (not "2.50"): medians are quoted as configured.
    return number_format(Decimal(str(value)).normalize())


def ratio_signal(*, followers: int, following: int | None) -> float | None:
    """followers / following, capped at 1; 1.0 below 1,000 followers or when following nobody.
    None (not enough data) when following is unknown."""
    if following is None:
        return None
    if followers < RATIO_MIN_FOLLOWERS or following <= 0:
        return 1.0
    return _round4(min(followers / following, 1.0))


def engagement_signal(*, engagement_rate, tier_median_er) -> float | None:
    """1.0 inside [0.25×, 4×] the tier median; linear to 0 at ER 0 below, and to 0 at 8× above.
    None (not enough data) when the engagement rate is unknown."""
    if engagement_rate is None:
        return None
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


def _decimal4(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def spread_signal(engagement_spread) -> float | None:
    """1.0 for a spread in [0.15, 2.5]; below, spread / 0.15; above, linear to 0 at 5. None: no data."""
    if engagement_spread is None:
        return None
    spread = Decimal(str(engagement_spread))
    if spread < SPREAD_LOW:
        return _decimal4(spread / SPREAD_LOW)
    if spread > SPREAD_HIGH:
        return _decimal4(max(Decimal(0), 1 - (spread - SPREAD_HIGH) / (SPREAD_ZERO - SPREAD_HIGH)))
    return 1.0


def follower_jump_signal(*, follower_jump, followers: int) -> float | None:
    """1.0 up to +10% between two refreshes, linear to 0 at +50%; 1.0 under 1,000 followers."""
    if follower_jump is None:
        return None
    jump = Decimal(str(follower_jump))
    if followers < RATIO_MIN_FOLLOWERS or jump <= JUMP_OK:
        return 1.0
    if jump >= JUMP_ZERO:
        return 0.0
    return _decimal4(1 - (jump - JUMP_OK) / (JUMP_ZERO - JUMP_OK))


def comments_signal(comments_per_like) -> float | None:
    """1.0 from 0.005 comments per like up; below, linear to 0 at none. None: no data."""
    if comments_per_like is None:
        return None
    ratio = Decimal(str(comments_per_like))
    if ratio >= COMMENTS_PER_LIKE_LOW:
        return 1.0
    return _decimal4(ratio / COMMENTS_PER_LIKE_LOW)


def authenticity_score(
    *,
    followers: int,
    following: int | None,
    engagement_rate,
    metrics_date: date,
    tier_median_er,
    today: date,
    real: RealData | None = None,
) -> tuple[int | None, dict[str, float]]:
    """The 0–100 score and the signals scored, from plain numbers (no flags, no text).

    `real`: the connected account's data (real_data_by_account); None for an account without it.
    Signals without data are left out of the components and of the weights. Without an engagement
    rate the score is None ("not enough data"): freshness alone would read as 100/100.
    """
    real = real or RealData()
    signals = {
        "ratio": ratio_signal(followers=followers, following=following),
        "engagement": engagement_signal(engagement_rate=engagement_rate, tier_median_er=tier_median_er),
        "freshness": freshness_signal(metrics_date=metrics_date, today=today),
        "spread": spread_signal(real.engagement_spread),
        "follower_jump": follower_jump_signal(follower_jump=real.follower_jump, followers=followers),
        "comments": comments_signal(real.comments_per_like),
    }
    components = {name: value for name, value in signals.items() if value is not None}
    if "engagement" not in components:
        return None, components
    weights = sum(AUTHENTICITY_WEIGHTS[name] for name in components)
    total = sum(Decimal(str(components[name])) * AUTHENTICITY_WEIGHTS[name] for name in components)
    score = total * 100 / weights
    return int(score.quantize(Decimal("1"), rounding=ROUND_HALF_UP)), components


def authenticity_signals(
    *, account: SocialAccount, tier_median_er, today: date, real: RealData | None = None
) -> Authenticity:
    """Score 0–100 and human-readable flags. Nobody is excluded on this: it informs, it never filters.

    `real`: the account's real data (`real_data(account, today=today)`); None when it has none.
    """
    score, components = authenticity_score(
        followers=account.followers,
        following=account.following,
        engagement_rate=account.engagement_rate,
        metrics_date=account.metrics_date,
        tier_median_er=tier_median_er,
        today=today,
        real=real,
    )

    flags = []
    following = account.following
    if following is not None and account.followers >= RATIO_MIN_FOLLOWERS and following > account.followers:
        flags.append(
            _("Follows back a lot: follows %(following)s accounts with %(followers)s followers.")
            % {
                "following": number_format(account.following, force_grouping=True),
                "followers": number_format(account.followers, force_grouping=True),
            }
        )
    if account.engagement_rate is not None and tier_median_er and float(tier_median_er) > 0:
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
    flags.extend(_real_data_flags(real or RealData(), followers=account.followers))
    return Authenticity(
        score=score,
        flags=flags,
        components=components,
        not_enough_data=[
            name for name in ("ratio", "engagement", *REAL_DATA_SIGNALS) if name not in components
        ],
    )


def _real_data_flags(real: RealData, *, followers: int) -> list[str]:
    flags = []
    spread = real.engagement_spread
    if spread is not None and Decimal(str(spread)) < SPREAD_LOW:
        flags.append(
            _(
                "Engagement is almost the same on every recent post (spread %(spread)s): "
                "possible bought likes or comments."
            )
            % {"spread": number_format(Decimal(str(spread)), 2)}
        )
    elif spread is not None and Decimal(str(spread)) > SPREAD_HIGH:
        flags.append(
            _(
                "Engagement sits on a few recent posts (spread %(spread)s): "
                "possible bought engagement on some posts."
            )
            % {"spread": number_format(Decimal(str(spread)), 2)}
        )
    jump = real.follower_jump
    if jump is not None and followers >= RATIO_MIN_FOLLOWERS and Decimal(str(jump)) > JUMP_OK:
        flags.append(
            _("Followers jumped by %(change)s%% between two refreshes: possible bought followers.")
            % {"change": _percent(jump)}
        )
    ratio = real.comments_per_like
    if ratio is not None and Decimal(str(ratio)) < COMMENTS_PER_LIKE_LOW:
        flags.append(
            _("Only %(comments)s comments per 100 likes on recent posts: possible bought likes.")
            % {"comments": _percent(Decimal(str(ratio)) * 100)}
        )
    return flags


# Real data: read from a connected account's snapshots (the only part of this module that queries)


def _window_start(today: date) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=REAL_DATA_DAYS), time.min))


def real_data_by_account(account_ids: Iterable[int], *, today: date) -> dict[int, RealData]:
    """{account id: RealData} for accounts with a snapshot taken in the REAL_DATA_DAYS before `today`,
    in one query whatever their number. Spread and comments per like come from the latest snapshot,
    the jump is the largest follower change among them. Accounts without such a snapshot are absent.
    """
    from platforms.models import MetricsSnapshot

    ids = list(account_ids)
    if not ids:
        return {}
    latest: dict[int, tuple] = {}
    jumps: dict[int, Decimal] = {}
    rows = (
        MetricsSnapshot.objects.filter(connection__account_id__in=ids, taken_at__gte=_window_start(today))
        .order_by("taken_at", "pk")
        .values_list(
            "connection__account_id",
            "engagement_spread",
            "comments_per_like",
            "follower_change",
            "posts_last_90_days",
        )
    )
    for account_id, spread, comments, change, posts in rows:
        latest[account_id] = (spread, comments, posts)
        if change is not None and (account_id not in jumps or change > jumps[account_id]):
            jumps[account_id] = change
    return {
        account_id: RealData(
            engagement_spread=spread,
            comments_per_like=comments,
            follower_jump=jumps.get(account_id),
            posts_last_90_days=posts,
        )
        for account_id, (spread, comments, posts) in latest.items()
    }


def real_data_prefetch(accounts: Iterable[SocialAccount], *, today: date) -> None:
    """Load the real data of many accounts in one query, for `real_data` to read (lists of matches)."""
    verified = [account for account in accounts if account.pk and account.is_metrics_verified]
    found = real_data_by_account([account.pk for account in verified], today=today)
    for account in verified:
        account._real_data = (today, found.get(account.pk))


def real_data(account: SocialAccount, *, today: date) -> RealData | None:
    """The account's real data, or None: accounts whose numbers are self-reported have none.

    Reads what real_data_prefetch loaded, else queries once and keeps the answer on the account.
    """
    if not account.pk or not account.is_metrics_verified:
        return None
    cached = getattr(account, "_real_data", None)
    if cached is None or cached[0] != today:
        cached = (today, real_data_by_account([account.pk], today=today).get(account.pk))
        account._real_data = cached
    return cached[1]


def tier_medians_from_accounts(accounts: QuerySet | Iterable[tuple[str, object]]) -> dict[str, float]:
    """Median engagement rate per tier from data, falling back to DEFAULT_TIER_MEDIAN_ER per tier.

    Takes a SocialAccount queryset (streamed as (tier, engagement_rate) pairs) or any iterable of
    such pairs. A tier with fewer than MIN_ACCOUNTS_FOR_MEDIAN accounts keeps its default. Unknown
    rates (None) are left out: they are not zeros and must not pull a median down.
    """
    if isinstance(accounts, QuerySet):
        accounts = (
            accounts.filter(engagement_rate__isnull=False)
            .values_list("tier", "engagement_rate")
            .iterator(chunk_size=5_000)
        )
    rates: dict[str, list[Decimal]] = defaultdict(list)
    for tier, rate in accounts:
        if rate is None:
            continue
        rates[tier].append(Decimal(str(rate)))
    medians = dict(DEFAULT_TIER_MEDIAN_ER)
    for tier, values in rates.items():
        if len(values) >= MIN_ACCOUNTS_FOR_MEDIAN:
            medians[tier] = _round4(statistics.median(values))
    return medians
