"""A creator connects Instagram and TikTok through the platforms' consent pages (the local emulator),
sees verified numbers on their connected accounts page and their media kit, and a brand's
discovery labels them; a foreign post link is then refused when publishing."""

import re

import pytest

from platforms.models import PlatformConnection
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.marketplace.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def connect(page, platform_label, username):
    page.goto("/platforms/")
    page.get_by_role("button", name=f"Connect {platform_label}").click()
    # The platform's own consent page (here the emulator's), outside Kolabo.
    page.wait_for_url(re.compile(r"/(instagram/oauth|tiktok/v2/auth)/authorize"))
    assert page.get_by_role("heading", name=f"Allow access to your {platform_label} account?").is_visible()
    page.get_by_label("Log in as").select_option(username)
    page.get_by_role("button", name="Allow").click()
    # Instagram appends "#_" to its redirect, and the browser keeps it through Kolabo's redirect.
    page.wait_for_url(re.compile(r"/platforms/(#_)?$"))


def test_creator_connects_instagram_and_tiktok_and_the_media_kit_shows_verified_numbers(page, platforms):
    profile = CreatorProfileFactory(display_name="Kopi Creator")
    # What the creator had typed: it stays, labelled, and no longer decides anything.
    SocialAccountFactory(profile=profile, platform="instagram", handle="kopi.creator", followers=50_000)
    sign_in(page, profile.user.email)

    connect(page, "Instagram", "kopi.creator")
    assert page.get_by_text("Your Instagram account @kopi.creator is connected.").is_visible()
    instagram = page.locator("#platform-instagram")
    assert instagram.get_by_text("Connected", exact=True).is_visible()
    assert instagram.get_by_text("Verified", exact=True).is_visible()

    connect(page, "TikTok", "kopi.creator")
    assert page.locator("#platform-tiktok").get_by_text("Connected", exact=True).is_visible()

    connections = {c.platform: c for c in PlatformConnection.objects.filter(profile=profile)}
    assert set(connections) == {"instagram", "tiktok"}
    assert all(c.is_connected and c.last_refreshed_at for c in connections.values())
    instagram_account = connections["instagram"].account
    instagram_account.refresh_from_db()
    assert instagram_account.metrics_source == "verified"
    assert instagram_account.followers != 50_000  # the platform's number won over the typed one
    assert instagram_account.self_reported["followers"] == 50_000
    # The tokens are stored encrypted and never shown.
    assert connections["instagram"].access_token not in page.content()

    # The public media kit: verified numbers with their date, the audience, recent posts.
    page.goto(profile.get_absolute_url())
    assert page.get_by_test_id("metrics-source").first.inner_text().startswith("Verified ·")
    assert page.get_by_role("heading", name=re.compile("Audience")).first.is_visible()
    assert page.locator("img[src*='platforms/posts/']").count() >= 1


def test_cancelling_on_the_consent_page_says_so_and_connects_nothing(page, platforms):
    profile = CreatorProfileFactory()
    sign_in(page, profile.user.email)
    page.goto("/platforms/")
    page.get_by_role("button", name="Connect Instagram").click()
    page.wait_for_url(re.compile(r"/instagram/oauth/authorize"))
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/platforms/(#_)?$"))
    assert page.get_by_text("You did not allow Kolabo to read your Instagram account").is_visible()
    assert not PlatformConnection.objects.filter(profile=profile).exists()
