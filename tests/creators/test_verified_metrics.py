"""Verified data wins: typed numbers never override a connected account's, the labels say which is
which, and authenticity gains the signals only real data allows (golden numbers, docs/matching.md)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.matching import match_score
from campaigns.ranking import match_features_refresh
from creators.authenticity import (
    DEFAULT_TIER_MEDIAN_ER,
    RealData,
    authenticity_score,
    authenticity_signals,
    comments_signal,
    follower_jump_signal,
    real_data,
    real_data_by_account,
    spread_signal,
)
from creators.discovery import creator_search
from creators.models import MatchFeatures, MetricsSource, SocialAccount
from creators.roster.importing import roster_import
from creators.services import social_account_update
from marketplace.errors import ValidationFailed
from marketplace.models import AuditEvent
from platforms.models import MetricsSnapshot, PlatformConnection
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.creators.test_roster import GOOD, csv_bytes, row

TODAY = datetime.date(2025, 6, 30)
VERIFIED_AT = datetime.datetime(2025, 6, 28, 9, 0, tzinfo=datetime.UTC)


def at(days_before: int) -> datetime.datetime:
    """Noon UTC, `days_before` days before TODAY."""
    return datetime.datetime.combine(
        TODAY - datetime.timedelta(days=days_before), datetime.time(12), datetime.UTC
    )


def verify(account: SocialAccount, *, snapshots=(), **numbers) -> SocialAccount:
    """Connect `account` the way the refresh leaves it: verified numbers, a connection, snapshots
    as (days before TODAY, {field: value})."""
    for field, value in numbers.items():
        setattr(account, field, value)
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = VERIFIED_AT
    account.save()
    connection = PlatformConnection.objects.create(
        profile=account.profile,
        account=account,
        platform=account.platform,
        external_id=f"ext-{account.pk}",
        username=account.handle,
    )
    for days, fields in snapshots:
        MetricsSnapshot.objects.create(
            connection=connection, taken_at=at(days), followers=account.followers, **fields
        )
    return account


SUSPICIOUS = {"engagement_spread": Decimal("0.05"), "comments_per_like": Decimal("0.002")}
HEALTHY = {"engagement_spread": Decimal("0.8"), "comments_per_like": Decimal("0.02")}


# --- Golden numbers: the signals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spread", "expected"),
    [
        (None, None),
        (Decimal("0"), 0.0),
        (Decimal("0.05"), 0.3333),
        (Decimal("0.15"), 1.0),
        (Decimal("0.8"), 1.0),
        (Decimal("2.5"), 1.0),
        (Decimal("3.1"), 0.76),
        (Decimal("5"), 0.0),
        (Decimal("7.2"), 0.0),
    ],
)
def test_spread_signal_golden_numbers(spread, expected):
    assert spread_signal(spread) == expected


@pytest.mark.parametrize(
    ("jump", "followers", "expected"),
    [
        (None, 25_000, None),
        (Decimal("-20"), 25_000, 1.0),  # losing followers is not a jump
        (Decimal("10"), 25_000, 1.0),
        (Decimal("30"), 25_000, 0.5),
        (Decimal("42.5"), 25_000, 0.1875),
        (Decimal("50"), 25_000, 0.0),
        (Decimal("80"), 25_000, 0.0),
        (Decimal("80"), 999, 1.0),  # small accounts swing by a few people
    ],
)
def test_follower_jump_signal_golden_numbers(jump, followers, expected):
    assert follower_jump_signal(follower_jump=jump, followers=followers) == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (None, None),
        (Decimal("0"), 0.0),
        (Decimal("0.002"), 0.4),
        (Decimal("0.005"), 1.0),
        (Decimal("0.03"), 1.0),
    ],
)
def test_comments_signal_golden_numbers(ratio, expected):
    assert comments_signal(ratio) == expected


def _score(real):
    """Example A's micro account (ratio, engagement and freshness all 1) with `real` data."""
    return authenticity_score(
        followers=25_000,
        following=400,
        engagement_rate=Decimal("5.00"),
        metrics_date=TODAY - datetime.timedelta(days=3),
        tier_median_er=2.5,
        today=TODAY,
        real=real,
    )


def test_suspicious_real_data_golden_score():
    score, components = _score(RealData(Decimal("0.05"), Decimal("0.002"), Decimal("30")))

    assert components == {
        "ratio": 1.0,
        "engagement": 1.0,
        "freshness": 1.0,
        "spread": 0.3333,
        "follower_jump": 0.5,
        "comments": 0.4,
    }
    # 100 × (100 + 20·0.3333 + 20·0.5 + 20·0.4) / 160 = 77.916
    assert score == 78


def test_healthy_real_data_scores_100():
    assert _score(RealData(Decimal("0.8"), Decimal("0.02"), Decimal("2")))[0] == 100


def test_a_missing_signal_is_left_out_never_scored_perfect():
    score, components = _score(RealData(Decimal("3.1"), Decimal("0.02"), None))

    assert "follower_jump" not in components
    # 100 × (100 + 20·0.76 + 20·1) / 140 = 96.571
    assert score == 97
    # Scored as perfect, the jump would have given 100 × 155.2/160 = 97.0 → 97 too; a spiky
    # spread with a zero comments ratio shows the difference: 100 × 115.2/140 = 82.29 → 82, not 85.
    assert _score(RealData(Decimal("3.1"), Decimal("0"), None))[0] == 82


def test_without_real_data_the_score_is_the_three_signal_formula():
    three = authenticity_score(
        followers=3_000,
        following=3_600,
        engagement_rate=Decimal("0.90"),
        metrics_date=TODAY - datetime.timedelta(days=120),
        tier_median_er=4.0,
        today=TODAY,
    )

    assert three == (88, {"ratio": 0.8333, "engagement": 0.9, "freshness": 0.8909})


def test_signals_report_not_enough_data_and_flag_in_words():
    account = SocialAccount(
        platform="instagram",
        handle="ayu.cooks",
        followers=25_000,
        following=400,
        engagement_rate=Decimal("5.00"),
        tier="micro",
        metrics_date=TODAY,
    )

    typed = authenticity_signals(account=account, tier_median_er=2.5, today=TODAY)
    real = authenticity_signals(
        account=account,
        tier_median_er=2.5,
        today=TODAY,
        real=RealData(Decimal("0.05"), Decimal("0.002"), Decimal("30")),
    )
    partly = authenticity_signals(
        account=account, tier_median_er=2.5, today=TODAY, real=RealData(Decimal("0.8"), None, None)
    )

    assert typed.not_enough_data == ["spread", "follower_jump", "comments"]
    assert typed.flags == [] and typed.score == 100
    assert real.not_enough_data == [] and real.score == 78
    assert real.flags == [
        "Engagement is almost the same on every recent post (spread 0.05): possible bought likes or comments.",
        "Followers jumped by 30.00% between two refreshes: possible bought followers.",
        "Only 0.20 comments per 100 likes on recent posts: possible bought likes.",
    ]
    assert partly.not_enough_data_labels == ["follower jumps between refreshes", "comments per like"]


def test_a_very_spiky_spread_is_flagged():
    account = SocialAccount(
        platform="tiktok",
        handle="spiky",
        followers=25_000,
        following=400,
        engagement_rate=Decimal("5.00"),
        tier="micro",
        metrics_date=TODAY,
    )

    result = authenticity_signals(
        account=account, tier_median_er=2.5, today=TODAY, real=RealData(Decimal("3.1"), None, None)
    )

    assert result.flags == [
        "Engagement sits on a few recent posts (spread 3.10): possible bought engagement on some posts."
    ]


# --- Real data from snapshots -------------------------------------------------------------------


@pytest.mark.django_db
def test_real_data_reads_the_latest_snapshot_and_the_largest_jump_of_the_window(django_assert_num_queries):
    account = verify(
        SocialAccountFactory(),
        snapshots=[
            (100, {"follower_change": Decimal("80"), **HEALTHY}),  # outside the 90-day window
            (20, {"follower_change": Decimal("30"), **HEALTHY}),
            (2, {"follower_change": Decimal("2"), **SUSPICIOUS}),
        ],
    )
    other = verify(SocialAccountFactory(), snapshots=[(5, {"follower_change": None, **HEALTHY})])
    stale = verify(SocialAccountFactory(), snapshots=[(120, {"follower_change": Decimal("1"), **HEALTHY})])

    with django_assert_num_queries(1):
        found = real_data_by_account([account.pk, other.pk, stale.pk], today=TODAY)

    assert found[account.pk] == RealData(Decimal("0.0500"), Decimal("0.0020"), Decimal("30.00"))
    assert found[other.pk] == RealData(Decimal("0.8000"), Decimal("0.0200"), None)
    assert stale.pk not in found


@pytest.mark.django_db
def test_self_reported_accounts_have_no_real_data_and_cost_no_query(django_assert_num_queries):
    account = SocialAccountFactory()

    with django_assert_num_queries(0):
        assert real_data(account, today=TODAY) is None


@pytest.mark.django_db
def test_match_features_read_real_data_in_a_fixed_number_of_queries():
    first = verify(
        SocialAccountFactory(metrics_date=TODAY - datetime.timedelta(days=3)),
        snapshots=[(20, {"follower_change": Decimal("30"), **SUSPICIOUS})],
    )
    one = _queries(lambda: match_features_refresh(today=TODAY, medians=DEFAULT_TIER_MEDIAN_ER))
    for _ in range(3):
        verify(
            SocialAccountFactory(metrics_date=TODAY - datetime.timedelta(days=3)),
            snapshots=[
                (3, {"follower_change": Decimal("1"), **HEALTHY}),
                (1, {"follower_change": None, **HEALTHY}),
            ],
        )
    SocialAccountFactory()  # self-reported

    five = _queries(lambda: match_features_refresh(today=TODAY, medians=DEFAULT_TIER_MEDIAN_ER))

    assert five == one
    features = MatchFeatures.objects.get(pk=first.pk)
    assert features.metrics_verified is True
    assert features.authenticity_units == 7_800
    assert MatchFeatures.objects.filter(metrics_verified=True).count() == 4
    assert MatchFeatures.objects.filter(metrics_verified=False).count() == 1


def _queries(action) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        action()
    return len(context.captured_queries)


@pytest.mark.django_db
def test_the_match_score_uses_the_same_real_data_as_the_ranking():
    account = verify(
        SocialAccountFactory(metrics_date=TODAY - datetime.timedelta(days=3)),
        snapshots=[(20, {"follower_change": Decimal("30"), **SUSPICIOUS})],
    )
    campaign = CampaignFactory()

    result = match_score(campaign=campaign, creator=account.profile, account=account, today=TODAY)

    assert result.components["authenticity"] == 0.78
    assert "Authenticity 78/100 from verified data." in result.reasons
    assert len(result.flags) == 3


@pytest.mark.django_db
def test_a_verified_account_without_enough_data_says_so_in_the_reasons():
    account = verify(SocialAccountFactory(metrics_date=TODAY - datetime.timedelta(days=3)))

    result = match_score(campaign=CampaignFactory(), creator=account.profile, account=account, today=TODAY)

    assert result.components["authenticity"] == 1.0
    assert (
        "Authenticity 100/100 from verified data; not enough data yet for engagement spread across posts, "
        "follower jumps between refreshes, comments per like."
    ) in result.reasons


# --- Self-reported never overrides verified -----------------------------------------------------


@pytest.fixture
def verified_account(creator):
    account = creator.creator_profile.social_accounts.get()
    return verify(
        account,
        followers=8_400,
        following=300,
        avg_likes=400,
        avg_comments=20,
        engagement_rate=Decimal("4.76"),
        tier="nano",
    )


@pytest.mark.django_db
def test_typed_numbers_on_a_verified_account_go_to_self_reported_only(creator, verified_account):
    social_account_update(
        account=verified_account,
        actor=creator,
        followers=30_000,
        avg_likes=3_000,
        avg_comments=300,
        metrics_date=timezone.localdate(),
    )

    account = SocialAccount.objects.get(pk=verified_account.pk)
    assert (account.followers, account.avg_likes, account.engagement_rate, account.tier) == (
        8_400,
        400,
        Decimal("4.76"),
        "nano",
    )
    assert account.metrics_source == MetricsSource.VERIFIED
    assert account.self_reported["followers"] == 30_000
    assert account.self_reported["avg_likes"] == 3_000
    assert account.self_reported["engagement_rate"] == "11.00"
    assert account.self_reported["tier"] == "micro"
    assert account.self_reported["metrics_date"] == timezone.localdate().isoformat()
    assert AuditEvent.objects.filter(action="social_account.self_reported").count() == 1


@pytest.mark.django_db
def test_typed_numbers_on_a_verified_account_are_still_checked(creator, verified_account):
    with pytest.raises(ValidationFailed) as caught:
        social_account_update(account=verified_account, actor=creator, avg_likes=10_000_000)

    assert caught.value.field == "avg_likes"
    assert SocialAccount.objects.get(pk=verified_account.pk).self_reported == {}


@pytest.mark.django_db
def test_a_verified_accounts_handle_comes_from_the_platform(creator, verified_account):
    with pytest.raises(ValidationFailed, match="comes from Instagram"):
        social_account_update(account=verified_account, actor=creator, handle="someone.else")


@pytest.mark.django_db
def test_the_edit_form_shows_verified_numbers_read_only_and_typed_ones_as_self_reported(
    client, creator, verified_account
):
    verified_account.self_reported = {"followers": 9_000, "avg_likes": 450, "avg_comments": 30}
    verified_account.save()
    client.force_login(creator)
    url = reverse("creators:social_account_edit", args=[verified_account.pk])

    page = client.get(url).content.decode()

    assert "Followers (self-reported)" in page
    assert "Verified on June 28, 2025: 8,400." in page
    assert 'value="9000"' in page  # what they typed, not the verified number
    assert "Comes from your connected account." in page

    data = {
        "platform": "tiktok",  # disabled: ignored
        "handle": "someone.else",
        "followers": "12000",
        "following": "300",
        "posts": "100",
        "avg_likes": "600",
        "avg_comments": "40",
        "avg_views": "0",
        "audience_countries": "ID 70",
        "audience_languages": "",
        "metrics_date": timezone.localdate().isoformat(),
    }
    response = client.post(url, data)

    assert response.status_code == 302
    account = SocialAccount.objects.get(pk=verified_account.pk)
    assert (account.platform, account.handle, account.followers) == ("instagram", "ayu.cooks", 8_400)
    assert account.self_reported["followers"] == 12_000
    assert account.self_reported["audience_countries"] == [{"code": "ID", "pct": 70.0}]


@pytest.mark.django_db
def test_a_roster_import_never_overwrites_verified_numbers(brand_org, brand_owner):
    roster_import(organization=brand_org, by_user=brand_owner, content=GOOD)
    account = verify(
        SocialAccount.objects.get(handle="ayu.cooks"), followers=8_400, engagement_rate=Decimal("4.76")
    )

    result = roster_import(
        organization=brand_org, by_user=brand_owner, content=csv_bytes(row(followers="30000"))
    )

    assert result.updated == 1
    account.refresh_from_db()
    assert (account.followers, account.engagement_rate) == (8_400, Decimal("4.76"))
    assert account.self_reported["followers"] == 30_000
    assert account.self_reported["engagement_rate"] == "4.17"


# --- Labels and the discovery filter ------------------------------------------------------------


@pytest.fixture
def two_creators(brand_org):
    typed = CreatorProfileFactory(display_name="Typed Tina")
    SocialAccountFactory(profile=typed, handle="typed.tina")
    connected = CreatorProfileFactory(display_name="Connected Citra")
    verify(SocialAccountFactory(profile=connected, handle="connected.citra"))
    return typed, connected


@pytest.mark.django_db
def test_discovery_filters_verified_accounts_only(brand_owner, two_creators):
    def names(**filters):
        return [c.display_name for c in creator_search(filters=filters, viewer=brand_owner)]

    assert sorted(names()) == ["Connected Citra", "Typed Tina"]
    assert names(metrics_verified=True) == ["Connected Citra"]


@pytest.mark.django_db
def test_discovery_results_label_each_accounts_source(client, brand_owner, two_creators):
    client.force_login(brand_owner)

    everyone = client.get(reverse("discovery:search")).content.decode()
    verified_only = client.get(reverse("discovery:search"), {"metrics_verified": "on"}).content.decode()

    assert "Verified · June 28, 2025" in everyone
    assert "Self-reported" in everyone
    assert "Verified · June 28, 2025" in verified_only
    assert "Self-reported" not in verified_only
    assert "Verified accounts only" in everyone


@pytest.mark.django_db
def test_the_creators_account_table_labels_the_source(client, creator, verified_account):
    other = SocialAccountFactory(profile=creator.creator_profile, platform="tiktok", handle="ayu.tiktok")
    client.force_login(creator)

    page = client.get(reverse("creators:profile_edit")).content.decode()

    assert page.count('data-testid="metrics-source"') == 2
    assert 'data-source="verified"' in page and 'data-source="self_reported"' in page
    assert other.handle in page
