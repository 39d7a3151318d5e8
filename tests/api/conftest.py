import uuid

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


def redis_url() -> str:
    """The Redis to test against: the project's REDIS_URL (CI sets it), else TEST_REDIS_URL."""
    import os

    from django.conf import settings

    return settings.REDIS_URL or os.environ.get("TEST_REDIS_URL", "")


@pytest.fixture
def redis_cache(settings):
    """Django's default cache on Redis (django-redis), under a key prefix of its own, emptied after."""
    import redis
    from django.core.cache import cache

    url = redis_url()
    if not url:
        pytest.skip("needs Redis: set REDIS_URL or TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/8)")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"Redis does not answer at {url}")
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"kolabo-test-api-{uuid.uuid4().hex[:8]}",
        }
    }
    yield cache
    cache.delete_pattern("*")


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    """Runs the test once on the default local-memory cache and once on Redis (skipped without it)."""
    from django.core.cache import cache

    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return cache
