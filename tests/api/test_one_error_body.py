"""Every error under /api/ is the one JSON body {"type", "code", "detail"} (+ "fields" for 400):
unknown ids and paths (404), bodies too large (413), our own crashes (500, with no detail leaked),
and field errors of nested and list fields as plain messages under dotted names."""

import json

import pytest
from django.test import RequestFactory
from django.urls import path, reverse
from rest_framework.response import Response

from api import errors
from api.views.base import Endpoint
from campaigns.models import Campaign
from marketplace import urls as project_urls

BRIEF = {"title": "Kopi at sahur", "objective": "awareness", "platforms": ["instagram"], "currency": "IDR"}
SECRET = "password=hunter2 at db.internal"


def _error(response, status_code, error_type):
    assert response.status_code == status_code, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == error_type
    assert {"type", "code", "detail"} <= set(body) <= {"type", "code", "detail", "fields"}
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# Field errors


def test_nested_and_list_field_errors_are_plain_messages_under_dotted_names(write_key, brand_org):
    brief = {
        **BRIEF,
        "platforms": ["instagram", "myspace"],
        "deliverables": [{"platform": "instagram", "format": "reel"}, {"platform": "pager", "quantity": 0}],
    }

    response = write_key.post(
        reverse("api:organization_campaigns", args=[brand_org.slug]), brief, format="json"
    )

    body = _error(response, 400, "validation_error")
    fields = body["fields"]
    assert set(fields) >= {
        "platforms.1",
        "deliverables.1.platform",
        "deliverables.1.format",
        "deliverables.1.quantity",
    }
    assert "deliverables.0.platform" not in fields  # the valid item has no entry
    for messages in fields.values():
        assert all(isinstance(m, str) and "ErrorDetail" not in m and "{" not in m for m in messages)
    assert not Campaign.objects.exists()


def test_a_list_field_given_a_non_list_reads_plainly(write_key, brand_org):
    response = write_key.post(
        reverse("api:organization_campaigns", args=[brand_org.slug]),
        {**BRIEF, "deliverables": {"platform": "instagram"}},
        format="json",
    )

    fields = _error(response, 400, "validation_error")["fields"]
    assert "deliverables" in fields or "deliverables.non_field_errors" in fields
    assert "ErrorDetail" not in json.dumps(fields)


# 404


def test_an_unknown_id_is_the_json_404(write_key):
    _error(write_key.get(reverse("api:campaign", args=[999999])), 404, "not_found")


@pytest.mark.parametrize(
    "url", ["/api/v1/campaigns/not-a-number/", "/api/v1/no-such-thing/", "/api/v2/campaigns/", "/api/nope"]
)
def test_an_unknown_path_under_api_is_the_json_404(write_key, url):
    _error(write_key.get(url), 404, "not_found")


def test_an_unknown_page_outside_the_api_stays_an_html_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# 413


def test_a_body_larger_than_the_limit_is_the_json_413(write_key, brand_org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("api:organization_campaigns", args=[brand_org.slug])

    response = write_key.post(url, {**BRIEF, "description": "x" * 2000}, format="json")

    _error(response, 413, "request_too_large")
    assert not Campaign.objects.exists()


def test_a_body_too_large_with_an_idempotency_key_is_the_json_413_too(write_key, brand_org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    url = reverse("api:organization_campaigns", args=[brand_org.slug])

    response = write_key.post(
        url, {**BRIEF, "description": "x" * 2000}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    _error(response, 413, "request_too_large")


# 500


class Crash(Endpoint):
    permission_classes = []

    def get(self, request):
        raise RuntimeError(SECRET)


class Fine(Endpoint):
    permission_classes = []

    def get(self, request):
        return Response({"ok": True})


# This module is the URL conf of the 500 tests: the project's routes plus two views of the test's own.
urlpatterns = [
    path("api/test-crash/", Crash.as_view()),
    path("api/test-fine/", Fine.as_view()),
    *project_urls.urlpatterns,
]
handler404 = project_urls.handler404
handler500 = project_urls.handler500


@pytest.fixture
def crash_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_a_crash_in_an_api_view_is_the_json_500_without_details(client, db, crash_urls, caplog):
    assert client.get("/api/test-fine/").status_code == 200

    response = client.get("/api/test-crash/")

    body = _error(response, 500, "server_error")
    assert body["code"] == "server_error"
    assert SECRET not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert SECRET in caplog.text  # the whole story goes to the log


def test_a_crash_outside_an_api_view_is_the_json_500_under_api_only(db):
    api = errors.handler500(RequestFactory().get("/api/v1/me/"))
    page = errors.handler500(RequestFactory().get("/dashboard/"))

    assert api.status_code == page.status_code == 500
    assert json.loads(api.content)["type"] == "server_error"
    assert page["Content-Type"].startswith("text/html")


def test_the_404_handler_answers_json_under_api_only(db):
    assert json.loads(errors.handler404(RequestFactory().get("/api/x"), None).content)["type"] == "not_found"
    assert errors.handler404(RequestFactory().get("/x"), None)["Content-Type"].startswith("text/html")
