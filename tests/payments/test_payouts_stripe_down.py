"""Stripe unreachable while a reviewer approves: the page answers normally and never says paid or
failed; once Stripe answers again, reconciliation pays the payout exactly once."""

import pytest
from django.test import Client
from django.urls import reverse

from payments.models import Payout
from payments.services import payouts
from tests.payments import test_stripe_flows as flows
from tests.payments.test_pages import login_with_mfa
from tests.payments.test_stripe_flows import transfers

owed = flows.owed

pytestmark = pytest.mark.django_db


def test_approving_while_stripe_is_down_leaves_it_unknown_then_pays_once(
    owed, staff_user, emulator, settings, django_capture_on_commit_callbacks
):
    staff = login_with_mfa(Client(), staff_user)
    live_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:1"  # nothing listens: connection refused

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("payments:payout_review", args=[owed.pk, "approve"]))

    assert response.status_code == 302
    notes = [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert notes and not notes[0].startswith(("Paid", "Stripe did not accept"))
    owed.refresh_from_db()
    assert owed.status == Payout.Status.UNKNOWN
    assert transfers(emulator, owed) == []

    settings.STRIPE_API_BASE = live_base
    payouts.payout_reconcile(payout_id=owed.pk)
    payouts.payout_reconcile(payout_id=owed.pk)  # a second look changes nothing

    owed.refresh_from_db()
    assert owed.status == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1
