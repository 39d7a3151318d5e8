import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from creators.authenticity import (
    DEFAULT_TIER_MEDIAN_ER,
    MIN_ACCOUNTS_FOR_MEDIAN,
    authenticity_signals,
    engagement_signal,
    freshness_signal,
    ratio_signal,
    tier_medians_from_accounts,
)
from creators.models import SocialAccount, engagement_rate_for, tier_for_followers
from tests.creators.factories import SocialAccountFactory

TODAY = datetime.date(2025, 6, 30)


def account(*, followers=25_000, following=400, likes=1_100, comments=150, age_days=3):
    """An unsaved account: authenticity reads stored fields only."""
    return SocialAccount(
        platform="instagram",
        handle="ayu.cooks",
        followers=followers,
        following=following,
        avg_likes=likes,
        avg_comments=comments,
        engagement_rate=engagement_rate_for(followers=followers, avg_likes=likes, avg_comments=comments),
        tier=tier_for_followers(followers),
        metrics_date=TODAY - datetime.timedelta(days=age_days),
    )


def test_default_medians_cover_every_tier_and_shrink_with_size():
    assert DEFAULT_TIER_MEDIAN_ER == {
        "starter": 4.0,
        "nano": 4.0,
        "micro": 2.5,
        "mid": 1.7,
        "macro": 1.3,
        "mega": 1.0,
    }


@pytest.mark.parametrize(
    ("followers", "following", "expected"),
    [
        (25_000, 400, 1.0),
        (3_000, 3_600, 0.8333),
        (2_000, 8_000, 0.25),
        (999, 5_000, 1.0),  # under 1,000 followers, following many is normal
        (5_000, 0, 1.0),
    ],
)
def test_ratio_signal_golden_numbers(followers, following, expected):
    assert ratio_signal(followers=followers, following=following) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Decimal("0"), 0.0),
        (Decimal("0.50"), 0.8),  # 0.2× of 2.5
        (Decimal("0.63"), 1.0),  # 0.252×: just inside
        (Decimal("2.50"), 1.0),
        (Decimal("10.00"), 1.0),  # exactly 4×: inside
        (Decimal("15.00"), 0.5),  # 6×
        (Decimal("20.00"), 0.0),  # 8×
        (Decimal("30.00"), 0.0),
    ],
)
def test_engagement_signal_golden_numbers_against_micro_median(rate, expected):
    assert engagement_signal(engagement_rate=rate, tier_median_er=2.5) == expected


def test_engagement_signal_without_a_median_is_not_judged():
    assert engagement_signal(engagement_rate=Decimal("30"), tier_median_er=None) == 1.0


@pytest.mark.parametrize(
    ("age", "expected"),
    [(-1, 1.0), (0, 1.0), (90, 1.0), (91, 0.9964), (120, 0.8909), (227.5, None), (365, 0.0), (900, 0.0)],
)
def test_freshness_decays_linearly_from_90_to_365_days(age, expected):
    if expected is None:
        # Half-way between 90 and 365 days (227.5) is not a whole day; check 228 instead.
        assert freshness_signal(metrics_date=TODAY - datetime.timedelta(days=228), today=TODAY) == 0.4982
        return
    assert freshness_signal(metrics_date=TODAY - datetime.timedelta(days=age), today=TODAY) == expected


def test_healthy_account_scores_100_without_flags():
    result = authenticity_signals(account=account(), tier_median_er=2.5, today=TODAY)

    assert result.score == 100
    assert result.flags == []
    assert result.components == {"ratio": 1.0, "engagement": 1.0, "freshness": 1.0}


def test_follow_back_low_engagement_stale_account_is_flagged_three_times():
    # 3,000 followers, 3,600 following, ER 0.90% (0.225× nano median), metrics 120 days old.
    result = authenticity_signals(
        account=account(followers=3_000, following=3_600, likes=24, comments=3, age_days=120),
        tier_median_er=4.0,
        today=TODAY,
    )

    assert result.components == {"ratio": 0.8333, "engagement": 0.9, "freshness": 0.8909}
    # 30 × 0.8333 + 40 × 0.9 + 30 × 0.8909 = 87.726
    assert result.score == 88
    assert result.flags == [
        "Follows back a lot: follows 3,600 accounts with 3,000 followers.",
        "Engagement 0.90% is under a quarter of the Nano median (4%): possible bought followers.",
        "Metrics are 120 days old.",
    ]


def test_implausibly_high_engagement_is_flagged_as_possible_pods():
    # 150,000 followers (mid tier), ER 8.40% = 4.94× the 1.7% median; metrics 400 days old.
    result = authenticity_signals(
        account=account(followers=150_000, following=900, likes=12_000, comments=600, age_days=400),
        tier_median_er=1.7,
        today=TODAY,
    )

    assert result.components == {"ratio": 1.0, "engagement": 0.7647, "freshness": 0.0}
    assert result.score == 61
    assert result.flags == [
        "Engagement 8.40% is over 4× the Mid-tier median (1.7%): possible engagement pods or bought likes.",
        "Metrics are 400 days old.",
    ]


def test_high_engagement_flag_threshold_is_strictly_above_four_times():
    at_four = account(likes=2_500, comments=0)  # 10.00% = exactly 4× of 2.5: not flagged
    above = account(likes=2_503, comments=0)  # 10.01%: flagged

    assert at_four.engagement_rate == Decimal("10.00")
    assert authenticity_signals(account=at_four, tier_median_er=2.5, today=TODAY).flags == []
    assert any(
        "over 4×" in f for f in authenticity_signals(account=above, tier_median_er=2.5, today=TODAY).flags
    )


def test_low_engagement_flag_threshold_is_strictly_below_a_quarter():
    at_quarter = account(likes=156, comments=0)  # 0.62% → 0.248× of 2.5: flagged
    above = account(likes=160, comments=0)  # 0.64% → 0.256×: not flagged

    assert at_quarter.engagement_rate == Decimal("0.62")
    assert any(
        "under a quarter" in f
        for f in authenticity_signals(account=at_quarter, tier_median_er=2.5, today=TODAY).flags
    )
    assert authenticity_signals(account=above, tier_median_er=2.5, today=TODAY).flags == []


def test_following_more_than_followers_is_flagged_only_from_1000_followers():
    small = authenticity_signals(
        account=account(followers=999, following=2_000, likes=40, comments=0), tier_median_er=4.0, today=TODAY
    )
    large = authenticity_signals(
        account=account(followers=1_000, following=1_001, likes=40, comments=0),
        tier_median_er=4.0,
        today=TODAY,
    )
    equal = authenticity_signals(
        account=account(followers=1_000, following=1_000, likes=40, comments=0),
        tier_median_er=4.0,
        today=TODAY,
    )

    assert small.flags == []
    assert large.flags == ["Follows back a lot: follows 1,001 accounts with 1,000 followers."]
    assert equal.flags == []


def test_metrics_are_flagged_only_after_90_days():
    fresh = authenticity_signals(account=account(age_days=90), tier_median_er=2.5, today=TODAY)
    stale = authenticity_signals(account=account(age_days=91), tier_median_er=2.5, today=TODAY)

    assert fresh.flags == []
    assert stale.flags == ["Metrics are 91 days old."]
    # 30 + 40 + 30 × 0.9964 = 99.892
    assert stale.score == 100


def test_flags_follow_the_reader_language():
    acc = account(followers=3_000, following=3_600, likes=24, comments=3, age_days=120)
    with translation.override("id"):
        result = authenticity_signals(account=acc, tier_median_er=4.0, today=TODAY)

    assert "3.600" in result.flags[0]
    assert "0,90" in result.flags[1]


def test_tier_medians_from_pairs_use_data_only_with_enough_accounts():
    micro = [("micro", Decimal("3.00"))] * MIN_ACCOUNTS_FOR_MEDIAN + [("micro", Decimal("5.00"))]
    nano = [("nano", Decimal("9.00"))] * (MIN_ACCOUNTS_FOR_MEDIAN - 1)

    medians = tier_medians_from_accounts(micro + nano)

    assert medians["micro"] == 3.0
    assert medians["nano"] == DEFAULT_TIER_MEDIAN_ER["nano"]
    assert medians["mega"] == DEFAULT_TIER_MEDIAN_ER["mega"]


def test_tier_medians_from_pairs_average_the_middle_two():
    rates = [("mid", Decimal("1.00"))] * 15 + [("mid", Decimal("2.00"))] * 15

    assert tier_medians_from_accounts(rates)["mid"] == 1.5


@pytest.mark.django_db
def test_tier_medians_from_a_queryset(django_assert_max_num_queries):
    for index in range(MIN_ACCOUNTS_FOR_MEDIAN):
        # 25k followers: micro; ER 1.00%, 2.00% ... alternating gives a median of 1.5.
        SocialAccountFactory(avg_likes=250 if index % 2 else 500, avg_comments=0)

    with django_assert_max_num_queries(1):
        medians = tier_medians_from_accounts(SocialAccount.objects.all())

    assert medians["micro"] == 1.5
    assert medians["nano"] == 4.0
