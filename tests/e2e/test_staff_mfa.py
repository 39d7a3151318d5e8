"""A reviewer turns on two-factor login and opens the payout queue in the same browser session.

The reported bug: right after turning TOTP on, the payout queue and the login page redirected to
each other forever. The code is computed from the secret the page shows, as an authenticator app would.
"""

import re

import pytest

from tests.marketplace.factories import PASSWORD, UserFactory
from tests.marketplace.mfa_helpers import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reviewer(db):
    return UserFactory(email="reviewer@kolabo.example", full_name="Rani Reviewer", is_staff=True)


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def test_reviewer_turns_on_totp_from_the_staff_page_and_opens_the_payout_queue(page, reviewer):
    log_in(page, reviewer.email)

    # The payout queue sends a reviewer without two-factor login to one page that says why.
    page.goto("/payments/staff/payouts/")
    page.wait_for_url(re.compile(r"/staff/two-factor/\?next="))
    assert page.get_by_role("heading", name="Turn on two-factor authentication").is_visible()
    assert page.get_by_text("a stolen password alone must never open them").is_visible()

    # One step: the code from the authenticator app and the password, in the same form.
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Turn on and continue").click()
    assert page.get_by_role("heading", name="Two-factor authentication is on").is_visible()
    assert page.get_by_role("heading", name="Save your recovery codes").is_visible()

    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/payments/staff/payouts/$"))
    assert page.get_by_role("heading", name="Payout queue").is_visible()

    # Still open on the next visit: no detour through the login page.
    page.goto("/payments/staff/payouts/")
    assert page.url.endswith("/payments/staff/payouts/")
    assert page.get_by_role("heading", name="Payout queue").is_visible()


def test_reviewer_turns_on_totp_in_account_settings_and_opens_the_payout_queue(page, reviewer):
    """The path of the report: allauth's own "Activate" page, then the payout queue."""
    log_in(page, reviewer.email)

    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/$"))

    response = page.goto("/payments/staff/payouts/")

    assert response.status == 200
    assert page.url.endswith("/payments/staff/payouts/")
    assert page.get_by_role("heading", name="Payout queue").is_visible()
