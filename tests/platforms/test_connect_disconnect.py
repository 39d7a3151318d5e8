"""Disconnecting, with and without deleting what Kolabo read, and the connected accounts page."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from creators.models import MetricsSource, SocialAccount
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.platforms.test_connect import connect, creator_client, error_texts, live, message_texts

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pulled_data(connection, *, followers=8400, rate="3.40"):
    """What a refresh would have written: a snapshot, a post with its thumbnail, verified values."""
    MetricsSnapshot.objects.create(connection=connection, followers=followers, engagement_rate=Decimal(rate))
    post = PlatformPost(
        connection=connection,
        external_id="1790000000001",
        permalink="https://www.instagram.com/p/KopiSusu1/",
        posted_at=timezone.now(),
        likes=300,
        comments=20,
    )
    post.thumbnail.save("kopi.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    post.save()
    SocialAccount.objects.filter(pk=connection.account_id).update(
        followers=followers,
        engagement_rate=Decimal(rate),
        metrics_source=MetricsSource.VERIFIED,
        metrics_verified_at=timezone.now(),
        metrics_date=timezone.localdate(),
    )
    return post


def disconnect(client, connection, *, delete_data=False):
    body = {"delete_data": "1"} if delete_data else {}
    return client.post(reverse("platforms:disconnect", args=[connection.pk]), body)


def test_disconnect_wipes_the_tokens_and_keeps_the_last_verified_values(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "instagram", "kopi.creator")
    connection = live(profile, "instagram")
    pulled_data(connection)

    response = disconnect(client, connection)

    assert response["Location"] == reverse("platforms:connections")
    assert any("is disconnected" in text for text in message_texts(response))
    connection.refresh_from_db()
    assert connection.status == PlatformConnection.Status.DISCONNECTED
    assert connection.disconnect_reason == PlatformConnection.Reason.BY_CREATOR
    assert connection.disconnected_at is not None
    assert connection.access_token_encrypted == connection.refresh_token_encrypted == ""
    account = connection.account
    assert account.metrics_source == MetricsSource.VERIFIED
    assert account.engagement_rate == Decimal("3.40")
    assert connection.snapshots.count() == 1 and connection.posts.count() == 1
    page = client.get(reverse("platforms:connections")).content.decode()
    assert "Disconnected on" in page
    assert "Disconnected by the creator" in page
    assert "Reconnect Instagram" in page


def test_disconnecting_tiktok_revokes_kolabos_token_there(
    client, platforms, django_capture_on_commit_callbacks
):
    client, profile = creator_client(client)
    connect(client, platforms, "tiktok", "nano.rina")
    connection = live(profile, "tiktok")

    with django_capture_on_commit_callbacks(execute=True):
        disconnect(client, connection)

    tokens = [
        t for t in platforms.state()["tokens"] if t["platform"] == "tiktok" and t["username"] == "nano.rina"
    ]
    assert tokens and all(t["revoked"] for t in tokens)


def test_a_failed_revoke_does_not_undo_the_disconnect(
    client, platforms, settings, django_capture_on_commit_callbacks
):
    client, profile = creator_client(client)
    connect(client, platforms, "tiktok", "nano.rina")
    connection = live(profile, "tiktok")
    settings.TIKTOK_API_BASE = "http://127.0.0.1:9/tiktok-api"  # TikTok unreachable

    with django_capture_on_commit_callbacks(execute=True):
        response = disconnect(client, connection)

    assert not error_texts(response)
    connection.refresh_from_db()
    assert connection.status == PlatformConnection.Status.DISCONNECTED


def test_disconnect_and_delete_data_puts_back_what_the_creator_typed(
    client, platforms, django_capture_on_commit_callbacks
):
    profile = CreatorProfileFactory()
    typed = SocialAccountFactory(
        profile=profile, handle="kopi.creator", followers=9000, avg_likes=700, avg_comments=50
    )
    typed_values = (typed.followers, typed.avg_likes, typed.engagement_rate, typed.tier, typed.metrics_date)
    client, _profile = creator_client(client, profile)
    connect(client, platforms, "instagram", "kopi.creator")
    connection = live(profile, "instagram")
    post = pulled_data(connection)
    thumbnail = post.thumbnail.name
    assert default_storage.exists(thumbnail)

    with django_capture_on_commit_callbacks(execute=True):
        response = disconnect(client, connection, delete_data=True)

    assert any("the data Kolabo read from it is deleted" in text for text in message_texts(response))
    connection.refresh_from_db()
    assert connection.status == PlatformConnection.Status.DISCONNECTED
    assert connection.access_token_encrypted == ""
    assert not MetricsSnapshot.objects.filter(connection=connection).exists()
    assert not PlatformPost.objects.filter(connection=connection).exists()
    assert not default_storage.exists(thumbnail)
    typed.refresh_from_db()
    assert (
        typed.followers,
        typed.avg_likes,
        typed.engagement_rate,
        typed.tier,
        typed.metrics_date,
    ) == typed_values
    assert typed.metrics_source == MetricsSource.SELF_REPORTED
    assert typed.metrics_verified_at is None


def test_deleting_data_of_an_account_the_connection_created_removes_that_account(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "tiktok", "kopi.creator")
    connection = live(profile, "tiktok")

    disconnect(client, connection, delete_data=True)

    assert not SocialAccount.objects.filter(profile=profile).exists()
    connection.refresh_from_db()
    assert connection.account is None
    assert connection.status == PlatformConnection.Status.DISCONNECTED


def test_data_of_an_already_disconnected_account_can_still_be_deleted(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "instagram", "kopi.creator")
    connection = live(profile, "instagram")
    pulled_data(connection)
    disconnect(client, connection)

    response = disconnect(client, connection, delete_data=True)

    assert not error_texts(response)
    assert not MetricsSnapshot.objects.filter(connection=connection).exists()


def test_disconnecting_twice_is_refused_with_a_message(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "instagram", "kopi.creator")
    connection = live(profile, "instagram")
    disconnect(client, connection)

    response = disconnect(client, connection)

    assert error_texts(response) == ["This account is already disconnected."]


def test_another_creators_connection_answers_404(client, platforms):
    client_a, profile_a = creator_client(client)
    connect(client_a, platforms, "instagram", "kopi.creator")
    connection = live(profile_a, "instagram")
    client_b, _profile_b = creator_client(Client())

    assert disconnect(client_b, connection).status_code == 404
    assert disconnect(client_b, connection, delete_data=True).status_code == 404
    assert live(profile_a, "instagram") == connection


def test_the_service_keeps_to_the_creators_owner_rule(platforms, client):
    from marketplace.errors import PermissionDeniedError
    from platforms.services.connections import connection_disconnect
    from tests.marketplace.factories import UserFactory

    client, profile = creator_client(client)
    connect(client, platforms, "instagram", "kopi.creator")

    with pytest.raises(PermissionDeniedError):
        connection_disconnect(connection=live(profile, "instagram"), by_user=UserFactory(), delete_data=True)


# The page


def test_the_page_offers_each_platform_with_its_state(client, platforms):
    client, profile = creator_client(client)

    page = client.get(reverse("platforms:connections")).content.decode()
    assert "Connect Instagram" in page and "Connect TikTok" in page
    assert "professional accounts (Business or Creator)" in page

    connect(client, platforms, "instagram", "kopi.creator")
    page = client.get(reverse("platforms:connections")).content.decode()
    assert "@kopi.creator" in page
    assert "Reconnect Instagram" in page and "Connect TikTok" in page
    assert "Disconnect and delete data" in page
    assert reverse("platforms:disconnect", args=[live(profile, "instagram").pk]) in page


def test_the_creators_profile_page_links_to_connecting(client):
    client, _profile = creator_client(client)

    page = client.get(reverse("creators:profile_edit")).content.decode()

    assert reverse("platforms:connect", args=["instagram"]) in page
    assert reverse("platforms:connect", args=["tiktok"]) in page
    assert reverse("platforms:connections") in page


def test_the_page_is_for_creators(client):
    from tests.marketplace.factories import UserFactory

    assert client.get(reverse("platforms:connections"))["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(reverse("platforms:connections"))["Location"] == reverse("creators:onboarding")
