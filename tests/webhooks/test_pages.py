"""The organization's webhook pages: owners and managers only, secret shown once, redelivery."""

import pytest
from django.urls import reverse

from webhooks import services
from webhooks.models import WebhookDelivery, WebhookSubscription


@pytest.fixture
def subscription(brand_org, brand_owner, receiver):
    return services.subscription_create(
        organization=brand_org, by_user=brand_owner, url=receiver.url, event_types=["application.created"]
    )


def test_a_manager_creates_a_webhook_and_sees_the_secret_once(client, brand_org, brand_manager, receiver):
    client.force_login(brand_manager)
    url = reverse("webhooks:subscriptions", args=[brand_org.slug])

    response = client.post(url, {"url": receiver.url, "event_types": ["payout.paid", "payout.failed"]})

    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["payout.paid", "payout.failed"]
    assert subscription.secret in response.content.decode()
    again = client.get(url).content.decode()
    assert subscription.secret not in again and subscription.secret_hint in again


def test_an_invalid_url_is_shown_next_to_the_field(client, brand_org, brand_owner, settings):
    settings.WEBHOOKS_ALLOW_LOCAL_HTTP = False
    client.force_login(brand_owner)

    response = client.post(
        reverse("webhooks:subscriptions", args=[brand_org.slug]),
        {"url": "http://127.0.0.1/x", "event_types": ["payout.paid"]},
    )

    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_viewers_and_outsiders_get_404(client, brand_org, brand_viewer, outsider, subscription):
    delivery = services.emit(brand_org.pk, "application.created", {})[0]
    for user in (brand_viewer, outsider):
        client.force_login(user)
        assert client.get(reverse("webhooks:subscriptions", args=[brand_org.slug])).status_code == 404
        assert (
            client.get(reverse("webhooks:deliveries", args=[brand_org.slug, subscription.pk])).status_code
            == 404
        )
        redeliver = reverse("webhooks:redeliver", args=[brand_org.slug, delivery.pk])
        assert client.post(redeliver).status_code == 404
        deactivate = reverse("webhooks:deactivate", args=[brand_org.slug, subscription.pk])
        assert client.post(deactivate).status_code == 404
    subscription.refresh_from_db()
    assert subscription.active


def test_the_delivery_log_shows_response_codes_and_redelivers(
    client, brand_org, brand_owner, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [502]
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.emit(brand_org.pk, "application.created", {"n": 1})
    client.force_login(brand_owner)

    page = client.get(reverse("webhooks:deliveries", args=[brand_org.slug, subscription.pk]))
    assert page.status_code == 200
    assert "502" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:redeliver", args=[brand_org.slug, delivery.pk]))

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (
        WebhookDelivery.Status.DELIVERED,
        200,
        2,
    )
    assert len(receiver.requests) == 2


def test_deactivating_stops_the_webhook(client, brand_org, brand_owner, subscription):
    client.force_login(brand_owner)

    client.post(reverse("webhooks:deactivate", args=[brand_org.slug, subscription.pk]))

    subscription.refresh_from_db()
    assert not subscription.active
    assert services.emit(brand_org.pk, "application.created", {}) == []
