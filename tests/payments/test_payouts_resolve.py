"""A failed payout is not a dead end: Kolabo's reason code (from Stripe's error code), messages in our
own words with the next step, and staff retry (never twice) or close (the fee goes back to the
campaign). Through the official library against the local emulator; pages and API call the same
services."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from campaigns.models import Campaign
from marketplace.errors import InvalidTransition, ValidationFailed
from payments.ledger import campaign_totals, creator_payable, escrow_available
from payments.models import CampaignRefund, ConnectedAccount, LedgerTransaction, Payout
from payments.services import accounts, payouts
from tests.api.conftest import bearer, make_token
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)
from tests.payments import test_stripe_flows as flows
from tests.payments.test_pages import login_with_mfa
from tests.payments.test_stripe_flows import FEE, onboarded, transfers

S, F = Payout.Status, Payout.FailureCode
owed = flows.owed  # a completed collaboration funded at Stripe, its payout waiting for review
RAW = "Your destination account needs to have at least one of the following capabilities enabled"

pytestmark = pytest.mark.django_db


def send(payout, by_user, capture, action=payouts.payout_approve):
    with capture(execute=True):
        action(payout=payout, by_user=by_user)
    payout.refresh_from_db()
    return payout


@pytest.fixture
def offline_owed(emulator, brand_org, brand_manager):
    """A payout on a campaign funded by bank transfer: the ledger holds money Stripe does not."""
    campaign = CampaignFactory(organization=brand_org)
    creator = make_creator()
    account = onboarded(creator)
    emulator.complete_onboarding(account.stripe_id)
    accounts.connected_account_sync(stripe_id=account.stripe_id)
    collaboration = start_collaboration(campaign, creator, by_user=brand_manager)
    complete_collaboration(collaboration, brand_manager)
    return Payout.objects.get(collaboration=collaboration)


@pytest.fixture
def not_ready(owed, staff_user, emulator, django_capture_on_commit_callbacks):
    """Stripe refused the transfer: the creator's account cannot receive payouts."""
    emulator.fail_transfers(1, code="insufficient_capabilities_for_transfer", message=RAW)
    return send(owed, staff_user, django_capture_on_commit_callbacks)


# Reason codes


def test_a_refusal_for_the_creators_account_is_stored_as_our_reason_code(not_ready):
    assert not_ready.status == S.FAILED
    assert not_ready.failure_code == F.ACCOUNT_NOT_READY
    assert RAW in not_ready.failure_reason  # kept for staff, as a technical detail
    assert not_ready.creator_must_finish_setup


def test_an_empty_platform_balance_fails_as_balance_low(
    offline_owed, staff_user, django_capture_on_commit_callbacks
):
    payout = send(offline_owed, staff_user, django_capture_on_commit_callbacks)

    assert payout.status == S.FAILED and payout.failure_code == F.BALANCE_LOW


def test_an_account_stripe_does_not_know_fails_as_account_missing(
    owed, staff_user, django_capture_on_commit_callbacks
):
    ConnectedAccount.objects.filter(creator=owed.creator).update(stripe_id="acct_gone")

    payout = send(owed, staff_user, django_capture_on_commit_callbacks)

    assert payout.status == S.FAILED and payout.failure_code == F.ACCOUNT_MISSING


def test_an_unmapped_stripe_code_fails_as_unknown(
    owed, staff_user, emulator, django_capture_on_commit_callbacks
):
    emulator.fail_transfers(1, code="platform_api_key_expired", message="Expired.")

    assert send(owed, staff_user, django_capture_on_commit_callbacks).failure_code == F.UNKNOWN


# Retry


def test_a_retry_after_the_cause_is_fixed_pays_once_with_a_new_attempt_key(
    not_ready, staff_user, emulator, django_capture_on_commit_callbacks
):
    payout = send(not_ready, staff_user, django_capture_on_commit_callbacks, payouts.payout_retry)

    assert payout.status == S.PAID
    assert payout.attempt == 2 and payout.idempotency_key == f"payout-{payout.pk}-2"
    assert len(transfers(emulator, payout)) == 1
    assert creator_payable(collaboration_id=payout.collaboration_id) == 0
    references = set(
        LedgerTransaction.objects.filter(collaboration=payout.collaboration_id).values_list(
            "reference", flat=True
        )
    )
    assert {f"payout:{payout.pk}:1", f"payout-reversal:{payout.pk}:1", f"payout:{payout.pk}:2"} <= references
    actions = [payout.collaboration.payouts.get().pk for _ in [0]]
    assert actions == [payout.pk]
    call_command("ledger_check")  # balanced, and Stripe holds exactly the one transfer


def test_a_retry_first_finds_a_transfer_stripe_already_holds_and_sends_nothing(
    owed, staff_user, emulator, django_capture_on_commit_callbacks
):
    # Given a payout recorded as failed although Stripe made its transfer (the answer was lost)
    emulator.timeout_transfers(1)
    payouts.payout_approve(payout=owed, by_user=staff_user)
    assert payouts.payout_send(payout_id=owed.pk) == S.UNKNOWN
    Payout.objects.filter(pk=owed.pk).update(status=S.FAILED, failure_code=F.UNKNOWN)
    payouts._post_reversal(Payout.objects.get(pk=owed.pk))
    (made,) = transfers(emulator, owed)

    # When staff retry it
    payout = send(owed, staff_user, django_capture_on_commit_callbacks, payouts.payout_retry)

    # Then the group is looked up first: the existing transfer is the payment, none is added
    assert payout.status == S.PAID and payout.transfer_id == made["id"]
    assert len(transfers(emulator, payout)) == 1
    assert creator_payable(collaboration_id=payout.collaboration_id) == 0


def test_a_balance_low_payout_is_retried_only_once_the_balance_covers_it(
    offline_owed, staff_user, django_capture_on_commit_callbacks
):
    payout = send(offline_owed, staff_user, django_capture_on_commit_callbacks)
    with pytest.raises(InvalidTransition, match="still lower than this payout"):
        payouts.payout_retry(payout=payout, by_user=staff_user)

    call_command("demo_stripe_sync", domain="nobody.example")  # tops Stripe up to the ledger

    assert send(payout, staff_user, django_capture_on_commit_callbacks, payouts.payout_retry).status == S.PAID


def test_retry_is_refused_for_a_payout_that_did_not_fail_or_an_account_still_not_ready(
    owed, not_ready, staff_user, brand_org, brand_manager
):
    with pytest.raises(InvalidTransition, match="Only a failed payout can be retried"):
        fresh = CampaignFactory(organization=brand_org)
        other = make_creator()
        collaboration = start_collaboration(fresh, other, by_user=brand_manager)
        complete_collaboration(collaboration, brand_manager)
        payouts.payout_retry(payout=Payout.objects.get(collaboration=collaboration), by_user=staff_user)
    ConnectedAccount.objects.filter(creator=not_ready.creator).update(payouts_enabled=False)
    with pytest.raises(InvalidTransition, match="has not finished setting up Stripe payouts"):
        payouts.payout_retry(payout=not_ready, by_user=staff_user)
    with pytest.raises(Exception):  # noqa: B017 - any refusal: only staff resolve payouts
        payouts.payout_retry(payout=not_ready, by_user=not_ready.creator.user)
    not_ready.refresh_from_db()
    assert not_ready.status == S.FAILED


# Close


def test_closing_returns_the_fee_to_the_campaign_and_keeps_the_books_balanced(
    not_ready, staff_user, django_capture_on_commit_callbacks
):
    campaign_id = not_ready.collaboration.campaign_id
    available = escrow_available(campaign_id=campaign_id, currency=not_ready.currency)
    with pytest.raises(ValidationFailed):
        payouts.payout_close(payout=not_ready, by_user=staff_user, reason="   ")

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_close(payout=not_ready, by_user=staff_user, reason="The creator left the programme.")

    not_ready.refresh_from_db()
    assert not_ready.status == S.CLOSED and not_ready.review_note == "The creator left the programme."
    assert creator_payable(collaboration_id=not_ready.collaboration_id) == 0
    assert escrow_available(campaign_id=campaign_id, currency=not_ready.currency) == available + FEE
    assert (
        LedgerTransaction.objects.filter(
            kind="payable_returned", collaboration=not_ready.collaboration
        ).count()
        == 1
    )
    assert not_ready.creator.user.notifications.filter(kind="payout.closed").exists()
    with pytest.raises(InvalidTransition):
        payouts.payout_retry(payout=not_ready, by_user=staff_user)
    call_command("ledger_check")


def test_closing_a_payout_of_a_closed_campaign_refunds_the_brand(
    not_ready, staff_user, django_capture_on_commit_callbacks
):
    Campaign.objects.filter(pk=not_ready.collaboration.campaign_id).update(status=Campaign.Status.CLOSED)

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_close(payout=not_ready, by_user=staff_user, reason="Duplicate account.")

    refund = CampaignRefund.objects.get(campaign=not_ready.collaboration.campaign_id)
    assert refund.escrow_amount >= FEE
    totals = campaign_totals(campaign_id=not_ready.collaboration.campaign_id)[not_ready.currency]
    assert totals["available"] == 0


def test_only_a_failed_payout_can_be_closed(owed, staff_user):
    with pytest.raises(InvalidTransition, match="Only a failed payout can be closed"):
        payouts.payout_close(payout=owed, by_user=staff_user, reason="No.")


# What people read


def test_the_creator_reads_our_reason_and_next_step_never_stripes_message(not_ready, client):
    ConnectedAccount.objects.filter(creator=not_ready.creator).update(payouts_enabled=False)  # as Stripe says
    client.force_login(not_ready.creator.user)

    html = client.get(reverse("payments:earnings")).content.decode()

    assert RAW not in html
    assert "Finish your Stripe set-up" in html and 'href="#stripe-setup"' in html
    assert "on its way" not in html
    api = bearer(make_token(not_ready.creator.user)).get(reverse("api:payouts")).json()["results"][0]
    assert "failure_reason" not in api
    assert api["failure_code"] == F.ACCOUNT_NOT_READY
    assert "Finish your Stripe set-up" in api["failure_message"]
    notification = not_ready.creator.user.notifications.get(kind="payout.failed")
    assert RAW not in str(notification.params)


@pytest.fixture
def staff_client(staff_user):
    return login_with_mfa(Client(), staff_user)


def test_staff_see_the_reason_the_next_step_and_stripes_detail_with_retry_and_close(not_ready, staff_client):
    html = staff_client.get(reverse("payments:payout_detail", args=[not_ready.pk])).content.decode()

    assert "The creator&#x27;s Stripe account cannot receive payouts" in html
    assert "Retry once their account shows payouts enabled" in html
    assert RAW in html  # the technical detail, for staff only
    for action in ("retry", "close"):
        assert reverse("payments:payout_review", args=[not_ready.pk, action]) in html
    assert "on its way" not in html


def test_the_payout_history_reads_in_words_not_keys(not_ready, staff_client):
    response = staff_client.get(reverse("payments:payout_detail", args=[not_ready.pk]))
    html = response.content.decode()

    assert "payout.requested" not in html and "requested →" not in html
    assert "Payout requested" in html and "Waiting for review" in html
    assert "Stripe did not accept the transfer" in html and "Sending → Failed" in html


# Transactional: the send runs at commit, inside the request, as in the default run.
@pytest.mark.django_db(transaction=True)
def test_retry_and_close_from_the_staff_pages(not_ready, staff_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("payments:payout_review", args=[not_ready.pk, "retry"]))
    assert response.status_code == 302
    page = staff_client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        f"Paid: Rp 1.000.000 was sent to {not_ready.creator.display_name}."
    ]
    not_ready.refresh_from_db()
    assert not_ready.status == S.PAID

    response = staff_client.post(
        reverse("payments:payout_review", args=[not_ready.pk, "close"]), {"reason": "x"}
    )
    assert "Only a failed payout can be closed" in next(
        str(m) for m in staff_client.get(response["Location"]).context["messages"]
    )


def test_closing_from_the_page_needs_a_reason(not_ready, staff_client):
    url = reverse("payments:payout_review", args=[not_ready.pk, "close"])

    assert staff_client.post(url, {"reason": ""}).status_code == 400
    response = staff_client.post(url, {"reason": "Creator asked to donate the fee."})

    assert response.status_code == 302
    not_ready.refresh_from_db()
    assert not_ready.status == S.CLOSED


# Transactional: the send runs at commit, inside the request, as in the default run.
@pytest.mark.django_db(transaction=True)
def test_a_failed_approval_on_the_page_says_so_instead_of_on_its_way(
    owed, staff_client, emulator, django_capture_on_commit_callbacks
):
    emulator.fail_transfers(1, code="balance_insufficient", message="You have insufficient available funds.")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("payments:payout_review", args=[owed.pk, "approve"]))

    notes = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert notes == [
        "Stripe did not accept the transfer. "
        "Kolabo's available Stripe balance is lower than this payout. Top up the platform balance, then retry."
    ]


# API


@pytest.fixture
def staff_api(staff_user):
    browser = login_with_mfa(Client(), staff_user)
    api = APIClient()
    api.cookies = browser.cookies
    return api


# Transactional: the send runs at commit, inside the request, as in the default run.
@pytest.mark.django_db(transaction=True)
def test_staff_retry_and_close_through_the_api(
    not_ready, staff_api, emulator, brand_org, brand_manager, django_capture_on_commit_callbacks
):
    listed = staff_api.get(reverse("api:staff_payouts"), {"status": "failed"}).json()["results"][0]
    assert listed["failure_code"] == F.ACCOUNT_NOT_READY and RAW in listed["failure_reason"]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(reverse("api:staff_payout_retry", args=[not_ready.pk]))
    assert response.status_code == 200 and response.json()["status"] == S.PAID

    again = staff_api.post(reverse("api:staff_payout_retry", args=[not_ready.pk]))
    assert again.status_code == 409

    emulator.fail_transfers(1, code="transfers_not_allowed")
    campaign = CampaignFactory(organization=brand_org, funded=False)
    emulator.credit(10_000_000_000, "idr")
    from payments.services.escrow import funding_record_paid

    funding_record_paid(campaign=campaign, amount=FEE * campaign.slots, note="test")
    creator = make_creator()
    emulator.complete_onboarding(onboarded(creator).stripe_id)
    accounts.connected_account_sync(stripe_id=creator.stripe_account.stripe_id)
    collaboration = start_collaboration(campaign, creator, by_user=brand_manager)
    complete_collaboration(collaboration, brand_manager)
    failed = Payout.objects.get(collaboration=collaboration)
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=failed, by_user=not_ready.reviewed_by)
    url = reverse("api:staff_payout_close", args=[failed.pk])
    assert staff_api.post(url, {}, format="json").status_code == 400
    closed = staff_api.post(url, {"reason": "Fraud check failed."}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == S.CLOSED


def test_retry_and_close_are_for_staff_sessions_with_mfa_only(not_ready, brand_owner):
    token = bearer(make_token(not_ready.reviewed_by))
    outsider = APIClient()
    outsider.force_login(brand_owner)
    for caller in (token, outsider):
        assert caller.post(reverse("api:staff_payout_retry", args=[not_ready.pk])).status_code == 403
        response = caller.post(reverse("api:staff_payout_close", args=[not_ready.pk]), {"reason": "x"})
        assert response.status_code == 403
    not_ready.refresh_from_db()
    assert not_ready.status == S.FAILED


def test_a_failed_bank_payout_is_explained_to_the_creator_without_stripes_message(client, emulator):
    from marketplace.notifications import render_text

    creator = make_creator()
    account = onboarded(creator)
    raw = "The bank account number is closed (code 4711)."
    emulator.payout_failed(account.stripe_id, failure_message=raw)
    (event,) = flows.event_ids(emulator, "payout.failed")
    assert flows.deliver(client, emulator, event).status_code == 200

    client.force_login(creator.user)
    html = client.get(reverse("payments:earnings")).content.decode()

    assert raw not in html
    assert "Your bank did not accept the last payout from Stripe" in html
    notification = creator.user.notifications.get(kind="payout.bank_failed")
    assert raw not in render_text(notification)
