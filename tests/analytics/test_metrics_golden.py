"""The report's formulas against numbers worked out by hand (docs/analytics.md has the formulas).

The campaign is described in report_helpers.golden_campaign.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.selectors import (
    LEDGER,
    MIXED,
    SELF_REPORTED,
    TRACKED,
    VERIFIED,
    campaign_report,
    collaboration_report,
)
from tests.analytics.report_helpers import golden_campaign
from tests.campaigns.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def golden(ngo_org):
    owner = ngo_org.memberships.get().user
    return golden_campaign(ngo_org, owner)


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def test_audience_figures_and_their_sources(golden):
    report = campaign_report(golden["campaign"])

    # Ayu and Budi; Citra was cancelled.
    assert report.creators == 2
    assert (report.posts, report.posts_verified) == (2, 1)
    # views: Ayu's post now says 10,000 (her typed 9,000 is superseded) + Budi's 5,000.
    assert report.views.value == 15_000 and report.views.source == MIXED
    # reach: only the platform gives it, for Ayu's verified post.
    assert report.reach.value == 8_000 and report.reach.source == VERIFIED
    # potential reach: the followers of the accounts that posted: 25,000 + 40,000 (Citra posted nothing).
    assert report.potential_reach.value == 65_000 and report.potential_reach.source == MIXED
    # engagements: Ayu 800 + 100 + 50 + 50 = 1,000; Budi 300 + 50 (shares and saves unknown) = 350.
    assert report.engagements.value == 1_350 and report.engagements.source == MIXED
    # engagement rate: 1,350 / 15,000 × 100 = 9.00 %.
    assert report.engagement_rate.value == Decimal("9.00")


def test_tracked_figures(golden):
    report = campaign_report(golden["campaign"])

    # clicks: Ayu 20 + 10, Budi 10.
    assert report.clicks.value == 40 and report.clicks.source == TRACKED
    # conversions attributed: Ayu 4 sign-ups + 2 donations, Budi 1 sign-up = 7; one more unattributed.
    assert report.conversions.value == 7 and report.conversions.source == TRACKED
    assert report.unattributed_conversions == 1
    signup, donation = report.goals
    assert (signup.kind, signup.conversions.value, signup.amount.value) == ("signup", 5, None)
    assert (donation.kind, donation.conversions.value, donation.amount.value) == (
        "donation",
        2,
        Decimal("150000"),
    )


def test_money_from_the_ledger(golden):
    report = campaign_report(golden["campaign"])
    money = report.breakdown

    # Ayu's 1,000,000 fee is owed, plus her 20,000 commission; Budi's 800,000 is reserved;
    # Citra's 500,000 was released when she was cancelled. Nothing was paid out yet.
    assert money.owed == Decimal("1020000.00")
    assert money.reserved == Decimal("800000.00")
    assert money.paid == Decimal("0.00")
    assert money.commissions == Decimal("20000.00")
    assert money.fees == Decimal("1800000.00")
    # spend = 1,020,000 + 800,000 = 1,820,000.
    assert report.spend.value == Decimal("1820000.00") and report.spend.source == LEDGER
    # Funded 1,000,000 × 3 slots; the NGO fee 5 % of it = 150,000 (not in spend).
    assert money.funded == Decimal("3000000.00")
    assert money.platform_fee == Decimal("150000.00")
    # budget = brief fee 1,000,000 × 3 slots; 1,820,000 / 3,000,000 × 100 = 60.67 %.
    assert (report.budget.value, report.budget_basis) == (Decimal("3000000"), "brief")
    assert report.spend_of_budget.value == Decimal("60.67")


def test_costs(golden):
    report = campaign_report(golden["campaign"])

    # 1,820,000 / 1,350 = 1,348.148… → 1,348.15, with the engagements' source.
    assert report.cost_per_engagement.value == Decimal("1348.15")
    assert report.cost_per_engagement.source == MIXED
    # 1,820,000 / 40 clicks = 45,500; / 7 conversions = 260,000.
    assert report.cost_per_click.value == Decimal("45500.00")
    assert report.cost_per_conversion.value == Decimal("260000.00")
    signup, donation = report.goals
    # 1,820,000 / 5 sign-ups = 364,000; / 2 donations = 910,000.
    assert signup.cost_per_conversion.value == Decimal("364000.00")
    assert donation.cost_per_conversion.value == Decimal("910000.00")


def test_ngo_impact_per_creator_and_per_million_rupiah(golden):
    report = campaign_report(golden["campaign"])
    signup, donation = report.goals

    assert report.is_cause and report.impact_unit == Decimal("1000000")
    # per creator: 5 sign-ups / 2 creators = 2.50; 2 donations / 2 = 1.00.
    assert signup.per_creator.value == Decimal("2.50")
    assert donation.per_creator.value == Decimal("1.00")
    # per 1,000,000 IDR spent: 5 × 1,000,000 / 1,820,000 = 2.747… → 2.75; 2 × … = 1.098… → 1.10.
    assert signup.per_unit_spent.value == Decimal("2.75")
    assert donation.per_unit_spent.value == Decimal("1.10")


def test_per_collaboration_rows(golden):
    report = campaign_report(golden["campaign"])
    rows = {row.creator_name: row for row in report.collaborations}

    ayu, budi, citra = rows["Ayu"], rows["Budi"], rows["Citra"]
    # Ayu: 1,000 engagements / 10,000 views = 10.00 %; spend 1,020,000.
    assert (ayu.views.value, ayu.engagements.value, ayu.engagement_rate.value) == (
        10_000,
        1_000,
        Decimal("10.00"),
    )
    assert ayu.engagements.source == VERIFIED
    assert ayu.spend.value == Decimal("1020000.00")
    # 1,020,000 / 1,000 = 1,020; / 30 clicks = 34,000; / 6 conversions = 170,000.
    assert ayu.cost_per_engagement.value == Decimal("1020.00")
    assert ayu.cost_per_click.value == Decimal("34000.00")
    assert ayu.cost_per_conversion.value == Decimal("170000.00")
    assert ayu.conversions_by_goal == {"signup": 4, "donation": 2}
    assert ayu.amount_by_goal == {"donation": Decimal("150000")}
    # Budi: 350 / 5,000 = 7.00 %; 800,000 / 350 = 2,285.714… → 2,285.71; / 10 = 80,000; / 1 = 800,000.
    assert (budi.engagement_rate.value, budi.engagements.source) == (Decimal("7.00"), SELF_REPORTED)
    assert budi.cost_per_engagement.value == Decimal("2285.71")
    assert budi.cost_per_click.value == Decimal("80000.00")
    assert budi.cost_per_conversion.value == Decimal("800000.00")
    # Citra: nothing published, nothing spent; unknown stays unknown, costs of nothing are None.
    assert citra.status == "cancelled"
    assert (citra.views.value, citra.engagements.value, citra.engagement_rate.value) == (None, None, None)
    assert citra.spend.value == Decimal("0.00")
    assert (citra.cost_per_click.value, citra.cost_per_conversion.value) == (None, None)
    # Ranked by engagements: Ayu, then Budi; Citra has none.
    assert [row.creator_name for row in report.top_creators] == ["Ayu", "Budi"]


def test_time_series(golden):
    report = campaign_report(golden["campaign"])

    # Clicks per day, every day from the first click to the last.
    assert report.clicks_series == [(days_ago(3), 20), (days_ago(2), 10), (days_ago(1), 10)]
    # Engagements: Ayu's snapshots 600 + 50 = 650 (5 days ago), 700 + 80 + 20 + 0 = 800 (4 days ago);
    # today her post's 1,000 plus Budi's 350 published today.
    assert report.engagement_series == [(days_ago(5), 650), (days_ago(4), 800), (days_ago(0), 1_350)]


def test_collaboration_report_matches_its_campaign_row(golden):
    campaign_row = {row.collaboration_id: row for row in campaign_report(golden["campaign"]).collaborations}
    for name in ("ayu", "budi", "citra"):
        collaboration = golden[name]
        alone = collaboration_report(collaboration)
        row = campaign_row[collaboration.pk]
        assert alone.figures == row
    ayu = collaboration_report(golden["ayu"])
    assert ayu.clicks_series == [(days_ago(3), 20), (days_ago(2), 0), (days_ago(1), 10)]
    assert [goal.conversions.value for goal in ayu.goals] == [4, 2]


def test_a_campaign_with_nothing_yet_reports_unknowns_not_zeros(brand_org):
    report = campaign_report(CampaignFactory(organization=brand_org))
    assert report.views.value is None and report.engagements.value is None
    assert report.engagement_rate.value is None
    assert report.clicks.value == 0 and report.conversions.value == 0
    assert report.cost_per_click.value is None and report.cost_per_engagement.value is None
    assert report.spend.value == Decimal("0.00")
    assert report.engagement_series == [] and report.clicks_series == []
