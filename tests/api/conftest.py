import pytest
from rest_framework.test import APIClient

from api.models import ApiKey, PersonalToken, new_credential


def make_key(organization, user, scope=ApiKey.Scope.READ_WRITE, name="CRM"):
    prefix, token, secret_hash = new_credential("kolabo_key")
    ApiKey.objects.create(
        organization=organization,
        created_by=user,
        scope=scope,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash,
    )
    return token


def make_token(user, name="Laptop"):
    prefix, token, secret_hash = new_credential("kolabo_pat")
    PersonalToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=secret_hash)
    return token


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def write_key(brand_org, brand_owner):
    return bearer(make_key(brand_org, brand_owner))


@pytest.fixture
def read_key(brand_org, brand_owner):
    return bearer(make_key(brand_org, brand_owner, scope=ApiKey.Scope.READ))
