"""Meta's deauthorize and data deletion callbacks: signed with the app secret, checked in constant
time; a forged or malformed signed_request changes nothing."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client
from django.urls import reverse

from creators.models import MetricsSource, SocialAccount
from marketplace.models import Notification
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.platforms.test_connect import connect, creator_client, emulator_account, live
from tests.platforms.test_connect_disconnect import pulled_data

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def signed_request(payload: dict, secret: str) -> str:
    body = _b64(json.dumps(payload).encode())
    signature = _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())
    return f"{signature}.{body}"


def meta_payload(user_id: str) -> dict:
    return {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": user_id}


def meta_post(route: str, signed: str):
    # Meta's servers have no session and no CSRF token.
    return Client(enforce_csrf_checks=True).post(reverse(route), {"signed_request": signed})


@pytest.fixture
def connected(client, platforms):
    """A creator who typed their numbers in, then connected Instagram @kopi.creator, then a refresh."""
    profile = CreatorProfileFactory()
    SocialAccountFactory(
        profile=profile, handle="kopi.creator", followers=9000, avg_likes=700, avg_comments=50
    )
    client, _profile = creator_client(client, profile)
    connect(client, platforms, "instagram", "kopi.creator")
    connection = live(profile, "instagram")
    pulled_data(connection)
    return connection


# Deauthorize


def test_deauthorize_disconnects_keeps_the_verified_values_and_tells_the_creator_once(
    connected, settings, django_capture_on_commit_callbacks
):
    signed = signed_request(meta_payload(connected.external_id), settings.INSTAGRAM_CLIENT_SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        response = meta_post("platforms:deauthorize", signed)
    with django_capture_on_commit_callbacks(execute=True):
        again = meta_post("platforms:deauthorize", signed)

    assert response.status_code == again.status_code == 200
    connected.refresh_from_db()
    assert connected.status == PlatformConnection.Status.DISCONNECTED
    assert connected.disconnect_reason == PlatformConnection.Reason.DEAUTHORIZED
    assert connected.access_token_encrypted == ""
    assert connected.account.metrics_source == MetricsSource.VERIFIED
    assert connected.snapshots.exists()
    assert (
        Notification.objects.filter(
            recipient=connected.profile.user, kind="platform.connection_revoked"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda user_id, secret: signed_request(meta_payload(user_id), "not-the-secret"), id="other-secret"
        ),
        pytest.param(
            lambda user_id, secret: (
                signed_request(meta_payload(user_id), secret).split(".")[0]
                + "."
                + _b64(json.dumps(meta_payload("17841400000000001")).encode())
            ),
            id="payload-swapped",
        ),
        pytest.param(
            lambda user_id, secret: signed_request({**meta_payload(user_id), "algorithm": "none"}, secret),
            id="other-algorithm",
        ),
        pytest.param(lambda user_id, secret: "", id="empty"),
        pytest.param(lambda user_id, secret: "no-dot-here", id="no-dot"),
        pytest.param(lambda user_id, secret: "!!!.???", id="not-base64"),
        pytest.param(lambda user_id, secret: signed_request({"user_id": user_id}, secret), id="no-algorithm"),
    ],
)
@pytest.mark.parametrize("route", ["platforms:deauthorize", "platforms:data_deletion"])
def test_a_forged_or_malformed_signed_request_changes_nothing(connected, settings, route, forge):
    response = meta_post(route, forge(connected.external_id, settings.INSTAGRAM_CLIENT_SECRET))

    assert response.status_code == 400
    assert response.json() == {"error": "invalid signed_request"}
    connected.refresh_from_db()
    assert connected.status == PlatformConnection.Status.CONNECTED
    assert connected.snapshots.exists() and connected.posts.exists()


def test_the_callbacks_are_post_only(client):
    assert client.get(reverse("platforms:deauthorize")).status_code == 405
    assert client.get(reverse("platforms:data_deletion")).status_code == 405


def test_deauthorize_for_an_account_kolabo_does_not_hold_is_fine(settings):
    response = meta_post(
        "platforms:deauthorize",
        signed_request(meta_payload("17841499999999999"), settings.INSTAGRAM_CLIENT_SECRET),
    )

    assert response.status_code == 200


# Data deletion


def test_data_deletion_deletes_what_kolabo_read_and_answers_as_meta_documents(connected, settings, client):
    signed = signed_request(meta_payload(connected.external_id), settings.INSTAGRAM_CLIENT_SECRET)

    response = meta_post("platforms:data_deletion", signed)

    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"url", "confirmation_code"}
    assert answer["url"] == "http://testserver" + reverse(
        "platforms:deletion_status", args=[answer["confirmation_code"]]
    )
    connected.refresh_from_db()
    assert connected.status == PlatformConnection.Status.DISCONNECTED
    assert connected.disconnect_reason == PlatformConnection.Reason.DATA_DELETED
    assert connected.access_token_encrypted == ""
    assert not MetricsSnapshot.objects.filter(connection=connected).exists()
    assert not PlatformPost.objects.filter(connection=connected).exists()
    account = SocialAccount.objects.get(pk=connected.account_id)
    assert (account.followers, account.avg_likes) == (9000, 700)
    assert account.metrics_source == MetricsSource.SELF_REPORTED
    # The status page is public: the person who asked Meta has no Kolabo session.
    status = Client().get(answer["url"])
    assert status.status_code == 200
    assert answer["confirmation_code"] in status.content.decode()
    assert "Completed on" in status.content.decode()


def test_data_deletion_for_an_account_kolabo_does_not_hold_still_gets_a_code(settings):
    response = meta_post(
        "platforms:data_deletion",
        signed_request(meta_payload("17841499999999999"), settings.INSTAGRAM_CLIENT_SECRET),
    )

    answer = response.json()
    page = Client().get(answer["url"]).content.decode()
    assert "Kolabo held no data read from this Instagram account." in page


def test_a_made_up_or_altered_confirmation_code_answers_404(connected, settings):
    signed = signed_request(meta_payload(connected.external_id), settings.INSTAGRAM_CLIENT_SECRET)
    code = meta_post("platforms:data_deletion", signed).json()["confirmation_code"]

    assert Client().get(reverse("platforms:deletion_status", args=["made-up"])).status_code == 404
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert Client().get(reverse("platforms:deletion_status", args=[altered])).status_code == 404


# From the emulator, over HTTP, as Meta would call


@pytest.mark.django_db(transaction=True)
def test_the_emulators_signed_callbacks_are_accepted(live_server, platforms):
    client, profile = creator_client(Client())
    connect(client, platforms, "instagram", "kopi.creator")
    connect(client, platforms, "tiktok", "kopi.creator")
    ig_id = emulator_account(platforms, "instagram", "kopi.creator")["id"]
    assert live(profile, "instagram").external_id == ig_id

    removed = platforms.deauthorize("kopi.creator", live_server.url + reverse("platforms:deauthorize"))

    assert removed["status"] == 200
    instagram = PlatformConnection.objects.get(profile=profile, platform="instagram")
    assert instagram.disconnect_reason == PlatformConnection.Reason.DEAUTHORIZED
    assert live(profile, "tiktok")  # only Instagram's app was removed

    deleted = platforms.data_deletion("kopi.creator", live_server.url + reverse("platforms:data_deletion"))

    assert deleted["status"] == 200
    body = json.loads(deleted["body"]) if isinstance(deleted["body"], str) else deleted["body"]
    assert set(body) == {"url", "confirmation_code"}
    assert body["url"].startswith(live_server.url + "/platforms/deletion/")
    instagram.refresh_from_db()
    assert instagram.disconnect_reason == PlatformConnection.Reason.DEAUTHORIZED  # disconnected already
    # The account only ever held what Instagram gave, so it goes with the data.
    assert not SocialAccount.objects.filter(profile=profile, platform="instagram").exists()
    assert SocialAccount.objects.filter(profile=profile, platform="tiktok").exists()
