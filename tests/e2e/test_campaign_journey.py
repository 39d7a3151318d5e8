"""A brief goes from draft to completed through the web pages, with both sides notified."""

import datetime
import re

import pytest
from django.utils import timezone

from campaigns.models import Campaign, Collaboration
from marketplace.models import Notification
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.marketplace.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_placeholder("Email address").fill(email)
    page.get_by_placeholder("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    return page


def test_brief_from_draft_to_completed_through_the_pages(browser, live_server, emulator):
    manager = UserFactory(email="manager@kopi.example", full_name="Maya Manager")
    organization = OrganizationFactory(name="Kopi Nusantara", slug="kopi-nusantara")
    MembershipFactory(organization=organization, user=manager, role="owner")
    creator_user = UserFactory(email="ayu@example.com", full_name="Ayu Lestari")
    profile = CreatorProfileFactory(user=creator_user, display_name="Ayu Lestari", slug="ayu-lestari")
    SocialAccountFactory(profile=profile, handle="ayu.cooks", followers=25_000)
    today = timezone.localdate()

    # The brand manager writes the brief as a draft, then publishes it.
    brand = log_in(browser, live_server, manager.email)
    brand.goto("/campaigns/org/kopi-nusantara/new/")
    brand.fill("[name=title]", "Sahur coffee stories")
    brand.select_option("[name=objective]", "awareness")
    brand.fill("[name=description]", "Show how you brew our coffee at sahur.")
    brand.check("[name=platforms][value=instagram]")
    brand.select_option("[name=deliverables-0-platform]", "instagram")
    brand.select_option("[name=deliverables-0-format]", "reel")
    brand.fill("[name=deliverables-0-quantity]", "1")
    brand.fill("[name=min_followers]", "1000")
    brand.fill("[name=max_followers]", "100000")
    brand.check("[name=fee_mode][value=fixed]")
    brand.fill("[name=fee]", "1500000")
    brand.select_option("[name=currency]", "IDR")
    brand.fill("[name=slots]", "2")
    brand.fill("[name=application_deadline]", (today + datetime.timedelta(days=10)).isoformat())
    brand.fill("[name=content_due_date]", (today + datetime.timedelta(days=30)).isoformat())
    brand.get_by_role("button", name="Save draft").click()
    brand.wait_for_url(re.compile(r"/campaigns/\d+/(manage|edit)/$"))
    campaign = Campaign.objects.get(title="Sahur coffee stories")
    assert campaign.status == Campaign.Status.DRAFT
    brand.goto(f"/campaigns/{campaign.pk}/manage/")
    brand.get_by_role("button", name="Publish").click()
    brand.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED

    # The brand funds both slots through Stripe Checkout (the local emulator) and comes back; the
    # emulator's signed checkout.session.completed webhook credits the escrow.
    emulator.set_webhook_url(f"{live_server.url}/payments/stripe/webhook/")
    brand.goto(f"/payments/campaigns/{campaign.pk}/")
    brand.get_by_role("button", name="Fund this campaign").click()
    brand.get_by_role("button", name="Pay").click()
    brand.wait_for_url(re.compile(rf"/payments/campaigns/{campaign.pk}/$"))
    emulator.wait_for_webhooks()
    assert campaign.fundings.get().status == "paid"

    # The creator finds it, sees why they fit, and applies.
    creator = log_in(browser, live_server, creator_user.email)
    creator.goto("/campaigns/")
    creator.get_by_role("link", name="Sahur coffee stories").click()
    assert creator.get_by_text("25,000 followers").first.is_visible()
    creator.get_by_role("button", name="Apply", exact=True).click()
    creator.fill("[name=pitch]", "I brew kopi tubruk every sahur; my audience loves it.")
    creator.get_by_role("button", name="Send application").click()
    creator.wait_for_load_state()

    # The brand is notified and accepts.
    brand.goto("/notifications/")
    assert brand.get_by_text("Ayu Lestari applied to “Sahur coffee stories”.").is_visible()
    brand.goto(f"/campaigns/{campaign.pk}/applicants/")
    brand.get_by_role("button", name="Accept").click()
    brand.wait_for_load_state()
    collaboration = Collaboration.objects.get(campaign=campaign)
    assert collaboration.fee == 1_500_000

    # Draft → approved → published → confirmed, each side in its own browser.
    workspace = f"/campaigns/collaborations/{collaboration.pk}/"
    creator.goto(workspace)
    creator.fill("[name=link]", "https://drive.example.com/draft-1")
    creator.fill("[name=caption]", "Sahur with Kopi Nusantara #iklan")
    creator.get_by_role("button", name="Submit for review").click()
    creator.wait_for_load_state()

    brand.goto(workspace)
    brand.get_by_role("button", name="Approve").click()
    brand.wait_for_load_state()

    creator.goto(workspace)
    creator.fill("[name=post_url]", "https://www.instagram.com/p/sahur-kopi/")
    creator.fill("[name=views]", "12400")
    creator.fill("[name=likes]", "1310")
    creator.get_by_role("button", name="Mark as published").click()
    creator.wait_for_load_state()

    brand.goto(workspace)
    brand.get_by_role("button", name="Confirm the published post").click()
    brand.wait_for_load_state()

    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.COMPLETED
    creator.goto("/notifications/")
    assert creator.get_by_text(re.compile("is complete. You can now rate each other.")).first.is_visible()
    for user in (manager, creator_user):
        kinds = set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))
        assert "collaboration.completed" in kinds
    assert {"application.created", "submission.created", "deliverable.published"} <= set(
        Notification.objects.filter(recipient=manager).values_list("kind", flat=True)
    )
    assert {"application.accepted", "submission.approved", "deliverable.confirmed"} <= set(
        Notification.objects.filter(recipient=creator_user).values_list("kind", flat=True)
    )
