"""Connecting Instagram and TikTok: the whole OAuth round trip against the emulator, through the
pages. The emulator's authorize control call does what pressing Allow does; the callback is then
opened with Django's test client, as the browser would after the platform's redirect."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from creators.models import MetricsSource, SocialAccount
from marketplace.models import AuditEvent
from platforms.models import PlatformConnection
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).


pytestmark = pytest.mark.django_db

PERSONAL_REFUSAL = (
    "Kolabo can read numbers only from professional accounts (Business or Creator); "
    "switch in the Instagram app, or keep entering your numbers yourself."
)


# Helpers the other test modules here share


def creator_client(client, profile=None):
    profile = profile or CreatorProfileFactory()
    client.force_login(profile.user)
    return client, profile


def start(client, platform):
    """Press Connect: returns the authorize URL's query (redirect_uri, state...)."""
    response = client.post(reverse("platforms:connect", args=[platform]))
    assert response.status_code == 302
    return {key: values[0] for key, values in parse_qs(urlsplit(response["Location"]).query).items()}


def allow(client, platforms, platform, username):
    """Connect, pick `username` on the platform's page and press Allow: returns the callback URL."""
    query = start(client, platform)
    return platforms.authorize(platform, username, query["redirect_uri"], query["state"])


def connect(client, platforms, platform, username):
    """The whole round trip; returns the callback's response (a redirect to the page)."""
    return client.get(allow(client, platforms, platform, username))


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def error_texts(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def live(profile, platform):
    return PlatformConnection.objects.get(profile=profile, platform=platform, status="connected")


def emulator_account(platforms, platform, username):
    for account in platforms.state()["accounts"]:
        if account["platform"] == platform and account["username"] == username:
            return account
    raise AssertionError(f"no {platform} @{username} in the emulator")


# The authorize URL


def test_connect_sends_the_creator_to_instagram_with_kolabos_scopes_and_a_fresh_state(client, settings):
    client, _profile = creator_client(client)

    response = client.post(reverse("platforms:connect", args=["instagram"]))

    url = urlsplit(response["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == settings.INSTAGRAM_AUTHORIZE_URL
    assert query["client_id"] == [settings.INSTAGRAM_CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["instagram_business_basic,instagram_business_manage_insights"]
    assert query["redirect_uri"] == ["http://testserver/platforms/callback/instagram/"]
    assert len(query["state"][0]) >= 32
    second = start(client, "instagram")
    assert second["state"] != query["state"][0]


def test_connect_sends_the_creator_to_tiktok_with_kolabos_scopes(client, settings):
    client, _profile = creator_client(client)

    query = start(client, "tiktok")

    assert query["client_key"] == settings.TIKTOK_CLIENT_KEY
    assert query["scope"] == "user.info.basic,user.info.profile,user.info.stats,video.list"
    assert query["redirect_uri"] == "http://testserver/platforms/callback/tiktok/"


def test_a_platform_kolabo_cannot_connect_answers_404(client):
    client, _profile = creator_client(client)

    assert client.post(reverse("platforms:connect", args=["youtube"])).status_code == 404
    assert client.get(reverse("platforms:callback", args=["youtube"])).status_code == 404


def test_connect_is_post_only_and_for_creators(client):
    client, _profile = creator_client(client)

    assert client.get(reverse("platforms:connect", args=["instagram"])).status_code == 405


# The whole round trip


def test_instagram_connects_end_to_end(client, platforms):
    client, profile = creator_client(client)

    response = connect(client, platforms, "instagram", "kopi.creator")

    assert response.status_code == 302
    assert response["Location"] == reverse("platforms:connections")
    assert any("@kopi.creator is connected" in text for text in message_texts(response))
    connection = live(profile, "instagram")
    assert connection.external_id == emulator_account(platforms, "instagram", "kopi.creator")["id"]
    assert connection.username == "kopi.creator"
    assert connection.account_type == "BUSINESS"
    assert connection.scopes == "instagram_business_basic,instagram_business_manage_insights"
    assert connection.access_token  # the long-lived token, decrypted
    assert connection.refresh_token == ""  # Instagram refreshes with the access token itself
    lifetime = connection.token_expires_at - connection.token_issued_at
    assert lifetime.days == 60
    # A new social account with the platform's username as handle, its numbers the platform's.
    account = connection.account
    assert (account.profile, account.platform, account.handle) == (profile, "instagram", "kopi.creator")
    assert account.followers == 8400
    assert account.metrics_source == MetricsSource.VERIFIED
    assert account.self_reported == {}
    assert AuditEvent.objects.filter(
        action="platform_connection.connected", target_id=str(connection.pk)
    ).exists()


def test_tiktok_connects_end_to_end_with_both_tokens(client, platforms):
    client, profile = creator_client(client)

    response = connect(client, platforms, "tiktok", "kopi.creator")

    assert response["Location"] == reverse("platforms:connections")
    connection = live(profile, "tiktok")
    assert connection.external_id == emulator_account(platforms, "tiktok", "kopi.creator")["id"]
    assert connection.access_token.startswith("act.")
    assert connection.refresh_token.startswith("rft.")
    assert (connection.token_expires_at - connection.token_issued_at).total_seconds() == 86400
    assert (connection.refresh_token_expires_at - connection.token_issued_at).days == 365
    assert set(connection.scopes.split(",")) == {
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
        "video.list",
    }
    assert connection.account.handle == "kopi.creator"
    assert connection.account.platform == "tiktok"


def test_the_first_refresh_is_queued_when_the_connection_commits(
    client, platforms, django_capture_on_commit_callbacks
):
    client, profile = creator_client(client)

    with django_capture_on_commit_callbacks(execute=True):
        connect(client, platforms, "instagram", "nano.rina")

    connection = live(profile, "instagram")
    assert connection.last_refreshed_at is not None
    assert connection.snapshots.exists()
    connection.account.refresh_from_db()
    assert connection.account.metrics_source == MetricsSource.VERIFIED


def test_an_existing_self_reported_account_is_linked_and_what_the_creator_typed_is_kept(client, platforms):
    profile = CreatorProfileFactory()
    typed = SocialAccountFactory(profile=profile, handle="kopi.creator", followers=9000, avg_likes=700)
    client, _profile = creator_client(client, profile)

    connect(client, platforms, "instagram", "kopi.creator")

    connection = live(profile, "instagram")
    assert connection.account_id == typed.pk
    typed.refresh_from_db()
    assert typed.self_reported["followers"] == 9000
    assert typed.self_reported["avg_likes"] == 700
    assert typed.self_reported["metrics_date"] == typed.metrics_date.isoformat()
    assert SocialAccount.objects.filter(profile=profile).count() == 1


# Tokens


def test_tokens_are_encrypted_in_the_database_and_never_in_the_pages(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "tiktok", "nano.rina")
    connection = live(profile, "tiktok")
    access, refresh = connection.access_token, connection.refresh_token

    raw = PlatformConnection.objects.filter(pk=connection.pk).values(
        "access_token_encrypted", "refresh_token_encrypted"
    )[0]

    assert access and refresh
    assert raw["access_token_encrypted"] != access and access not in raw["access_token_encrypted"]
    assert raw["refresh_token_encrypted"] != refresh and refresh not in raw["refresh_token_encrypted"]
    for url in (reverse("platforms:connections"), reverse("creators:profile_edit")):
        html = client.get(url).content.decode()
        assert access not in html and refresh not in html
        assert raw["access_token_encrypted"] not in html


# The state


def test_a_wrong_state_is_refused_and_no_code_is_exchanged(client, platforms):
    client, profile = creator_client(client)
    query = start(client, "instagram")
    location = platforms.authorize("instagram", "kopi.creator", query["redirect_uri"], "not-the-state")

    response = client.get(location)

    assert response["Location"] == reverse("platforms:connections")
    assert any("expired or is not yours" in text for text in error_texts(response))
    assert not PlatformConnection.objects.exists()
    assert not SocialAccount.objects.filter(profile=profile).exists()


def test_a_missing_state_is_refused(client, platforms):
    client, _profile = creator_client(client)
    location = allow(client, platforms, "instagram", "kopi.creator")
    split = urlsplit(location)
    query = {key: values[0] for key, values in parse_qs(split.query).items() if key != "state"}

    response = client.get(f"{split.path}?{urlencode(query)}")

    assert error_texts(response)
    assert not PlatformConnection.objects.exists()


def test_a_replayed_callback_is_refused(client, platforms):
    client, profile = creator_client(client)
    location = allow(client, platforms, "instagram", "kopi.creator")
    client.get(location)
    first = live(profile, "instagram")

    response = client.get(location)

    assert any("expired or is not yours" in text for text in error_texts(response))
    assert PlatformConnection.objects.get() == first
    assert live(profile, "instagram").access_token == first.access_token


def test_a_state_from_another_users_session_cannot_attach_the_account_to_them(client, platforms):
    from django.test import Client

    client_a, profile_a = creator_client(client)
    location = allow(client_a, platforms, "instagram", "kopi.creator")
    client_b, profile_b = creator_client(Client())

    response = client_b.get(location)

    assert any("expired or is not yours" in text for text in error_texts(response))
    assert not PlatformConnection.objects.filter(profile=profile_b).exists()
    # B's attempt spent nothing: the code and the state still work for A, who started the flow.
    client_a.get(location)
    assert live(profile_a, "instagram").username == "kopi.creator"


def test_a_state_is_bound_to_the_user_and_the_platform(rf, settings):
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    from platforms import oauth
    from tests.marketplace.factories import UserFactory

    user_a, user_b = UserFactory(), UserFactory()
    request = rf.get("/")
    request.session, request.user = SessionStore(), user_a
    state = oauth.state_issue(request, platform="instagram", redirect_uri="https://kolabo.example/cb/")
    other = oauth.state_issue(request, platform="instagram", redirect_uri="https://kolabo.example/cb/")

    with pytest.raises(oauth.PlatformAuthError):
        oauth.state_consume(request, platform="tiktok", state=state)
    request.user = user_b
    with pytest.raises(oauth.PlatformAuthError):
        oauth.state_consume(request, platform="instagram", state=other)
    request.user = user_a
    # Each was popped by its failed use: a state is good for one attempt only.
    with pytest.raises(oauth.PlatformAuthError):
        oauth.state_consume(request, platform="instagram", state=state)
    with pytest.raises(oauth.PlatformAuthError):
        oauth.state_consume(request, platform="instagram", state=other)


def test_a_state_expires_after_ten_minutes(client, platforms, monkeypatch):
    import time

    from platforms import oauth

    client, _profile = creator_client(client)
    location = allow(client, platforms, "instagram", "kopi.creator")
    now = time.time()
    monkeypatch.setattr(oauth.time, "time", lambda: now + oauth.STATE_TTL_SECONDS + 1)

    response = client.get(location)

    assert any("expired or is not yours" in text for text in error_texts(response))
    assert not PlatformConnection.objects.exists()


# The platform's answers


def test_pressing_cancel_on_the_platform_connects_nothing_and_spends_the_state(client, platforms):
    client, _profile = creator_client(client)
    query = start(client, "instagram")
    cancelled = (
        reverse("platforms:callback", args=["instagram"])
        + "?"
        + urlencode(
            {
                "error": "access_denied",
                "error_reason": "user_denied",
                "error_description": "The user denied your request.",
                "state": query["state"],
            }
        )
    )

    response = client.get(cancelled)

    texts = message_texts(response)
    assert any("You did not allow Kolabo to read your Instagram account" in text for text in texts)
    assert not any("denied your request" in text for text in texts)  # Kolabo's words, not Instagram's
    assert not PlatformConnection.objects.exists()
    location = platforms.authorize("instagram", "kopi.creator", query["redirect_uri"], query["state"])
    assert any("expired or is not yours" in text for text in error_texts(client.get(location)))


def test_a_personal_instagram_account_is_refused_and_the_manual_path_stays(client, platforms):
    profile = CreatorProfileFactory()
    typed = SocialAccountFactory(profile=profile, handle="personal.budi", followers=430, avg_likes=30)
    client, _profile = creator_client(client, profile)

    response = client.get(allow(client, platforms, "instagram", "personal.budi"))

    assert error_texts(response) == [PERSONAL_REFUSAL]
    assert not PlatformConnection.objects.exists()
    typed.refresh_from_db()
    assert typed.metrics_source == MetricsSource.SELF_REPORTED
    assert typed.followers == 430
    page = client.get(reverse("platforms:connections")).content.decode()
    assert reverse("creators:social_account_add") in page


def test_the_service_refuses_a_personal_account_too(platforms):
    from marketplace.errors import ValidationFailed
    from platforms import oauth
    from platforms.services.connections import connection_create

    profile = CreatorProfileFactory()
    personal = oauth.PlatformProfile(
        external_id="17841400000000099", username="personal.budi", account_type="PERSONAL"
    )

    with pytest.raises(ValidationFailed) as refused:
        connection_create(
            profile=profile,
            by_user=profile.user,
            platform="instagram",
            token_bundle=oauth.TokenBundle(access_token="IGAA-test", expires_in=3600),
            platform_profile=personal,
        )

    assert str(refused.value.message) == PERSONAL_REFUSAL


def test_a_code_the_platform_refuses_is_told_in_kolabos_words(client, platforms):
    client, _profile = creator_client(client)
    query = start(client, "instagram")
    callback = f"{reverse('platforms:callback', args=['instagram'])}?" + urlencode(
        {"code": "made-up-code", "state": query["state"]}
    )

    response = client.get(callback)

    assert error_texts(response) == [
        "Instagram did not accept the connection. Please start again; "
        "if it keeps failing, contact Kolabo support."
    ]
    assert not PlatformConnection.objects.exists()


def test_a_platform_that_does_not_answer_is_told_as_such(client, platforms, settings):
    client, _profile = creator_client(client)
    location = allow(client, platforms, "tiktok", "kopi.creator")
    settings.TIKTOK_API_BASE = "http://127.0.0.1:9/tiktok-api"  # nothing listens on the discard port

    response = client.get(location)

    assert error_texts(response) == [
        "Kolabo could not reach TikTok just now. Please try again in a few minutes."
    ]


# Who holds which account


def test_an_account_connected_to_another_creator_is_refused(client, platforms):
    from django.test import Client

    client_a, profile_a = creator_client(client)
    connect(client_a, platforms, "instagram", "kopi.creator")
    client_b, profile_b = creator_client(Client())

    response = connect(client_b, platforms, "instagram", "kopi.creator")

    assert any("already connected to another Kolabo creator" in text for text in error_texts(response))
    assert not PlatformConnection.objects.filter(profile=profile_b).exists()
    assert live(profile_a, "instagram").username == "kopi.creator"


def test_a_handle_another_creator_entered_themselves_is_refused(client, platforms):
    other = SocialAccountFactory(platform="tiktok", handle="nano.rina")
    client, profile = creator_client(client)

    response = connect(client, platforms, "tiktok", "nano.rina")

    assert any("already on another Kolabo creator's profile" in text for text in error_texts(response))
    assert not PlatformConnection.objects.exists()
    other.refresh_from_db()
    assert other.profile != profile


def test_reconnecting_the_same_account_replaces_the_tokens_in_the_same_row(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "tiktok", "kopi.creator")
    first = live(profile, "tiktok")

    connect(client, platforms, "tiktok", "kopi.creator")

    again = live(profile, "tiktok")
    assert again.pk == first.pk
    assert again.access_token != first.access_token
    assert PlatformConnection.objects.filter(profile=profile).count() == 1


def test_connecting_another_account_of_the_same_platform_replaces_the_previous_one(client, platforms):
    client, profile = creator_client(client)
    connect(client, platforms, "instagram", "kopi.creator")
    previous = live(profile, "instagram")

    connect(client, platforms, "instagram", "nano.rina")

    assert live(profile, "instagram").username == "nano.rina"
    previous.refresh_from_db()
    assert previous.status == PlatformConnection.Status.DISCONNECTED
    assert previous.disconnect_reason == PlatformConnection.Reason.BY_CREATOR
    assert previous.access_token_encrypted == ""
    # Its account stays on the profile with its last values; the new one is its own account.
    assert {a.handle for a in SocialAccount.objects.filter(profile=profile)} == {"kopi.creator", "nano.rina"}


def test_both_platforms_can_be_connected_side_by_side(client, platforms):
    client, profile = creator_client(client)

    connect(client, platforms, "instagram", "kopi.creator")
    connect(client, platforms, "tiktok", "kopi.creator")

    assert live(profile, "instagram").account.platform == "instagram"
    assert live(profile, "tiktok").account.platform == "tiktok"
    page = client.get(reverse("platforms:connections")).content.decode()
    assert page.count("Reconnect") == 2


def test_pressing_cancel_on_tiktok_connects_nothing(client, platforms):
    client, _profile = creator_client(client)
    query = start(client, "tiktok")
    location = platforms.authorize(
        "tiktok", "kopi.creator", query["redirect_uri"], query["state"], action="cancel"
    )

    response = client.get(location)

    assert any(
        "You did not allow Kolabo to read your TikTok account" in text for text in message_texts(response)
    )
    assert not error_texts(response)
    assert not PlatformConnection.objects.exists()
