"""Bad query values get the one 400 error body on every endpoint, never a 500 or an empty 200.

The GET endpoints (every list among them) come from the URL resolver (as in the permission matrix) and their query
parameters from the OpenAPI schema, so a new endpoint or parameter is walked without editing this
file: a NUL byte in any parameter, a value outside an enum, a non-integer where an integer is
documented, and a non-boolean where a boolean is.
"""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests.api import test_permission_matrix as matrix
from tests.api.test_permission_matrix import KWARGS, TABLE, api_routes

world = matrix.world  # the permission matrix's organizations, people, clients and objects

# Who reads each list: the first role the permission matrix lets through.
READERS = ("owner_x", "creator_a", "creator_b", "staff", "manager_x")


def _get_routes() -> list[str]:
    return [name for name, method in sorted(api_routes()) if method == "GET"]


@pytest.fixture(scope="module")
def schema_parameters():
    """{path template: {parameter: its schema}} for every GET operation."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {p["name"]: p.get("schema", {}) for p in ops["get"].get("parameters", []) if p["in"] == "query"}
        for path, ops in schema["paths"].items()
        if "get" in ops
    }


def _bad_values(name: str, schema: dict) -> list[str]:
    values = ["\x00", f"ok{chr(0)}ok"]
    if "enum" in schema:
        values.append("no-such-choice")
    if schema.get("type") == "integer":
        values += ["abc", "1.5", "-1"]
    if schema.get("type") == "boolean":
        values.append("maybe")
    if name.startswith(("min_", "max_", "fee_min", "fee_max")):
        values.append("lots")
    return values


def _template(url: str, world_kwargs: dict) -> str:
    for key, value in world_kwargs.items():
        url = url.replace(f"/{value}/", "/{" + ("id" if key == "pk" else key) + "}/", 1)
    return url


def _assert_one_error_body(response, parameter, where):
    assert response.status_code == 400, f"{where}: {response.status_code} {response.content[:200]!r}"
    assert response["Content-Type"].startswith("application/json"), where
    body = response.json()
    assert body["type"] == "validation_error", where
    assert set(body) == {"type", "code", "detail", "fields"}, where
    assert parameter in body["fields"], f"{where}: {body}"
    assert all(
        isinstance(message, str) and "ErrorDetail" not in message for message in body["fields"][parameter]
    )


def test_every_get_endpoint_answers_bad_query_values_with_the_one_400(world, schema_parameters):
    walked, lists = 0, 0
    for name in _get_routes():
        table = TABLE[(name, "GET")]
        role = next(r for r in READERS if table.get(r) == "ok")
        kwargs = KWARGS[name](world) if name in KWARGS else {}
        url = reverse(f"api:{name}", kwargs=kwargs)
        parameters = schema_parameters[_template(url, kwargs)]
        lists += "page" in parameters
        client = world["clients"][role]
        assert client.get(url).status_code == 200, name
        for parameter, schema in {**parameters, "undocumented": {}}.items():
            for value in _bad_values(parameter, schema):
                response = client.get(url, {parameter: value})
                _assert_one_error_body(response, parameter, f"GET {url}?{parameter}={value!r} as {role}")
                walked += 1
    assert lists >= 15  # the walk found the paginated lists
    assert walked > 100


def test_a_nul_byte_in_a_detail_endpoints_query_is_the_one_400(world):
    client = world["clients"]["owner_x"]
    url = reverse("api:campaign", args=[world["campaign_x"].pk])

    _assert_one_error_body(client.get(url, {"expand": "x\x00"}), "expand", url)


def test_good_query_values_still_filter(world):
    client = world["clients"]["owner_x"]
    url = reverse("api:campaign_applications", args=[world["campaign_x"].pk])

    assert client.get(url, {"status": "pending"}).json()["count"] == 1
    assert client.get(url, {"status": "withdrawn"}).json()["count"] == 0
    assert client.get(url, {"page": "1", "page_size": "5"}).status_code == 200
