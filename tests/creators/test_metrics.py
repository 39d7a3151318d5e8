from decimal import Decimal

import pytest

from creators.models import engagement_rate_for, tier_for_followers
from marketplace.money import format_money


@pytest.mark.parametrize(
    ("followers", "tier"),
    [
        (0, "starter"),
        (999, "starter"),
        (1_000, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (650_000_000, "mega"),
    ],
)
def test_tier_boundaries_are_inclusive_at_the_lower_end(followers, tier):
    assert tier_for_followers(followers) == tier


@pytest.mark.parametrize(
    ("followers", "likes", "comments", "rate"),
    [
        (10_000, 450, 50, Decimal("5.00")),
        (5_000, 200, 12, Decimal("4.24")),
        (3, 1, 0, Decimal("33.33")),
        (3, 2, 0, Decimal("66.67")),  # rounds half up, not to even
        (8, 0, 1, Decimal("12.50")),
        (1_234_567, 98_765, 4_321, Decimal("8.35")),
        (1_000, 1_000, 0, Decimal("100.00")),
        (0, 0, 0, Decimal("0.00")),
        (0, 10, 5, Decimal("0.00")),
    ],
)
def test_engagement_rate_golden_numbers(followers, likes, comments, rate):
    result = engagement_rate_for(followers=followers, avg_likes=likes, avg_comments=comments)
    assert isinstance(result, Decimal)
    assert result == rate
    assert result.as_tuple().exponent == -2


def test_engagement_rate_rounds_half_up_at_the_third_decimal():
    # 1/800 = 0.125% exactly: half up gives 0.13, banker's rounding would give 0.12
    assert engagement_rate_for(followers=800, avg_likes=1, avg_comments=0) == Decimal("0.13")


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        (Decimal("1500000"), "IDR", "Rp 1.500.000"),
        (Decimal("1500000.49"), "IDR", "Rp 1.500.000"),
        (Decimal("750"), "IDR", "Rp 750"),
        (Decimal("1500"), "USD", "US$1,500.00"),
        (Decimal("99.5"), "USD", "US$99.50"),
        (Decimal("1234567.891"), "USD", "US$1,234,567.89"),
    ],
)
def test_money_is_written_the_way_each_currency_is(amount, currency, text):
    assert format_money(amount, currency) == text
