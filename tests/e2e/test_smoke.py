import re

import pytest
from django.core import mail

from marketplace.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_signup_login_and_language_switch(page):
    # Home page
    page.goto("/")
    assert page.get_by_role("heading", name="Campaigns with micro-influencers, made fair").is_visible()

    # Sign up as a creator
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("Your name").fill("Putri Wulandari")
    page.get_by_label("Email").fill("putri@example.com")
    page.get_by_label("Creator").check()
    page.get_by_label("Password:", exact=True).fill("nasi-goreng-pedas-77")
    page.get_by_label("Password (again):").fill("nasi-goreng-pedas-77")
    page.get_by_role("button", name="Sign Up", exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    assert User.objects.filter(email="putri@example.com", signup_role="creator").exists()

    # Confirm the address from the email, which logs in and leads to creator onboarding
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/creators/onboarding/$"))

    # Log out, then log in again
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    page.get_by_placeholder("Email address").fill("putri@example.com")
    page.get_by_placeholder("Password").fill("nasi-goreng-pedas-77")
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/creators/onboarding/$"))

    # Switch to Bahasa Indonesia: the interface follows
    page.get_by_label("Language").select_option("id")
    page.get_by_test_id("language-submit").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("link", name="Dasbor").is_visible()
