"""Webhook subscriptions and deliveries over the API: managers only, other tenants 404, redelivery."""

import pytest
from django.urls import reverse

from api.models import ApiKey
from tests.api.conftest import bearer, make_key, make_token
from tests.webhooks import receiver as local
from tests.webhooks.receiver import verify
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookSubscription

LIST = "api:webhook_subscriptions"


# The local receiver and the setting that lets Kolabo post to it, shared with tests/webhooks.
receiver = local.receiver
_local_http_allowed = local._local_http_allowed


@pytest.fixture
def subscription(brand_org, brand_owner, receiver):
    return services.subscription_create(
        organization=brand_org, by_user=brand_owner, url=receiver.url, event_types=["application.created"]
    )


@pytest.fixture
def other_subscription(ngo_org, receiver):
    owner = ngo_org.memberships.get().user
    return services.subscription_create(
        organization=ngo_org, by_user=owner, url=receiver.url, event_types=["payout.paid"]
    )


def test_a_key_creates_a_subscription_and_gets_the_secret_once(
    write_key,
    brand_org,
    receiver,
    django_capture_on_commit_callbacks,
):
    response = write_key.post(
        reverse(LIST), {"url": receiver.url, "event_types": ["application.created"]}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    secret = body["secret"]
    assert body["organization"] == brand_org.slug and secret.startswith("whsec_")
    detail = write_key.get(reverse("api:webhook_subscription", args=[body["id"]])).json()
    assert "secret" not in detail and detail["secret_hint"] == secret[:10] + "…"
    # And the secret verifies what is then sent.
    with django_capture_on_commit_callbacks(execute=True):
        services.emit(brand_org.pk, "application.created", {"x": 1})
    [request] = receiver.requests
    assert verify(secret, request["headers"]["Kolabo-Signature"], request["body"])


def test_a_session_user_names_the_organization(brand_owner, brand_org, receiver):
    client = bearer(make_token(brand_owner))
    payload = {"url": receiver.url, "event_types": ["payout.paid"]}

    assert client.post(reverse(LIST), payload, format="json").status_code == 400
    response = client.post(f"{reverse(LIST)}?organization={brand_org.slug}", payload, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("field", ["organization", "secret", "active", "created_by"])
def test_write_bodies_refuse_fields_the_caller_may_not_set(write_key, receiver, field):
    payload = {"url": receiver.url, "event_types": ["payout.paid"], field: "x"}

    response = write_key.post(reverse(LIST), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not WebhookSubscription.objects.exists()


def test_bad_urls_and_event_types_are_400_with_fields(write_key, settings):
    settings.WEBHOOKS_ALLOW_LOCAL_HTTP = False

    response = write_key.post(
        reverse(LIST), {"url": "http://127.0.0.1/x", "event_types": ["nope"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["event_types.0"] == ['"nope" is not a valid choice.']
    response = write_key.post(
        reverse(LIST), {"url": "http://crm.example.com/x", "event_types": ["payout.paid"]}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()["fields"]


def test_a_read_key_reads_but_cannot_change(read_key, subscription):
    assert read_key.get(reverse(LIST)).json()["count"] == 1
    response = read_key.post(reverse("api:webhook_subscription_deactivate", args=[subscription.pk]))
    assert response.status_code == 403
    assert read_key.delete(reverse("api:webhook_subscription", args=[subscription.pk])).status_code == 403
    subscription.refresh_from_db()
    assert subscription.active


def test_viewers_see_no_webhooks(brand_viewer, subscription):
    client = bearer(make_token(brand_viewer))

    assert client.get(reverse(LIST)).json()["count"] == 0
    assert client.get(reverse("api:webhook_subscription", args=[subscription.pk])).status_code == 404


def test_another_organizations_subscriptions_and_deliveries_are_404(write_key, ngo_org, other_subscription):
    [delivery] = services.emit(ngo_org.pk, "payout.paid", {})

    assert write_key.get(reverse(LIST)).json()["count"] == 0
    for name in ("api:webhook_subscription", "api:webhook_subscription_deliveries"):
        assert write_key.get(reverse(name, args=[other_subscription.pk])).status_code == 404
    assert (
        write_key.post(
            reverse("api:webhook_subscription_deactivate", args=[other_subscription.pk])
        ).status_code
        == 404
    )
    assert (
        write_key.delete(reverse("api:webhook_subscription", args=[other_subscription.pk])).status_code == 404
    )
    assert write_key.get(reverse("api:webhook_delivery", args=[delivery.pk])).status_code == 404
    response = write_key.post(reverse("api:webhook_delivery_redeliver", args=[delivery.pk]))
    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    assert WebhookDelivery.objects.get().attempts == 0


def test_the_delivery_log_and_redelivery(
    write_key,
    brand_org,
    subscription,
    receiver,
    django_capture_on_commit_callbacks,
):
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = services.emit(brand_org.pk, "application.created", {"x": 1})

    log = write_key.get(reverse("api:webhook_subscription_deliveries", args=[subscription.pk]))
    [row] = log.json()["results"]
    assert (row["status"], row["last_response_code"], row["attempts"]) == ("pending", 500, 1)
    assert row["event_id"] == str(delivery.event_id)

    with django_capture_on_commit_callbacks(execute=True):
        response = write_key.post(reverse("api:webhook_delivery_redeliver", args=[delivery.pk]))

    assert response.status_code == 202
    after = write_key.get(reverse("api:webhook_delivery", args=[delivery.pk])).json()
    assert (after["status"], after["last_response_code"], after["attempts"]) == ("delivered", 200, 2)
    assert len(receiver.requests) == 2


def test_delete_and_deactivate_stop_the_subscription(write_key, subscription):
    response = write_key.post(reverse("api:webhook_subscription_deactivate", args=[subscription.pk]))
    assert response.status_code == 200 and response.json()["active"] is False
    assert write_key.delete(reverse("api:webhook_subscription", args=[subscription.pk])).status_code == 204


def test_lists_run_a_constant_number_of_queries(
    write_key, brand_org, brand_owner, subscription, django_assert_max_num_queries
):
    for n in range(3):
        services.subscription_create(
            organization=brand_org,
            by_user=brand_owner,
            url=f"https://crm{n}.example.com/h",
            event_types=["payout.paid"],
        )
        services.emit(brand_org.pk, "application.created", {"n": n})
    for size in (1, 100):
        with django_assert_max_num_queries(8):
            assert write_key.get(reverse(LIST), {"page_size": size}).status_code == 200
        with django_assert_max_num_queries(8):
            url = reverse("api:webhook_subscription_deliveries", args=[subscription.pk])
            assert write_key.get(url, {"page_size": size}).status_code == 200


def test_a_key_made_by_a_viewer_sees_nothing(brand_org, brand_viewer, subscription):
    client = bearer(make_key(brand_org, brand_viewer, scope=ApiKey.Scope.READ_WRITE))

    assert client.get(reverse(LIST)).json()["count"] == 0
    # A viewer's key only reads, whatever its scope: refused before anything is looked up.
    assert (
        client.post(
            reverse(LIST), {"url": "https://a.example.com", "event_types": ["payout.paid"]}, format="json"
        ).status_code
        == 403
    )
