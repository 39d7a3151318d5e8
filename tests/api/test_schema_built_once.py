"""/api/schema/ is built once per process (per version and language), not on every request."""

import pytest
from django.urls import reverse

from api import schema


@pytest.fixture(autouse=True)
def _no_schema_yet():
    schema.schema_cache_clear()
    yield
    schema.schema_cache_clear()


def test_the_second_request_builds_nothing_and_answers_the_same(client, db, django_assert_num_queries):
    first = client.get(reverse("api:schema"))
    assert schema.builds == 1

    with django_assert_num_queries(0):
        second = client.get(reverse("api:schema"))

    assert schema.builds == 1
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert b"/api/v1/campaigns/" in second.content


def test_each_language_is_built_once(client, db):
    english = client.get(reverse("api:schema"), {"lang": "en"})
    indonesian = client.get(reverse("api:schema"), {"lang": "id"})
    client.get(reverse("api:schema"), {"lang": "id"})
    client.get(reverse("api:schema"), {"lang": "en"})

    assert english.status_code == indonesian.status_code == 200
    assert schema.builds == 2


def test_an_unknown_language_adds_no_cache_entry(client, db):
    client.get(reverse("api:schema"))
    for code in ("xx", "klingon", "zz-top"):
        assert client.get(reverse("api:schema"), {"lang": code}).status_code == 200

    assert schema.builds == 1


def test_the_json_format_is_served_from_the_same_build(client, db):
    yaml = client.get(reverse("api:schema"))
    json = client.get(reverse("api:schema"), {"format": "json"})

    assert yaml.status_code == json.status_code == 200
    assert json.json()["info"]["title"] == "Kolabo partner API"
    assert schema.builds == 1
