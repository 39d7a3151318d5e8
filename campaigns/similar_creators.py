"""Similar creators: the creators closest to one creator, for brand members on the creator's page.

Read from the same match features as recommendations (creators.MatchFeatures, written by
campaigns.ranking.match_features_refresh), through the same column-wise `MatchIndex`
(campaigns/match_index.py), so a million creators compare in milliseconds. It reads the process's
one index (`shared_index`), the one recommendations rank from.

Similarity of two accounts, in units of 1/10,000 per component, weighted to a 0–100 total:

| component  | weight | value (0–1)                                                              |
| ---------- | ------ | ------------------------------------------------------------------------ |
| niches     | 40     | Jaccard of the niche sets (neutral 0.5 when the creator has none)         |
| audience   | 25     | overlap of the audience-country shares: Σ min(share A, share B) divided   |
|            |        | by the larger of the two listed totals; neutral 0.5 when either side has  |
|            |        | no audience data (unknown is not zero)                                    |
| engagement | 15     | 1 − |A − B| of the engagement component of the match score (vs tier median) |
| size       | 20     | 1 − |log10(followers A / followers B)| / 2: same size 1, 10× apart 0.5,     |
|            |        | 100× or more apart 0                                                      |

The creator is represented by their largest account (most followers, then lowest account id);
another creator scores the similarity of their closest account. Order: similarity (higher
first), then the follower difference to the creator's account (smaller first), then the creator
id (lower first), so the list is the same on every load.

Left out: the creator themself, creators whose user is deactivated, and creators not publicly
listed (unclaimed roster imports, private to the importing organization).
"""

import math
from dataclasses import dataclass

import numpy as np

from brands.selectors import organizations_visible_to
from campaigns.match_index import MatchIndex, shared_index
from campaigns.matching import NEUTRAL, UNITS
from creators.models import CreatorProfile, SocialAccount

SIMILAR_LIMIT = 10
SIMILARITY_WEIGHTS = {"niche": 40, "audience": 25, "engagement": 15, "size": 20}
NEUTRAL_UNITS = int(NEUTRAL * UNITS)
# log10 distance at which sizes stop being similar at all (100×).
SIZE_SPAN = 2.0
# First look at this many accounts per wanted creator; grows ×4 while too few survive the checks.
FIRST_K_FACTOR = 3


@dataclass(frozen=True)
class SimilarCreator:
    creator: CreatorProfile
    account: SocialAccount | None
    similarity: int  # 0–100
    total: int  # similarity × 10,000, the sort key
    shared_niches: list


def can_see_similar_creators(*, viewer, creator: CreatorProfile) -> bool:
    """Members of an organization (any role) see them; the creator themself, other creators and
    anonymous visitors do not: it is a scouting tool, not part of the public media kit."""
    if not getattr(viewer, "is_authenticated", False) or viewer.pk == creator.user_id:
        return False
    return organizations_visible_to(viewer).exists()


def _totals(index: MatchIndex, reference: int, rows: np.ndarray) -> np.ndarray:
    """Similarity totals (× 10,000) of `rows` to the account at row `reference`."""
    c = index.columns
    weights = SIMILARITY_WEIGHTS

    mask, count = int(c["niche_mask"][reference]), int(c["niche_count"][reference])
    if count:
        overlap = np.bitwise_count(c["niche_mask"][rows] & mask).astype(np.int64)
        union = c["niche_count"][rows].astype(np.int64) + count - overlap
        niche = (overlap * 2 * UNITS + union) // (2 * union)
    else:
        niche = np.full(len(rows), NEUTRAL_UNITS, np.int64)

    # Shares are hundredths of a percent. Walk only the creator's own countries; divide the shared
    # part by the larger listed total, so two identical lists score 1 even when they cover 80%.
    sparse = index.sparse["audience_countries"]
    shared = np.zeros(index.size, np.int64)
    mine = sparse.rows == reference
    for key_id, share in zip(sparse.key_ids[mine], sparse.values[mine], strict=True):
        start, end = np.searchsorted(sparse.key_ids, [key_id, key_id + 1])
        shared[sparse.rows[start:end]] += np.minimum(sparse.values[start:end], int(share))
    listed = np.bincount(sparse.rows, weights=sparse.values, minlength=index.size).astype(np.int64)
    larger = np.maximum(np.maximum(listed[rows], int(listed[reference])), 1)
    overlap = (shared[rows] * 2 * UNITS + larger) // (2 * larger)
    known = c["has_audience_countries"][rows] & bool(c["has_audience_countries"][reference])
    audience = np.where(known, np.minimum(overlap, UNITS), NEUTRAL_UNITS)

    engagement_gap = np.abs(
        c["engagement_units"][rows].astype(np.int64) - int(c["engagement_units"][reference])
    )
    engagement = UNITS - np.minimum(engagement_gap, UNITS)

    followers = np.maximum(c["followers"][rows], 1).astype(np.float64)
    distance = np.abs(np.log10(followers) - math.log10(max(int(c["followers"][reference]), 1)))
    size = np.rint(UNITS * np.clip(1 - distance / SIZE_SPAN, 0, 1)).astype(np.int64)

    return (
        niche * weights["niche"]
        + audience * weights["audience"]
        + engagement * weights["engagement"]
        + size * weights["size"]
    )


@dataclass
class _Scored:
    """Every other creator's accounts with their similarity, gathered (copies) under the lock."""

    totals: np.ndarray
    gaps: np.ndarray
    profiles: np.ndarray
    accounts: np.ndarray

    def ordered(self, count: int) -> tuple[np.ndarray, bool]:
        """Positions of at least the `count` best accounts, in the documented order, and whether
        that is all of them. Every account tied with the count-th total is kept."""
        size = len(self.totals)
        if count < size:
            cut = np.partition(self.totals, size - count)[size - count]
            pick = np.flatnonzero(self.totals >= cut)
        else:
            pick = np.arange(size)
        order = np.lexsort((self.accounts[pick], self.profiles[pick], self.gaps[pick], -self.totals[pick]))
        return pick[order], len(pick) == size


def _scored(index: MatchIndex, creator_id: int) -> _Scored | None:
    c = index.columns
    own_rows = np.flatnonzero((c["profile_id"] == creator_id) & c["alive"])
    if not len(own_rows):
        return None
    # Largest account, then lowest id: rows are in account id order and argmax takes the first.
    reference = int(own_rows[np.argmax(c["followers"][own_rows])])
    rows = np.flatnonzero(c["alive"] & (c["profile_id"] != creator_id))
    return _Scored(
        totals=_totals(index, reference, rows),
        gaps=np.abs(c["followers"][rows].astype(np.int64) - int(c["followers"][reference])),
        profiles=c["profile_id"][rows],
        accounts=c["account_id"][rows],
    )


def _listed(profile_ids: list[int]) -> set[int]:
    return set(
        CreatorProfile.objects.publicly_listed()
        .filter(pk__in=profile_ids, user__is_active=True)
        .values_list("pk", flat=True)
    )


def similar_creators(*, creator: CreatorProfile, limit: int = SIMILAR_LIMIT) -> list[SimilarCreator]:
    """The `limit` creators most similar to `creator`, best first (see the module docstring).

    A fixed number of queries whatever the population: the index's refresh (one when nothing
    changed), then one batch of candidates checked and loaded (profiles, niches, accounts), more
    only in the rare case where most of a batch was deactivated or unlisted.
    """
    with shared_index() as index:
        scored = _scored(index, creator.pk)
    if scored is None:
        return []

    # Walk the order best first, one account per creator; check a batch of creators in the
    # database (active, listed); look further only when too few of them pass.
    chosen: list[tuple[int, int, int]] = []
    checked: set[int] = set()
    count = limit * FIRST_K_FACTOR
    while True:
        positions, everything = scored.ordered(count)
        batch = []
        for i in positions:
            profile_id = int(scored.profiles[i])
            if profile_id not in checked:
                checked.add(profile_id)
                batch.append((int(scored.totals[i]), profile_id, int(scored.accounts[i])))
        listed = _listed([profile_id for _t, profile_id, _a in batch]) if batch else set()
        chosen += [row for row in batch if row[1] in listed]
        if len(chosen) >= limit or everything:
            break
        count *= 4
    chosen = chosen[:limit]

    profiles = CreatorProfile.objects.prefetch_related("niches").in_bulk([p for _t, p, _a in chosen])
    accounts = SocialAccount.objects.in_bulk([a for _t, _p, a in chosen])
    own_niches = {niche.pk for niche in creator.niches.all()}
    result = []
    for total, profile_id, account_id in chosen:
        profile = profiles.get(profile_id)
        if profile is None:  # deleted since the index last looked
            continue
        result.append(
            SimilarCreator(
                creator=profile,
                account=accounts.get(account_id),
                similarity=(total + UNITS // 2) // UNITS,
                total=total,
                shared_niches=[niche for niche in profile.niches.all() if niche.pk in own_niches],
            )
        )
    return result
