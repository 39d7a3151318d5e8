"""The per-key rate limit holds under parallel clients: with a limit of N, exactly N requests of a
burst from 16 threads sharing one key get through in the window, the rest get 429 in the one
error shape. The counter is atomic (Redis INCR, or the local-memory cache's lock)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from tests.api.conftest import bearer, make_key

LIMIT = 25
THREADS = 16
REQUESTS_PER_THREAD = 6


@pytest.fixture
def limit(settings):
    # A day-long window: the whole burst lands in one window whatever the clock says.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"principal": f"{LIMIT}/day"},
    }
    return LIMIT


def _burst(token: str, url: str) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def client_thread():
        client = bearer(token)
        start.wait()
        try:
            for _ in range(REQUESTS_PER_THREAD):
                status = client.get(url).status_code
                with lock:
                    statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=client_thread) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_sixteen_parallel_clients_of_one_key_get_exactly_the_limit(brand_org, brand_owner, limit, any_cache):
    token = make_key(brand_org, brand_owner)
    url = reverse("api:me")

    statuses = _burst(token, url)

    allowed = statuses.count(200)
    print(f"\nrate limit {limit}: {allowed} of {len(statuses)} parallel requests allowed")
    assert len(statuses) == THREADS * REQUESTS_PER_THREAD
    assert allowed == limit
    assert statuses.count(429) == len(statuses) - limit


@pytest.mark.django_db(transaction=True)
def test_past_the_limit_the_answer_is_429_in_the_error_shape_with_retry_after(
    brand_org, brand_owner, limit, any_cache
):
    client = bearer(make_key(brand_org, brand_owner))
    url = reverse("api:me")
    for _ in range(limit):
        assert client.get(url).status_code == 200

    response = client.get(url)

    assert response.status_code == 429
    assert response.json()["type"] == "rate_limited"
    assert set(response.json()) == {"type", "code", "detail"}
    assert 0 < int(response["Retry-After"]) <= 86400


@pytest.mark.django_db(transaction=True)
def test_each_key_has_its_own_budget(brand_org, brand_owner, limit, any_cache):
    first, second = bearer(make_key(brand_org, brand_owner)), bearer(make_key(brand_org, brand_owner))
    url = reverse("api:me")
    for _ in range(limit):
        first.get(url)

    assert first.get(url).status_code == 429
    assert second.get(url).status_code == 200
