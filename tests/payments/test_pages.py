"""The money pages: creator earnings, campaign spend, and the staff payout review queue.

Nothing here reaches Stripe: approving queues the transfer task after commit, and these tests never
run that callback (the transfer itself is covered by the Stripe flow tests).
"""

import re
import time
from decimal import Decimal

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import campaign_closing
from payments.models import CampaignFunding, CampaignRefund, ConnectedAccount, Payout
from payments.services import payouts
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)
from tests.marketplace.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FEE = Decimal("1000000.00")
S = Payout.Status


# Helpers


def login_with_mfa(client, user):
    """Log in the way staff do: password, then the authenticator code (the session records MFA)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session.get("_auth_user_id") == str(user.pk)
    client.get(reverse("dashboard"))  # shows (and so clears) the "signed in" message
    return client


@pytest.fixture
def staff_client(client, staff_user):
    return login_with_mfa(client, staff_user)


def completed_payout(campaign, creator_profile, by_user, *, fee=FEE) -> Payout:
    """Accept the creator, complete the work: the collaboration opens a payout request."""
    collaboration = start_collaboration(campaign, creator_profile, by_user=by_user, fee=fee)
    complete_collaboration(collaboration, by_user)
    return Payout.objects.get(collaboration=collaboration)


def payouts_enabled(creator_profile) -> ConnectedAccount:
    return ConnectedAccount.objects.create(
        creator=creator_profile, stripe_id=f"acct_test{creator_profile.pk}", payouts_enabled=True
    )


def messages_of(client, response) -> list[str]:
    """The messages the redirect target shows (reading them there clears them for the next step)."""
    assert response.status_code == 302
    page = client.get(response["Location"])
    return [str(message) for message in page.context["messages"]]


def amount_cell(html: str, key: str) -> str:
    """The text of the element marked data-amount="key" (spend stats, earnings cells)."""
    match = re.search(rf'data-amount="{key}"[^>]*>(?:<strong>)?([^<]+)<', html)
    assert match, f"no {key} amount on the page"
    return match.group(1).strip()


# Earnings


def test_earnings_are_for_creators_only(client, brand_owner, staff_user):
    url = reverse("payments:earnings")
    assert client.get(url).status_code == 302  # anonymous: log in first

    for user in (brand_owner, staff_user):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_earnings_show_each_currency_from_the_ledger_and_the_payouts(client, brand_org, brand_owner, creator):
    profile = creator.creator_profile
    payouts_enabled(profile)
    reviewer = UserFactory(is_staff=True)
    # IDR: one payout waiting for review, one rejected (still owed: rejecting moves no money).
    waiting = completed_payout(CampaignFactory(organization=brand_org), profile, brand_owner)
    rejected = completed_payout(CampaignFactory(organization=brand_org), profile, brand_owner)
    payouts.payout_reject(payout=rejected, by_user=reviewer, reason="The post was deleted after a day.")
    # USD: approved, its transfer not sent yet.
    usd = CampaignFactory(
        organization=brand_org, currency="USD", fee_min=Decimal("150"), fee_max=Decimal("150")
    )
    approved = completed_payout(usd, profile, brand_owner, fee=Decimal("150.00"))
    payouts.payout_approve(payout=approved, by_user=reviewer)

    client.force_login(creator)
    response = client.get(reverse("payments:earnings"))

    lines = {line.currency: line for line in response.context["lines"]}
    assert list(lines) == ["IDR", "USD"]
    assert (lines["IDR"].owed, lines["IDR"].pending, lines["IDR"].sending) == (2 * FEE, FEE, 0)
    assert (lines["USD"].owed, lines["USD"].pending, lines["USD"].sending) == (
        Decimal("150.00"),
        0,
        Decimal("150.00"),
    )
    assert lines["IDR"].paid == lines["IDR"].failed == lines["USD"].paid == 0
    html = response.content.decode()
    assert 'data-amount="owed">Rp 2.000.000<' in html
    assert 'data-amount="sending">US$150.00<' in html
    assert "The post was deleted after a day." in html  # the rejection note reaches the creator
    assert f'id="payout-{waiting.pk}"' in html and "Waiting for review" in html


def test_earnings_offer_get_paid_until_stripe_is_set_up(client, creator):
    profile = creator.creator_profile
    client.force_login(creator)
    url = reverse("payments:earnings")

    html = client.get(url).content.decode()
    assert f'action="{reverse("payments:get_paid")}"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Get paid" in html

    account = ConnectedAccount.objects.create(
        creator=profile, stripe_id="acct_half", requirements_due=["individual.id_number"]
    )
    html = client.get(url).content.decode()
    assert "Continue set-up" in html and "individual.id_number" in html
    assert "Payouts enabled" not in html

    account.payouts_enabled, account.requirements_due = True, []
    account.last_payout_failure = "The bank account is closed."
    account.save()
    html = client.get(url).content.decode()
    assert "Payouts enabled" in html
    assert "Continue set-up" not in html and "Get paid</button>" not in html
    assert "Your bank did not accept the last payout from Stripe" in html
    assert "The bank account is closed." not in html  # Stripe's wording stays with staff


# Campaign spend


def test_campaign_spend_is_for_members_of_the_organization(client, campaign, outsider, ngo_manager, creator):
    url = reverse("payments:campaign_spend", args=[campaign.pk])
    for user in (outsider, ngo_manager, creator):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_viewers_see_the_spend_but_only_owners_and_managers_can_fund(
    client, brand_org, brand_manager, brand_viewer
):
    unfunded = CampaignFactory(organization=brand_org, funded=False)
    url = reverse("payments:campaign_spend", args=[unfunded.pk])
    fund_action = f'action="{reverse("payments:funding_start", args=[unfunded.pk])}"'

    client.force_login(brand_viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["needed"] == 2 * FEE
    assert fund_action not in response.content.decode()

    client.force_login(brand_manager)
    html = client.get(url).content.decode()
    assert fund_action in html
    # The fee (10% for brands) comes on top of what creators receive.
    assert "Kolabo's fee is 10% on top: Rp 200.000. You pay Rp 2.200.000 at checkout." in html


def test_no_fund_button_when_fully_funded_or_no_longer_open(client, campaign, brand_manager):
    client.force_login(brand_manager)
    url = reverse("payments:campaign_spend", args=[campaign.pk])
    fund_action = reverse("payments:funding_start", args=[campaign.pk])

    assert fund_action not in client.get(url).content.decode()  # the factory funded both slots

    short = CampaignFactory(
        organization=campaign.organization, funded=False, status=Campaign.Status.PUBLISHED
    )
    Campaign.objects.filter(pk=short.pk).update(status=Campaign.Status.CLOSED)
    response = client.get(reverse("payments:campaign_spend", args=[short.pk]))
    assert response.context["needed"] == 0  # a closed campaign never says "still needed"
    assert response.context["can_fund"] is False
    assert reverse("payments:funding_start", args=[short.pk]) not in response.content.decode()


def test_spend_numbers_after_funding_accepting_and_completing(client, campaign, brand_owner):
    completed_payout(campaign, make_creator(), brand_owner)

    client.force_login(brand_owner)
    response = client.get(reverse("payments:campaign_spend", args=[campaign.pk]))

    totals = response.context["totals"]
    assert totals["funded"] == 2 * FEE
    assert totals["available"] == FEE  # the second slot
    assert totals["reserved"] == 0  # the completed creator's fee is now owed to them
    assert totals["owed"] == FEE
    assert totals["paid"] == totals["refunded"] == 0
    assert totals["fees"] == 2 * FEE * Decimal("0.10")
    html = response.content.decode()
    assert amount_cell(html, "funded") == "Rp 2.000.000"
    assert amount_cell(html, "owed") == "Rp 1.000.000"
    assert amount_cell(html, "fees") == "Rp 200.000"
    assert "Fully funded for its 2 slots." in html


def test_spend_lists_fundings_with_a_way_back_to_checkout_and_refunds(
    client, campaign, brand_manager, django_capture_on_commit_callbacks
):
    open_funding = CampaignFunding.objects.create(
        campaign=campaign,
        escrow_amount=FEE,
        fee_amount=FEE / 10,
        fee_rate=Decimal("0.10"),
        currency="IDR",
        checkout_session_id="cs_test_open",
        checkout_url="https://checkout.stripe.test/pay/cs_test_open",
    )
    with django_capture_on_commit_callbacks(execute=True):  # offline fundings refund without Stripe
        campaign_closing.campaign_close(campaign=campaign, by_user=brand_manager)

    client.force_login(brand_manager)
    response = client.get(reverse("payments:campaign_spend", args=[campaign.pk]))

    html = response.content.decode()
    assert f'id="funding-{open_funding.pk}"' in html
    # A closed campaign takes no more money: no way back to its open checkout.
    assert "cs_test_open" not in html and "Continue payment" not in html
    refund = CampaignRefund.objects.get()
    assert f'id="refund-{refund.pk}"' in html
    assert amount_cell(html, "refunded") == "Rp 2.200.000"  # both slots, with their share of the fee


def test_the_campaign_page_shows_the_money_line(client, brand_org, brand_owner):
    unfunded = CampaignFactory(organization=brand_org, funded=False)
    client.force_login(brand_owner)

    html = client.get(reverse("campaigns:campaign_manage", args=[unfunded.pk])).content.decode()

    assert "Rp 0 funded · Rp 2.000.000 still needed" in html
    assert reverse("payments:campaign_spend", args=[unfunded.pk]) in html


# Staff queue: who gets in


def test_the_payout_pages_are_404_for_everyone_but_staff(client, campaign, brand_owner, creator, outsider):
    payout = completed_payout(campaign, creator.creator_profile, brand_owner)
    urls = [
        reverse("payments:payout_queue"),
        reverse("payments:payout_detail", args=[payout.pk]),
    ]
    posts = [
        reverse("payments:payouts_bulk_approve"),
        reverse("payments:payout_review", args=[payout.pk, "approve"]),
    ]
    for user in (brand_owner, creator, outsider):
        login_with_mfa(client, user)  # even with a second factor
        for url in urls:
            assert client.get(url).status_code == 404
        for url in posts:
            assert client.post(url, {"payouts": [payout.pk]}).status_code == 404
        client.logout()
    payout.refresh_from_db()
    assert payout.status == S.REQUESTED


def test_staff_without_an_mfa_session_are_sent_to_set_it_up_or_log_in_again(
    client, campaign, brand_owner, staff_user
):
    payout = completed_payout(campaign, make_creator(), brand_owner)
    client.force_login(staff_user)

    response = client.get(reverse("payments:payout_queue"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_mfa_setup") + "?next=%2Fpayments%2Fstaff%2Fpayouts%2F"

    TOTP.activate(staff_user, generate_totp_secret())  # set up, but this session never used it
    for response in (
        client.get(reverse("payments:payout_detail", args=[payout.pk])),
        client.post(reverse("payments:payout_review", args=[payout.pk, "approve"])),
    ):
        # Asked for a code in this session, never the login page (which would send them back: a loop).
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate") + "?next=")
    payout.refresh_from_db()
    assert payout.status == S.REQUESTED


# Staff queue: the list and bulk approval


def test_the_queue_shows_payouts_to_review_newest_first_with_stripe_readiness(
    staff_client, brand_org, brand_owner
):
    campaign = CampaignFactory(organization=brand_org, slots=3)
    ready, not_ready, done = make_creator(), make_creator(), make_creator()
    payouts_enabled(ready)
    payouts_enabled(done)
    first = completed_payout(campaign, ready, brand_owner)
    second = completed_payout(campaign, not_ready, brand_owner)
    approved = completed_payout(campaign, done, brand_owner)
    reviewer = UserFactory(is_staff=True)
    payouts.payout_hold(payout=second, by_user=reviewer, note="Checking the post")
    payouts.payout_approve(payout=approved, by_user=reviewer)

    response = staff_client.get(reverse("payments:payout_queue"))

    assert [p.pk for p in response.context["page"].object_list] == [second.pk, first.pk]
    html = response.content.decode()
    assert re.search(rf'id="payout-{first.pk}".*?data-stripe-ready="yes"', html, re.S)
    assert re.search(rf'id="payout-{second.pk}".*?data-stripe-ready="no"', html, re.S)
    assert ready.display_name in html and brand_org.name in html and campaign.title in html

    response = staff_client.get(reverse("payments:payout_queue"), {"status": "approved"})
    assert [p.pk for p in response.context["page"].object_list] == [approved.pk]
    assert 'name="payouts"' not in response.content.decode()  # nothing to tick: already approved


def test_bulk_approve_approves_the_ready_ones_and_explains_each_refusal(
    staff_client, brand_org, brand_owner, creator, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=brand_org, slots=3)
    creators = [make_creator(), make_creator(), creator.creator_profile]  # Ayu has no Stripe account
    for profile in creators[:2]:
        payouts_enabled(profile)
    requested = [completed_payout(campaign, profile, brand_owner) for profile in creators]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(
            reverse("payments:payouts_bulk_approve"),
            {"payouts": [p.pk for p in requested], "status": "review"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:payout_queue") + "?status=review"
    statuses = [Payout.objects.get(pk=p.pk).status for p in requested]
    assert statuses == [S.APPROVED, S.APPROVED, S.REQUESTED]
    assert len(callbacks) == 2  # one transfer queued per approved payout, sent after commit
    notes = messages_of(staff_client, response)
    assert "2 payouts approved; their transfers are being sent to Stripe." in notes
    assert (
        f"Payout #{requested[2].pk} not approved: Ayu Lestari has not finished setting up Stripe payouts yet; "
        "hold the payout until they do."
    ) in notes


def test_bulk_approve_needs_a_selection(staff_client):
    response = staff_client.post(reverse("payments:payouts_bulk_approve"), {"payouts": []})

    assert response.status_code == 302
    assert messages_of(staff_client, response) == ["Select at least one payout."]

    response = staff_client.post(reverse("payments:payouts_bulk_approve"), {"payouts": ["x"]})
    assert messages_of(staff_client, response) == [
        "The selection is not valid; reload the page and try again."
    ]


def test_the_queue_runs_the_same_queries_for_1_and_30_payouts(
    staff_client, brand_org, brand_owner, django_assert_max_num_queries
):
    campaign = CampaignFactory(organization=brand_org, slots=30)
    collaborations = [start_collaboration(campaign, make_creator(), by_user=brand_owner) for _ in range(30)]

    def open_payout(index):
        if index % 2:
            payouts_enabled(collaborations[index].creator)
        payouts.payout_request(collaboration=collaborations[index], amount=FEE)

    open_payout(0)
    url = reverse("payments:payout_queue")
    staff_client.get(url)  # the session's first page view settles its own writes
    with django_assert_max_num_queries(10) as one:
        response = staff_client.get(url)
    assert len(response.context["page"].object_list) == 1

    for index in range(1, 30):
        open_payout(index)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = staff_client.get(url)
    assert len(response.context["page"].object_list) == 30


# Staff review of one payout


@pytest.fixture
def payout(campaign, brand_owner, creator):
    return completed_payout(campaign, creator.creator_profile, brand_owner)


def test_the_detail_page_shows_the_evidence(staff_client, payout, creator):
    response = staff_client.get(reverse("payments:payout_detail", args=[payout.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Kopi at sahur" in html and "Kopi Nusantara" in html and "Ayu Lestari" in html
    assert 'href="https://instagram.com/p/abc"' in html  # the published post
    assert "Confirmed by the brand on" in html
    assert response.context["draft_rounds"] == 1
    references = {entry.transaction.reference for entry in response.context["ledger_entries"]}
    assert references == {f"reserve:{payout.collaboration_id}", f"payable:{payout.collaboration_id}"}
    assert [event.action for event in response.context["audit_events"]] == ["payout.requested"]
    for action in ("approve", "reject", "hold"):
        assert reverse("payments:payout_review", args=[payout.pk, action]) in html


def test_approve_from_the_detail_page(staff_client, payout, creator, django_capture_on_commit_callbacks):
    url = reverse("payments:payout_review", args=[payout.pk, "approve"])
    detail = reverse("payments:payout_detail", args=[payout.pk])

    response = staff_client.post(url)  # no Stripe account yet: refused, with the reason
    assert response["Location"] == detail
    assert (
        "Ayu Lestari has not finished setting up Stripe payouts yet" in messages_of(staff_client, response)[0]
    )
    payout.refresh_from_db()
    assert payout.status == S.REQUESTED

    payouts_enabled(creator.creator_profile)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(url)
    assert response["Location"] == detail
    assert messages_of(staff_client, response) == [
        "Approved: the transfer of Rp 1.000.000 to Ayu Lestari is being sent to Stripe."
    ]
    payout.refresh_from_db()
    assert payout.status == S.APPROVED
    assert len(callbacks) == 1

    response = staff_client.post(url)  # twice: the service refuses, nothing else is queued
    assert (
        "Only payouts waiting for review or on hold can be approved" in messages_of(staff_client, response)[0]
    )


def test_reject_needs_a_reason_the_creator_then_reads(staff_client, payout, client, creator):
    url = reverse("payments:payout_review", args=[payout.pk, "reject"])

    response = staff_client.post(url, {"reason": "   "})
    assert response.status_code == 400
    assert "Say why the payout is rejected; the creator will read it." in response.content.decode()
    payout.refresh_from_db()
    assert payout.status == S.REQUESTED

    response = staff_client.post(url, {"reason": "The post is not public."})
    assert response["Location"] == reverse("payments:payout_detail", args=[payout.pk])
    payout.refresh_from_db()
    assert (payout.status, payout.review_note) == (S.REJECTED, "The post is not public.")


def test_hold_with_a_note_then_only_approve_or_reject(staff_client, payout):
    url = reverse("payments:payout_review", args=[payout.pk, "hold"])

    response = staff_client.post(url, {"note": "Brand asked us to wait"})
    payout.refresh_from_db()
    assert (payout.status, payout.review_note) == (S.HELD, "Brand asked us to wait")
    assert messages_of(staff_client, response) == [
        "On hold: Rp 1.000.000 to Ayu Lestari waits until you approve or reject it."
    ]

    response = staff_client.post(url, {"note": ""})
    assert messages_of(staff_client, response) == ["Only payouts waiting for review can be put on hold."]
    html = staff_client.get(reverse("payments:payout_detail", args=[payout.pk])).content.decode()
    assert reverse("payments:payout_review", args=[payout.pk, "reject"]) in html
    assert reverse("payments:payout_review", args=[payout.pk, "hold"]) not in html


def test_review_takes_only_known_actions_and_only_by_post(staff_client, payout):
    assert staff_client.post(reverse("payments:payout_review", args=[payout.pk, "pay"])).status_code == 404
    assert staff_client.get(reverse("payments:payout_review", args=[payout.pk, "approve"])).status_code == 405
    assert (
        staff_client.post(reverse("payments:payout_review", args=[payout.pk + 999, "approve"])).status_code
        == 404
    )


def test_navigation_links_to_earnings_and_the_payout_queue(client, creator, staff_user):
    client.force_login(creator)
    assert reverse("payments:earnings") in client.get(reverse("dashboard")).content.decode()

    client.force_login(staff_user)
    assert reverse("payments:payout_queue") in client.get(reverse("dashboard")).content.decode()
