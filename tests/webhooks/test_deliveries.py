"""Signed deliveries to a real local receiver: signature, retries with backoff, redelivery, leases."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from tests.webhooks.receiver import body_of, closed_port_url, verify
from webhooks import services
from webhooks.models import WebhookDelivery

S = WebhookDelivery.Status
DATA = {"application": {"id": 7}}


@pytest.fixture
def subscribe(brand_org, brand_owner):
    def make(url, event_types=("application.created",), organization=None):
        return services.subscription_create(
            organization=organization or brand_org,
            by_user=brand_owner,
            url=url,
            event_types=list(event_types),
        )

    return make


@pytest.fixture
def send(brand_org, django_capture_on_commit_callbacks):
    """Emit an event the way a service does, and let its transaction commit (tasks run inline)."""

    def emit(event_type="application.created", organization=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.emit((organization or brand_org).pk, event_type, DATA)

    return emit


def test_a_delivery_is_signed_with_the_subscription_secret(receiver, subscribe, send):
    subscription = subscribe(receiver.url)

    [delivery] = send()

    [request] = receiver.requests
    body, header = request["body"], request["headers"]["Kolabo-Signature"]
    assert verify(subscription.secret, header, body)
    assert not verify("whsec_" + "0" * 48, header, body)
    assert not verify(subscription.secret, header, body.replace(b"7", b"8"))
    assert not verify(subscription.secret, header, body, now=int(header.split(",")[0][2:]) + 301)
    sent = body_of(request)
    assert set(sent) == {"id", "type", "created", "data"}
    assert sent["type"] == "application.created" and sent["data"] == DATA
    assert request["headers"]["Kolabo-Event-Id"] == sent["id"] == str(delivery.event_id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (S.DELIVERED, 200, 1)
    assert delivery.response_ms is not None and delivery.delivered_at is not None


def test_a_500_answer_is_retried_after_30_seconds_with_the_same_event_id(receiver, subscribe, send):
    subscribe(receiver.url)
    receiver.answers = [500]

    [delivery] = send()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code, delivery.attempts) == (S.PENDING, 500, 1)
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at - delivery.created_at == pytest.approx(
        timedelta(seconds=30), abs=timedelta(seconds=2)
    )
    # The retry that comes too early (a duplicate task) sends nothing.
    assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.requests) == 1

    assert services.delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at) == S.DELIVERED

    first, second = receiver.requests
    assert body_of(first)["id"] == body_of(second)["id"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code, delivery.attempts, delivery.last_error) == (
        S.DELIVERED,
        200,
        2,
        "",
    )


def test_a_receiver_that_is_down_is_retried_with_doubling_backoff_for_24_hours_then_fails(subscribe, send):
    subscribe(closed_port_url())

    [delivery] = send()

    delays = []
    for _ in range(200):
        delivery.refresh_from_db()
        if delivery.status != S.PENDING:
            break
        assert delivery.last_response_code is None
        assert "Could not connect" in delivery.last_error
        previous = delivery.next_attempt_at
        services.delivery_attempt(delivery_id=delivery.pk, now=previous)
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            delays.append(round((delivery.next_attempt_at - previous).total_seconds()))
    assert delays[:7] == [60, 120, 240, 480, 960, 1800, 1800]
    assert max(delays) == 1800
    assert delivery.status == S.FAILED and delivery.next_attempt_at is None
    assert delivery.attempts == len(delays) + 2  # the first attempt, the retries, the last at 24 h
    assert (
        services.delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=2))
        == "skipped"
    )


def test_redelivery_sends_the_event_again_and_is_only_for_managers(
    receiver, subscribe, send, brand_owner, brand_viewer
):
    subscribe(receiver.url)
    [delivery] = send()

    with pytest.raises(PermissionDeniedError):
        services.delivery_redeliver(delivery=delivery, by_user=brand_viewer)
    services.delivery_redeliver(delivery=delivery, by_user=brand_owner)
    # (tasks run inline: queued on commit, which the test transaction never reaches)
    assert services.delivery_attempt(delivery_id=delivery.pk) == S.DELIVERED

    first, second = receiver.requests
    assert body_of(first) == body_of(second)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (S.DELIVERED, 2)


def test_a_delivery_being_sent_cannot_be_claimed_twice(receiver, subscribe, send, brand_owner):
    subscription = subscribe(receiver.url)
    receiver.answers = [500]
    [delivery] = send()
    # Another worker holds the delivery right now.
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=now, leased_until=now + timedelta(seconds=60)
    )

    assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"
    with pytest.raises(InvalidTransition):
        services.delivery_redeliver(delivery=delivery, by_user=brand_owner)
    assert len(receiver.requests) == 1
    assert subscription.deliveries.get().attempts == 1


def test_a_deactivated_subscription_gets_nothing_more(receiver, subscribe, send, brand_owner):
    subscription = subscribe(receiver.url)
    receiver.answers = [503]
    [delivery] = send()
    services.subscription_deactivate(subscription=subscription, by_user=brand_owner)

    assert (
        services.delivery_attempt(delivery_id=delivery.pk, now=timezone.now() + timedelta(minutes=1))
        == S.FAILED
    )
    assert send() == []
    assert len(receiver.requests) == 1


def test_only_matching_subscriptions_of_the_organization_get_the_event(receiver, subscribe, send, ngo_org):
    subscribe(receiver.url, event_types=["payout.paid"])
    wanted = subscribe(receiver.url, event_types=["application.created", "payout.paid"])

    deliveries = send()

    assert [d.subscription_id for d in deliveries] == [wanted.pk]
    assert send(organization=ngo_org) == []
    assert len(receiver.requests) == 1


def test_the_sweeper_queues_deliveries_whose_task_was_lost(receiver, subscribe, brand_org):
    subscribe(receiver.url)
    # Emitted, but the transaction's on-commit queueing never ran (a broker outage).
    [delivery] = services.emit(brand_org.pk, "application.created", DATA)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )

    assert services.deliveries_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == S.DELIVERED
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://crm.example.com/hooks", True),
        ("http://crm.example.com/hooks", False),
        ("https://10.0.0.5/hooks", False),
        ("https://169.254.169.254/latest", False),
        ("https://user:pw@crm.example.com/hooks", False),
        ("ftp://crm.example.com/hooks", False),
        ("http://127.0.0.1:9000/hooks", True),
        ("http://localhost:9000/hooks", True),
    ],
)
def test_urls_must_be_https_and_public(url, allowed):
    if allowed:
        assert services.url_clean(url) == url
    else:
        with pytest.raises(ValidationFailed):
            services.url_clean(url)


def test_local_urls_are_refused_outside_development(settings):
    settings.WEBHOOKS_ALLOW_LOCAL_HTTP = False

    with pytest.raises(ValidationFailed):
        services.url_clean("http://127.0.0.1:9000/hooks")
    with pytest.raises(ValidationFailed):
        services.url_clean("https://localhost/hooks")


def test_unknown_event_types_and_viewers_are_refused(brand_org, brand_owner, brand_viewer):
    with pytest.raises(ValidationFailed):
        services.subscription_create(
            organization=brand_org, by_user=brand_owner, url="https://crm.example.com/h", event_types=["nope"]
        )
    with pytest.raises(PermissionDeniedError):
        services.subscription_create(
            organization=brand_org,
            by_user=brand_viewer,
            url="https://crm.example.com/h",
            event_types=["payout.paid"],
        )
