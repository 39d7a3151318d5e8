"""Outbound webhooks: subscriptions, emitting events, sending signed deliveries with retries.

- `emit` runs inside the caller's transaction: one delivery row per matching active subscription,
  queued for sending only once that transaction commits (a rolled-back action sends nothing).
- Each attempt first claims the row with a compare-and-set on (status, next_attempt_at,
  leased_until); only the winner sends, so a duplicate task, the sweeper and a manual redelivery
  never post the same delivery twice at once. No transaction is held open during the HTTP call.
- A 2xx answer delivers. Anything else (an error status, a redirect, a timeout, no connection)
  schedules the next attempt after 30 s, doubling up to 30 min, until 24 h after the event; the
  last failure then marks the delivery failed. A manual redelivery makes one attempt now (and
  keeps retrying only while the event is younger than 24 h).

URLs: https only. http (and https) to localhost, 127.0.0.1 or ::1 only when the setting
WEBHOOKS_ALLOW_LOCAL_HTTP is true (it defaults to DEBUG; the tests switch it on). Other private,
loopback or link-local destinations are refused at registration and again, after resolving the
name, before every attempt; the attempt then connects to the address that was checked.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.queueing import enqueue
from marketplace.services import audit_record
from webhooks import tasks, transport
from webhooks.models import EventType, WebhookDelivery, WebhookSubscription
from webhooks.transport import LOCAL_HOSTS, address_is_public

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Kolabo-Signature"
EVENT_ID_HEADER = "Kolabo-Event-Id"
TIMEOUT_SECONDS = 10
# Longer than the timeout plus name resolution: nobody else may claim the row mid-attempt.
LEASE = timedelta(seconds=60)
RETRY_FOR = timedelta(hours=24)
BACKOFF_BASE_SECONDS = 30
# Below the broker's visibility timeout (settings.CELERY_BROKER_TRANSPORT_OPTIONS), so Redis
# never hands a waiting retry to a second worker.
BACKOFF_MAX_SECONDS = 30 * 60
# The sweeper leaves freshly due deliveries to their own scheduled task first.
SWEEP_GRACE = timedelta(seconds=60)
SWEEP_BATCH = 1000
ERROR_MAX = WebhookDelivery._meta.get_field("last_error").max_length
URL_MAX = WebhookSubscription._meta.get_field("url").max_length
DESCRIPTION_MAX = WebhookSubscription._meta.get_field("description").max_length
S = WebhookDelivery.Status


# Subscriptions


def local_http_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOCAL_HTTP", settings.DEBUG))


def _public_ip(value: str) -> bool:
    ipaddress.ip_address(value.split("%", 1)[0])  # ValueError for a name
    return address_is_public(value)


def url_clean(url: str) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX:
        raise ValidationFailed(_("Use a URL of at most %(max)d characters.") % {"max": URL_MAX}, field="url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ValidationFailed(_("Enter a valid URL that starts with https://."), field="url") from error
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationFailed(_("Leave user names and passwords out of the URL."), field="url")
    if host in LOCAL_HOSTS:
        if not local_http_allowed():
            raise ValidationFailed(
                _("Webhooks cannot be sent to this machine; use a public https:// URL."), field="url"
            )
        return url
    if parts.scheme != "https":
        raise ValidationFailed(_("Use an https:// URL."), field="url")
    try:
        public = _public_ip(host)
    except ValueError:
        public = True  # a name: checked again after resolving, before each attempt
    if not public:
        raise ValidationFailed(_("Webhooks cannot be sent to a private network address."), field="url")
    return url


def event_types_clean(event_types) -> list[str]:
    chosen = list(dict.fromkeys(event_types or []))
    unknown = [name for name in chosen if name not in EventType.values]
    if unknown:
        raise ValidationFailed(
            _("Unknown event types: %(names)s.") % {"names": ", ".join(map(str, unknown))},
            field="event_types",
        )
    if not chosen:
        raise ValidationFailed(_("Choose at least one event type."), field="event_types")
    return [name for name in EventType.values if name in chosen]


def subscription_create(
    *, organization, by_user: User, url: str, event_types, description: str = ""
) -> WebhookSubscription:
    """Register a URL. The caller shows `subscription.secret` once; pages afterwards show a hint."""
    require_org_manager(organization=organization.pk, user=by_user)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _("Use at most %(max)d characters.") % {"max": DESCRIPTION_MAX}, field="description"
        )
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organization=organization,
            url=url_clean(url),
            event_types=event_types_clean(event_types),
            description=description,
            created_by=by_user,
        )
        audit_record(
            actor=by_user,
            action="webhook_subscription.created",
            target=subscription,
            data={"url": subscription.url, "event_types": subscription.event_types},
        )
    return subscription


def subscription_deactivate(*, subscription: WebhookSubscription, by_user: User) -> WebhookSubscription:
    """Stop sending. Pending deliveries fail at their next attempt. Deactivating twice is a no-op."""
    require_org_manager(organization=subscription.organization_id, user=by_user)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if not subscription.active:
            return subscription
        subscription.active = False
        subscription.deactivated_at = timezone.now()
        subscription.save(update_fields=["active", "deactivated_at"])
        audit_record(actor=by_user, action="webhook_subscription.deactivated", target=subscription)
    return subscription


# Emitting


def emit(organization_id: int, event_type: str, data) -> list[WebhookDelivery]:
    """Record the event for every active subscription of the organization that wants it.

    Call inside the transaction that made the change. `data` may be a callable, so nothing is
    built (and no query runs) when nobody listens; the cost then is one query.
    """
    if event_type not in EventType.values:
        raise ValueError(f"Unknown webhook event type {event_type!r}")
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(
            organization_id=organization_id, active=True
        ).only("pk", "event_types")
        if event_type in subscription.event_types
    ]
    if not subscriptions:
        return []
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": event_type,
        "created": now.isoformat(),
        # Through JSON once, so what is stored is exactly what will be sent.
        "data": json.loads(json.dumps(data() if callable(data) else data, cls=DjangoJSONEncoder)),
    }
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                subscription=subscription,
                event_id=event_id,
                event_type=event_type,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
            )
            for subscription in subscriptions
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: [queue(pk) for pk in ids])
    return deliveries


def queue(delivery_id: int, countdown: float = 0) -> None:
    try:
        enqueue(tasks.delivery_attempt, delivery_id, countdown=max(0, round(countdown)))
    except Exception:  # the broker is away: the sweeper sends it later
        logger.exception("Could not queue webhook delivery %s", delivery_id)


# Sending


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256 of `<timestamp>.<body>` with the subscription's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def backoff_seconds(attempts: int) -> int:
    """30 s after the first failure, doubling, at most 30 min."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def _post(subscription: WebhookSubscription, payload: dict) -> tuple[int | None, str, int | None]:
    """(response code or None, error text, milliseconds). The name is resolved once, every address
    checked, and the request sent to a checked address (webhooks/transport.py: no DNS rebinding)."""
    body = body_bytes(payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Kolabo-Webhooks/1",
        SIGNATURE_HEADER: signature_header(subscription.secret, timestamp, body),
        EVENT_ID_HEADER: payload["id"],
    }
    started = time.monotonic()
    try:
        answer = transport.post(
            subscription.url,
            body=body,
            headers=headers,
            timeout=TIMEOUT_SECONDS,
            allow_local=local_http_allowed(),
        )
    except transport.Refused as refusal:
        return None, str(refusal), None
    except urllib3.exceptions.NewConnectionError as error:  # a subclass of the timeout error
        error_text = f"Could not connect: {error}"
    except urllib3.exceptions.TimeoutError:
        error_text = f"No answer within {TIMEOUT_SECONDS} seconds."
    except (urllib3.exceptions.HTTPError, OSError) as error:
        error_text = f"Could not connect: {error}"
    else:
        error_text = ""
    elapsed = round((time.monotonic() - started) * 1000)
    if error_text:
        return None, error_text, elapsed
    if 200 <= answer.status < 300:
        return answer.status, "", elapsed
    return answer.status, f"HTTP {answer.status}: {answer.text}", elapsed


def delivery_attempt(*, delivery_id: int, now=None) -> str:
    """Send one due, pending delivery unless another worker holds it. Returns the outcome."""
    now = now or timezone.now()
    lease = now + LEASE
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=S.PENDING, next_attempt_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .update(leased_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if not delivery.subscription.active:
        code, error, elapsed = None, "The subscription was deactivated; not sent.", None
    else:
        code, error, elapsed = _post(delivery.subscription, delivery.payload)
    fields = {
        "leased_until": None,
        "last_response_code": code,
        "last_error": error[:ERROR_MAX],
        "response_ms": elapsed,
    }
    if code is not None and 200 <= code < 300:
        fields |= {"status": S.DELIVERED, "delivered_at": timezone.now(), "next_attempt_at": None}
    elif not delivery.subscription.active or now >= delivery.created_at + RETRY_FOR:
        fields |= {"status": S.FAILED, "next_attempt_at": None}
    else:
        next_at = min(
            now + timedelta(seconds=backoff_seconds(delivery.attempts)), delivery.created_at + RETRY_FOR
        )
        fields |= {"status": S.PENDING, "next_attempt_at": next_at}
    WebhookDelivery.objects.filter(pk=delivery_id, leased_until=lease).update(**fields)
    if fields["status"] == S.PENDING:
        queue(delivery_id, countdown=(fields["next_attempt_at"] - now).total_seconds())
    return fields["status"]


def delivery_redeliver(*, delivery: WebhookDelivery, by_user: User) -> WebhookDelivery:
    """Send again now, whatever happened before (the receiver de-duplicates by the event id)."""
    require_org_manager(organization=delivery.subscription.organization_id, user=by_user)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
        )
        now = timezone.now()
        if delivery.leased_until is not None and delivery.leased_until > now:
            raise InvalidTransition(_("This delivery is being sent right now; try again in a minute."))
        if not delivery.subscription.active:
            raise InvalidTransition(_("The subscription is deactivated; nothing can be sent to it."))
        before = delivery.status
        delivery.status, delivery.next_attempt_at = S.PENDING, now
        delivery.save(update_fields=["status", "next_attempt_at"])
        audit_record(
            actor=by_user,
            action="webhook_delivery.redelivered",
            target=delivery,
            from_status=before,
            to_status=S.PENDING,
        )
        pk = delivery.pk
        transaction.on_commit(lambda: queue(pk))
    return delivery


def deliveries_sweep(*, now=None) -> int:
    """Queue due deliveries whose task was lost (broker restart, queueing failed)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=S.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        queue(pk)
    return len(due)
