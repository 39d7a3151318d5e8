"""Creator discovery: every filter, full-text search on both backends, sorting, permissions, queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from campaigns.services.conversation import rating_create
from creators.discovery import creator_search
from creators.models import Cause, Niche, Platform
from tests.campaigns.factories import CampaignFactory, complete_collaboration, start_collaboration
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text and trigram search"
)


@pytest.fixture(autouse=True)
def _brand_org(brand_org):
    """Membership is what lets `brand_owner` search, so their organization is always there."""
    return brand_org


def _creator(name="Budi Santoso", *, handle=None, niches=None, causes=None, **profile):
    creator = CreatorProfileFactory(display_name=name, niches=niches, causes=causes, **profile)
    if handle is not None:
        SocialAccountFactory(profile=creator, handle=handle)
    return creator


def _search(viewer, **filters):
    return list(creator_search(filters=filters, viewer=viewer))


def _names(viewer, **filters):
    return [creator.display_name for creator in _search(viewer, **filters)]


# Who may search


def test_non_members_get_no_results(creator, outsider):
    assert _search(outsider) == []
    assert _search(creator) == []  # a creator with no organization


def test_members_see_creators_with_an_account(brand_owner, creator):
    _creator("No Account Yet")  # nothing to judge them by: not listed
    assert _names(brand_owner) == ["Ayu Lestari"]


# Filters


def test_niche_and_cause_filters(brand_owner):
    food, travel = Niche.objects.get(slug="food"), Niche.objects.get(slug="travel")
    ocean = Cause.objects.get(slug="ocean-conservation")
    _creator("Foodie", handle="foodie", niches=[food], causes=[ocean])
    _creator("Traveller", handle="traveller", niches=[travel])

    assert _names(brand_owner, niche=food) == ["Foodie"]
    assert _names(brand_owner, cause=ocean) == ["Foodie"]
    assert _names(brand_owner, niche=travel, cause=ocean) == []


def test_account_filters_apply_to_one_account(brand_owner):
    # Given a creator with a big Instagram and a small TikTok account
    mixed = _creator("Mixed")
    SocialAccountFactory(profile=mixed, handle="mixed.ig", followers=60_000, avg_likes=1_000, avg_comments=0)
    SocialAccountFactory(profile=mixed, handle="mixed.tt", platform=Platform.TIKTOK, followers=2_000)

    # Then TikTok with 50k+ followers does not match: no single account has both
    assert _names(brand_owner, platform="tiktok", min_followers=50_000) == []
    assert _names(brand_owner, platform="tiktok") == ["Mixed"]
    assert _names(brand_owner, platform="instagram", min_followers=50_000) == ["Mixed"]


def test_tier_follower_range_and_engagement_filters(brand_owner):
    nano = _creator("Nano")
    SocialAccountFactory(
        profile=nano, handle="nano", followers=5_000, avg_likes=400, avg_comments=50
    )  # 9.00%
    micro = _creator("Micro")
    SocialAccountFactory(
        profile=micro, handle="micro", followers=40_000, avg_likes=800, avg_comments=0
    )  # 2.00%

    assert _names(brand_owner, tier="nano") == ["Nano"]
    assert _names(brand_owner, tier="micro") == ["Micro"]
    assert _names(brand_owner, min_followers=10_000) == ["Micro"]
    assert _names(brand_owner, max_followers=10_000) == ["Nano"]
    assert _names(brand_owner, min_followers=4_000, max_followers=40_000) == ["Micro", "Nano"]
    assert _names(brand_owner, min_engagement=Decimal("5")) == ["Nano"]
    assert _names(brand_owner, min_engagement=Decimal("2.00")) == ["Micro", "Nano"]


def test_audience_country_and_language_filters(brand_owner):
    local = _creator("Local")
    SocialAccountFactory(
        profile=local,
        handle="local",
        audience_countries=[{"code": "ID", "pct": 82.0}],
        audience_languages=[{"code": "id", "pct": 90.0}],
    )
    abroad = _creator("Abroad")
    SocialAccountFactory(
        profile=abroad,
        handle="abroad",
        audience_countries=[{"code": "MY", "pct": 70.0}, {"code": "SG", "pct": 20.0}],
        audience_languages=[{"code": "ms", "pct": 60.0}, {"code": "en", "pct": 40.0}],
    )

    assert _names(brand_owner, audience_country="ID") == ["Local"]
    assert _names(brand_owner, audience_country="sg") == ["Abroad"]
    assert _names(brand_owner, audience_language="en") == ["Abroad"]
    assert _names(brand_owner, audience_language="id") == ["Local"]
    assert _names(brand_owner, audience_country="JP") == []


def test_location_filters(brand_owner):
    _creator("Bandung Baker", handle="baker", city="Bandung")
    _creator("KL Cook", handle="klcook", country="MY", city="Kuala Lumpur")

    assert _names(brand_owner, country="MY") == ["KL Cook"]
    assert _names(brand_owner, city="bandung") == ["Bandung Baker"]
    assert _names(brand_owner, country="ID", city="kuala") == []


def test_fee_range_uses_rate_cards_in_the_chosen_currency(brand_owner):
    cheap = _creator("Cheap", handle="cheap")
    RateCardItemFactory(profile=cheap, price=Decimal("500000"))
    dear = _creator("Dear", handle="dear")
    RateCardItemFactory(profile=dear, price=Decimal("5000000"))
    dollars = _creator("Dollars", handle="dollars", currency="USD")
    RateCardItemFactory(profile=dollars, price=Decimal("300"))

    assert _names(brand_owner, fee_max=Decimal("1000000"), fee_currency="IDR") == ["Cheap"]
    assert _names(brand_owner, fee_min=Decimal("1000000"), fee_currency="IDR") == ["Dear"]
    assert _names(brand_owner, fee_min=Decimal("100"), fee_max=Decimal("500"), fee_currency="USD") == [
        "Dollars"
    ]


def test_verified_and_pro_bono_filters(brand_owner):
    verified = _creator("Verified")
    SocialAccountFactory(profile=verified, handle="verified", verified=True)
    _creator("Helper", handle="helper", open_to_pro_bono=True)

    assert _names(brand_owner, verified=True) == ["Verified"]
    assert _names(brand_owner, pro_bono=True) == ["Helper"]


def test_rating_filter_uses_completed_collaborations(brand_owner, brand_org):
    campaign = CampaignFactory(organization=brand_org)
    rated = _creator("Rated", handle="rated")
    _creator("Unrated", handle="unrated")
    collaboration = complete_collaboration(
        start_collaboration(campaign, rated, by_user=brand_owner), brand_owner
    )
    rating_create(collaboration=collaboration, by_user=brand_owner, score=4)

    assert _names(brand_owner, min_rating=4) == ["Rated"]
    assert _names(brand_owner, min_rating=4.5) == []
    [result] = _search(brand_owner, min_rating=3)
    assert (result.rating_avg, result.rating_count) == (4.0, 1)


# One row per creator, best account shown


def test_one_row_per_creator_with_the_best_matching_account(brand_owner):
    creator = _creator("Two Accounts")
    small = SocialAccountFactory(profile=creator, handle="two.small", followers=3_000)
    big = SocialAccountFactory(profile=creator, handle="two.big", platform=Platform.TIKTOK, followers=80_000)

    [row] = _search(brand_owner)
    assert (row.best_account_id, row.best_followers) == (big.pk, 80_000)
    [row] = _search(brand_owner, platform="instagram")
    assert (row.best_account_id, row.best_followers) == (small.pk, 3_000)


# Full text


def test_text_search_matches_name_handle_and_bio(brand_owner, creator):
    _creator("Budi Santoso", handle="budi.bikes", bio="Sepeda lipat dan jalan-jalan Jakarta.")

    assert _names(brand_owner, q="lestari") == ["Ayu Lestari"]
    assert _names(brand_owner, q="@ayu.cooks") == ["Ayu Lestari"]
    assert _names(brand_owner, q="sepeda") == ["Budi Santoso"]
    assert _names(brand_owner, q="nobody-like-this") == []


@needs_postgres
def test_postgres_search_ignores_accents(brand_owner, creator):
    assert _names(brand_owner, q="Ayu Lestàri") == ["Ayu Lestari"]
    _creator("Rénata Café", handle="renata")
    assert _names(brand_owner, q="renata cafe") == ["Rénata Café"]


@needs_postgres
def test_postgres_handle_search_is_fuzzy(brand_owner, creator):
    _creator("Someone Else", handle="kopi.pagi")
    assert _names(brand_owner, q="ayu_cooks") == ["Ayu Lestari"]


@needs_postgres
def test_postgres_relevance_puts_the_name_match_first(brand_owner):
    _creator("Dapur Sehat", handle="dapur.sehat", bio="Masak sehat.")
    _creator("Rina Masak", handle="rina", bio="Dapur kecil, resep besar.")
    assert _names(brand_owner, q="dapur", sort="relevance") == ["Dapur Sehat", "Rina Masak"]


# Sorting


def test_sorting(brand_owner):
    first = _creator("First")
    SocialAccountFactory(profile=first, handle="first", followers=5_000, avg_likes=500, avg_comments=0)  # 10%
    second = _creator("Second")
    SocialAccountFactory(
        profile=second, handle="second", followers=50_000, avg_likes=500, avg_comments=0
    )  # 1%

    assert _names(brand_owner, sort="followers") == ["Second", "First"]
    assert _names(brand_owner, sort="engagement") == ["First", "Second"]
    assert _names(brand_owner, sort="newest") == ["Second", "First"]
    assert _names(brand_owner) == ["Second", "First"]


# The page


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("discovery:search"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_creators_without_an_organization_get_404(client, creator):
    client.force_login(creator)
    assert client.get(reverse("discovery:search")).status_code == 404


def test_page_lists_results_with_best_account(client, brand_viewer, creator):
    client.force_login(brand_viewer)
    response = client.get(reverse("discovery:search"), {"q": "ayu", "sort": "followers"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ayu Lestari" in content
    assert "@ayu.cooks" in content
    assert "25,000" in content


def test_invalid_filters_are_explained(client, brand_owner):
    client.force_login(brand_owner)
    response = client.get(reverse("discovery:search"), {"min_followers": "5000", "max_followers": "10"})
    assert response.status_code == 400
    assert "must not be below" in response.content.decode()


def test_pages_hold_at_most_24_creators(client, brand_owner):
    for n in range(30):
        SocialAccountFactory(handle=f"paged{n}")
    client.force_login(brand_owner)
    first = client.get(reverse("discovery:search"), {"sort": "followers"})
    second = client.get(reverse("discovery:search"), {"sort": "followers", "page": 2})
    assert len(first.context["creators"]) == 24
    assert len(second.context["creators"]) == 6
    assert "sort=followers&amp;page=2" in first.content.decode()


# Session, user, the page's own 7 (memberships, member check, count, page, niches, best accounts,
# shortlists), the niche and cause filter choices, the brief choices (to score against), and
# base.html's navigation (3).
QUERY_BUDGET = 15


@pytest.mark.parametrize("results", [1, 100])
def test_search_page_query_count_is_fixed(
    client, brand_owner, brand_org, django_assert_max_num_queries, results
):
    for n in range(results):
        account = SocialAccountFactory(handle=f"budget{n}")
        RateCardItemFactory(profile=account.profile)
    from brands.models import Shortlist

    Shortlist.objects.create(organization=brand_org, name="Ramadan")
    client.force_login(brand_owner)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get(
            reverse("discovery:search"), {"q": "budget", "fee_max": "2000000", "fee_currency": "IDR"}
        )
    assert response.status_code == 200
    assert len(response.context["creators"]) == min(results, 24)
