"""Discovery's audience filters take a minimum share: thresholds, the default, and the messages."""

import pytest
from django.urls import reverse

from creators.discovery import DEFAULT_AUDIENCE_MIN_SHARE, creator_search
from creators.forms.discovery import DiscoveryForm
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _brand_org(brand_org):
    return brand_org


def _creator(name, *, countries=(), languages=()):
    profile = CreatorProfileFactory(display_name=name)
    SocialAccountFactory(
        profile=profile,
        handle=name.lower().replace(" ", "."),
        audience_countries=[{"code": code, "pct": pct} for code, pct in countries],
        audience_languages=[{"code": code, "pct": pct} for code, pct in languages],
    )
    return profile


def _names(viewer, **filters):
    return sorted(c.display_name for c in creator_search(filters=filters, viewer=viewer))


@pytest.fixture
def audiences(db):
    _creator("Thirty", countries=[("ID", 30.0), ("MY", 70.0)], languages=[("id", 30.0), ("ms", 70.0)])
    _creator("Almost", countries=[("ID", 29.9), ("MY", 70.1)], languages=[("id", 29.9), ("ms", 70.1)])
    _creator("Sliver", countries=[("ID", 2.0), ("MY", 98.0)], languages=[("id", 2.0), ("ms", 98.0)])
    _creator("Unknown")  # no audience data: never matches an audience filter


def test_a_minimum_share_keeps_accounts_at_or_above_it(brand_owner, audiences):
    assert _names(brand_owner, audience_country="ID", audience_country_min_share=30) == ["Thirty"]
    assert _names(brand_owner, audience_country="ID", audience_country_min_share=29) == ["Almost", "Thirty"]
    assert _names(brand_owner, audience_language="id", audience_language_min_share=30) == ["Thirty"]
    assert _names(brand_owner, audience_language="id", audience_language_min_share=1) == [
        "Almost",
        "Sliver",
        "Thirty",
    ]


def test_without_a_share_the_default_applies_so_a_sliver_does_not_match(brand_owner, audiences):
    assert DEFAULT_AUDIENCE_MIN_SHARE == 20
    assert _names(brand_owner, audience_country="ID") == ["Almost", "Thirty"]
    assert _names(brand_owner, audience_country="MY") == ["Almost", "Sliver", "Thirty"]
    assert _names(brand_owner, audience_country="MY", audience_country_min_share=71) == ["Sliver"]


def test_country_and_language_shares_combine_on_the_same_account(brand_owner, audiences):
    filters = {"audience_country": "MY", "audience_country_min_share": 70, "audience_language": "id"}
    assert _names(brand_owner, **filters) == ["Almost", "Thirty"]
    filters["audience_language_min_share"] = 30
    assert _names(brand_owner, **filters) == ["Thirty"]


@pytest.mark.parametrize("value", ["0", "101", "thirty", "30.5", "-5"])
def test_a_bad_share_gets_a_message_naming_the_field_and_the_fix(value):
    form = DiscoveryForm({"audience_country": "ID", "audience_country_min_share": value})
    assert not form.is_valid()
    message = form.errors["audience_country_min_share"][0]
    assert "Minimum audience share in that country (%)" in message
    assert "whole percent from 1 to 100" in message
    assert "default of 20%" in message


def test_a_share_without_a_country_asks_for_one():
    form = DiscoveryForm({"audience_language_min_share": "40"})
    assert not form.is_valid()
    assert form.errors["audience_language_min_share"] == [
        "A minimum audience share needs an audience language: choose one, or clear the share."
    ]


def test_the_page_states_the_default_and_filters_by_share(client, brand_owner, audiences):
    client.force_login(brand_owner)
    page = client.get(reverse("discovery:search"))
    assert "Default: 20%." in page.content.decode()

    response = client.get(
        reverse("discovery:search"), {"audience_country": "ID", "audience_country_min_share": "30"}
    )
    assert [c.display_name for c in response.context["creators"]] == ["Thirty"]


def test_the_page_answers_400_with_the_message_for_a_bad_share(client, brand_owner, audiences):
    client.force_login(brand_owner)
    response = client.get(
        reverse("discovery:search"), {"audience_country": "ID", "audience_country_min_share": "150"}
    )
    assert response.status_code == 400
    assert "must be a whole percent from 1 to 100" in response.content.decode()


def test_the_messages_are_translated(client, brand_owner, audiences):
    # Indonesian visitors get the field and its help in their language once the catalogue has it;
    # until then Django falls back to English, never to an empty string.
    client.force_login(brand_owner)
    response = client.get(reverse("discovery:search"), HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert response.context["form"]["audience_country_min_share"].help_text
