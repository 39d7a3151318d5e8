"""Similar creators on a creator's page: who sees them, the documented order, the left-outs, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.match_index import match_index_reset
from campaigns.ranking import match_features_refresh
from campaigns.similar_creators import SIMILAR_LIMIT, similar_creators
from creators.models import CreatorProfile, Niche
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_similar_index():
    # The index lives as long as the process; each test has its own database.
    match_index_reset()
    yield
    match_index_reset()


def _niches(*slugs):
    return [Niche.objects.get(slug=slug) for slug in slugs]


def _make(slug, *, niches=("food",), followers=25_000, likes=1_100, audience=None, **profile):
    creator = CreatorProfileFactory(slug=slug, display_name=slug, niches=_niches(*niches), **profile)
    SocialAccountFactory(
        profile=creator,
        handle=slug,
        followers=followers,
        avg_likes=likes,
        avg_comments=likes // 10,
        audience_countries=audience if audience is not None else [{"code": "ID", "pct": 80.0}],
    )
    return creator


def _slugs(creator):
    return [item.creator.slug for item in similar_creators(creator=creator)]


def _page(client, user, creator):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("creators:profile_public", kwargs={"slug": creator.slug}))


@pytest.fixture
def population(db):
    """A food creator and others that differ from them in one thing at a time."""
    base = _make("base")
    twin = _make("twin")  # same niche, audience, size, engagement
    bigger = _make("bigger", followers=50_000, likes=2_200)  # same rate, twice the size
    abroad = _make("abroad", audience=[{"code": "MY", "pct": 80.0}])
    other_niche = _make("travel", niches=("travel",))
    match_features_refresh()
    return {"base": base, "twin": twin, "bigger": bigger, "abroad": abroad, "travel": other_niche}


# Order


def test_the_closest_creator_comes_first_and_each_difference_costs_places(population):
    assert _slugs(population["base"]) == ["twin", "bigger", "abroad", "travel"]


def test_similarity_is_documented_per_component(population):
    items = {item.creator.slug: item for item in similar_creators(creator=population["base"])}
    assert items["twin"].total == 1_000_000  # every component 1
    # Twice the size: size = 1 − log10(2) / 2 = 0.8495 of 20 points.
    assert items["bigger"].total == 800_000 + 8_495 * 20
    # No shared audience country: the audience component (25 points) is 0.
    assert items["abroad"].total == 750_000
    # Niches {food} vs {travel}: Jaccard 0 of 40 points.
    assert items["travel"].total == 600_000
    assert [niche.slug for niche in items["twin"].shared_niches] == ["food"]


def test_creators_with_identical_inputs_are_ordered_by_creator_id(db):
    base = _make("base")
    same = [_make(f"same-{n}") for n in range(3)]
    match_features_refresh()
    assert _slugs(base) == [c.slug for c in sorted(same, key=lambda c: c.pk)]


def test_equal_similarity_goes_to_the_closer_size_before_the_lower_id(db):
    base = _make("base")
    # Both round to the same similarity; "two-off" is created first (lower id) but is further away.
    _make("two-off", followers=25_002)
    _make("one-off", followers=24_999)
    match_features_refresh()
    items = similar_creators(creator=base)
    assert items[0].total == items[1].total
    assert [item.creator.slug for item in items] == ["one-off", "two-off"]


def test_at_most_ten_and_never_the_creator_themself(db):
    base = _make("base")
    for n in range(SIMILAR_LIMIT + 3):
        _make(f"other-{n}", followers=25_000 + 100 * n)
    match_features_refresh()
    slugs = _slugs(base)
    assert len(slugs) == SIMILAR_LIMIT
    assert "base" not in slugs
    # Closest size first: 25,000, 25,100, ...
    assert slugs == [f"other-{n}" for n in range(SIMILAR_LIMIT)]


def test_deactivated_and_unclaimed_roster_creators_are_left_out(population):
    twin = population["twin"]
    twin.user.is_active = False
    twin.user.save(update_fields=["is_active"])
    CreatorProfile.objects.filter(pk=population["bigger"].pk).update(
        roster_status=CreatorProfile.RosterStatus.UNCLAIMED
    )
    assert _slugs(population["base"]) == ["abroad", "travel"]


def test_a_creator_without_match_data_has_no_similar_creators(db):
    lonely = CreatorProfileFactory(slug="lonely")
    _make("someone")
    match_features_refresh()
    assert similar_creators(creator=lonely) == []


# Who sees them


def test_organization_members_see_the_list_on_the_page(client, brand_viewer, population):
    response = _page(client, brand_viewer, population["base"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="similar-creators"' in html
    assert (
        html.index('data-slug="twin"') < html.index('data-slug="bigger"') < html.index('data-slug="travel"')
    )


def test_members_of_another_organization_see_the_same_list(client, ngo_manager, population):
    html = _page(client, ngo_manager, population["base"]).content.decode()
    assert 'data-slug="twin"' in html


def test_a_member_removed_from_their_organization_no_longer_sees_it(client, brand_viewer, population):
    from brands.models import Membership

    assert (
        'data-testid="similar-creators"' in _page(client, brand_viewer, population["base"]).content.decode()
    )
    Membership.objects.filter(user=brand_viewer).delete()
    assert (
        'data-testid="similar-creators"'
        not in _page(client, brand_viewer, population["base"]).content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "other creator", "the creator"])
def test_anonymous_visitors_and_creators_do_not_see_it(client, population, who):
    viewer = {
        "anonymous": None,
        "other creator": population["twin"].user,
        "the creator": population["base"].user,
    }[who]
    response = _page(client, viewer, population["base"])
    assert response.status_code == 200
    assert 'data-testid="similar-creators"' not in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(client, brand_viewer, population):
    client.force_login(brand_viewer)
    url = reverse("creators:profile_public", kwargs={"slug": population["base"].slug})
    client.get(url)  # the index loads once per process
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(15):
        _make(f"more-{n}", followers=20_000 + 500 * n)
    match_features_refresh()
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["similar_creators"]) == SIMILAR_LIMIT
    # Four similar creators, then ten: the same queries (the index's unchanged-check, one batch
    # checked, profiles, their niches, their accounts).
    assert len(many) == len(few)
