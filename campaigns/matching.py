"""How well a creator fits a brief: a 0–100 match score built from named components, each explained.

Pure functions over values already loaded: the campaign (with niches, causes and deliverables), the
creator (with niches, causes and rate card) and one social account. Prefetch those relations when
scoring many creators; nothing here writes. The formula, weights and worked examples are published
in docs/matching.md, and tests/campaigns/test_matching.py checks those examples number for number.

Hard filters (platform, follower range, minimum engagement, languages) use the same rules as
campaigns.eligibility; failing one does not change the score, it sets passes_hard_filters.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from campaigns.eligibility import fits_follower_range, follower_range_text, verified_required_text
from campaigns.models import Campaign
from creators.authenticity import DEFAULT_TIER_MEDIAN_ER, authenticity_signals, real_data
from creators.models import CreatorProfile, Platform, SocialAccount, Tier
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.money import format_money

# Points per component; they sum to 100.
WEIGHTS: dict[str, int] = {
    "niche": 22,
    "cause": 8,
    "audience_country": 13,
    "audience_language": 8,
    "engagement": 15,
    "size": 8,
    "activity": 6,
    "fee": 8,
    "reliability": 8,
    "authenticity": 4,
}

# Components are computed to 4 decimal places: UNITS of 1/10,000.
UNITS = 10_000
UNIT = Decimal("0.0001")

# The value a component takes when the brief asks nothing of it, or the data to judge is missing.
NEUTRAL = 0.5
# A niche or cause overlap (Jaccard) at or above this reads "strong".
STRONG_OVERLAP = 0.5
# Engagement at ENGAGEMENT_CAP × the tier median or more scores 1.0; at the median, 0.5.
ENGAGEMENT_CAP = 2.0

# Recent activity: this many posts in the last 90 days (about one a week) or more scores 1.0.
ACTIVE_POSTS_90_DAYS = 12
# Follower position: 1.0 across the middle half of the brief's range on a log scale, 0.5 at the bounds.
SIZE_LOG_SCALE = 10_000  # log10(followers) in units of 1/10,000

# Bayesian reliability: every rate starts as RELIABILITY_PRIOR_WEIGHT pseudo-collaborations at
# RELIABILITY_PRIOR, so a new creator scores the prior and a long record outweighs it.
RELIABILITY_PRIOR = 0.9
RELIABILITY_PRIOR_WEIGHT = 5


@dataclass(frozen=True)
class Reliability:
    """A creator's track record, as counts (a selector computes these from collaborations and ratings).

    finished: collaborations that ended (completed or cancelled); completed: those completed.
    delivered: completed collaborations that had a due date; on_time: those delivered by it.
    rating_average: mean 1–5 score organizations gave; rating_count: how many ratings.
    """

    finished: int = 0
    completed: int = 0
    delivered: int = 0
    on_time: int = 0
    rating_average: Decimal | float | None = None
    rating_count: int = 0


@dataclass
class MatchResult:
    score: int
    components: dict[str, float]
    reasons: list[str]
    passes_hard_filters: bool
    hard_filter_failures: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _round4(value) -> float:
    """Half up to 4 places via the decimal text, so Python and SQL (campaigns/ranking.py) agree."""
    return float(Decimal(str(value)).quantize(UNIT, rounding=ROUND_HALF_UP))


def ratio_units(numerator: int, denominator: int) -> int:
    """numerator / denominator in units of 1/10,000, half up, in integers: the same arithmetic the
    SQL ranking runs, so both round every tie the same way."""
    return (numerator * 2 * UNITS + denominator) // (2 * denominator)


def to_units(component: float) -> int:
    """A 0–1 component (4 decimal places) as an integer of 1/10,000."""
    return int(Decimal(str(component)) * UNITS)


NEUTRAL_UNITS = 5_000


def _clip(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _number(value) -> str:
    return number_format(value, force_grouping=True)


def _share(value) -> str:
    """A percentage with at most one decimal: 82 → "82", 88.5 → "88.5" ("88,5" in Indonesian)."""
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal("1"))
    return number_format(rounded)


def _names(terms) -> str:
    return ", ".join(term.name for term in terms)


def jaccard(wanted: set, offered: set) -> float:
    """|A ∩ B| / |A ∪ B|; NEUTRAL when the brief wants nothing."""
    if not wanted:
        return NEUTRAL
    return ratio_units(len(wanted & offered), len(wanted | offered)) / UNITS


def audience_share(audience: Iterable[dict], targets: Iterable[str]) -> float:
    """Sum of the audience percentages whose code is targeted, as 0–1."""
    wanted = {code.lower() for code in targets}
    total = sum(
        Decimal(str(entry.get("pct", 0)))
        for entry in audience or []
        if str(entry.get("code", "")).lower() in wanted
    )
    return _round4(_clip(float(total / 100)))


def engagement_quality(*, engagement_rate, tier_median_er) -> float:
    """min(ER / tier median, 2) / 2: the median scores 0.5, twice the median or more scores 1.0.
    Unknown engagement (None) is neutral: it is not a zero."""
    if engagement_rate is None or not tier_median_er or float(tier_median_er) <= 0:
        return NEUTRAL
    return _round4(min(float(engagement_rate) / float(tier_median_er), ENGAGEMENT_CAP) / ENGAGEMENT_CAP)


def log_units(followers: int) -> int:
    """log10(followers) in units of 1/10,000 (0 for fewer than 1): the follower scale of size_units.
    Both the reference loop and the index call this one function, so they agree to the unit."""
    return round(math.log10(followers) * SIZE_LOG_SCALE) if followers >= 1 else 0


def size_units(followers_log: int, low: int | None, high: int | None) -> int:
    """Where a creator sits in the brief's follower range, in units of 1/10,000, from log_units.

    On a log scale: 1.0 across the middle half of [min, max], falling linearly to 0.5 at either
    bound (and staying there outside it). A 1k–100k brief fully values 3.2k–31.6k, not simply the
    largest, and creators inside that band are told apart by the other signals. A brief without
    both bounds asks nothing of the position: neutral.
    """
    if low is None or high is None:
        return NEUTRAL_UNITS
    span = log_units(max(high, 1)) - log_units(max(low, 1))
    if span <= 0:
        return UNITS
    position = min(max(followers_log - log_units(max(low, 1)), 0), span)
    # Twice the distance from the middle: 0 at the middle, span at a bound.
    distance = abs(2 * position - span)
    if 2 * distance <= span:
        return UNITS
    return UNITS - ratio_units(2 * distance - span, 2 * span)


def activity_units(posts_last_90_days: int | None) -> int:
    """min(posts in the last 90 days, 12) / 12 in units of 1/10,000; unknown is neutral."""
    if posts_last_90_days is None:
        return NEUTRAL_UNITS
    return ratio_units(min(posts_last_90_days, ACTIVE_POSTS_90_DAYS), ACTIVE_POSTS_90_DAYS)


def creator_price(*, campaign: Campaign, creator: CreatorProfile) -> Decimal | None:
    """What the creator's rate card charges for every deliverable the brief asks for, in the brief's
    currency; None when any of them is not priced in that currency (no conversion is guessed)."""
    specs = list(campaign.deliverables.all())
    if not specs:
        return None
    prices = {
        (item.platform, item.format): item.price
        for item in creator.rate_card.all()
        if item.currency == campaign.currency
    }
    total = Decimal("0")
    for spec in specs:
        price = prices.get((spec.platform, spec.format))
        if price is None:
            return None
        total += price * spec.quantity
    return total


def fee_fit(*, price: Decimal | None, fee_ceiling: Decimal | None) -> float:
    """1.0 at or under the brief's top fee; above it, linear down to 0 at twice the top fee."""
    if price is None or fee_ceiling is None or fee_ceiling <= 0:
        return NEUTRAL
    if price <= fee_ceiling:
        return 1.0
    if price >= 2 * fee_ceiling:
        return 0.0
    # 1 − (price − top) / top = (2·top − price) / top, in whole cents so the rounding is exact.
    return ratio_units(int((2 * fee_ceiling - price) * 100), int(fee_ceiling * 100)) / UNITS


def bayesian_rate(successes: int, trials: int) -> float:
    """(k·prior + successes) / (k + trials), with k = RELIABILITY_PRIOR_WEIGHT."""
    k = RELIABILITY_PRIOR_WEIGHT
    return (k * RELIABILITY_PRIOR + successes) / (k + trials)


def reliability_score(reliability: Reliability) -> float:
    """Mean of Bayesian completion rate, on-time rate and rating ((average − 1) / 4, weighted by count)."""
    completion = bayesian_rate(reliability.completed, reliability.finished)
    on_time = bayesian_rate(reliability.on_time, reliability.delivered)
    if reliability.rating_count and reliability.rating_average is not None:
        rating_norm = (float(reliability.rating_average) - 1) / 4
        rating = bayesian_rate(rating_norm * reliability.rating_count, reliability.rating_count)
    else:
        rating = RELIABILITY_PRIOR
    return _round4((completion + on_time + rating) / 3)


def _audience_failures(campaign: Campaign, account: SocialAccount) -> list[str]:
    failures = []
    if not fits_follower_range(account, campaign):
        failures.append(
            _("Has %(followers)s followers; the brief asks for %(range)s.")
            % {"followers": _number(account.followers), "range": follower_range_text(campaign)}
        )
    if campaign.min_engagement_rate is not None and account.engagement_rate is None:
        # Unknown is not zero, but the brief's minimum cannot be confirmed either.
        failures.append(
            _("No engagement data: the brief asks for at least %(minimum)s%%.")
            % {"minimum": campaign.min_engagement_rate}
        )
    elif campaign.min_engagement_rate is not None and account.engagement_rate < campaign.min_engagement_rate:
        failures.append(
            _("Engagement rate %(rate)s%% is under the brief's minimum of %(minimum)s%%.")
            % {"rate": account.engagement_rate, "minimum": campaign.min_engagement_rate}
        )
    return failures


def hard_filter_failures(
    *, campaign: Campaign, creator: CreatorProfile, account: SocialAccount | None
) -> list[str]:
    """Why this creator cannot be matched to the brief, in words; empty when every hard rule holds."""
    failures = []
    platforms = ", ".join(str(Platform(code).label) for code in campaign.platforms)
    if account is None and campaign.requires_verified_accounts:
        pass  # account_for_campaign kept verified accounts only: said below
    elif account is None:
        if campaign.platforms:
            failures.append(_("No account on %(platforms)s.") % {"platforms": platforms})
        else:
            failures.append(_("No social account with metrics."))
    elif campaign.platforms and account.platform not in campaign.platforms:
        failures.append(_("No account on %(platforms)s.") % {"platforms": platforms})
    else:
        failures.extend(_audience_failures(campaign, account))
    if campaign.requires_verified_accounts and (account is None or not account.is_metrics_verified):
        failures.append(verified_required_text(campaign, for_creator=False))
    if campaign.target_languages and not set(creator.languages) & set(campaign.target_languages):
        failures.append(
            _("Does not create content in %(languages)s.")
            % {
                "languages": ", ".join(
                    str(LANGUAGE_NAMES.get(code, code)) for code in campaign.target_languages
                )
            }
        )
    return failures


def hard_filters_pass(*, campaign: Campaign, creator: CreatorProfile, account: SocialAccount | None) -> bool:
    return not hard_filter_failures(campaign=campaign, creator=creator, account=account)


def _country_fit(campaign: Campaign, creator: CreatorProfile, account: SocialAccount) -> tuple[float, str]:
    targets = campaign.target_countries
    if not targets:
        return NEUTRAL, ""
    audience = account.audience_countries or []
    if not audience:
        # Without audience data, the creator's own country is the only evidence.
        value = NEUTRAL if creator.country.code in targets else 0.0
        return value, _("No audience country data.")
    value = audience_share(audience, targets)
    if value == 0:
        return value, _("No audience in %(countries)s.") % {
            "countries": ", ".join(str(countries.name(code)) for code in targets)
        }
    present = [
        str(countries.name(code))
        for code in targets
        if any(str(e.get("code", "")).upper() == code.upper() for e in audience)
    ]
    return value, _("Audience %(share)s%% in %(countries)s.") % {
        "share": _share(value * 100),
        "countries": ", ".join(present),
    }


def _language_fit(campaign: Campaign, creator: CreatorProfile, account: SocialAccount) -> tuple[float, str]:
    targets = campaign.target_languages
    if not targets:
        return NEUTRAL, ""
    audience = account.audience_languages or []
    if not audience:
        value = NEUTRAL if set(creator.languages) & set(targets) else 0.0
        return value, _("No audience language data.")
    value = audience_share(audience, targets)
    present = [
        str(LANGUAGE_NAMES.get(code, code))
        for code in targets
        if any(str(e.get("code", "")).lower() == code.lower() for e in audience)
    ]
    if value == 0:
        return value, _("No audience speaking %(languages)s.") % {
            "languages": ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in targets)
        }
    return value, _("Audience %(share)s%% %(languages)s-speaking.") % {
        "share": _share(value * 100),
        "languages": ", ".join(present),
    }


def _overlap_reason(value: float, shared, *, strong: str, partial: str, none: str) -> str:
    if value >= STRONG_OVERLAP:
        return strong % {"names": _names(shared)}
    if value > 0:
        return partial % {"names": _names(shared)}
    return none


def _fee(campaign: Campaign, creator: CreatorProfile) -> tuple[float, str]:
    if not campaign.is_paid:
        if creator.open_to_pro_bono:
            return 1.0, _("Open to pro-bono work.")
        return NEUTRAL, ""
    ceiling = campaign.fee_max if campaign.fee_max is not None else campaign.fee_min
    price = creator_price(campaign=campaign, creator=creator)
    value = fee_fit(price=price, fee_ceiling=ceiling)
    if ceiling is None:
        return value, ""
    if price is None:
        return value, _("No rate card price in %(currency)s for the requested deliverables.") % {
            "currency": campaign.currency
        }
    values = {
        "price": format_money(price, campaign.currency),
        "fee": format_money(ceiling, campaign.currency),
    }
    if value == 1.0:
        return value, _("Fee within range (rate card %(price)s).") % values
    return value, _("Rate card %(price)s is above the brief's %(fee)s.") % values


def _size(campaign: Campaign, account: SocialAccount) -> tuple[float, str]:
    low, high = campaign.min_followers, campaign.max_followers
    value = size_units(log_units(account.followers), low, high) / UNITS
    if low is None or high is None:
        return value, ""
    values = {"followers": _number(account.followers), "range": follower_range_text(campaign)}
    middle = math.sqrt(max(low, 1) * max(high, 1))
    if value == 1.0:
        return value, _("%(followers)s followers: in the middle of the brief's range (%(range)s).") % values
    if account.followers < middle:
        return value, _(
            "%(followers)s followers: towards the low end of the brief's range (%(range)s)."
        ) % values
    return value, _(
        "%(followers)s followers: towards the high end of the brief's range (%(range)s)."
    ) % values


def _reliability_reason(reliability: Reliability) -> str:
    if not reliability.finished and not reliability.rating_count:
        return _("New on Kolabo: reliability starts at the neutral prior.")
    parts = []
    if reliability.finished:
        parts.append(
            ngettext(
                "completed %(completed)s of %(finished)s collaboration, %(on_time)s of %(delivered)s on time",
                "completed %(completed)s of %(finished)s collaborations, %(on_time)s of %(delivered)s on time",
                reliability.finished,
            )
            % {
                "completed": reliability.completed,
                "finished": reliability.finished,
                "on_time": reliability.on_time,
                "delivered": reliability.delivered,
            }
        )
    if reliability.rating_count and reliability.rating_average is not None:
        parts.append(
            ngettext(
                "rated %(average)s/5 from %(count)s review",
                "rated %(average)s/5 from %(count)s reviews",
                reliability.rating_count,
            )
            % {
                "average": number_format(
                    Decimal(str(reliability.rating_average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                ),
                "count": reliability.rating_count,
            }
        )
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _authenticity_reason(authenticity, *, verified: bool) -> str:
    if authenticity.score is None:
        return _("Authenticity: not enough data (no engagement data).")
    values = {"score": authenticity.score}
    if not verified:
        return _("Authenticity %(score)s/100.") % values
    if authenticity.not_enough_data:
        return _("Authenticity %(score)s/100 from verified data; not enough data yet for %(signals)s.") % (
            values | {"signals": ", ".join(authenticity.not_enough_data_labels)}
        )
    return _("Authenticity %(score)s/100 from verified data.") % values


def match_score(
    *,
    campaign: Campaign,
    creator: CreatorProfile,
    account: SocialAccount | None,
    tier_medians: dict[str, float] | None = None,
    reliability: Reliability | None = None,
    today: date | None = None,
) -> MatchResult:
    """Score 0–100 with the components (each 0–1) and the reasons behind it.

    `account` is the creator's account judged for this brief (see account_for_campaign); with none,
    account-based components are neutral and the hard filters fail. `today` dates the metrics
    freshness (default: the local date); pass it to score a whole batch against one day.
    """
    medians = DEFAULT_TIER_MEDIAN_ER if tier_medians is None else tier_medians
    reliability = reliability or Reliability()
    reasons: list[str] = []
    components: dict[str, float] = {}

    campaign_niches = list(campaign.niches.all())
    creator_niche_ids = {niche.pk for niche in creator.niches.all()}
    shared_niches = [n for n in campaign_niches if n.pk in creator_niche_ids]
    components["niche"] = jaccard({n.pk for n in campaign_niches}, creator_niche_ids)
    if campaign_niches:
        reasons.append(
            _overlap_reason(
                components["niche"],
                shared_niches,
                strong=_("Strong niche match: %(names)s."),
                partial=_("Partial niche match: %(names)s."),
                none=_("No shared niche with the brief."),
            )
        )

    campaign_causes = list(campaign.causes.all())
    creator_cause_ids = {cause.pk for cause in creator.causes.all()}
    shared_causes = [c for c in campaign_causes if c.pk in creator_cause_ids]
    components["cause"] = jaccard({c.pk for c in campaign_causes}, creator_cause_ids)
    if campaign_causes:
        reasons.append(
            _overlap_reason(
                components["cause"],
                shared_causes,
                strong=_("Strong cause match: %(names)s."),
                partial=_("Partial cause match: %(names)s."),
                none=_("No shared cause with the brief."),
            )
        )

    flags: list[str] = []
    if account is None:
        for name in (
            "audience_country",
            "audience_language",
            "engagement",
            "authenticity",
            "size",
            "activity",
        ):
            components[name] = NEUTRAL
    else:
        components["audience_country"], text = _country_fit(campaign, creator, account)
        reasons.append(text)
        components["audience_language"], text = _language_fit(campaign, creator, account)
        reasons.append(text)

        median = medians.get(account.tier)
        components["engagement"] = engagement_quality(
            engagement_rate=account.engagement_rate, tier_median_er=median
        )
        if account.engagement_rate is None:
            reasons.append(_("No engagement data: engagement scored neutral."))
        elif median:
            multiple = Decimal(str(float(account.engagement_rate) / float(median))).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            reasons.append(
                _("Engagement %(rate)s%% is %(multiple)s× the %(tier)s median (%(median)s%%).")
                % {
                    "rate": number_format(account.engagement_rate),
                    "multiple": number_format(multiple),
                    "tier": Tier(account.tier).label,
                    # Two decimals at most, as the rate: a median of 3.775 reads 3.78.
                    "median": number_format(
                        Decimal(str(median)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
                    ),
                }
            )

        day = today or timezone.localdate()
        real = real_data(account, today=day)
        authenticity = authenticity_signals(account=account, tier_median_er=median, today=day, real=real)
        components["authenticity"] = (
            NEUTRAL if authenticity.score is None else _round4(authenticity.score / 100)
        )
        flags = authenticity.flags
        reasons.append(_authenticity_reason(authenticity, verified=account.is_metrics_verified))

        components["size"], text = _size(campaign, account)
        reasons.append(text)
        posts = real.posts_last_90_days if real is not None else None
        components["activity"] = activity_units(posts) / UNITS
        if posts is not None:
            reasons.append(
                ngettext(
                    "%(count)s post in the last 90 days.",
                    "%(count)s posts in the last 90 days.",
                    posts,
                )
                % {"count": _number(posts)}
            )

    components["fee"], text = _fee(campaign, creator)
    reasons.append(text)

    components["reliability"] = reliability_score(reliability)
    reasons.append(_reliability_reason(reliability))

    total = sum(Decimal(str(components[name])) * weight for name, weight in WEIGHTS.items())
    failures = hard_filter_failures(campaign=campaign, creator=creator, account=account)
    return MatchResult(
        score=int(total.quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
        components={name: components[name] for name in WEIGHTS},
        reasons=[reason for reason in reasons if reason] + flags,
        passes_hard_filters=not failures,
        hard_filter_failures=failures,
        flags=flags,
    )
