"""The signed postback and the pixel: what is recorded, and that every refused request records
nothing at all."""

import json
import shutil
import subprocess
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.tracking import conversion_helpers
from tests.tracking.conversion_helpers import click_on
from tracking.models import Conversion, PostbackReceipt
from tracking.postback import signature_for

# Fixtures shared by the conversion tests.
tracked_campaign, first, second, secret = (
    conversion_helpers.tracked_campaign,
    conversion_helpers.first,
    conversion_helpers.second,
    conversion_helpers.secret,
)


def post(client, campaign, payload, *, secret, timestamp=None, signature=None):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = signature_for(secret, timestamp, body) if signature is None else signature
    return client.post(
        reverse("tracking:postback", args=[campaign.pk]),
        data=body,
        content_type="application/json",
        HTTP_X_KOLABO_TIMESTAMP=timestamp,
        HTTP_X_KOLABO_SIGNATURE=signature,
    )


def counts():
    return Conversion.objects.count(), PostbackReceipt.objects.count()


def test_a_signed_postback_is_recorded_and_attributed(client, tracked_campaign, first, secret):
    click = click_on(first, timezone.now() - timedelta(days=1))

    response = post(
        client,
        tracked_campaign,
        {"goal": "donation", "conversion_id": "DN-1", "amount": "150000", "click_id": click.token},
        secret=secret,
    )

    assert response.status_code == 201, response.content
    assert response.json() == {
        "status": "recorded",
        "conversion_id": "DN-1",
        "goal": "donation",
        "attributed": True,
        "touch": "link",
    }
    conversion = Conversion.objects.get()
    assert conversion.source == "postback" and conversion.collaboration_id == first.collaboration_id
    assert str(conversion.amount) == "150000.00"
    assert counts() == (1, 1)


def test_occurred_at_is_read_as_iso_8601(client, tracked_campaign, secret):
    response = post(
        client,
        tracked_campaign,
        {"goal": "signup", "conversion_id": "S-1", "occurred_at": "2025-03-01T14:30:00+07:00"},
        secret=secret,
    )

    assert response.status_code == 201
    assert Conversion.objects.get().occurred_at.isoformat() == "2025-03-01T07:30:00+00:00"


def test_an_unattributed_postback_says_why(client, tracked_campaign, secret):
    response = post(
        client,
        tracked_campaign,
        {"goal": "signup", "conversion_id": "S-1", "click_id": "forged"},
        secret=secret,
    )

    assert response.status_code == 201
    assert response.json()["status"] == "unattributed" and response.json()["reason"] == "unknown_click"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret": "kps_not-the-campaigns-secret"}, "signature_invalid"),
        ({"timestamp": -301}, "timestamp_stale"),
        ({"timestamp": 301}, "timestamp_future"),
        ({"signature": ""}, "signature_missing"),
        ({"timestamp": "soon"}, "timestamp_invalid"),
    ],
)
def test_bad_signatures_and_timestamps_are_refused_with_nothing_recorded(
    client, tracked_campaign, secret, change, code
):
    kwargs = {"secret": secret}
    if "secret" in change:
        kwargs["secret"] = change["secret"]
    if "timestamp" in change:
        offset = change["timestamp"]
        kwargs["timestamp"] = int(time.time()) + offset if isinstance(offset, int) else offset
    if "signature" in change:
        kwargs["signature"] = change["signature"]

    response = post(client, tracked_campaign, {"goal": "signup", "conversion_id": "S-1"}, **kwargs)

    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "authentication_error" and body["code"] == code and body["detail"]
    assert counts() == (0, 0)


def test_a_stale_timestamp_signed_correctly_is_refused_and_says_so(client, tracked_campaign, secret):
    response = post(
        client,
        tracked_campaign,
        {"goal": "signup", "conversion_id": "S-1"},
        secret=secret,
        timestamp=int(time.time()) - 600,
    )

    assert response.status_code == 401
    assert "more than 5 minutes old" in response.json()["detail"]
    assert list(response.json()["fields"]) == ["X-Kolabo-Timestamp"]


def test_a_replayed_request_is_refused_with_nothing_more_recorded(client, tracked_campaign, secret):
    body = json.dumps({"goal": "signup", "conversion_id": "S-1"}).encode()
    timestamp = int(time.time())
    first_answer = post(client, tracked_campaign, body, secret=secret, timestamp=timestamp)

    replay = post(client, tracked_campaign, body, secret=secret, timestamp=timestamp)

    assert first_answer.status_code == 201
    assert replay.status_code == 409 and replay.json()["code"] == "replayed"
    assert counts() == (1, 1)


def test_the_same_conversion_id_with_a_fresh_signature_is_a_duplicate(client, tracked_campaign, secret):
    payload = {"goal": "signup", "conversion_id": "S-1"}
    post(client, tracked_campaign, payload, secret=secret)

    again = post(client, tracked_campaign, payload, secret=secret, timestamp=int(time.time()) + 1)

    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert counts() == (1, 2)


def test_an_invalid_body_is_refused_naming_the_field_and_leaves_no_receipt(client, tracked_campaign, secret):
    response = post(client, tracked_campaign, {"goal": "donation", "conversion_id": "D-1"}, secret=secret)
    unknown = post(client, tracked_campaign, {"goal": "sale", "conversion_id": "D-2"}, secret=secret)
    not_json = post(client, tracked_campaign, b"goal=signup", secret=secret)

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert "amount is missing" in response.json()["fields"]["amount"][0]
    assert list(unknown.json()["fields"]) == ["goal"]
    assert not_json.status_code == 400 and list(not_json.json()["fields"]) == ["body"]
    assert counts() == (0, 0)


def test_a_rotated_secret_stops_the_old_one(client, tracked_campaign, secret, brand_owner):
    from tracking.settings_services import postback_secret_rotate

    new_secret = postback_secret_rotate(campaign=tracked_campaign, by_user=brand_owner)

    old = post(client, tracked_campaign, {"goal": "signup", "conversion_id": "S-1"}, secret=secret)
    new = post(client, tracked_campaign, {"goal": "signup", "conversion_id": "S-1"}, secret=new_secret)

    assert (old.status_code, new.status_code) == (401, 201)


def test_a_campaign_without_a_secret_refuses_postbacks(client, tracked_campaign):
    response = post(client, tracked_campaign, {"goal": "signup", "conversion_id": "S-1"}, secret="anything")

    assert response.status_code == 401 and response.json()["code"] == "postback_not_set_up"
    assert counts() == (0, 0)


def test_the_postback_needs_no_session_nor_csrf_token(tracked_campaign, secret):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)

    response = post(strict, tracked_campaign, {"goal": "signup", "conversion_id": "S-1"}, secret=secret)

    assert response.status_code == 201


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_the_documented_openssl_command_computes_the_same_signature(secret):
    body = '{"goal": "signup", "conversion_id": "S-1"}'
    timestamp = "1767225600"
    command = 'printf \'%s.%s\' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" | sed \'s/^.* //\''

    output = subprocess.run(
        ["sh", "-c", command],
        env={"TS": timestamp, "BODY": body, "SECRET": secret, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert output == signature_for(secret, timestamp, body.encode())


# Pixel


def pixel(client, campaign, **params):
    return client.get(reverse("tracking:pixel", args=[campaign.pk]), params)


def test_the_pixel_records_the_conversion_and_answers_a_gif(client, tracked_campaign, first):
    click = click_on(first, timezone.now() - timedelta(hours=2))

    response = pixel(
        client, tracked_campaign, goal="donation", conversion_id="PX-1", amount="20000", kclid=click.token
    )

    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and len(response.content) < 100
    assert "no-store" in response["Cache-Control"]
    conversion = Conversion.objects.get()
    assert (conversion.source, conversion.collaboration_id) == ("pixel", first.collaboration_id)


def test_the_pixel_reads_the_click_id_cookie(client, tracked_campaign, first):
    click = click_on(first, timezone.now() - timedelta(hours=2))
    client.cookies["kclid"] = click.token

    pixel(client, tracked_campaign, goal="signup", conversion_id="PX-1")

    assert Conversion.objects.get().collaboration_id == first.collaboration_id


def test_the_pixel_attributes_only_through_a_real_click_id_or_promo_code(client, tracked_campaign, first):
    pixel(client, tracked_campaign, goal="signup", conversion_id="PX-1", kclid=first.code)
    pixel(client, tracked_campaign, goal="signup", conversion_id="PX-2", promo=first.promo_code.lower())

    rows = dict(Conversion.objects.values_list("external_id", "collaboration_id"))
    assert rows == {"PX-1": None, "PX-2": first.collaboration_id}


def test_an_invalid_pixel_still_answers_a_gif_and_records_nothing(client, tracked_campaign):
    missing_amount = pixel(client, tracked_campaign, goal="donation", conversion_id="PX-1")
    no_id = pixel(client, tracked_campaign, goal="signup")
    unknown_campaign = client.get(
        reverse("tracking:pixel", args=[999999]), {"goal": "signup", "conversion_id": "X"}
    )

    for response in (missing_amount, no_id, unknown_campaign):
        assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert not Conversion.objects.exists()


def test_old_postback_receipts_are_pruned_and_recent_ones_kept(db):
    from datetime import timedelta

    from django.utils import timezone

    from tracking.models import PostbackReceipt
    from tracking.tasks import postback_receipts_prune

    old = PostbackReceipt.objects.create(signature="a" * 64)
    PostbackReceipt.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(hours=2))
    recent = PostbackReceipt.objects.create(signature="b" * 64)

    assert postback_receipts_prune.delay().get() == 1
    assert list(PostbackReceipt.objects.values_list("pk", flat=True)) == [recent.pk]
