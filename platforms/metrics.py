"""Kolabo's verified numbers, computed from what a platform reports. Pure functions, no I/O.

A post is anything with `posted_at`, `likes`, `comments` and `views` (a client's `Post`, a stored
`PlatformPost`); a missing count is None and counts as 0 in sums. Percentages are Decimals rounded
half up. Every function that needs "enough data" returns None below it, never 0.

- **Recent posts**: the newest up-to-30 posts published in the last 90 days.
- **Verified engagement rate** (needs ≥ 3 recent posts and followers > 0):
  `e_i = (likes_i + comments_i) / followers`; ER = median(e_i) × 100, 2 places.
  The median makes it robust to one viral post.
- **Engagement spread** (≥ 3 recent posts, mean > 0): coefficient of variation of per-post
  engagement `x_i = likes_i + comments_i`: population standard deviation / mean, 4 places.
  Real audiences give a spread of roughly 0.3–1.5; near 0 means suspiciously even engagement.
- **Comments per like** (≥ 3 recent posts with likes): median over those posts of
  `comments_i / likes_i`, 4 places. Bought likes push it towards 0, comment pods up.
- **Follower change**: `(followers − previous) / previous × 100`, 2 places; None without a previous
  snapshot or when it had 0 followers.
- **Medians** of likes, comments and views over recent posts: an integer, half up; None when no
  recent post reports that count.
- **Audience shares**: counts per country (city, age, gender) into percentages with one decimal that
  add up to exactly 100.0 (largest remainder), largest first.
"""

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import median
from typing import Any, Protocol

RECENT_DAYS = 90
RECENT_LIMIT = 30
MIN_POSTS = 3

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


class PostLike(Protocol):
    posted_at: datetime
    likes: int | None
    comments: int | None
    views: int | None


def _decimal(value: Fraction, places: Decimal) -> Decimal:
    # Exact rational in, rounded once: no binary floating point on the way.
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _median(values: Sequence[Fraction]) -> Fraction:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def recent_posts(
    posts: Iterable[PostLike], *, now: datetime, days: int = RECENT_DAYS, limit: int = RECENT_LIMIT
) -> list[PostLike]:
    """The newest `limit` posts published in the last `days` days (and not in the future)."""
    since = now - timedelta(days=days)
    inside = [post for post in posts if since <= post.posted_at <= now]
    inside.sort(key=lambda post: post.posted_at, reverse=True)
    return inside[:limit]


def posts_in_last_days(posts: Iterable[PostLike], *, now: datetime, days: int = RECENT_DAYS) -> int:
    """How many of `posts` were published in the last `days` days (Kolabo reads at most 30)."""
    since = now - timedelta(days=days)
    return sum(1 for post in posts if since <= post.posted_at <= now)


def engagements(post: PostLike) -> int:
    return (post.likes or 0) + (post.comments or 0)


def engagement_rate(posts: Iterable[PostLike], *, followers: int, now: datetime) -> Decimal | None:
    """Verified ER (%): median over recent posts of (likes + comments) / followers, × 100, 2 places."""
    recent = recent_posts(posts, now=now)
    if len(recent) < MIN_POSTS or followers <= 0:
        return None
    return _decimal(_median([Fraction(engagements(post), followers) for post in recent]) * 100, TWO_PLACES)


def engagement_spread(posts: Iterable[PostLike], *, now: datetime) -> Decimal | None:
    """Coefficient of variation of per-post engagement: population std dev / mean, 4 places."""
    recent = recent_posts(posts, now=now)
    if len(recent) < MIN_POSTS:
        return None
    values = [engagements(post) for post in recent]
    mean = Fraction(sum(values), len(values))
    if mean == 0:
        return None
    variance = sum((Fraction(value) - mean) ** 2 for value in values) / len(values)
    # The square root is irrational in general; Decimal's sqrt keeps 28 digits, ample for 4 places.
    deviation = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    mean_decimal = Decimal(mean.numerator) / Decimal(mean.denominator)
    return (deviation / mean_decimal).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def comments_per_like(posts: Iterable[PostLike], *, now: datetime) -> Decimal | None:
    """Median over recent posts with likes of comments / likes, 4 places (≥ 3 such posts)."""
    ratios = [Fraction(post.comments or 0, post.likes) for post in recent_posts(posts, now=now) if post.likes]
    if len(ratios) < MIN_POSTS:
        return None
    return _decimal(_median(ratios), FOUR_PLACES)


def follower_change(followers: int, previous: int | None) -> Decimal | None:
    """Change since the previous snapshot, in percent of the previous count, 2 places."""
    if previous is None or previous <= 0:
        return None
    return _decimal(Fraction(followers - previous, previous) * 100, TWO_PLACES)


def median_count(values: Iterable[int | None]) -> int | None:
    """The median of the known values, rounded half up to a whole number; None when none is known."""
    known = [value for value in values if value is not None]
    if not known:
        return None
    return int(_decimal(Fraction(median(known)), Decimal(1)))


def recent_medians(posts: Iterable[PostLike], *, now: datetime) -> dict[str, int | None]:
    """{"likes", "comments", "views"}: medians over recent posts (None when no post reports it)."""
    recent = recent_posts(posts, now=now)
    return {
        "likes": median_count(post.likes for post in recent),
        "comments": median_count(post.comments for post in recent),
        "views": median_count(post.views for post in recent),
    }


def audience_shares(counts: dict[str, int] | None, *, limit: int | None = None) -> list[dict[str, Any]]:
    """{"ID": 812, "MY": 90} → [{"code": "ID", "share": 90.0}, {"code": "MY", "share": 10.0}].

    Shares in percent with one decimal, summing to exactly 100.0 (largest remainder method, so
    rounding never pushes the total past 100). `limit` keeps the largest few after that (their
    total is then below 100). Empty for no data.
    """
    positive = {str(code): int(value) for code, value in (counts or {}).items() if value and value > 0}
    total = sum(positive.values())
    if not total:
        return []
    # Work in tenths of a percent: 1000 units to share out.
    exact = {code: Fraction(value * 1000, total) for code, value in positive.items()}
    units = {code: math.floor(share) for code, share in exact.items()}
    left = 1000 - sum(units.values())
    by_remainder = sorted(exact, key=lambda code: (-(exact[code] - units[code]), -positive[code], code))
    for code in by_remainder[:left]:
        units[code] += 1
    ordered = sorted(units, key=lambda code: (-units[code], -positive[code], code))
    shares = [{"code": code, "share": units[code] / 10} for code in ordered if units[code] > 0]
    return shares[:limit] if limit else shares
