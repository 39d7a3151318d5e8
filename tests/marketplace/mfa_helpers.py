"""Log staff in the way they really do: password, then a code from their authenticator."""

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from tests.marketplace.factories import PASSWORD


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for `secret` now (what a person types in)."""
    return format_hotp_value(hotp_value(secret, int(time.time() if at is None else at) // 30))


def login_with_mfa(client, user):
    """Turn TOTP on for `user` (outside any session), then log in with password and code."""
    client.logout()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client
