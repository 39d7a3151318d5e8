"""An Idempotency-Key names one request: path, query string and body. The same key with another
query string is a different request (422), not a retry to replay."""

from django.urls import reverse

from webhooks.models import WebhookSubscription

HOOK = {"url": "https://crm.example/hooks", "event_types": ["payout.paid"]}


def test_the_same_key_with_another_query_string_is_a_422(brand_owner, brand_org, ngo_org):
    from brands.models import Membership
    from tests.api.conftest import bearer, make_token

    Membership.objects.create(organization=ngo_org, user=brand_owner, role=Membership.Role.OWNER)
    client = bearer(make_token(brand_owner))
    url = reverse("api:webhook_subscriptions")

    first = client.post(
        f"{url}?organization={brand_org.slug}", HOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(f"{url}?organization={ngo_org.slug}", HOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == 201
    assert again.status_code == 422
    assert again.json()["type"] == "idempotency_error"
    assert list(WebhookSubscription.objects.values_list("organization__slug", flat=True)) == [brand_org.slug]


def test_the_same_key_with_the_same_query_string_replays(brand_owner, brand_org):
    from tests.api.conftest import bearer, make_token

    client = bearer(make_token(brand_owner))
    url = f"{reverse('api:webhook_subscriptions')}?organization={brand_org.slug}"

    first = client.post(url, HOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    again = client.post(url, HOOK, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert WebhookSubscription.objects.count() == 1
