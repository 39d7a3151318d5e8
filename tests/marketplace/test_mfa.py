"""Staff pages need a session verified with a second factor, and getting there never loops."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.marketplace.factories import PASSWORD, UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.marketplace.mfa_urls")]

QUEUE = "/payments/staff/payouts/"
SETUP = "/staff/two-factor/"


def login_with_password(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_anonymous_is_sent_to_login(client):
    response = client.get("/test/money/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_without_mfa_are_sent_to_the_staff_setup_page(client, staff_user):
    login_with_password(client, staff_user)

    response = client.get("/test/money/")

    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Ftest%2Fmoney%2F"


def test_login_with_totp_code_opens_the_guarded_view(client):
    user = UserFactory(is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    # The password alone does not log in: allauth asks for the second factor.
    response = login_with_password(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert client.get("/test/money/").content == b"money moves here"


def test_session_that_did_not_use_mfa_is_asked_for_a_code_and_comes_back(client, staff_user):
    login_with_password(client, staff_user)
    secret = generate_totp_secret()
    TOTP.activate(staff_user, secret)  # turned on in another session, after this one logged in

    response = client.get("/test/money/")

    # Not the login page: allauth sends a logged-in user from there straight back (the old loop).
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Ftest%2Fmoney%2F"
    back = client.post(response["Location"], {"code": totp_code(secret)})
    assert back.status_code == 302
    assert back["Location"] == "/test/money/"
    assert client.get("/test/money/").content == b"money moves here"


# allauth records the activation from a transaction.on_commit hook, which must run inside the request
# as it does in production (autocommit), not after the test's wrapping transaction.
@pytest.mark.django_db(transaction=True)
def test_turning_on_totp_with_allauths_own_pages_opens_the_payout_queue_in_the_same_session(
    client, staff_user
):
    """The reported loop: right after turning TOTP on, payout queue → login → payout queue → ..."""
    login_with_password(client, staff_user)

    # allauth's activation asks for the password first, then shows the secret and takes a code.
    activate = reverse("mfa_activate_totp")
    reauth = client.get(activate)
    assert reauth["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reauth["Location"], {"password": PASSWORD})
    form_page = client.get(activate)
    secret = form_page.context["form"].secret
    activated = client.post(activate, {"code": totp_code(secret)})
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists()

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert "Payout queue" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_staff_setup_page_explains_why_and_turns_totp_on_in_one_step(client, staff_user):
    login_with_password(client, staff_user)
    page = client.get(client.get(QUEUE)["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Turn on two-factor authentication" in html
    assert "a stolen password alone must never open them" in html
    # One form: the code and (because allauth wants it again) the password, no separate prompt.
    assert 'name="code"' in html
    assert 'name="password"' in html
    assert "Set it up to continue" not in html
    secret = page.context["secret"]
    assert "<svg" in html  # the QR code, inline
    assert f'value="{secret}"' in html  # typed in by hand when the QR code cannot be scanned

    done = client.post(SETUP, {"code": totp_code(secret), "password": PASSWORD, "next": QUEUE})

    assert done.status_code == 200
    assert "Two-factor authentication is on" in done.content.decode()
    assert len(done.context["codes"]) > 0  # recovery codes shown once, right away
    assert f'href="{QUEUE}"' in done.content.decode()
    assert client.get(QUEUE).status_code == 200


def test_staff_setup_page_refuses_a_wrong_code_or_password(client, staff_user):
    login_with_password(client, staff_user)
    secret = client.get(SETUP).context["secret"]

    wrong_code = client.post(
        SETUP, {"code": "000000" if totp_code(secret) != "000000" else "111111", "password": PASSWORD}
    )
    wrong_password = client.post(SETUP, {"code": totp_code(secret), "password": "not-my-password"})

    assert wrong_code.status_code == 400
    assert wrong_code.context["form"].errors["code"]
    assert wrong_password.status_code == 400
    assert wrong_password.context["password_form"].errors["password"]
    assert not Authenticator.objects.filter(user=staff_user).exists()
    assert client.get(QUEUE)["Location"].startswith(SETUP)


def test_setup_page_ignores_a_next_address_on_another_site(
    client, staff_user, django_capture_on_commit_callbacks
):
    login_with_password(client, staff_user)
    secret = client.get(SETUP).context["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            SETUP, {"code": totp_code(secret), "password": PASSWORD, "next": "https://evil.example/"}
        )
    assert done.context["next_url"] == reverse("dashboard")


def test_setup_page_is_not_there_for_people_who_are_not_staff(client, user):
    login_with_password(client, user)
    assert client.get(SETUP).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/payments/staff/payouts/",
        "/orgs/staff/verifications/",
        "/campaigns/collaborations/staff/disputes/",
        "/admin/",
        "/admin/campaigns/collaboration/",
    ],
)
def test_every_staff_page_needs_mfa_even_for_a_superuser(client, admin_user, url):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)

    login_with_mfa(client, admin_user)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    ["/payments/staff/payouts/", "/orgs/staff/verifications/", "/campaigns/collaborations/staff/disputes/"],
)
def test_people_who_are_not_staff_get_404_not_the_mfa_setup(client, user, url):
    client.force_login(user)
    assert client.get(url).status_code == 404


def test_admin_logout_needs_no_second_factor(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_setup_page_limits_password_guesses_like_allauths_reauthentication(client, staff_user):
    login_with_password(client, staff_user)
    client.get(SETUP)

    answers = [
        client.post(SETUP, {"code": "123456", "password": f"guess-{n}"}).status_code for n in range(11)
    ]

    assert answers[:10] == [400] * 10
    assert answers[10] == 429
