"""GET /api/v1/creators/ takes the audience minimum share: the same filter and messages as the web."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from creators.discovery import DEFAULT_AUDIENCE_MIN_SHARE
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def audiences(db):
    for name, share in [("Thirty", 30.0), ("Almost", 29.9), ("Sliver", 2.0)]:
        profile = CreatorProfileFactory(display_name=name, slug=name.lower())
        SocialAccountFactory(
            profile=profile,
            handle=name.lower(),
            audience_countries=[{"code": "ID", "pct": share}, {"code": "MY", "pct": 100 - share}],
        )


def _names(client, **params):
    response = client.get(reverse("api:creators"), params)
    assert response.status_code == 200, response.json()
    return sorted(item["display_name"] for item in response.json()["results"])


def test_the_minimum_share_parameter_filters(read_key, audiences):
    assert _names(read_key, audience_country="ID", audience_country_min_share=30) == ["Thirty"]
    assert _names(read_key, audience_country="ID", audience_country_min_share=29) == ["Almost", "Thirty"]


def test_without_the_parameter_the_stated_default_applies(read_key, audiences):
    assert _names(read_key, audience_country="ID") == ["Almost", "Thirty"]
    assert _names(read_key, audience_country="MY", audience_country_min_share=98) == ["Sliver"]


def test_a_bad_share_answers_400_with_the_fields_message(read_key, audiences):
    response = read_key.get(
        reverse("api:creators"), {"audience_country": "ID", "audience_country_min_share": 0}
    )
    assert response.status_code == 400
    message = response.json()["fields"]["audience_country_min_share"][0]
    assert "must be a whole percent from 1 to 100" in message

    response = read_key.get(reverse("api:creators"), {"audience_language_min_share": 40})
    assert response.status_code == 400
    assert "needs an audience language" in response.json()["fields"]["audience_language_min_share"][0]


def test_the_schema_states_the_default():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = next(ops["get"] for path, ops in schema["paths"].items() if path.endswith("/creators/"))
    parameters = {p["name"]: p for p in operation["parameters"]}
    share = parameters["audience_country_min_share"]
    assert share["schema"]["type"] == "integer"
    assert f"Default {DEFAULT_AUDIENCE_MIN_SHARE}" in share["description"]
    assert "audience_language_min_share" in parameters


# Scoring against a brief


def test_with_a_brief_each_creator_carries_the_match(read_key, audiences, campaign):
    response = read_key.get(reverse("api:creators"), {"brief": campaign.pk})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and all(isinstance(item["match"]["score"], int) for item in results)
    assert all(item["match"]["reasons"] for item in results)


def test_without_a_brief_match_is_null(read_key, audiences):
    results = read_key.get(reverse("api:creators")).json()["results"]
    assert results and all(item["match"] is None for item in results)


def test_another_organizations_brief_answers_404(read_key, audiences, ngo_org):
    from tests.campaigns.factories import CampaignFactory

    other = CampaignFactory(organization=ngo_org)
    assert read_key.get(reverse("api:creators"), {"brief": other.pk}).status_code == 404
