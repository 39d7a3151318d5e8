"""Ranking every creator for a brief: precomputed match features and an exact integer formula.

`match_score` (campaigns/matching.py) explains one creator; ranking finds the best among a million.
Each social account's matching inputs are stored in `creators.MatchFeatures`, with the creator-only
components already computed (engagement, authenticity, reliability), and the brief becomes a
`BriefSpec`, so the score is integer arithmetic:

- niches and causes: bit masks; overlap = popcount(mask & brief mask), Jaccard = overlap /
  (creator count + brief count − overlap);
- audience: {code: hundredths of a percent}, summed over the brief's targets;
- fee: rate-card cents per "platform:format:CURRENCY", times the quantities;
- every component in units of 1/10,000, rounded half up with integer division (`ratio_units`).

The total (score × 10,000) orders creators; ties go to the lower creator id. A creator is judged
by one account, the one `account_for_campaign` picks: the largest account on the brief's platforms
that passes the follower and engagement rules (and, when the brief requires it, is verified).

`score_row` and `rank_python` are the reference: a plain loop over rows. campaigns/match_index.py
runs the same arithmetic on numpy columns (fast), and tests check both agree with `match_score`.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from campaigns.matching import (
    NEUTRAL_UNITS,
    UNITS,
    WEIGHTS,
    activity_units,
    engagement_quality,
    log_units,
    ratio_units,
    reliability_score,
    size_units,
    to_units,
)
from campaigns.models import Campaign
from creators.authenticity import (
    RealData,
    authenticity_score,
    real_data_by_account,
    tier_medians_from_accounts,
)
from creators.models import CreatorProfile, MatchFeatures, MetricsSource, RateCardItem, SocialAccount
from creators.taxonomy import LANGUAGES

MAX_TERM_ID = 63  # bits of a signed 64-bit mask
LANGUAGE_BITS = {code: index for index, (code, _label) in enumerate(LANGUAGES)}
MEDIANS_KEY = "kolabo:tier-medians"
MEDIANS_TTL = 2 * 24 * 60 * 60  # refreshed nightly; two days survive one missed run
# Rows written per INSERT … ON CONFLICT when refreshing features.
REFRESH_BATCH = 5_000


def _bit(term_id: int) -> int:
    if not 1 <= term_id <= MAX_TERM_ID:
        raise ValueError(f"taxonomy term id {term_id} does not fit the 63-bit match mask")
    return term_id - 1


def _mask(bits: Iterable[int]) -> int:
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


def rate_key(platform: str, fmt: str, currency: str) -> str:
    return f"{platform}:{fmt}:{currency}"


@dataclass(frozen=True)
class BriefSpec:
    """A brief reduced to the plain values ranking needs."""

    platforms: tuple[str, ...]
    min_followers: int | None
    max_followers: int | None
    min_engagement: Decimal | None
    language_mask: int
    niche_bits: tuple[int, ...]
    cause_bits: tuple[int, ...]
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    is_paid: bool
    fee_ceiling_cents: int | None
    rates: tuple[tuple[str, int], ...]  # (rate key, quantity) per deliverable
    verified_only: bool = False  # the brief requires verified (connected) accounts
    # A volunteer brief: only creators open to pro-bono work for causes (paid and stipend: anyone).
    pro_bono_only: bool = False
    # Recommendations only: a creator must share one of these niches (minimum relevance; 0 = any)
    # and score at least min_total (the brand's minimum match score, × 10,000).
    required_niche_mask: int = 0
    min_total: int | None = None


def brief_spec(campaign: Campaign) -> BriefSpec:
    """Read the brief once (niches, causes, deliverables); prefetch them to avoid the queries."""
    ceiling = campaign.fee_max if campaign.fee_max is not None else campaign.fee_min
    languages = tuple(sorted({code.lower() for code in campaign.target_languages or []}))
    return BriefSpec(
        platforms=tuple(campaign.platforms or ()),
        min_followers=campaign.min_followers,
        max_followers=campaign.max_followers,
        min_engagement=campaign.min_engagement_rate,
        language_mask=_mask(LANGUAGE_BITS[code] for code in languages if code in LANGUAGE_BITS),
        niche_bits=tuple(sorted(_bit(n.pk) for n in campaign.niches.all())),
        cause_bits=tuple(sorted(_bit(c.pk) for c in campaign.causes.all())),
        countries=tuple(sorted({code.upper() for code in campaign.target_countries or []})),
        languages=languages,
        is_paid=campaign.is_paid,
        fee_ceiling_cents=int(ceiling * 100) if ceiling is not None and ceiling > 0 else None,
        rates=tuple(
            (rate_key(spec.platform, spec.format, campaign.currency), spec.quantity)
            for spec in campaign.deliverables.all()
        ),
        verified_only=campaign.requires_verified_accounts,
        pro_bono_only=campaign.compensation == Campaign.Compensation.VOLUNTEER,
    )


# Features: written from the creator's data


def _shares(entries, *, upper: bool) -> dict[str, int]:
    shares: dict[str, int] = {}
    for entry in entries or []:
        code = str(entry.get("code", ""))
        code = code.upper() if upper else code.lower()
        shares[code] = shares.get(code, 0) + int(Decimal(str(entry.get("pct", 0))) * 100)
    return shares


@dataclass
class _Creator:
    country: str
    languages: list
    open_to_pro_bono: bool
    niche_ids: list
    cause_ids: list
    rate_cents: dict
    reliability_units: int


ACCOUNT_VALUES = (
    "pk",
    "profile_id",
    "platform",
    "followers",
    "following",
    "engagement_rate",
    "tier",
    "audience_countries",
    "audience_languages",
    "metrics_date",
    "metrics_source",
)


def features_row(
    account: dict[str, Any],
    creator: _Creator,
    *,
    medians: dict[str, float],
    today: date,
    real: RealData | None = None,
) -> dict:
    """The MatchFeatures values of one account (a dict of ACCOUNT_VALUES) of `creator`; `real` is
    its real data when its numbers are verified (creators.authenticity.real_data_by_account)."""
    median = medians.get(account["tier"])
    # Unknown engagement stays unknown: neutral units here, NULL in engagement_rate.
    authenticity, _signals = authenticity_score(
        followers=account["followers"],
        following=account["following"],
        engagement_rate=account["engagement_rate"],
        metrics_date=account["metrics_date"],
        tier_median_er=median,
        today=today,
        real=real,
    )
    return {
        "account_id": account["pk"],
        "profile_id": account["profile_id"],
        "platform": account["platform"],
        "followers": account["followers"],
        "engagement_rate": account["engagement_rate"],
        "tier": account["tier"],
        "creator_country": creator.country,
        "language_mask": _mask(LANGUAGE_BITS[code] for code in creator.languages if code in LANGUAGE_BITS),
        "niche_mask": _mask(_bit(pk) for pk in creator.niche_ids),
        "niche_count": len(creator.niche_ids),
        "cause_mask": _mask(_bit(pk) for pk in creator.cause_ids),
        "cause_count": len(creator.cause_ids),
        "audience_countries": _shares(account["audience_countries"], upper=True),
        "audience_languages": _shares(account["audience_languages"], upper=False),
        "has_audience_countries": bool(account["audience_countries"]),
        "has_audience_languages": bool(account["audience_languages"]),
        "open_to_pro_bono": creator.open_to_pro_bono,
        "metrics_verified": account["metrics_source"] == MetricsSource.VERIFIED,
        "rate_cents": creator.rate_cents,
        "engagement_units": to_units(
            engagement_quality(engagement_rate=account["engagement_rate"], tier_median_er=median)
        ),
        "authenticity_units": NEUTRAL_UNITS if authenticity is None else authenticity * UNITS // 100,
        "activity_units": activity_units(real.posts_last_90_days if real is not None else None),
        "reliability_units": creator.reliability_units,
        "computed_on": today,
    }


def _creators(ids: list[int]) -> dict[int, _Creator]:
    """The creator-level inputs of `ids`, in six queries whatever their number."""
    from campaigns.selectors.reliability import creator_reliability

    records = creator_reliability(creator_ids=ids)
    creators = {
        pk: _Creator(
            str(country), languages or [], pro_bono, [], [], {}, to_units(reliability_score(records[pk]))
        )
        for pk, country, languages, pro_bono in CreatorProfile.objects.filter(pk__in=ids).values_list(
            "pk", "country", "languages", "open_to_pro_bono"
        )
    }
    for profile_id, niche_id in CreatorProfile.niches.through.objects.filter(
        creatorprofile_id__in=ids
    ).values_list("creatorprofile_id", "niche_id"):
        creators[profile_id].niche_ids.append(niche_id)
    for profile_id, cause_id in CreatorProfile.causes.through.objects.filter(
        creatorprofile_id__in=ids
    ).values_list("creatorprofile_id", "cause_id"):
        creators[profile_id].cause_ids.append(cause_id)
    for profile_id, platform, fmt, currency, price in RateCardItem.objects.filter(
        profile_id__in=ids
    ).values_list("profile_id", "platform", "format", "currency", "price"):
        creators[profile_id].rate_cents[rate_key(platform, fmt, currency)] = int(price * 100)
    return creators


# bulk_create's update_fields: everything but the key.
_FEATURE_FIELDS = [field.name for field in MatchFeatures._meta.concrete_fields if not field.primary_key]
FEATURE_COLUMNS = [
    field.column for field in MatchFeatures._meta.concrete_fields if field.name != "updated_at"
]


def _write(rows: list[dict]) -> None:
    """Upsert by account: COPY into a temporary table on PostgreSQL (a million rows in minutes,
    not hours), bulk_create elsewhere."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        MatchFeatures.objects.bulk_create(
            [MatchFeatures(**row, updated_at=now) for row in rows],
            update_conflicts=True,
            unique_fields=["account"],
            update_fields=_FEATURE_FIELDS,
        )
        return
    columns = [*FEATURE_COLUMNS, "updated_at"]
    json_columns = {"audience_countries", "audience_languages", "rate_cents"}
    table = MatchFeatures._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS match_features_load (LIKE {table}) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY match_features_load ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[c]) if c in json_columns else row[c] for c in FEATURE_COLUMNS] + [now]
                )
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "account_id")
        # Identifiers come from the model's own metadata, never from input.
        names = ", ".join(columns)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM match_features_load "  # noqa: S608
            f"ON CONFLICT (account_id) DO UPDATE SET {updates}"
        )
        cursor.execute("TRUNCATE match_features_load")


def match_features_refresh(
    *, profile_ids: Iterable[int] | None = None, today: date | None = None, medians=None
) -> int:
    """Recompute the features of these creators' accounts (all creators when None); returns rows.

    Idempotent: an upsert keyed by account. Rows of deleted accounts go with them (ON DELETE
    CASCADE). Medians default to the platform's own, as cached by tier_medians().
    """
    today = today or timezone.localdate()
    if medians is None:
        medians = tier_medians()
    ids = CreatorProfile.objects.order_by("pk").values_list("pk", flat=True)
    if profile_ids is not None:
        ids = ids.filter(pk__in=list(profile_ids))
    written = 0
    for chunk in _chunks(ids.iterator(chunk_size=REFRESH_BATCH), REFRESH_BATCH):
        creators = _creators(chunk)
        accounts = list(
            SocialAccount.objects.filter(profile_id__in=chunk).order_by("pk").values(*ACCOUNT_VALUES)
        )
        # Verified accounts' snapshots, in one query for the chunk (none when no account is verified).
        real = real_data_by_account(
            [a["pk"] for a in accounts if a["metrics_source"] == MetricsSource.VERIFIED], today=today
        )
        rows = [
            features_row(
                account,
                creators[account["profile_id"]],
                medians=medians,
                today=today,
                real=real.get(account["pk"]),
            )
            for account in accounts
        ]
        with transaction.atomic():
            _write(rows)
        written += len(rows)
    return written


def tier_medians_refresh() -> dict[str, float]:
    """Recompute the platform's median engagement rate per tier (nightly) and cache it."""
    medians = tier_medians_from_accounts(SocialAccount.objects.all())
    cache.set(MEDIANS_KEY, medians, timeout=MEDIANS_TTL)
    return medians


def tier_medians() -> dict[str, float]:
    """The cached platform medians; computed on first use."""
    medians = cache.get(MEDIANS_KEY)
    return medians if medians is not None else tier_medians_refresh()


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass(frozen=True)
class Ranked:
    total: int  # score × 10,000
    profile_id: int
    account_id: int
    key: tuple[int, ...] = ()  # the secondary key (score_and_key), highest first
    penalty: int = 0  # fair-exposure penalty (× 10,000): changes the order, never the score

    @property
    def score(self) -> int:
        return (self.total + UNITS // 2) // UNITS

    @property
    def adjusted(self) -> int:
        return self.total - self.penalty

    @property
    def order(self) -> tuple:
        """Sort key: adjusted total, then the secondary key (both highest first), then creator id."""
        return (-self.adjusted, *(-part for part in self.key), self.profile_id)


# The reference: the same formula in a plain Python loop (tests and benchmarks/matching.py)

FEATURE_VALUES = (
    "account_id",
    "tier",
    "profile_id",
    "platform",
    "followers",
    "engagement_rate",
    "creator_country",
    "language_mask",
    "niche_mask",
    "niche_count",
    "cause_mask",
    "cause_count",
    "audience_countries",
    "audience_languages",
    "has_audience_countries",
    "has_audience_languages",
    "open_to_pro_bono",
    "metrics_verified",
    "rate_cents",
    "engagement_units",
    "authenticity_units",
    "reliability_units",
    "activity_units",
)


def passes_hard_filters(spec: BriefSpec, row: dict[str, Any]) -> bool:
    if spec.platforms and row["platform"] not in spec.platforms:
        return False
    if spec.verified_only and not row["metrics_verified"]:
        return False
    if spec.pro_bono_only and not row["open_to_pro_bono"]:
        return False
    if spec.min_followers is not None and row["followers"] < spec.min_followers:
        return False
    if spec.max_followers is not None and row["followers"] > spec.max_followers:
        return False
    if spec.min_engagement is not None and (
        row["engagement_rate"] is None or row["engagement_rate"] < spec.min_engagement
    ):
        return False
    if spec.required_niche_mask and not row["niche_mask"] & spec.required_niche_mask:
        return False
    return not spec.languages or bool(row["language_mask"] & spec.language_mask)


def _overlap(mask: int, count: int, bits: tuple[int, ...]) -> int:
    if not bits:
        return NEUTRAL_UNITS
    overlap = sum((mask >> bit) & 1 for bit in bits)
    return ratio_units(overlap, count + len(bits) - overlap)


def _share(shares: dict, has_data: bool, codes: tuple[str, ...], fallback: bool) -> int:
    if not codes:
        return NEUTRAL_UNITS
    if has_data:
        return min(sum(shares.get(code, 0) for code in codes), UNITS)
    return NEUTRAL_UNITS if fallback else 0


def _fee(spec: BriefSpec, row: dict[str, Any]) -> int:
    if not spec.is_paid:
        return UNITS if row["open_to_pro_bono"] else NEUTRAL_UNITS
    if spec.fee_ceiling_cents is None or not spec.rates:
        return NEUTRAL_UNITS
    prices = [row["rate_cents"].get(key) for key, _quantity in spec.rates]
    if None in prices:
        return NEUTRAL_UNITS
    price = sum(p * quantity for p, (_key, quantity) in zip(prices, spec.rates, strict=True))
    ceiling = spec.fee_ceiling_cents
    if price <= ceiling:
        return UNITS
    if price >= 2 * ceiling:
        return 0
    return ratio_units(2 * ceiling - price, ceiling)


def size_bounds(spec: BriefSpec) -> tuple[int | None, int | None]:
    return spec.min_followers, spec.max_followers


def score_row(spec: BriefSpec, row: dict[str, Any]) -> int:
    """The total (score × 10,000) of one features row; MatchIndex.totals is the vectorised twin."""
    return score_and_key(spec, row)[0]


def engagement_centi(rate) -> int:
    """The engagement rate in hundredths of a percent; -1 when unknown (below every real rate)."""
    return -1 if rate is None else int(rate * 100)


def range_centre(spec: BriefSpec) -> int | None:
    """Twice the middle of the brief's follower range in log units (None without both bounds)."""
    low, high = size_bounds(spec)
    if low is None or high is None:
        return None
    return log_units(max(low, 1)) + log_units(max(high, 1))


def closeness_key(followers: int, centre: int | None) -> int:
    """The follower tie-breaker, highest first: closeness to the middle of the brief's range on a
    log scale (−|2·log f − (log min + log max)|), so equals spread around the middle of the range
    rather than pile up at the top of the size band; without both bounds, the followers."""
    return followers if centre is None else -abs(2 * log_units(followers) - centre)


def score_and_key(spec: BriefSpec, row: dict[str, Any]) -> tuple[int, tuple[int, ...]]:
    """(total, secondary key): the key orders equal totals by the signals (docs/matching.md),
    highest first: engagement, recent activity, reliability, position in the follower range,
    authenticity, closeness to the middle of the range, raw engagement rate. Only then does the
    creator id decide."""
    size = size_units(log_units(row["followers"]), *size_bounds(spec))
    components = {
        "niche": _overlap(row["niche_mask"], row["niche_count"], spec.niche_bits),
        "cause": _overlap(row["cause_mask"], row["cause_count"], spec.cause_bits),
        "audience_country": _share(
            row["audience_countries"],
            row["has_audience_countries"],
            spec.countries,
            row["creator_country"] in spec.countries,
        ),
        "audience_language": _share(
            row["audience_languages"],
            row["has_audience_languages"],
            spec.languages,
            bool(row["language_mask"] & spec.language_mask),
        ),
        "engagement": row["engagement_units"],
        "size": size,
        "activity": row["activity_units"],
        "fee": _fee(spec, row),
        "reliability": row["reliability_units"],
        "authenticity": row["authenticity_units"],
    }
    key = (
        row["engagement_units"],
        row["activity_units"],
        row["reliability_units"],
        size,
        row["authenticity_units"],
        closeness_key(row["followers"], range_centre(spec)),
        engagement_centi(row["engagement_rate"]),
    )
    return sum(components[name] * weight for name, weight in WEIGHTS.items()), key


def rank_python(
    spec: BriefSpec,
    rows: Iterable[dict[str, Any]],
    *,
    limit: int = 50,
    tier: str | None = None,
    penalties: dict[int, int] | None = None,
) -> list[Ranked]:
    """Score every row in Python: the slow, obvious reference. With `tier`, only creators whose
    chosen account is in that tier (the rows then need "tier"). `penalties` ({creator id: units})
    lowers creators in the order (fair exposure), not their totals."""
    penalties = penalties or {}
    chosen: dict[int, tuple] = {}
    for row in rows:
        if not passes_hard_filters(spec, row):
            continue
        key = (row["followers"], engagement_centi(row["engagement_rate"]), -row["account_id"])
        current = chosen.get(row["profile_id"])
        if current is None or key > current[0]:
            chosen[row["profile_id"]] = (key, row)
    ranked = []
    for profile_id, (_key, row) in chosen.items():
        if tier is not None and row["tier"] != tier:
            continue
        total, key = score_and_key(spec, row)
        if spec.min_total is not None and total < spec.min_total:
            continue
        ranked.append(Ranked(total, profile_id, row["account_id"], key, penalties.get(profile_id, 0)))
    ranked.sort(key=lambda r: r.order)
    return ranked[:limit]
