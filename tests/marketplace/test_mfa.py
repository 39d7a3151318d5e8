import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.urls import reverse

from tests.marketplace.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.marketplace.mfa_urls")]


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def login_with_password(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_anonymous_is_sent_to_login(client):
    response = client.get("/test/money/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_user_without_mfa_is_sent_to_set_it_up(client):
    user = UserFactory(is_staff=True)
    login_with_password(client, user)

    response = client.get("/test/money/")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_login_with_totp_code_opens_the_guarded_view(client):
    user = UserFactory(is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    # The password alone does not log in: allauth asks for the second factor.
    response = login_with_password(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert client.get("/test/money/").content == b"money moves here"


def test_session_that_did_not_use_mfa_must_log_in_again(client):
    user = UserFactory(is_staff=True)
    login_with_password(client, user)
    TOTP.activate(user, generate_totp_secret())  # turned on after this session logged in

    response = client.get("/test/money/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
