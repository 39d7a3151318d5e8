"""The demo's money journey: seed_demo books its funding without Stripe, `make run` starts an empty
emulator and runs demo_stripe_sync, and a reviewer approving a seeded payout sees it paid — also
after the emulator restarted with the database already seeded."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import Collaboration
from campaigns.services import publishing
from marketplace.models import User
from payments import gateway
from payments.models import ConnectedAccount, Payout
from payments.services import payouts
from payments.services.sandbox import ledger_held_at_stripe

pytestmark = pytest.mark.django_db

CREATORS = 60  # enough for every stage of the demo's first brief


def _minor(amount, currency):
    return gateway.to_minor(Decimal(amount), currency)


def _available(emulator, currency):
    balances = {(b["account"], b["currency"]): b["amount"] for b in emulator.state()["balances"]}
    return balances.get((None, currency.lower()), 0)


def _approve_and_send(payout, reviewer, capture):
    with capture(execute=True):
        payouts.payout_approve(payout=payout, by_user=reviewer)
    payout.refresh_from_db()
    return payout


@pytest.fixture
def demo(emulator):
    call_command("seed_demo", creators=CREATORS)
    return User.objects.get(email="reviewer@kolabo.demo")


def test_the_seed_leaves_a_payout_waiting_for_review_and_an_empty_stripe(demo, emulator):
    assert Payout.objects.filter(status=Payout.Status.REQUESTED).count() >= 1
    assert _available(emulator, "IDR") == 0  # why approving failed before: nothing at Stripe


def test_a_seeded_payout_approved_on_a_fresh_demo_is_paid(
    demo, emulator, client, django_capture_on_commit_callbacks
):
    call_command("demo_stripe_sync")
    held = ledger_held_at_stripe()
    assert _available(emulator, "IDR") == _minor(held["IDR"], "IDR")
    # One per brief with a completed collaboration: the brand's own, and the sponsored NGO campaign's.
    waiting = list(Payout.objects.filter(status=Payout.Status.REQUESTED).order_by("pk"))
    assert len(waiting) == 2
    sent = Decimal("0")

    for payout in waiting:
        payout = _approve_and_send(payout, demo, django_capture_on_commit_callbacks)

        assert payout.status == Payout.Status.PAID, payout.failure_reason
        sent += payout.amount
        assert _available(emulator, "IDR") == _minor(held["IDR"] - sent, "IDR")
        client.force_login(payout.creator.user)
        page = client.get(reverse("payments:earnings")).content.decode()
        assert "Paid on" in page and "Payouts enabled" in page


def test_syncing_twice_changes_nothing(demo, emulator):
    call_command("demo_stripe_sync")
    before = emulator.state()

    call_command("demo_stripe_sync")

    after = emulator.state()
    assert after["balances"] == before["balances"]
    assert len(after["objects"]["account"]) == len(before["objects"]["account"])


def test_payouts_still_pay_after_the_emulator_restarts_with_a_seeded_database(
    demo, emulator, django_capture_on_commit_callbacks
):
    call_command("demo_stripe_sync")
    first = Payout.objects.filter(status=Payout.Status.REQUESTED).order_by("pk").first()
    assert _approve_and_send(first, demo, django_capture_on_commit_callbacks).status == Payout.Status.PAID
    old_accounts = set(ConnectedAccount.objects.values_list("stripe_id", flat=True))

    emulator.reset()  # `make run` again: a new emulator starts empty, db.sqlite3 is kept
    call_command("demo_stripe_sync")

    assert not old_accounts & set(ConnectedAccount.objects.values_list("stripe_id", flat=True))
    assert _available(emulator, "IDR") == _minor(ledger_held_at_stripe()["IDR"], "IDR")
    # The brand confirms the published post: that collaboration completes and its payout opens.
    published = Collaboration.objects.get(
        status=Collaboration.Status.PUBLISHED, fee__gt=0, campaign__organization__name="Kopi Nusantara"
    )
    manager = User.objects.get(email="manager@kopi.kolabo.demo")
    for deliverable in published.deliverables.all():
        publishing.deliverable_confirm(deliverable=deliverable, by_user=manager)
    second = Payout.objects.get(collaboration=published)

    assert _approve_and_send(second, demo, django_capture_on_commit_callbacks).status == Payout.Status.PAID
    assert second.destination == ConnectedAccount.objects.get(creator=second.creator).stripe_id


def test_the_sync_refuses_a_live_key(emulator, settings):
    from django.core.management.base import CommandError

    settings.STRIPE_SECRET_KEY = "sk_live_not_a_real_key"

    with pytest.raises(CommandError, match="test-mode"):
        call_command("demo_stripe_sync")
    assert emulator.state()["objects"] == {}
