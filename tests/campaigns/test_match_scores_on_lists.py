"""The match score beside creators on the applicants page and in discovery with a brief chosen:
the recommendations' own score (campaigns.matching.match_score), with its top reasons."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.eligibility import MATCH_REASONS
from campaigns.matching import match_score
from campaigns.ranking import tier_medians
from campaigns.selectors.brief_matches import brief_matches
from campaigns.selectors.reliability import creator_reliability
from creators.models import Niche
from tests.campaigns.factories import ApplicationFactory, CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def _creator(slug, *, niche="food", followers=25_000, likes=1_100):
    profile = CreatorProfileFactory(slug=slug, display_name=slug, niches=[Niche.objects.get(slug=niche)])
    SocialAccountFactory(profile=profile, handle=slug, followers=followers, avg_likes=likes, avg_comments=50)
    return profile


@pytest.fixture
def brief(brand_org):
    campaign = CampaignFactory(organization=brand_org, title="Sahur recipes")
    campaign.niches.set([Niche.objects.get(slug="food")])
    return campaign


def _reference(campaign, creator):
    """The score the recommendations compute, straight from the scoring entry point."""
    account = creator.social_accounts.order_by("-followers").first()
    return match_score(
        campaign=campaign,
        creator=creator,
        account=account,
        tier_medians=tier_medians(),
        reliability=creator_reliability(creator_ids=[creator.pk])[creator.pk],
    )


def test_brief_matches_are_the_recommendations_score_and_its_first_reasons(brief):
    foodie, traveller = _creator("foodie"), _creator("traveller", niche="travel")
    matches = brief_matches(campaign=brief, creators=[foodie, traveller])
    for creator in (foodie, traveller):
        expected = _reference(brief, creator)
        assert matches[creator.pk].score == expected.score
        assert (
            matches[creator.pk].reasons
            == [r for r in expected.reasons if r not in expected.flags][:MATCH_REASONS]
        )
    assert matches[foodie.pk].score > matches[traveller.pk].score
    food = Niche.objects.get(slug="food")
    assert matches[foodie.pk].reasons[0] == f"Strong niche match: {food.name}."


# The applicants page


def test_each_applicant_shows_the_score_and_top_reasons(client, brand_viewer, brief):
    foodie, traveller = _creator("foodie"), _creator("traveller", niche="travel")
    ApplicationFactory(campaign=brief, creator=foodie)
    ApplicationFactory(campaign=brief, creator=traveller)
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:applicants", args=[brief.pk]))

    assert response.status_code == 200
    scores = {row["creator"].slug: row["match"].score for row in response.context["rows"]}
    assert scores == {
        "foodie": _reference(brief, foodie).score,
        "traveller": _reference(brief, traveller).score,
    }
    html = response.content.decode()
    assert html.count('data-testid="applicant-match"') == 2
    assert f'data-score="{scores["foodie"]}"' in html
    assert "No shared niche with the brief." in html


def test_the_applicants_page_scores_in_a_fixed_number_of_queries(client, brand_owner, brief):
    client.force_login(brand_owner)
    url = reverse("campaigns:applicants", args=[brief.pk])
    ApplicationFactory(campaign=brief, creator=_creator("first"))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        ApplicationFactory(campaign=brief, creator=_creator(f"more-{n}"))
    with CaptureQueriesContext(connection) as five:
        response = client.get(url)
    assert len(response.context["rows"]) == 5
    assert len(five) == len(one)


# Discovery with a brief


def test_discovery_with_a_brief_shows_each_creators_match(client, brand_owner, brief):
    foodie = _creator("foodie")
    client.force_login(brand_owner)

    response = client.get(reverse("discovery:search"), {"brief": brief.pk})

    assert response.status_code == 200
    assert response.context["brief"] == brief
    creators = {c.slug: c for c in response.context["creators"]}
    assert creators["foodie"].match.score == _reference(brief, foodie).score
    html = response.content.decode()
    assert "Match with “Sahur recipes”" in html
    assert 'data-testid="discovery-match"' in html


def test_discovery_without_a_brief_shows_no_score(client, brand_owner, brief):
    _creator("foodie")
    client.force_login(brand_owner)
    response = client.get(reverse("discovery:search"))
    assert response.context["brief"] is None
    assert 'data-testid="discovery-match"' not in response.content.decode()


def test_the_brief_selector_lists_only_the_viewers_organizations_briefs(client, brand_owner, brief, ngo_org):
    other = CampaignFactory(organization=ngo_org, title="Someone else's brief")
    client.force_login(brand_owner)
    response = client.get(reverse("discovery:search"))
    choices = list(response.context["form"].fields["brief"].queryset)
    assert brief in choices
    assert other not in choices


def test_another_organizations_brief_answers_404(client, brand_owner, brief, ngo_org):
    other = CampaignFactory(organization=ngo_org)
    client.force_login(brand_owner)
    assert client.get(reverse("discovery:search"), {"brief": other.pk}).status_code == 404
    assert client.get(reverse("discovery:search"), {"brief": 999_999_999}).status_code == 404


def test_a_junk_brief_value_gets_the_forms_message(client, brand_owner, brief):
    client.force_login(brand_owner)
    response = client.get(reverse("discovery:search"), {"brief": "coffee"})
    assert response.status_code == 400
    assert "Choose one of your organization" in response.content.decode()
