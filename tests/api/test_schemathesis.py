"""Schemathesis against the live schema: every operation, as two roles (an organization's
read-write key and a creator's personal token). No server errors, responses that match the schema,
and only documented status codes."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.api.conftest import make_key, make_token
from tests.campaigns.factories import CampaignFactory, make_creator

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Loaded once, through the app itself (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db):
    # As Django's test client does: a request must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def org_key(brand_org, brand_owner):
    CampaignFactory(organization=brand_org)  # something real to list and read
    return make_key(brand_org, brand_owner)


@pytest.fixture
def creator_token(db):
    return make_token(make_creator().user)


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms_for_an_organization_key(case, org_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {org_key}"}, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms_for_a_creator_token(case, creator_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {creator_token}"}, checks=CHECKS)
