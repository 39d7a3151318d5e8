"""The money journey on a freshly seeded demo, through the pages, with demo accounts only.

What `make run` does first: seed_demo, then demo_stripe_sync against an empty Stripe emulator. Then a
demo creator who fits a funded brief applies, is accepted, delivers, is confirmed, sets up Stripe
payouts, and is paid after the demo reviewer turns on TOTP in the same session and approves.

The reported bugs this walks through: a creator on a fresh demo was never paid (empty Stripe
balance), and the payout queue and the login page redirected to each other after TOTP was turned on.
"""

import io
import re
import time
from collections import Counter
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import expect

from campaigns.eligibility import check_eligibility
from campaigns.models import Application, Campaign, Collaboration, CollaborationDeliverable, Invitation
from campaigns.services.applications import application_refusal
from creators.models import CreatorProfile
from marketplace.management.commands.seed_demo import DOMAIN, PASSWORD
from payments.models import ConnectedAccount, Payout
from payments.services.escrow import funding_state
from tests.marketplace.mfa_helpers import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CREATORS = 40  # enough for the first brief's seeded stages and a free slot; keeps the seed fast
TOTP_PERIOD = 30
TOTP_MARGIN = 5  # seconds: a code typed this close to the end of its window may expire in transit


@pytest.fixture
def demo(emulator, live_server):
    """A fresh demo, as `make run` leaves it: seeded, and Stripe made to match the ledger."""
    # A browser test that ran before this one flushed the tables, the niches and causes that the
    # migration loads included; a freshly migrated database has them, and seed_demo needs them.
    import_module("creators.migrations.0001_initial").load_taxonomy(apps, None)
    call_command("seed_demo", creators=CREATORS, stdout=io.StringIO())
    emulator.set_webhook_url(f"{live_server.url}/payments/stripe/webhook/")
    call_command("demo_stripe_sync", stdout=io.StringIO())
    emulator.wait_for_webhooks()
    return emulator


@pytest.fixture
def sign_in(browser, live_server):
    """Log a demo account in through the login page, each in its own browser context."""
    contexts = []

    def sign_in(email):
        context = browser.new_context(base_url=live_server.url, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.get_by_placeholder("Email address").fill(email)
        page.get_by_placeholder("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_url(re.compile(r"/dashboard/$"))
        return page

    yield sign_in
    for context in contexts:
        context.close()


def funded_brief_with_a_free_slot() -> Campaign:
    for campaign in Campaign.objects.filter(status=Campaign.Status.PUBLISHED).order_by("pk"):
        if not campaign.is_paid:
            continue
        state = funding_state(campaign)
        if state.open_slots and state.totals["available"] >= state.brief_fee > 0:
            return campaign
    raise AssertionError("the seed left no published, funded brief with a free slot")


def newcomer_for(campaign: Campaign) -> CreatorProfile:
    """A demo creator who meets the brief's rules, has never worked on Kolabo nor set up Stripe,
    and whose name is unique, so the brand can tell them apart on the applicants page."""
    demo = CreatorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}")
    names = Counter(demo.values_list("display_name", flat=True))
    busy = set(Collaboration.objects.values_list("creator_id", flat=True))
    busy |= set(Application.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    busy |= set(Invitation.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    busy |= set(ConnectedAccount.objects.values_list("creator_id", flat=True))
    for creator in demo.exclude(pk__in=busy).select_related("user").order_by("user__email"):
        if (
            names[creator.display_name] == 1
            and check_eligibility(campaign=campaign, creator=creator).eligible
            and application_refusal(campaign=campaign, creator=creator) is None
        ):
            return creator
    raise AssertionError(f"no demo creator can apply to {campaign.title!r}")


def deliverable_status(pk: int) -> str:
    return CollaborationDeliverable.objects.values_list("status", flat=True).get(pk=pk)


def fresh_totp_code(secret: str) -> str:
    """The code an authenticator shows now, waiting for the next window when this one is ending."""
    left = TOTP_PERIOD - time.time() % TOTP_PERIOD
    if left < TOTP_MARGIN:
        time.sleep(left + 0.5)
    return totp_code(secret)


def test_a_demo_creator_is_paid_after_the_reviewer_turns_on_totp_and_approves(demo, sign_in):
    campaign = funded_brief_with_a_free_slot()
    creator_profile = newcomer_for(campaign)
    manager_email = campaign.organization.memberships.get(role="manager").user.email

    # The creator finds the brief in the list and applies at the fee the form offers.
    creator = sign_in(creator_profile.user.email)
    creator.goto("/campaigns/")
    creator.get_by_role("link", name=campaign.title).click()
    creator.get_by_role("button", name="Apply", exact=True).click()
    creator.fill("[name=pitch]", "My followers ask me every week where I buy what I show them.")
    creator.get_by_role("button", name="Send application").click()
    creator.wait_for_url(re.compile(r"/campaigns/me/offers/$"))
    application = Application.objects.get(campaign=campaign, creator=creator_profile)

    # The brand's manager accepts them among the seeded applicants: the slot is free and funded.
    brand = sign_in(manager_email)
    brand.goto(f"/campaigns/{campaign.pk}/applicants/")
    row = brand.get_by_test_id("applicant-row").filter(has_text=creator_profile.display_name)
    accept = row.get_by_role("button", name="Accept", exact=True)
    expect(accept).to_be_enabled()
    accept.click()
    brand.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    collaboration = Collaboration.objects.get(campaign=campaign, creator=creator_profile)
    assert collaboration.fee > 0

    # Each deliverable: the creator submits a draft, the manager approves it, the creator
    # publishes it, and the manager confirms the published post.
    workspace = f"/campaigns/collaborations/{collaboration.pk}/"
    deliverables = list(collaboration.deliverables.order_by("pk").values_list("pk", flat=True))
    assert deliverables
    for number, pk in enumerate(deliverables, start=1):
        creator.goto(workspace)
        panel = creator.locator(f"#deliverable-{pk}")
        panel.locator("[name=link]").fill(f"https://drive.example.com/demo-draft-{number}")
        panel.locator("[name=caption]").fill(f"{campaign.required_hashtags} draft {number}")
        panel.get_by_role("button", name="Submit for review").click()
        creator.wait_for_load_state()
        assert deliverable_status(pk) == CollaborationDeliverable.Status.SUBMITTED

        brand.goto(workspace)
        brand.locator(f"#deliverable-{pk}").get_by_role("button", name="Approve", exact=True).click()
        brand.wait_for_load_state()
        assert deliverable_status(pk) == CollaborationDeliverable.Status.APPROVED

        creator.goto(workspace)
        panel = creator.locator(f"#deliverable-{pk}")
        panel.locator("[name=post_url]").fill(f"https://www.instagram.com/p/kolabo-demo-{number}/")
        panel.locator("[name=views]").fill("8200")
        panel.locator("[name=likes]").fill("640")
        panel.get_by_role("button", name="Mark as published").click()
        creator.wait_for_load_state()
        assert deliverable_status(pk) == CollaborationDeliverable.Status.PUBLISHED

        brand.goto(workspace)
        brand.locator(f"#deliverable-{pk}").get_by_role("button", name="Confirm the published post").click()
        brand.wait_for_load_state()
        assert deliverable_status(pk) == CollaborationDeliverable.Status.CONFIRMED

    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.COMPLETED
    payout = Payout.objects.get(collaboration=collaboration)
    assert payout.status == Payout.Status.REQUESTED
    assert payout.amount > 0

    # The creator sees the payout waiting and sets up Stripe through its (emulated) hosted onboarding.
    creator.goto("/payments/earnings/")
    expect(creator.locator(f"#payout-{payout.pk}").get_by_text("Waiting for review")).to_be_visible()
    creator.get_by_role("button", name="Get paid").click()
    creator.get_by_role("button", name="Complete onboarding").click()
    creator.wait_for_url(re.compile(r"/payments/earnings/$"))
    expect(creator.get_by_text("Payouts enabled")).to_be_visible()

    # The demo reviewer turns on TOTP from the payout queue and lands back on it: no loop.
    reviewer = sign_in(f"reviewer@{DOMAIN}")
    reviewer.goto("/payments/staff/payouts/")
    reviewer.wait_for_url(re.compile(r"/staff/two-factor/\?next="))
    secret = reviewer.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    reviewer.get_by_label("Authenticator code").fill(fresh_totp_code(secret))
    reviewer.get_by_label("Password").fill(PASSWORD)
    reviewer.get_by_role("button", name="Turn on and continue").click()
    expect(reviewer.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    reviewer.get_by_role("button", name="Continue").click()
    reviewer.wait_for_url(re.compile(r"/payments/staff/payouts/$"))
    expect(reviewer.get_by_role("heading", name="Payout queue")).to_be_visible()

    # The reviewer opens the payout, approves it, and sees it paid.
    queued = reviewer.locator(f"#payout-{payout.pk}")
    assert queued.locator("[data-stripe-ready]").get_attribute("data-stripe-ready") == "yes"
    queued.get_by_role("link", name=f"Review #{payout.pk}").click()
    reviewer.wait_for_url(re.compile(rf"/payments/staff/payouts/{payout.pk}/$"))
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    reviewer.wait_for_url(re.compile(rf"/payments/staff/payouts/{payout.pk}/$"))
    said = reviewer.locator("section.messages").inner_text()
    assert re.search(r"Paid: .* was sent to ", said), said
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID, payout.failure_reason

    # The creator's earnings page says Paid, and Stripe holds exactly one transfer for the payout.
    creator.goto("/payments/earnings/")
    line = creator.locator(f"#payout-{payout.pk}")
    expect(line.get_by_text("Paid", exact=True)).to_be_visible()
    expect(line.get_by_text(re.compile(r"Paid on \w"))).to_be_visible()
    status = demo.wait_for_webhooks()
    transfers = [
        t for t in demo.state()["objects"].get("transfer", []) if t["transfer_group"] == payout.transfer_group
    ]
    assert len(transfers) == 1
    assert transfers[0]["destination"] == creator_profile.stripe_account.stripe_id
    assert transfers[0]["id"] == payout.transfer_id
    # Every event Stripe sent along the way, the transfer's included, was taken at the first
    # attempt: no 500 from a locked database, no retry.
    delivered = {d["event"] for d in status["deliveries"]}
    transfer_events = {event["id"] for event in demo.events(type="transfer.*")}
    assert transfer_events and transfer_events <= delivered
    assert [d for d in status["deliveries"] if d["attempt"] != 1 or not 200 <= (d["status"] or 0) < 300] == []
