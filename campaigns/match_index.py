"""An in-memory, column-wise copy of the match features, for ranking a million creators in milliseconds.

PostgreSQL stores the features (creators.MatchFeatures) and stays the truth; a row store has to
read every row of a brief's candidates, which at a million creators takes longer than a person waits
(measured in benchmarks/matching.py). This index holds the same numbers as numpy arrays, one per
column, and runs the formula of campaigns.ranking.score_row on all candidates at once.

Exactness: every component is integer arithmetic in int64, the same operations as `score_row`.
The index only proposes the top K rows; the creators behind them are re-read from the database and
scored by `rank_python`, so the answer is the database's. Creators left out all scored at most the
K-th row in the index, so once `limit` creators beat that row the answer is final; otherwise K grows.

Freshness: each process keeps one index (`current_index`). Before ranking it re-reads the rows
whose `updated_at` moved since it last looked (with a margin for transactions committing late) and
appends new accounts. Deleted accounts are found when they surface as candidates.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import numpy as np
from django.db.models import Max

from campaigns.matching import NEUTRAL_UNITS, UNITS, WEIGHTS, log_units
from campaigns.ranking import (
    FEATURE_VALUES,
    BriefSpec,
    Ranked,
    engagement_centi,
    range_centre,
    rank_python,
    size_bounds,
)
from creators.models import MatchFeatures

# Rows whose updated_at is this close to the newest seen are read again on the next refresh: a
# transaction that started earlier can commit after a later one.
LATE_COMMIT_MARGIN = timedelta(seconds=30)
# The first proposal is twice the limit: room for creators whose chosen account scores lower.
FIRST_K_FACTOR = 2
LOAD_CHUNK = 20_000

_NUMBER_COLUMNS = {
    "account_id": np.int64,
    "profile_id": np.int64,
    "followers": np.int64,
    "engagement_centi": np.int32,
    "language_mask": np.int64,
    "niche_mask": np.int64,
    "niche_count": np.int32,
    "cause_mask": np.int64,
    "cause_count": np.int32,
    "engagement_units": np.int32,
    "authenticity_units": np.int32,
    "reliability_units": np.int32,
    "activity_units": np.int32,
    "log_followers": np.int32,
    "platform": np.int16,
    "tier": np.int16,
    "country": np.int16,
    "has_audience_countries": bool,
    "has_audience_languages": bool,
    "open_to_pro_bono": bool,
    "metrics_verified": bool,
    "alive": bool,
}
_SPARSE = ("audience_countries", "audience_languages", "rate_cents")


def _any_of(column: np.ndarray, values: list[int]) -> np.ndarray:
    """column ∈ values, for a handful of values (faster than np.isin, which sorts)."""
    result = np.zeros(len(column), bool)
    for value in values:
        result |= column == value
    return result


def _mask_of(bits: tuple[int, ...]) -> int:
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


class _Codes(dict):
    """Strings (platforms, tiers, countries, keys) as small integers, assigned on first sight."""

    def code(self, value: str) -> int:
        if value not in self:
            self[value] = len(self)
        return self[value]


class _Sparse:
    """(row, key, value) triples sorted by key, so one key's values are a slice."""

    def __init__(self):
        self.keys = _Codes()
        # int32 rows and keys: a million accounts hold several million triples.
        self.rows = np.empty(0, np.int32)
        self.key_ids = np.empty(0, np.int32)
        self.values = np.empty(0, np.int64)
        self.dense: dict[tuple[str, int, int], np.ndarray] = {}

    def replace(self, rows: np.ndarray, entries: list[tuple[int, str, int]]) -> None:
        """Drop every triple of `rows`, then add `entries`."""
        self.dense.clear()
        keep = ~np.isin(self.rows, rows) if len(rows) else np.ones(len(self.rows), bool)
        new_rows = np.array([row for row, _key, _value in entries], np.int32)
        new_keys = np.array([self.keys.code(key) for _row, key, _value in entries], np.int32)
        new_values = np.array([value for _row, _key, value in entries], np.int64)
        self.rows = np.concatenate([self.rows[keep], new_rows])
        self.key_ids = np.concatenate([self.key_ids[keep], new_keys])
        self.values = np.concatenate([self.values[keep], new_values])
        order = np.argsort(self.key_ids, kind="stable")
        self.rows, self.key_ids, self.values = self.rows[order], self.key_ids[order], self.values[order]

    def column(self, key: str, size: int, missing: int) -> np.ndarray:
        """The key's value for every row, `missing` where a row has none (kept until the next change)."""
        cached = self.dense.get((key, size, missing))
        if cached is not None:
            return cached
        dense = np.full(size, missing, np.int64)
        if key in self.keys:
            code = self.keys[key]
            start, end = np.searchsorted(self.key_ids, [code, code + 1])
            dense[self.rows[start:end]] = self.values[start:end]
        self.dense[(key, size, missing)] = dense
        return dense


class _Gather(dict):
    """columns[name][rows], taken on first use: a brief reads only some of the columns."""

    def __init__(self, columns: dict[str, np.ndarray], rows: np.ndarray):
        super().__init__()
        self.columns, self.rows = columns, rows

    def __missing__(self, name: str) -> np.ndarray:
        self[name] = self.columns[name][self.rows]
        return self[name]


class MatchIndex:
    def __init__(self):
        self._reset()

    def _reset(self) -> None:
        self.size = 0
        self.columns = {name: np.empty(0, dtype) for name, dtype in _NUMBER_COLUMNS.items()}
        self.sparse = {name: _Sparse() for name in _SPARSE}
        self.platforms, self.tiers, self.countries = _Codes(), _Codes(), _Codes()
        self.watermark = None
        self.rounds = 0  # propose() calls, for the benchmark

    # Loading

    def _absorb(self, records: list[dict]) -> None:
        """Insert or overwrite `records` (MatchFeatures values); accounts are kept in id order."""
        if not records:
            return
        ids = np.array([r["account_id"] for r in records], np.int64)
        positions = np.searchsorted(self.columns["account_id"], ids)
        known = (positions < self.size) & (
            self.columns["account_id"][np.minimum(positions, max(self.size - 1, 0))] == ids
            if self.size
            else np.zeros(len(ids), bool)
        )
        values = {
            name: np.array([self._value(name, r) for r in records], dtype)
            for name, dtype in _NUMBER_COLUMNS.items()
        }
        if known.any():
            rows = positions[known]
            for name in _NUMBER_COLUMNS:
                self.columns[name][rows] = values[name][known]
        if (~known).any():
            fresh = ~known
            for name in _NUMBER_COLUMNS:
                self.columns[name] = np.concatenate([self.columns[name], values[name][fresh]])
            self.size = len(self.columns["account_id"])
            order = np.argsort(self.columns["account_id"], kind="stable")
            if not np.array_equal(order, np.arange(self.size)):
                self._reorder(order)
        rows = np.searchsorted(self.columns["account_id"], ids)
        for name in _SPARSE:
            self.sparse[name].replace(
                rows,
                [
                    (row, key, value)
                    for row, record in zip(rows, records, strict=True)
                    for key, value in record[name].items()
                ],
            )

    def _reorder(self, order: np.ndarray) -> None:
        for name in _NUMBER_COLUMNS:
            self.columns[name] = self.columns[name][order]
        where = np.empty_like(order)
        where[order] = np.arange(len(order))
        for sparse in self.sparse.values():
            sparse.rows = where[sparse.rows].astype(np.int32)
            sparse.dense.clear()

    def _value(self, name: str, record: dict):
        if name == "engagement_centi":
            return engagement_centi(record["engagement_rate"])
        if name == "log_followers":
            return log_units(record["followers"])
        if name == "platform":
            return self.platforms.code(record["platform"])
        if name == "tier":
            return self.tiers.code(record["tier"])
        if name == "country":
            return self.countries.code(record["creator_country"])
        if name == "alive":
            return True
        return record[name]

    def refresh(self) -> int:
        """Read the rows written since the last look (nothing when nothing was); returns how many.

        A change of more than a fifth of the rows (the nightly refresh) reloads everything.
        """
        newest = MatchFeatures.objects.aggregate(newest=Max("updated_at"))["newest"]
        if newest is None or newest == self.watermark:
            return 0
        rows = MatchFeatures.objects.order_by("account_id")
        if self.watermark is not None:
            rows = rows.filter(updated_at__gte=self.watermark - LATE_COMMIT_MARGIN)
            if rows.count() > self.size // 5:
                self._reset()
                rows = MatchFeatures.objects.order_by("account_id")
        read = 0
        batch: list[dict] = []
        for record in rows.values(*FEATURE_VALUES).iterator(chunk_size=LOAD_CHUNK):
            batch.append(record)
            if len(batch) == LOAD_CHUNK:
                self._absorb(batch)
                read += len(batch)
                batch = []
        self._absorb(batch)
        self.watermark = newest
        return read + len(batch)

    def forget(self, account_ids: Iterable[int]) -> None:
        ids = np.array(sorted(account_ids), np.int64)
        rows = np.searchsorted(self.columns["account_id"], ids)
        rows = rows[(rows < self.size) & (self.columns["account_id"][np.minimum(rows, self.size - 1)] == ids)]
        self.columns["alive"][rows] = False

    # Ranking

    def _candidates(self, spec: BriefSpec, exclude: np.ndarray, tier: str | None) -> np.ndarray:
        c = self.columns
        keep = c["alive"].copy()
        if spec.platforms:
            keep &= _any_of(c["platform"], [self.platforms.get(p, -1) for p in spec.platforms])
        if spec.verified_only:
            keep &= c["metrics_verified"]
        if spec.pro_bono_only:
            keep &= c["open_to_pro_bono"]
        if spec.min_followers is not None:
            keep &= c["followers"] >= spec.min_followers
        if spec.max_followers is not None:
            keep &= c["followers"] <= spec.max_followers
        if spec.min_engagement is not None:
            keep &= c["engagement_centi"] >= int(spec.min_engagement * 100)
        if spec.languages:
            keep &= (c["language_mask"] & spec.language_mask) != 0
        if spec.required_niche_mask:
            keep &= (c["niche_mask"] & spec.required_niche_mask) != 0
        if len(exclude):
            keep &= ~np.isin(c["profile_id"], exclude)
        if tier:
            keep &= c["tier"] == self.tiers.get(tier, -1)
        return np.flatnonzero(keep)

    def _overlap(self, mask: np.ndarray, count: np.ndarray, bits: tuple[int, ...]) -> np.ndarray | int:
        if not bits:
            return NEUTRAL_UNITS
        overlap = np.bitwise_count(mask & _mask_of(bits)).astype(np.int32)
        union = count + len(bits) - overlap
        return (overlap * 2 * UNITS + union) // (2 * union)

    def _share(
        self, name: str, has: np.ndarray, codes: tuple[str, ...], rows: np.ndarray, fallback
    ) -> np.ndarray | int:
        if not codes:
            return NEUTRAL_UNITS
        total = sum(self.sparse[name].column(code, self.size, 0)[rows] for code in codes)
        return np.where(has, np.minimum(total, UNITS), fallback)

    def _fee(self, spec: BriefSpec, rows: np.ndarray) -> np.ndarray | int:
        if not spec.is_paid:
            return np.where(self.columns["open_to_pro_bono"][rows], UNITS, NEUTRAL_UNITS)
        if spec.fee_ceiling_cents is None or not spec.rates:
            return NEUTRAL_UNITS
        price = np.zeros(len(rows), np.int64)
        unpriced = np.zeros(len(rows), bool)
        for key, quantity in spec.rates:
            cents = self.sparse["rate_cents"].column(key, self.size, -1)[rows]
            unpriced |= cents < 0
            price += np.where(cents < 0, 0, cents) * quantity
        ceiling = spec.fee_ceiling_cents
        above = ((2 * ceiling - price) * 2 * UNITS + ceiling) // (2 * ceiling)
        fit = np.where(price <= ceiling, UNITS, np.where(price >= 2 * ceiling, 0, above))
        return np.where(unpriced, NEUTRAL_UNITS, fit)

    def _size(self, spec: BriefSpec, log_followers: np.ndarray) -> np.ndarray | int:
        """campaigns.matching.size_units, vectorised (the same integer steps)."""
        low, high = size_bounds(spec)
        if low is None or high is None:
            return NEUTRAL_UNITS
        low_log = log_units(max(low, 1))
        span = log_units(max(high, 1)) - low_log
        if span <= 0:
            return UNITS
        # int32 is enough (log units stay under 100,000; beyond × 20,000 under 2³¹) and halves
        # the memory traffic over a million rows.
        position = np.clip(log_followers - np.int32(low_log), 0, span)
        beyond = np.maximum(2 * np.abs(2 * position - np.int32(span)) - np.int32(span), 0)
        # beyond = 0 inside the middle half: ratio_units(0, ·) is 0, so UNITS, as in size_units.
        return UNITS - (beyond * np.int32(2 * UNITS) + np.int32(2 * span)) // np.int32(4 * span)

    def _closeness(self, spec: BriefSpec, rows: np.ndarray) -> np.ndarray:
        """campaigns.ranking.closeness_key, vectorised."""
        centre = range_centre(spec)
        if centre is None:
            return self.columns["followers"][rows]
        return -np.abs(2 * self.columns["log_followers"][rows].astype(np.int64) - centre)

    def totals(self, spec: BriefSpec, rows: np.ndarray) -> np.ndarray:
        """score_row for each of `rows`, vectorised."""
        return self.totals_and_size(spec, rows)[0]

    def totals_and_size(self, spec: BriefSpec, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | int]:
        c = _Gather(self.columns, rows)
        size = self._size(spec, c["log_followers"])
        in_countries = _any_of(c["country"], [self.countries.get(code, -1) for code in spec.countries])
        components = {
            "niche": self._overlap(c["niche_mask"], c["niche_count"], spec.niche_bits),
            "cause": self._overlap(c["cause_mask"], c["cause_count"], spec.cause_bits),
            "audience_country": self._share(
                "audience_countries",
                c["has_audience_countries"],
                spec.countries,
                rows,
                np.where(in_countries, NEUTRAL_UNITS, 0),
            ),
            # Candidates all speak a target language (a hard filter): the fallback always holds.
            "audience_language": self._share(
                "audience_languages", c["has_audience_languages"], spec.languages, rows, NEUTRAL_UNITS
            ),
            "engagement": c["engagement_units"],
            "size": size,
            "activity": c["activity_units"],
            "fee": self._fee(spec, rows),
            "reliability": c["reliability_units"],
            "authenticity": c["authenticity_units"],
        }
        # At most 1,000,000: int32 holds it, and halves the memory traffic. Components that are
        # one number for every row (neutral ones) are added once; the others in place.
        constant = sum(
            int(value) * WEIGHTS[name] for name, value in components.items() if np.ndim(value) == 0
        )
        total = np.full(len(rows), constant, np.int32)
        scratch = np.empty(len(rows), np.int32)
        for name, weight in WEIGHTS.items():
            value = components[name]
            if np.ndim(value):
                np.multiply(value, weight, out=scratch, casting="unsafe")
                total += scratch
        return total, size

    def _penalties(self, profiles: np.ndarray, penalties: dict[int, int] | None) -> np.ndarray | int:
        """The fair-exposure penalty of each row's creator, looked up for every candidate at once."""
        if not penalties:
            return 0
        ids = np.array(sorted(penalties), np.int64)
        values = np.array([penalties[pk] for pk in ids.tolist()], np.int32)
        where = np.minimum(np.searchsorted(ids, profiles), len(ids) - 1)
        return np.where(ids[where] == profiles, values[where], 0).astype(np.int32)

    def propose(
        self,
        spec: BriefSpec,
        count: int,
        *,
        exclude=(),
        tier: str | None = None,
        penalties: dict[int, int] | None = None,
    ):
        """The `count` best rows in ranking order (adjusted total, secondary key, creator, account),
        and whether more rows were left out: (rows as Ranked, the last row or None).

        Every candidate is scored and penalised; the secondary key is only built for the rows at or
        above the count-th adjusted total."""
        rows = self._candidates(spec, np.array(sorted(exclude), np.int64), tier)
        totals, size = self.totals_and_size(spec, rows)
        if spec.min_total is not None:
            kept = totals >= spec.min_total
            rows, totals = rows[kept], totals[kept]
            size = size[kept] if isinstance(size, np.ndarray) else size
        adjusted = totals - self._penalties(self.columns["profile_id"][rows], penalties)
        left_out = len(rows) > count
        if left_out:
            # Every row tied with the count-th adjusted total stays, so the order below settles ties.
            cut = np.partition(adjusted, len(adjusted) - count)[len(adjusted) - count]
            chosen = adjusted >= cut
            rows, totals, adjusted = rows[chosen], totals[chosen], adjusted[chosen]
            size = size[chosen] if isinstance(size, np.ndarray) else size
        c = self.columns
        profiles, accounts = c["profile_id"][rows], c["account_id"][rows]
        size = np.broadcast_to(np.asarray(size, np.int64), rows.shape)
        # The secondary key of campaigns.ranking.score_and_key, in the same order.
        key_columns = [
            c["engagement_units"][rows],
            c["activity_units"][rows],
            c["reliability_units"][rows],
            size,
            c["authenticity_units"][rows],
            self._closeness(spec, rows),
            c["engagement_centi"][rows],
        ]
        # lexsort: the last key is the primary one.
        order = np.lexsort(
            (accounts, profiles, *(-np.asarray(k, np.int64) for k in reversed(key_columns)), -adjusted)
        )[:count]
        proposed = [
            Ranked(
                int(totals[i]),
                int(profiles[i]),
                int(accounts[i]),
                tuple(int(k[i]) for k in key_columns),
                int(totals[i] - adjusted[i]),
            )
            for i in order
        ]
        return proposed, (proposed[-1] if left_out and proposed else None)


def rank_indexed(
    index: MatchIndex,
    spec: BriefSpec,
    *,
    limit: int = 50,
    exclude_profile_ids: Iterable[int] = (),
    tier: str | None = None,
    penalties: dict[int, int] | None = None,
) -> list[Ranked]:
    """The exact top `limit` creators: the index proposes, the database confirms."""
    exclude = set(exclude_profile_ids)
    count = limit * FIRST_K_FACTOR
    while True:
        proposed, last = index.propose(spec, count, exclude=exclude, tier=tier, penalties=penalties)
        index.rounds += 1
        profile_ids = {r.profile_id for r in proposed}
        records = list(
            MatchFeatures.objects.filter(profile_id__in=profile_ids).values(*FEATURE_VALUES, "tier")
        )
        gone = {r.account_id for r in proposed} - {record["account_id"] for record in records}
        if gone:
            index.forget(gone)
        exact = rank_python(spec, records, limit=len(records) + 1, tier=tier, penalties=penalties)
        if last is None:
            return exact[:limit]
        confirmed = [r for r in exact if r.order < last.order]
        if len(confirmed) >= limit:
            return confirmed[:limit]
        count *= 4


_index: MatchIndex | None = None
# One ranking at a time per process: a refresh mutates the arrays a ranking reads.
_index_lock = threading.Lock()


def rank_creators(
    spec: BriefSpec,
    *,
    limit: int = 50,
    exclude_profile_ids: Iterable[int] = (),
    tier: str | None = None,
    penalties: dict[int, int] | None = None,
) -> list[Ranked]:
    """The exact top `limit` creators for the brief, best first (see the module docstring).

    `penalties` ({creator id: units}) is fair exposure: applied to every candidate before the top
    is taken, it lowers creators in the order without changing their scores."""
    with shared_index() as index:
        return rank_indexed(
            index,
            spec,
            limit=limit,
            exclude_profile_ids=exclude_profile_ids,
            tier=tier,
            penalties=penalties,
        )


@contextmanager
def shared_index() -> Iterator[MatchIndex]:
    """This process's index, refreshed, held under its lock for the block: recommendations and
    similar creators read the one copy (about 100 MB at a million creators). Copy out what is
    needed before the block ends; a later refresh mutates the arrays."""
    global _index
    with _index_lock:
        if _index is None:
            _index = MatchIndex()
        _index.refresh()
        yield _index


def match_index_reset() -> None:
    """Drop this process's index (tests start each case from an empty database)."""
    global _index
    with _index_lock:
        _index = None
