"""Golden numbers for every match-score component, and the three worked examples of docs/matching.md."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from campaigns.eligibility import account_for_campaign
from campaigns.matching import (
    NEUTRAL,
    WEIGHTS,
    Reliability,
    audience_share,
    bayesian_rate,
    engagement_quality,
    fee_fit,
    hard_filter_failures,
    hard_filters_pass,
    jaccard,
    match_score,
    reliability_score,
)
from campaigns.models import Campaign
from creators.models import Cause, DeliverableFormat, Niche, Platform
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory

TODAY = datetime.date(2025, 6, 30)


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def niches(*slugs):
    return list(Niche.objects.filter(slug__in=slugs))


def causes(*slugs):
    return list(Cause.objects.filter(slug__in=slugs))


# Components


def test_weights_sum_to_100():
    assert sum(WEIGHTS.values()) == 100


@pytest.mark.parametrize(
    ("wanted", "offered", "expected"),
    [
        ({1, 2}, {1, 2, 3}, 0.6667),
        ({1, 2}, {1, 4}, 0.3333),
        ({1}, {1}, 1.0),
        ({1, 2}, {3}, 0.0),
        (set(), {1, 2}, NEUTRAL),
    ],
)
def test_jaccard_overlap_golden_numbers(wanted, offered, expected):
    assert jaccard(wanted, offered) == expected


def test_audience_share_sums_targeted_percentages_case_insensitively():
    audience = [{"code": "ID", "pct": 82.0}, {"code": "MY", "pct": 6.5}, {"code": "SG", "pct": 3}]

    assert audience_share(audience, ["ID"]) == 0.82
    assert audience_share(audience, ["id", "MY"]) == 0.885
    assert audience_share(audience, ["TH"]) == 0.0
    assert audience_share([], ["ID"]) == 0.0


@pytest.mark.parametrize(
    ("rate", "median", "expected"),
    [
        (Decimal("5.00"), 2.5, 1.0),
        (Decimal("2.50"), 2.5, 0.5),
        (Decimal("1.00"), 2.5, 0.2),
        (Decimal("9.00"), 2.5, 1.0),  # clipped at 2× the median
        (Decimal("0.90"), 4.0, 0.1125),
        (Decimal("3.00"), None, NEUTRAL),
    ],
)
def test_engagement_quality_is_relative_to_the_tier_median(rate, median, expected):
    assert engagement_quality(engagement_rate=rate, tier_median_er=median) == expected


@pytest.mark.parametrize(
    ("price", "ceiling", "expected"),
    [
        (Decimal("1200000"), Decimal("1500000"), 1.0),
        (Decimal("1500000"), Decimal("1500000"), 1.0),
        (Decimal("1800000"), Decimal("1500000"), 0.8),
        (Decimal("2250000"), Decimal("1500000"), 0.5),
        (Decimal("3000000"), Decimal("1500000"), 0.0),
        (Decimal("9000000"), Decimal("1500000"), 0.0),
        (None, Decimal("1500000"), NEUTRAL),
        (Decimal("1200000"), None, NEUTRAL),
    ],
)
def test_fee_fit_decays_above_the_top_fee(price, ceiling, expected):
    assert fee_fit(price=price, fee_ceiling=ceiling) == expected


def test_reliability_of_a_creator_without_history_is_the_prior():
    assert reliability_score(Reliability()) == 0.9


def test_bayesian_rate_golden_numbers():
    # (5 × 0.9 + successes) / (5 + trials)
    assert bayesian_rate(0, 0) == 0.9
    assert bayesian_rate(4, 5) == 0.85
    assert bayesian_rate(0, 1) == 0.75
    assert bayesian_rate(0, 5) == 0.45


def test_reliability_combines_completion_on_time_and_rating():
    record = Reliability(
        finished=5, completed=4, delivered=4, on_time=3, rating_average=Decimal("4.5"), rating_count=4
    )

    # completion 8.5/10 = 0.85; on time 7.5/9 = 0.8333; rating (4.5 + 4 × 0.875)/9 = 0.8889
    assert reliability_score(record) == 0.8574


def test_one_bad_collaboration_does_not_sink_a_new_creator():
    record = Reliability(finished=1, completed=0, delivered=0, on_time=0, rating_average=1, rating_count=1)

    # completion 4.5/6 = 0.75; on time 0.9 (nothing delivered); rating 4.5/6 = 0.75
    assert reliability_score(record) == 0.8


# Worked examples (docs/matching.md)


@pytest.fixture
def zero_waste_brief(db):
    campaign = CampaignFactory(
        min_engagement_rate=Decimal("2.00"),
        target_countries=["ID"],
        target_languages=["id"],
        fee_min=Decimal("1000000"),
        fee_max=Decimal("1500000"),
        deliverables=[(Platform.INSTAGRAM, DeliverableFormat.REEL, 1)],
    )
    campaign.niches.set(niches("zero-waste", "diy-crafts"))
    campaign.causes.set(causes("waste-reduction"))
    return campaign


def test_example_a_established_micro_creator(zero_waste_brief):
    creator = CreatorProfileFactory(
        niches=niches("zero-waste", "diy-crafts", "interior-home"),
        causes=causes("waste-reduction", "environment"),
    )
    account = SocialAccountFactory(profile=creator, metrics_date=days_ago(3))
    RateCardItemFactory(profile=creator, price=Decimal("1200000"))
    record = Reliability(
        finished=5, completed=4, delivered=4, on_time=3, rating_average=Decimal("4.5"), rating_count=4
    )

    result = match_score(
        campaign=zero_waste_brief, creator=creator, account=account, reliability=record, today=TODAY
    )

    assert result.components == {
        "niche": 0.6667,
        "cause": 0.5,
        "audience_country": 0.82,
        "audience_language": 0.9,
        "engagement": 1.0,
        "size": 1.0,
        "activity": 0.5,
        "fee": 1.0,
        "reliability": 0.8574,
        "authenticity": 1.0,
    }
    assert result.score == 81  # 81.3866
    assert result.passes_hard_filters
    assert result.hard_filter_failures == []
    assert result.flags == []
    assert result.reasons == [
        "Strong niche match: DIY & crafts, Zero-waste & sustainability.",
        "Strong cause match: Waste reduction.",
        "Audience 82% in Indonesia.",
        "Audience 90% Indonesian-speaking.",
        "Engagement 5.00% is 2.0× the Micro median (2.5%).",
        "Authenticity 100/100.",
        "25,000 followers: in the middle of the brief's range (1,000–100,000 followers).",
        "Fee within range (rate card Rp 1.200.000).",
        "Completed 4 of 5 collaborations, 3 of 4 on time; rated 4.5/5 from 4 reviews.",
    ]


def test_example_b_new_nano_creator_is_scored_flagged_and_filtered_out(zero_waste_brief):
    creator = CreatorProfileFactory(niches=niches("zero-waste", "fashion"))
    account = SocialAccountFactory(
        profile=creator,
        followers=3_000,
        following=3_600,
        avg_likes=24,
        avg_comments=3,
        audience_countries=[{"code": "ID", "pct": 60.0}, {"code": "SG", "pct": 20.0}],
        audience_languages=[],
        metrics_date=days_ago(120),
    )

    result = match_score(campaign=zero_waste_brief, creator=creator, account=account, today=TODAY)

    assert result.components == {
        "niche": 0.3333,
        "cause": 0.0,
        "audience_country": 0.6,
        "audience_language": 0.5,
        "engagement": 0.1125,
        "size": 0.9771,
        "activity": 0.5,
        "fee": 0.5,
        "reliability": 0.9,
        "authenticity": 0.88,
    }
    assert result.score == 46  # 46.3569
    assert not result.passes_hard_filters
    assert result.hard_filter_failures == ["Engagement rate 0.90% is under the brief's minimum of 2.00%."]
    assert result.flags == [
        "Follows back a lot: follows 3,600 accounts with 3,000 followers.",
        "Engagement 0.90% is under a quarter of the Nano median (4%): possible bought followers.",
        "Metrics are 120 days old.",
    ]
    assert result.reasons[:9] == [
        "Partial niche match: Zero-waste & sustainability.",
        "No shared cause with the brief.",
        "Audience 60% in Indonesia.",
        "No audience language data.",
        "Engagement 0.90% is 0.2× the Nano median (4%).",
        "Authenticity 88/100.",
        "3,000 followers: towards the low end of the brief's range (1,000–100,000 followers).",
        "No rate card price in IDR for the requested deliverables.",
        "New on Kolabo: reliability starts at the neutral prior.",
    ]
    assert result.reasons[9:] == result.flags


def test_example_c_volunteer_cause_brief_and_a_pro_bono_mid_tier_creator(db):
    campaign = CampaignFactory(
        kind=Campaign.Kind.CAUSE,
        compensation=Campaign.Compensation.VOLUNTEER,
        platforms=[],
        min_followers=None,
        max_followers=None,
        fee_min=None,
        fee_max=None,
    )
    campaign.causes.set(causes("environment", "ocean-conservation"))
    creator = CreatorProfileFactory(
        niches=niches("travel"), causes=causes("ocean-conservation"), open_to_pro_bono=True
    )
    account = SocialAccountFactory(
        profile=creator,
        followers=150_000,
        following=900,
        avg_likes=12_000,
        avg_comments=600,
        metrics_date=days_ago(400),
    )
    record = Reliability(
        finished=2, completed=2, delivered=2, on_time=2, rating_average=Decimal("5.0"), rating_count=2
    )

    result = match_score(campaign=campaign, creator=creator, account=account, reliability=record, today=TODAY)

    assert result.components == {
        "niche": 0.5,
        "cause": 0.5,
        "audience_country": 0.5,
        "audience_language": 0.5,
        "engagement": 1.0,
        "size": 0.5,
        "activity": 0.5,
        "fee": 1.0,
        "reliability": 0.9286,
        "authenticity": 0.61,
    }
    assert result.score == 65  # 65.3688
    assert result.passes_hard_filters
    assert "Strong cause match: Ocean conservation." in result.reasons
    assert "Open to pro-bono work." in result.reasons
    assert result.flags == [
        "Engagement 8.40% is over 4× the Mid-tier median (1.7%): possible engagement pods or bought likes.",
        "Metrics are 400 days old.",
    ]


def test_platform_medians_replace_the_defaults(zero_waste_brief):
    creator = CreatorProfileFactory(niches=niches("zero-waste"))
    account = SocialAccountFactory(profile=creator, metrics_date=days_ago(3))  # micro, ER 5.00%

    result = match_score(
        campaign=zero_waste_brief,
        creator=creator,
        account=account,
        tier_medians={"micro": 10.0},
        today=TODAY,
    )

    assert result.components["engagement"] == 0.25
    assert "Engagement 5.00% is 0.5× the Micro median (10%)." in result.reasons


def test_rate_card_in_another_currency_is_not_converted(zero_waste_brief):
    creator = CreatorProfileFactory(currency="USD")
    account = SocialAccountFactory(profile=creator, metrics_date=days_ago(3))
    RateCardItemFactory(profile=creator, price=Decimal("80"))

    result = match_score(campaign=zero_waste_brief, creator=creator, account=account, today=TODAY)

    assert result.components["fee"] == NEUTRAL


def test_rate_card_prices_every_requested_deliverable_times_quantity(db):
    campaign = CampaignFactory(
        fee_min=None,
        fee_max=Decimal("2000000"),
        deliverables=[
            (Platform.INSTAGRAM, DeliverableFormat.REEL, 1),
            (Platform.INSTAGRAM, DeliverableFormat.STORY, 3),
        ],
    )
    creator = CreatorProfileFactory()
    account = SocialAccountFactory(profile=creator, metrics_date=days_ago(3))
    RateCardItemFactory(profile=creator, price=Decimal("1400000"))
    RateCardItemFactory(profile=creator, format=DeliverableFormat.STORY, price=Decimal("300000"))

    result = match_score(campaign=campaign, creator=creator, account=account, today=TODAY)

    # 1,400,000 + 3 × 300,000 = 2,300,000: 15% over 2,000,000
    assert result.components["fee"] == 0.85
    assert "Rate card Rp 2.300.000 is above the brief's Rp 2.000.000." in result.reasons


def test_reasons_follow_the_reader_language(zero_waste_brief):
    creator = CreatorProfileFactory(niches=niches("zero-waste", "diy-crafts"))
    account = SocialAccountFactory(
        profile=creator, metrics_date=days_ago(3), audience_countries=[{"code": "ID", "pct": 88.5}]
    )

    with translation.override("id"):
        result = match_score(campaign=zero_waste_brief, creator=creator, account=account, today=TODAY)

    assert "DIY & kerajinan, Nol sampah & keberlanjutan" in result.reasons[0]
    assert any("88,5" in reason for reason in result.reasons)


def test_scoring_a_prefetched_creator_makes_no_queries(zero_waste_brief, django_assert_num_queries):
    creator = CreatorProfileFactory(niches=niches("zero-waste"))
    SocialAccountFactory(profile=creator, metrics_date=days_ago(3))
    RateCardItemFactory(profile=creator)
    campaign = Campaign.objects.prefetch_related("niches", "causes", "deliverables").get(
        pk=zero_waste_brief.pk
    )
    creator = (
        type(creator)
        .objects.prefetch_related("niches", "causes", "rate_card", "social_accounts")
        .get(pk=creator.pk)
    )

    with django_assert_num_queries(0):
        account = account_for_campaign(campaign=campaign, accounts=creator.social_accounts.all())
        result = match_score(campaign=campaign, creator=creator, account=account, today=TODAY)

    assert result.passes_hard_filters


# Hard filters: the same rules as campaigns.eligibility


@pytest.fixture
def creator_with_account(db):
    creator = CreatorProfileFactory(languages=["id", "en"])
    account = SocialAccountFactory(profile=creator, followers=25_000, avg_likes=1_100, avg_comments=150)
    return creator, account


def test_hard_filters_pass_for_a_fitting_creator(creator_with_account):
    creator, account = creator_with_account
    campaign = CampaignFactory(min_engagement_rate=Decimal("5.00"), target_languages=["id"])

    assert hard_filters_pass(campaign=campaign, creator=creator, account=account)


@pytest.mark.parametrize(
    ("brief", "failure"),
    [
        ({"platforms": ["tiktok"]}, "No account on TikTok."),
        (
            {"min_followers": 30_000, "max_followers": 100_000},
            "Has 25,000 followers; the brief asks for 30,000–100,000 followers.",
        ),
        (
            {"min_followers": None, "max_followers": 20_000},
            "Has 25,000 followers; the brief asks for at most 20,000 followers.",
        ),
        (
            {"min_followers": 30_000, "max_followers": None},
            "Has 25,000 followers; the brief asks for at least 30,000 followers.",
        ),
        (
            {"min_engagement_rate": Decimal("5.01")},
            "Engagement rate 5.00% is under the brief's minimum of 5.01%.",
        ),
        ({"target_languages": ["ms", "jv"]}, "Does not create content in Malay, Javanese."),
    ],
)
def test_each_hard_filter_explains_its_failure(creator_with_account, brief, failure):
    creator, account = creator_with_account
    campaign = CampaignFactory(**brief)

    assert hard_filter_failures(campaign=campaign, creator=creator, account=account) == [failure]
    assert not hard_filters_pass(campaign=campaign, creator=creator, account=account)


def test_follower_range_bounds_are_inclusive(creator_with_account):
    creator, account = creator_with_account
    campaign = CampaignFactory(
        min_followers=25_000, max_followers=25_000, min_engagement_rate=Decimal("5.00")
    )

    assert hard_filters_pass(campaign=campaign, creator=creator, account=account)


def test_creator_without_an_account_fails_the_platform_filter(db):
    creator = CreatorProfileFactory()

    assert hard_filter_failures(campaign=CampaignFactory(), creator=creator, account=None) == [
        "No account on Instagram."
    ]
    assert hard_filter_failures(campaign=CampaignFactory(platforms=[]), creator=creator, account=None) == [
        "No social account with metrics."
    ]


def test_country_targets_are_scored_not_filtered(creator_with_account):
    creator, account = creator_with_account
    campaign = CampaignFactory(target_countries=["TH"])

    result = match_score(campaign=campaign, creator=creator, account=account, today=TODAY)

    assert result.passes_hard_filters
    assert result.components["audience_country"] == 0.0
    assert "No audience in Thailand." in result.reasons


def test_account_for_campaign_prefers_the_largest_fitting_account_on_the_brief_platform(db):
    creator = CreatorProfileFactory()
    too_big = SocialAccountFactory(profile=creator, followers=200_000, avg_likes=5_000)
    fitting = SocialAccountFactory(profile=creator, followers=40_000)
    SocialAccountFactory(profile=creator, platform=Platform.TIKTOK, followers=90_000)
    campaign = CampaignFactory()  # Instagram, 1k–100k

    assert account_for_campaign(campaign=campaign, accounts=[too_big, fitting]) == fitting
    assert account_for_campaign(campaign=campaign, accounts=[too_big]) == too_big
    assert account_for_campaign(campaign=CampaignFactory(platforms=["youtube"]), accounts=[fitting]) is None
