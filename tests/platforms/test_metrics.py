"""Golden numbers for the verified metrics (platforms/metrics.py; formulas in its docstring)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from platforms import metrics

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@dataclass
class P:
    likes: int | None
    comments: int | None
    days_ago: float = 1
    views: int | None = None

    @property
    def posted_at(self):
        return NOW - timedelta(days=self.days_ago)


def posts(*pairs, start=1):
    return [P(likes, comments, days_ago=start + n) for n, (likes, comments) in enumerate(pairs)]


def test_engagement_rate_is_the_median_so_one_viral_post_does_not_move_it():
    five = posts((300, 20), (250, 10), (5000, 400), (280, 15), (310, 25))
    # Per post: 320, 260, 5400, 295, 335 over 10,000 followers; median 320 → 3.20 %.
    # (The mean would give 13.22 %.)
    assert metrics.engagement_rate(five, followers=10_000, now=NOW) == Decimal("3.20")


def test_engagement_rate_even_count_averages_the_middle_two_and_rounds_half_up():
    six = posts((300, 20), (250, 10), (5000, 400), (280, 15), (310, 25), (200, 5))
    # Sorted 205, 260, 295, 320, 335, 5400: median 307.5 → 3.075 % → 3.08 (half up, exactly).
    assert metrics.engagement_rate(six, followers=10_000, now=NOW) == Decimal("3.08")


def test_engagement_rate_needs_three_recent_posts_and_followers():
    two = posts((100, 1), (100, 1))
    assert metrics.engagement_rate(two, followers=1000, now=NOW) is None
    three = posts((100, 1), (100, 1), (100, 1))
    assert metrics.engagement_rate(three, followers=0, now=NOW) is None
    assert metrics.engagement_rate(three, followers=1000, now=NOW) == Decimal("10.10")
    # Old posts do not count: two recent ones plus one from 91 days ago is not enough data.
    old = [*two, P(100, 1, days_ago=91)]
    assert metrics.engagement_rate(old, followers=1000, now=NOW) is None


def test_recent_posts_are_the_newest_thirty_in_ninety_days():
    many = [P(n, 0, days_ago=n + 0.5) for n in range(40)]  # one a day, newest first
    recent = metrics.recent_posts([*reversed(many), P(1, 1, days_ago=-1)], now=NOW)
    assert [post.likes for post in recent] == list(range(30))
    assert metrics.posts_in_last_days(many, now=NOW) == 40
    assert metrics.posts_in_last_days([P(1, 1, days_ago=89), P(1, 1, days_ago=91)], now=NOW) == 1
    # Median over likes 0..29 (+0 comments) is 14.5 → 1.45 % of 1,000 followers.
    assert metrics.engagement_rate(many, followers=1000, now=NOW) == Decimal("1.45")


def test_engagement_spread_is_the_coefficient_of_variation():
    # 100, 200, 300, 400: mean 250, population std dev √12,500 = 111.8034 → 0.4472.
    assert metrics.engagement_spread(posts((100, 0), (150, 50), (300, 0), (390, 10)), now=NOW) == Decimal(
        "0.4472"
    )
    # Identical engagement on every post: spread 0.
    assert metrics.engagement_spread(posts((50, 5), (50, 5), (50, 5)), now=NOW) == Decimal("0.0000")
    assert metrics.engagement_spread(posts((0, 0), (0, 0), (0, 0)), now=NOW) is None
    assert metrics.engagement_spread(posts((1, 0), (2, 0)), now=NOW) is None


def test_comments_per_like_is_the_median_ratio_over_posts_with_likes():
    # 5/100 = 0.05, 20/200 = 0.1, 8/400 = 0.02 → median 0.05; the post without likes is left out.
    sample = posts((100, 5), (200, 20), (400, 8), (0, 9), (None, 3))
    assert metrics.comments_per_like(sample, now=NOW) == Decimal("0.0500")
    assert metrics.comments_per_like(posts((100, 5), (0, 5), (0, 5)), now=NOW) is None
    # 1/3 → 0.3333; 2/3 → 0.6667 (half up).
    assert metrics.comments_per_like(posts((3, 1), (3, 1), (3, 2)), now=NOW) == Decimal("0.3333")
    assert metrics.comments_per_like(posts((3, 2), (3, 2), (3, 1)), now=NOW) == Decimal("0.6667")


def test_follower_change_in_percent_of_the_previous_count():
    assert metrics.follower_change(10_500, 10_000) == Decimal("5.00")
    assert metrics.follower_change(9_999, 10_000) == Decimal("-0.01")
    assert metrics.follower_change(1, 3) == Decimal("-66.67")
    assert metrics.follower_change(30_000, 1_200) == Decimal("2400.00")
    assert metrics.follower_change(100, None) is None
    assert metrics.follower_change(100, 0) is None


def test_medians_round_half_up_and_ignore_unknown_counts():
    assert metrics.median_count([1, 2]) == 2
    assert metrics.median_count([2, 3]) == 3
    assert metrics.median_count([None, 3, 4, 10]) == 4
    assert metrics.median_count([None, None]) is None
    sample = [P(10, 1, views=100), P(20, 3, views=None), P(1000, 2, views=300), P(5, 0, days_ago=200)]
    assert metrics.recent_medians(sample, now=NOW) == {"likes": 20, "comments": 2, "views": 200}


def test_audience_shares_add_up_to_exactly_one_hundred():
    assert metrics.audience_shares({"ID": 812, "MY": 150, "SG": 38}) == [
        {"code": "ID", "share": 81.2},
        {"code": "MY", "share": 15.0},
        {"code": "SG", "share": 3.8},
    ]
    thirds = metrics.audience_shares({"SG": 1, "MY": 1, "ID": 1})
    assert thirds == [
        {"code": "ID", "share": 33.4},
        {"code": "MY", "share": 33.3},
        {"code": "SG", "share": 33.3},
    ]
    assert round(sum(entry["share"] for entry in thirds), 1) == 100.0
    # Seven equal groups: naive rounding gives 14.3 × 7 = 100.1; the largest remainder gives 100.0.
    sevenths = metrics.audience_shares(dict.fromkeys("ABCDEFG", 1))
    assert round(sum(entry["share"] for entry in sevenths), 1) == 100.0
    assert metrics.audience_shares({"ID": 0}) == []
    assert metrics.audience_shares(None) == []
    assert metrics.audience_shares({"ID": 5, "MY": 3, "SG": 2}, limit=2) == [
        {"code": "ID", "share": 50.0},
        {"code": "MY", "share": 30.0},
    ]
