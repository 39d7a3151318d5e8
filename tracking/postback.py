"""Signed postbacks: a partner's server reports a conversion to Kolabo.

Signature: `X-Kolabo-Signature` = hex HMAC-SHA256 of f"{timestamp}.{raw_body}" with the campaign's
postback secret, `X-Kolabo-Timestamp` = unix seconds. A request is refused, and nothing at all is
written, when the signature is missing or wrong (401), the timestamp is more than 5 minutes old or
ahead (401), the same signature was already accepted (409: a replay), or the body is not valid
(400). The receipt of an accepted signature and the conversion commit together.

Idempotent: the same conversion id sent again with a fresh signature answers 200, status duplicate.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from marketplace.errors import ValidationFailed
from platforms.crypto import TokenUnreadable
from tracking import conversions
from tracking.models import Conversion, PostbackReceipt, TrackingSettings
from tracking.settings_services import postback_secret_of

TIMESTAMP_HEADER = "X-Kolabo-Timestamp"
SIGNATURE_HEADER = "X-Kolabo-Signature"
TOLERANCE_SECONDS = 5 * 60
MAX_BODY_BYTES = 64 * 1024
FIELDS = ("goal", "conversion_id", "occurred_at", "amount", "click_id", "promo_code", "currency")


@dataclass
class Answer:
    status: int
    code: str
    detail: str
    fields: dict[str, list[str]] | None = None
    data: dict = field(default_factory=dict)


def signature_for(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _refused(status: int, code: str, detail: str, name: str = "") -> Answer:
    return Answer(status, code, detail, {name: [detail]} if name else None)


def _check_signature(
    settings: TrackingSettings | None, timestamp: str, signature: str, body: bytes, now: float
):
    """None when the request is authentic and fresh, else the refusal."""
    if not timestamp:
        return _refused(
            401, "timestamp_missing", _("The X-Kolabo-Timestamp header is missing."), TIMESTAMP_HEADER
        )
    if not timestamp.isdigit():
        return _refused(
            401,
            "timestamp_invalid",
            _("X-Kolabo-Timestamp must be the current time in unix seconds, like 1767225600."),
            TIMESTAMP_HEADER,
        )
    if not signature:
        return _refused(
            401, "signature_missing", _("The X-Kolabo-Signature header is missing."), SIGNATURE_HEADER
        )
    try:
        secret = postback_secret_of(settings)
    except TokenUnreadable:
        secret = ""
    if not secret:
        return _refused(
            401,
            "postback_not_set_up",
            _(
                "This campaign has no postback secret yet. Its organization creates one on the tracking settings page."
            ),
        )
    expected = signature_for(secret, timestamp, body)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        return _refused(
            401,
            "signature_invalid",
            _(
                "The signature does not match. Sign the timestamp, a dot and the exact body bytes with "
                "HMAC-SHA256 and the campaign's current postback secret, in hex."
            ),
            SIGNATURE_HEADER,
        )
    age = now - int(timestamp)
    if age > TOLERANCE_SECONDS:
        return _refused(
            401,
            "timestamp_stale",
            _("The timestamp is more than 5 minutes old. Sign the request again with the current time."),
            TIMESTAMP_HEADER,
        )
    if age < -TOLERANCE_SECONDS:
        return _refused(
            401,
            "timestamp_future",
            _("The timestamp is more than 5 minutes in the future. Check your server's clock."),
            TIMESTAMP_HEADER,
        )
    return None


def _parse_body(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed(_("The body is not valid JSON."), field="body") from None
    if not isinstance(data, dict):
        raise ValidationFailed(
            _('The body must be a JSON object, like {"goal": "signup", ...}.'), field="body"
        )
    problems = []
    for name in ("goal", "conversion_id", "occurred_at", "click_id", "promo_code", "currency"):
        value = data.get(name)
        if value is not None and not isinstance(value, str | int):
            problems.append((name, _("Send %(field)s as a string.") % {"field": name}))
    amount = data.get("amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, str | int | float)):
        problems.append(("amount", _('Send the amount as a number or a string, like 150000 or "12.50".')))
    if problems:
        error = ValidationFailed(problems[0][1], field=problems[0][0])
        error.errors = problems
        raise error
    return data


def _occurred_at(value) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValidationFailed(
            _("occurred_at is not an ISO 8601 time. Write it like 2025-03-01T14:30:00+07:00."),
            field="occurred_at",
        )
    return parsed


def _record(campaign: Campaign, settings: TrackingSettings | None, data: dict) -> conversions.RecordResult:
    currency = str(data.get("currency") or "").strip().upper()
    if currency and currency != campaign.currency:
        raise ValidationFailed(
            _("This campaign counts in %(currency)s: send amounts in %(currency)s.")
            % {"currency": campaign.currency},
            field="currency",
        )
    amount = data.get("amount")
    if isinstance(amount, float):
        amount = repr(amount)  # Decimal(str(...)) of the JSON text, never of the binary float
    return conversions.conversion_record_result(
        campaign=campaign,
        goal_kind=str(data.get("goal") or ""),
        external_id=str(data.get("conversion_id") or ""),
        occurred_at=_occurred_at(data.get("occurred_at")),
        amount=amount,
        click_token=str(data.get("click_id") or ""),
        promo_code=str(data.get("promo_code") or ""),
        source=Conversion.Source.POSTBACK,
        tracking_settings=settings,
    )


def postback_receive(*, campaign: Campaign, timestamp: str, signature: str, body: bytes) -> Answer:
    """Check and record one postback. Refusals write nothing; see the module docstring."""
    settings = TrackingSettings.objects.filter(campaign=campaign).first()
    refusal = _check_signature(settings, timestamp.strip(), signature, body, time.time())
    if refusal is not None:
        return refusal
    try:
        data = _parse_body(body)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    PostbackReceipt.objects.create(signature=signature.strip().lower())
            except IntegrityError:
                return _refused(
                    409,
                    "replayed",
                    _(
                        "This exact request was already accepted (same signature). Send a new timestamp and signature to report again."
                    ),
                    SIGNATURE_HEADER,
                )
            result = _record(campaign, settings, data)
    except ValidationFailed as error:
        problems = getattr(error, "errors", None) or [(error.field or "body", error.message)]
        fields: dict[str, list[str]] = {}
        for name, message in problems:
            fields.setdefault(name, []).append(str(message))
        return Answer(400, "invalid", str(error.message), fields)
    conversion = result.conversion
    body = {
        "status": result.status,
        "conversion_id": conversion.external_id,
        "goal": conversion.goal.kind,
        "attributed": conversion.collaboration_id is not None,
        "touch": conversion.touch,
    }
    if result.status == conversions.UNATTRIBUTED:
        body["reason"] = result.reason
        body["detail"] = conversions.reason_message(result.reason)
    elif result.status == conversions.DUPLICATE:
        body["detail"] = _("This conversion id was already recorded; it counts once.")
    return Answer(201 if result.status != conversions.DUPLICATE else 200, "", "", data=body)


def postback_receipts_prune(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Receipts older than the timestamp tolerance can never match a fresh request again; safe to
    delete from a periodic task."""
    deleted, _rows = PostbackReceipt.objects.filter(received_at__lt=timezone.now() - older_than).delete()
    return deleted
