import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from marketplace.models import User
from tests.marketplace.factories import PASSWORD, UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "ayu@example.com",
    "full_name": "Ayu Lestari",
    "account_type": "creator",
    "password1": "batik-sunrise-2026",
    "password2": "batik-sunrise-2026",
}


def confirmation_link(message) -> str:
    return re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0)


def test_signup_requires_email_verification_before_login(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="ayu@example.com")
    assert user.full_name == "Ayu Lestari"
    assert user.signup_role == User.SignupRole.CREATOR
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Not logged in until the address is confirmed.
    assert client.get(reverse("dashboard")).status_code == 302


def test_confirming_email_logs_in_and_leads_creator_to_onboarding(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = confirmation_link(mail.outbox[0])

    response = client.post(link)

    assert EmailAddress.objects.get(email="ayu@example.com").verified
    assert response.status_code == 302
    dashboard = client.get(response["Location"])
    assert dashboard.status_code == 302
    assert dashboard["Location"] == reverse("creators:onboarding")


@pytest.mark.parametrize("kind", ["brand", "ngo"])
def test_organization_signups_lead_to_org_creation_of_their_kind(client, kind):
    client.post(reverse("account_signup"), SIGNUP | {"email": f"{kind}@example.com", "account_type": kind})
    client.post(confirmation_link(mail.outbox[0]))

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('brands:org_create')}?kind={kind}"


def test_duplicate_email_at_signup_does_not_create_a_second_account_or_reveal_it(client):
    UserFactory(email="ayu@example.com")

    response = client.post(reverse("account_signup"), SIGNUP | {"email": "AYU@example.com"})

    # Enumeration prevention: the page looks like a normal signup...
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="ayu@example.com").count() == 1
    # ...and the owner of the address is told by email instead.
    assert len(mail.outbox) == 1
    assert "already" in mail.outbox[0].body.lower()


def test_signup_without_account_type_names_the_field(client):
    response = client.post(reverse("account_signup"), SIGNUP | {"account_type": "martian"})

    assert response.status_code == 200
    assert "account_type" in response.context["form"].errors
    assert not User.objects.filter(email="ayu@example.com").exists()


def test_password_reset_does_not_reveal_unknown_addresses(client):
    UserFactory(email="known@example.com")

    known = client.post(reverse("account_reset_password"), {"email": "known@example.com"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 2  # the unknown address is told it has no account
    assert "reset" in mail.outbox[0].subject.lower()


def test_login_and_logout(client):
    user = UserFactory(email="dewi@example.com")

    response = client.post(reverse("account_login"), {"login": "dewi@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def login_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


def test_failed_logins_are_rate_limited_per_account(client):
    UserFactory(email="dewi@example.com")
    bad = {"login": "dewi@example.com", "password": "wrong-password"}

    attempts = [client.post(reverse("account_login"), bad) for _ in range(6)]

    assert all(r.status_code == 200 for r in attempts)
    assert "Too many failed login attempts" not in " ".join(login_errors(attempts[4]))
    assert login_errors(attempts[5]) == ["Too many failed login attempts. Try again later."]
    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": "dewi@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert login_errors(right) == ["Too many failed login attempts. Try again later."]


def test_login_attempts_are_rate_limited_per_ip(client):
    statuses = [
        client.post(reverse("account_login"), {"login": f"n{i}@example.com", "password": "x"}).status_code
        for i in range(31)
    ]

    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429


def test_admin_login_goes_through_allauth(client, staff_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"

    login_with_mfa(client, staff_user)  # the admin, like every staff page, needs MFA
    assert client.get("/admin/").status_code == 200


def test_admin_refuses_logged_in_non_staff(client, user):
    client.force_login(user)
    assert client.get("/admin/login/").status_code == 403
