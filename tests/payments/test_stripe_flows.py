"""Money through Stripe (the local emulator, over HTTP with the official library): funding by
Checkout, creator onboarding, payouts that are paid, fail, or end unknown and are reconciled,
and webhooks that are forged, repeated or shuffled."""

import contextlib
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from marketplace.errors import InvalidTransition
from payments.ledger import campaign_totals, creator_payable
from payments.models import CampaignFunding, ConnectedAccount, LedgerTransaction, Payout, StripeEvent
from payments.services import accounts, escrow, payouts
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)

FEE = Decimal("1000000.00")


def deliver(client, emulator, event_id, timestamp=None):
    signed = emulator.signed_event(event_id, timestamp=timestamp)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=signed["payload"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed["signature"],
    )


def event_ids(emulator, type=None):
    return [event["id"] for event in reversed(emulator.events(type=type))]


def onboarded(creator):
    """The creator's Express account, created through "Get paid" and completed at the emulator."""
    accounts.connected_account_onboarding_url(
        creator=creator,
        by_user=creator.user,
        return_url="http://testserver/r",
        refresh_url="http://testserver/f",
    )
    return ConnectedAccount.objects.get(creator=creator)


# Funding


def test_a_brand_funds_a_campaign_through_checkout(client, emulator, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, funded=False, slots=2)
    client.force_login(brand_manager)

    response = client.post(reverse("payments:funding_start", args=[campaign.pk]))

    funding = CampaignFunding.objects.get()
    assert response.status_code == 302
    assert response.url == funding.checkout_url
    assert (funding.escrow_amount, funding.fee_amount) == (2 * FEE, Decimal("200000.00"))
    assert campaign_totals(campaign_id=campaign.pk) == {}  # nothing until Stripe says it is paid

    emulator.complete_checkout(funding.checkout_session_id)
    (completed,) = event_ids(emulator, "checkout.session.completed")
    assert deliver(client, emulator, completed).status_code == 200

    funding.refresh_from_db()
    assert funding.status == CampaignFunding.Status.PAID
    assert campaign_totals(campaign_id=campaign.pk)["IDR"]["available"] == 2 * FEE
    # The brand's return page shows it; the event delivered again credits nothing twice.
    back = client.get(
        reverse("payments:funding_return", args=[funding.pk]) + f"?session_id={funding.checkout_session_id}",
        follow=True,
    )
    assert "Payment received." in back.content.decode()
    assert deliver(client, emulator, completed).content == b"duplicate"
    assert LedgerTransaction.objects.filter(kind="funding").count() == 1


def test_the_return_page_alone_credits_nothing(client, emulator, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, funded=False)
    funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)
    emulator.complete_checkout(funding.checkout_session_id)
    client.force_login(brand_manager)

    back = client.get(reverse("payments:funding_return", args=[funding.pk]), follow=True)

    assert "Stripe is confirming the payment" in back.content.decode()
    assert not LedgerTransaction.objects.exists()


def test_an_unpaid_session_credits_nothing_even_with_a_genuine_event(
    client, emulator, brand_org, brand_manager
):
    campaign = CampaignFactory(organization=brand_org, funded=False)
    funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)

    assert (
        escrow.funding_confirm(session_id=funding.checkout_session_id).status == CampaignFunding.Status.OPEN
    )
    assert not LedgerTransaction.objects.exists()


def test_webhooks_delivered_three_times_shuffled_end_as_one_delivery_in_order(
    client, emulator, brand_org, brand_manager
):
    campaigns = [CampaignFactory(organization=brand_org, funded=False) for _ in range(3)]
    for campaign in campaigns:
        funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)
        emulator.complete_checkout(funding.checkout_session_id)
    events = event_ids(emulator)
    deliveries = events * 3
    random.Random(5).shuffle(deliveries)

    answers = {deliver(client, emulator, event_id).status_code for event_id in deliveries}

    assert answers == {200}
    assert StripeEvent.objects.count() == len(events)
    assert LedgerTransaction.objects.filter(kind="funding").count() == 3
    for campaign in campaigns:
        assert campaign_totals(campaign_id=campaign.pk)["IDR"]["available"] == 2 * FEE


def test_forged_or_old_signatures_get_400_and_change_nothing(
    client, emulator, brand_org, brand_manager, settings
):
    campaign = CampaignFactory(organization=brand_org, funded=False)
    funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)
    emulator.complete_checkout(funding.checkout_session_id)
    (completed,) = event_ids(emulator, "checkout.session.completed")
    signed = emulator.signed_event(completed)
    url = reverse("payments:stripe_webhook")

    tampered = client.post(
        url,
        data=signed["payload"].replace("complete", "c0mplete"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed["signature"],
    )
    unsigned = client.post(url, data=signed["payload"], content_type="application/json")
    old = deliver(client, emulator, completed, timestamp=int(time.time()) - 301)
    settings.STRIPE_WEBHOOK_SECRET = "whsec_someone_else"
    wrong_secret = deliver(client, emulator, completed)

    assert [r.status_code for r in (tampered, unsigned, old, wrong_secret)] == [400, 400, 400, 400]
    assert not StripeEvent.objects.exists()
    assert not LedgerTransaction.objects.exists()


# Onboarding


def test_get_paid_onboarding_follows_account_updated(client, db, emulator):
    creator = make_creator()
    client.force_login(creator.user)

    response = client.post(reverse("payments:get_paid"))

    account = ConnectedAccount.objects.get(creator=creator)
    assert response.status_code == 302
    assert not account.payouts_enabled
    emulator.complete_onboarding(account.stripe_id)
    (updated,) = event_ids(emulator, "account.updated")
    assert deliver(client, emulator, updated).status_code == 200
    account.refresh_from_db()
    assert account.payouts_enabled


# Payouts


@pytest.fixture
def owed(emulator, brand_org, brand_manager, staff_user, django_capture_on_commit_callbacks):
    """A completed collaboration on a campaign funded at Stripe, its payout waiting for review."""
    campaign = CampaignFactory(organization=brand_org, funded=False)
    funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)
    emulator.complete_checkout(funding.checkout_session_id)
    escrow.funding_confirm(session_id=funding.checkout_session_id)
    creator = make_creator()
    emulator.complete_onboarding(onboarded(creator).stripe_id)
    accounts.connected_account_sync(stripe_id=creator.stripe_account.stripe_id)
    collaboration = start_collaboration(campaign, creator, by_user=brand_manager)
    complete_collaboration(collaboration, brand_manager)
    return Payout.objects.get(collaboration=collaboration)


def transfers(emulator, payout):
    every = emulator.state()["objects"].get("transfer", [])
    return [t for t in every if t.get("transfer_group") == payout.transfer_group]


def test_an_approved_payout_is_paid_once(owed, staff_user, emulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=owed, by_user=staff_user)

    owed.refresh_from_db()
    assert owed.status == Payout.Status.PAID
    assert owed.idempotency_key == f"payout-{owed.pk}-1"
    assert len(transfers(emulator, owed)) == 1
    assert creator_payable(collaboration_id=owed.collaboration_id) == 0
    # The task delivered again finds it paid and sends nothing.
    assert payouts.payout_send(payout_id=owed.pk) == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1


def test_a_declined_transfer_fails_with_its_reason_and_reverses_the_ledger(
    owed, staff_user, emulator, django_capture_on_commit_callbacks
):
    emulator.fail_transfers(1, message="The destination account cannot receive transfers.")

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=owed, by_user=staff_user)

    owed.refresh_from_db()
    assert owed.status == Payout.Status.FAILED
    assert "cannot receive transfers" in owed.failure_reason
    assert creator_payable(collaboration_id=owed.collaboration_id) == FEE  # still owed
    assert LedgerTransaction.objects.filter(kind="payout_reversal").count() == 1
    assert owed.creator.user.notifications.filter(kind="payout.failed").exists()


def test_a_timeout_after_sending_ends_unknown_and_reconciliation_finds_the_transfer(
    owed, staff_user, emulator
):
    emulator.timeout_transfers(1)
    payouts.payout_approve(payout=owed, by_user=staff_user)  # its queued send is run by hand below

    assert payouts.payout_send(payout_id=owed.pk) == Payout.Status.UNKNOWN
    assert len(transfers(emulator, owed)) == 1  # Stripe did make it
    assert payouts.payout_send(payout_id=owed.pk) == Payout.Status.PAID  # a redelivery reconciles

    owed.refresh_from_db()
    assert owed.status == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1
    assert payouts.payout_reconcile(payout_id=owed.pk) == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1


def test_an_unknown_payout_with_no_transfer_at_stripe_is_sent_with_the_same_key(owed, staff_user, emulator):
    payouts.payout_approve(payout=owed, by_user=staff_user)
    Payout.objects.filter(pk=owed.pk).update(status=Payout.Status.UNKNOWN, attempt=1)

    assert payouts.payout_reconcile(payout_id=owed.pk) == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_twenty_threads_approving_and_sending_one_payout_make_one_transfer(
    emulator, brand_org, brand_manager, staff_user
):
    manager, reviewer, stripe_emulator = brand_manager, staff_user, emulator
    campaign = CampaignFactory(organization=brand_org)  # funded offline: credit Stripe to match
    stripe_emulator.credit(1_000_000_000, "idr")
    creator = make_creator()
    account = onboarded(creator)
    stripe_emulator.complete_onboarding(account.stripe_id)
    accounts.connected_account_sync(stripe_id=account.stripe_id)
    collaboration = start_collaboration(campaign, creator, by_user=manager)
    complete_collaboration(collaboration, manager)
    payout = Payout.objects.get()
    barrier = threading.Barrier(20)

    def race():
        try:
            barrier.wait()
            with contextlib.suppress(InvalidTransition):  # all but one: already approved
                payouts.payout_approve(payout=payout, by_user=reviewer)
            payouts.payout_send(payout_id=payout.pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert len(transfers(stripe_emulator, payout)) == 1
    assert LedgerTransaction.objects.filter(kind="payout").count() == 1


def test_ledger_check_reconciles_paid_payouts_with_stripe(
    owed, staff_user, emulator, capsys, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=owed, by_user=staff_user)
    call_command("ledger_check")
    assert "ledger_check: ok" in capsys.readouterr().out

    Payout.objects.filter(pk=owed.pk).update(status=Payout.Status.FAILED)  # we think it failed…
    with pytest.raises(SystemExit) as exit_code:
        call_command("ledger_check")
    assert exit_code.value.code == 1
    assert "holds transfer" in capsys.readouterr().out  # …but Stripe paid it


def test_a_reversed_transfer_fails_the_paid_payout_and_owes_the_creator_again(
    owed, staff_user, emulator, client, django_capture_on_commit_callbacks
):
    import stripe

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=owed, by_user=staff_user)
    owed.refresh_from_db()
    stripe_client = stripe.StripeClient(emulator.api_key, base_addresses={"api": emulator.url})
    stripe_client.v1.transfers.reversals.create(owed.transfer_id)
    (reversed_event,) = event_ids(emulator, "transfer.reversed")

    assert deliver(client, emulator, reversed_event).status_code == 200

    owed.refresh_from_db()
    assert owed.status == Payout.Status.FAILED
    assert creator_payable(collaboration_id=owed.collaboration_id) == FEE


def test_a_failed_bank_payout_is_shown_to_the_creator(client, db, emulator):
    creator = make_creator()
    account = onboarded(creator)
    emulator.payout_failed(account.stripe_id, failure_message="The bank account number is closed.")
    (failed,) = event_ids(emulator, "payout.failed")

    assert deliver(client, emulator, failed).status_code == 200

    account.refresh_from_db()
    assert account.last_payout_failure == "The bank account number is closed."
    assert creator.user.notifications.filter(kind="payout.bank_failed").exists()


def test_event_types_we_do_not_use_are_acknowledged_and_recorded(client, db, emulator):
    import hashlib
    import hmac
    import json

    payload = json.dumps(
        {"id": "evt_unused", "object": "event", "type": "customer.created", "data": {"object": {}}}
    )
    timestamp = int(time.time())
    signature = hmac.new(emulator.webhook_secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
    header = f"t={timestamp},v1={signature.hexdigest()}"
    url = reverse("payments:stripe_webhook")

    first = client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)
    again = client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    assert (first.status_code, first.content) == (200, b"ignored")
    assert (again.status_code, again.content) == (200, b"duplicate")
    assert StripeEvent.objects.get().type == "customer.created"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_webhook_that_cannot_get_its_lock_answers_503_and_is_processed_on_redelivery(
    client, emulator, brand_org, brand_manager
):
    import psycopg
    from django.conf import settings as django_settings

    campaign = CampaignFactory(organization=brand_org, funded=False)
    funding = escrow.funding_start(campaign=campaign, by_user=brand_manager)
    emulator.complete_checkout(funding.checkout_session_id)
    (completed,) = event_ids(emulator, "checkout.session.completed")
    database = django_settings.DATABASES["default"]
    blocker = psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"], dbname=database["NAME"]
    )
    try:
        blocker.execute("SELECT 1 FROM payments_campaignfunding WHERE id = %s FOR UPDATE", [funding.pk])
        busy = deliver(client, emulator, completed)
    finally:
        blocker.rollback()
        blocker.close()

    assert busy.status_code == 503
    assert not LedgerTransaction.objects.exists()
    assert deliver(client, emulator, completed).status_code == 200
    assert LedgerTransaction.objects.filter(kind="funding").count() == 1
