"""Commissions: accrued once when a collaboration's attribution window closes, posted to the ledger
as payable, and paid once through the same staff-reviewed payouts as fees (docs/money.md,
"Commissions"). Conversions are written with the ORM; tracking settings are set directly."""

import itertools
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.urls import reverse

from campaigns.models import Collaboration
from marketplace.errors import InvalidTransition
from marketplace.notifications import render_text
from payments import tasks
from payments.checks import ledger_findings
from payments.ledger import campaign_totals, escrow_available
from payments.models import CommissionAccrual, LedgerEntry, LedgerTransaction, Payout
from payments.services import accounts, commissions, payouts
from payments.services.escrow import funding_record_paid
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)
from tests.marketplace.mfa_helpers import login_with_mfa
from tracking.conversions import commission_for
from tracking.models import Conversion, ConversionGoal, TrackingSettings

pytestmark = pytest.mark.django_db

FEE = Decimal("1000000.00")
WINDOW_DAYS = 7
K = Payout.Kind


# Helpers


def with_commission(campaign, *, fixed=None, percent=None, days=WINDOW_DAYS):
    TrackingSettings.objects.create(
        campaign=campaign,
        target_url="https://kopi.example/shop",
        attribution_window_days=days,
        commission_kind="fixed" if fixed is not None else "percent",
        commission_amount=fixed,
        commission_percent=percent,
    )
    ConversionGoal.objects.create(campaign=campaign, kind=ConversionGoal.Kind.SALE)
    return campaign


_order_ids = itertools.count(1)


def convert(collaboration, *, at, amount=None, commission=None):
    """One conversion attributed to `collaboration`, its commission frozen as recording does."""
    campaign = collaboration.campaign
    tracking = TrackingSettings.objects.get(campaign=campaign)
    return Conversion.objects.create(
        campaign=campaign,
        goal=ConversionGoal.objects.get(campaign=campaign),
        collaboration=collaboration,
        external_id=f"order-{next(_order_ids)}",
        amount=amount,
        currency=campaign.currency,
        occurred_at=at,
        source=Conversion.Source.POSTBACK,
        touch=Conversion.Touch.LINK,
        commission=commission_for(tracking, amount) if commission is None else commission,
    )


def completed(campaign, manager, creator=None):
    collaboration = start_collaboration(campaign, creator or make_creator(), by_user=manager)
    return complete_collaboration(collaboration, manager)


def closes_at(collaboration):
    collaboration.refresh_from_db()
    return collaboration.completed_at + timedelta(days=WINDOW_DAYS)


def after_window(collaboration):
    return closes_at(collaboration) + timedelta(seconds=1)


def commission_payout(collaboration):
    return Payout.objects.get(collaboration=collaboration, kind=K.COMMISSION)


@pytest.fixture
def fixed_campaign(brand_org):
    """Published, funded for its 2 slots at IDR 1,000,000; IDR 25,000 per sale, 7-day window."""
    return with_commission(CampaignFactory(organization=brand_org), fixed=Decimal("25000"))


# The window


def test_the_window_closes_the_set_number_of_days_after_the_collaboration_ends(fixed_campaign, brand_manager):
    collaboration = completed(fixed_campaign, brand_manager)

    window = commissions.commission_window(collaboration)

    assert window.tracking_ended_at == collaboration.completed_at
    assert window.closes_at == collaboration.completed_at + timedelta(days=WINDOW_DAYS)


def test_a_running_collaboration_has_no_window_close_and_accrues_nothing(fixed_campaign, brand_manager):
    collaboration = start_collaboration(fixed_campaign, make_creator(), by_user=brand_manager)
    far = collaboration.created_at + timedelta(days=365)
    convert(collaboration, at=collaboration.created_at)

    assert commissions.commission_window(collaboration).closes_at is None
    assert commissions.commissions_accrue_due(now=far) == 0
    with pytest.raises(InvalidTransition, match="still running"):
        commissions.commission_accrue(collaboration=collaboration, now=far)
    assert not CommissionAccrual.objects.exists()


def test_a_cancelled_campaign_ends_tracking_for_its_collaborations(fixed_campaign, brand_manager):
    from campaigns.services.campaign_closing import campaign_cancel

    collaboration = start_collaboration(fixed_campaign, make_creator(), by_user=brand_manager)
    campaign_cancel(campaign=fixed_campaign, by_user=brand_manager, reason="The product launch moved.")
    collaboration.refresh_from_db()
    fixed_campaign.refresh_from_db()

    window = commissions.commission_window(collaboration)

    assert window.tracking_ended_at == min(collaboration.cancelled_at, fixed_campaign.cancelled_at)
    assert window.closes_at == window.tracking_ended_at + timedelta(days=WINDOW_DAYS)


def test_nothing_accrues_before_the_window_closes(fixed_campaign, brand_manager):
    collaboration = completed(fixed_campaign, brand_manager)
    convert(collaboration, at=collaboration.completed_at)
    just_before = closes_at(collaboration) - timedelta(seconds=1)

    assert commissions.commissions_accrue_due(now=just_before) == 0
    with pytest.raises(InvalidTransition, match="open until"):
        commissions.commission_accrue(collaboration=collaboration, now=just_before)
    assert not CommissionAccrual.objects.exists()
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()


# Golden amounts


def test_fixed_commissions_accrue_their_sum_as_payable_and_open_a_commission_payout(
    fixed_campaign, brand_manager, brand_owner, django_capture_on_commit_callbacks
):
    collaboration = completed(fixed_campaign, brand_manager)
    for hours in (1, 30, 100):
        convert(collaboration, at=collaboration.completed_at + timedelta(hours=hours))
    available = escrow_available(campaign_id=fixed_campaign.pk, currency="IDR")

    with django_capture_on_commit_callbacks(execute=True):
        assert commissions.commissions_accrue_due(now=after_window(collaboration)) == 1

    accrual = CommissionAccrual.objects.get(collaboration=collaboration)
    assert (accrual.amount, accrual.currency, accrual.conversions) == (Decimal("75000.00"), "IDR", 3)
    assert accrual.window_closed_at == closes_at(collaboration)
    posted = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE)
    assert posted.reference == f"commission:{collaboration.pk}"
    legs = sorted(posted.entries.values_list("account", "amount", "collaboration_id", "creator_id"))
    assert legs == [
        ("campaign_escrow", Decimal("75000.00"), None, None),
        ("creator_payable", Decimal("-75000.00"), collaboration.pk, collaboration.creator_id),
    ]
    assert escrow_available(campaign_id=fixed_campaign.pk, currency="IDR") == available - Decimal("75000")
    assert campaign_totals(campaign_id=fixed_campaign.pk)["IDR"]["commissions"] == Decimal("75000.00")
    payout = commission_payout(collaboration)
    assert (payout.amount, payout.reserved_amount, payout.status) == (
        Decimal("75000.00"),
        Decimal("75000.00"),
        Payout.Status.REQUESTED,
    )
    assert payouts.payable_for(collaboration_id=collaboration.pk, kind=K.COMMISSION) == Decimal("75000.00")
    assert payouts.payable_for(collaboration_id=collaboration.pk, kind=K.FEE) == FEE
    # Both sides are told, each in their own words.
    creator_note = collaboration.creator.user.notifications.get(kind="commission.payable")
    assert "Rp 75.000" in render_text(creator_note) and "conversions counted: 3" in render_text(creator_note)
    org_note = brand_owner.notifications.get(kind="commission.payable")
    assert collaboration.creator.display_name in render_text(org_note)
    assert ledger_findings(stripe=False) == []


def test_percent_commissions_round_to_whole_rupiah(brand_org, brand_manager):
    campaign = with_commission(CampaignFactory(organization=brand_org), percent=Decimal("12.5"))
    collaboration = completed(campaign, brand_manager)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at, amount=Decimal("99999"))
    # 12.5% of 99,999 = 12,499.875, frozen in whole rupiah per conversion (no sen).
    assert set(Conversion.objects.values_list("commission", flat=True)) == {Decimal("12500.00")}

    accrual = commissions.commission_accrue(collaboration=collaboration, now=after_window(collaboration))

    # 3 × 12,500 = IDR 37,500: exactly the sum of the frozen commissions.
    assert accrual.amount == Decimal("37500.00")
    assert commission_payout(collaboration).amount == Decimal("37500.00")
    assert ledger_findings(stripe=False) == []


def test_percent_commissions_in_usd_keep_their_cents(brand_org, brand_manager):
    campaign = CampaignFactory(
        organization=brand_org, currency="USD", fee_min=Decimal("100"), fee_max=Decimal("100")
    )
    with_commission(campaign, percent=Decimal("7.5"))
    collaboration = start_collaboration(campaign, make_creator(), by_user=brand_manager, fee=Decimal("100"))
    collaboration = complete_collaboration(collaboration, brand_manager)
    convert(collaboration, at=collaboration.completed_at, amount=Decimal("10.10"))  # 0.7575 → 0.76
    convert(collaboration, at=collaboration.completed_at, amount=Decimal("19.99"))  # 1.49925 → 1.50
    convert(collaboration, at=collaboration.completed_at, amount=None)  # no sale amount: no commission

    accrual = commissions.commission_accrue(collaboration=collaboration, now=after_window(collaboration))

    assert (accrual.amount, accrual.currency, accrual.conversions) == (Decimal("2.26"), "USD", 2)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12499.50", "IDR", "12500.00"),
        ("12499.49", "IDR", "12499.00"),
        ("1.005", "USD", "1.01"),
        ("1.004", "USD", "1.00"),
    ],
)
def test_commission_rounding_is_half_up_to_the_smallest_unit_in_use(amount, currency, expected):
    assert commissions.commission_round(Decimal(amount), currency) == Decimal(expected)


def test_conversions_after_the_window_closed_are_not_counted(fixed_campaign, brand_manager):
    collaboration = completed(fixed_campaign, brand_manager)
    close = closes_at(collaboration)
    convert(collaboration, at=close)  # exactly at the close still counts
    convert(collaboration, at=close + timedelta(minutes=1))  # reported before the sweep ran

    accrual = commissions.commission_accrue(collaboration=collaboration, now=close + timedelta(minutes=5))

    assert (accrual.amount, accrual.conversions) == (Decimal("25000.00"), 1)


def test_a_zero_total_is_recorded_with_no_posting_and_no_payout(fixed_campaign, brand_manager):
    collaboration = completed(fixed_campaign, brand_manager)

    commissions.commissions_accrue_due(now=after_window(collaboration))

    accrual = CommissionAccrual.objects.get(collaboration=collaboration)
    assert (accrual.amount, accrual.conversions) == (Decimal("0.00"), 0)
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE).exists()
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()
    assert ledger_findings(stripe=False) == []


def test_a_campaign_without_commission_accrues_nothing(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org)
    collaboration = completed(campaign, brand_manager)

    assert commissions.commissions_accrue_due(now=collaboration.completed_at + timedelta(days=100)) == 0
    assert not CommissionAccrual.objects.exists()


# Exactly once


def test_accruing_twice_changes_nothing_the_second_time(fixed_campaign, brand_manager):
    collaboration = completed(fixed_campaign, brand_manager)
    convert(collaboration, at=collaboration.completed_at)
    now = after_window(collaboration)

    assert commissions.commissions_accrue_due(now=now) == 1
    assert commissions.commissions_accrue_due(now=now) == 0
    again = commissions.commission_accrue(collaboration=collaboration, now=now)

    assert CommissionAccrual.objects.get() == again
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE).count() == 1
    assert Payout.objects.filter(kind=K.COMMISSION).count() == 1


def test_the_celery_task_is_registered_and_accrues(fixed_campaign, brand_manager):
    from marketplace.celery import app

    collaboration = completed(fixed_campaign, brand_manager)
    ended = collaboration.completed_at - timedelta(days=WINDOW_DAYS + 1)
    Collaboration.objects.filter(pk=collaboration.pk).update(completed_at=ended)
    convert(collaboration, at=ended + timedelta(hours=1))

    assert "payments.commissions_accrue_due" in app.tasks
    assert tasks.commissions_accrue_due.delay().get() == 1
    assert CommissionAccrual.objects.get().amount == Decimal("25000.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_ten_workers_accruing_at_once_accrue_each_collaboration_once(brand_org, brand_manager):
    campaign = with_commission(CampaignFactory(organization=brand_org, slots=3), fixed=Decimal("25000"))
    funding_record_paid(campaign=campaign, amount=Decimal("75000"), note="For commissions")
    collaborations = [completed(campaign, brand_manager) for _ in range(3)]
    for collaboration in collaborations:
        convert(collaboration, at=collaboration.completed_at)
    now = max(after_window(c) for c in collaborations)
    barrier = threading.Barrier(10)
    written = []

    def race():
        try:
            barrier.wait()
            written.append(commissions.commissions_accrue_due(now=now))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=race) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(written) == 3
    assert CommissionAccrual.objects.count() == 3
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE).count() == 3
    assert Payout.objects.filter(kind=K.COMMISSION).count() == 3
    assert ledger_findings(stripe=False) == []


# Not enough escrow


def test_a_commission_the_escrow_cannot_cover_waits_for_funding_then_is_posted(
    brand_org, brand_manager, brand_owner, django_capture_on_commit_callbacks
):
    # One slot, funded for exactly its fee: nothing is left for commissions.
    campaign = with_commission(CampaignFactory(organization=brand_org, slots=1), fixed=Decimal("25000"))
    collaboration = completed(campaign, brand_manager)
    convert(collaboration, at=collaboration.completed_at)
    convert(collaboration, at=collaboration.completed_at)
    now = after_window(collaboration)

    with django_capture_on_commit_callbacks(execute=True):
        commissions.commissions_accrue_due(now=now)

    accrual = CommissionAccrual.objects.get()
    assert accrual.amount == Decimal("50000.00")
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE).exists()
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()
    assert ledger_findings(stripe=False) == []
    told = render_text(brand_owner.notifications.get(kind="commission.unfunded"))
    assert "Add Rp 50.000 to the escrow" in told
    assert collaboration.creator.user.notifications.filter(kind="commission.unfunded").exists()

    # Half is not enough: each commission is paid whole.
    funding_record_paid(campaign=campaign, amount=Decimal("30000"), note="Bank transfer")
    with django_capture_on_commit_callbacks(execute=True):
        commissions.commissions_accrue_due(now=now)
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()
    assert brand_owner.notifications.filter(kind="commission.unfunded").count() == 1  # told once

    funding_record_paid(campaign=campaign, amount=Decimal("20000"), note="Bank transfer")
    with django_capture_on_commit_callbacks(execute=True):
        assert commissions.commissions_accrue_due(now=now) == 0  # no new accrual: the old one is posted

    assert commission_payout(collaboration).amount == Decimal("50000.00")
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE).count() == 1
    assert ledger_findings(stripe=False) == []


# Paying it


def onboarded(creator, emulator):
    accounts.connected_account_onboarding_url(
        creator=creator,
        by_user=creator.user,
        return_url="http://testserver/r",
        refresh_url="http://testserver/f",
    )
    account = creator.stripe_account
    emulator.complete_onboarding(account.stripe_id)
    return accounts.connected_account_sync(stripe_id=account.stripe_id)


def transfers(emulator, payout):
    every = emulator.state()["objects"].get("transfer", [])
    return [t for t in every if t.get("transfer_group") == payout.transfer_group]


@pytest.fixture
def both_owed(emulator, fixed_campaign, brand_manager):
    """A completed collaboration whose fee payout and commission payout (IDR 75,000) both wait for
    review; the creator's Stripe account takes payouts, and the platform balance covers both."""
    emulator.credit(1_000_000_000, "idr")  # the campaign was funded offline: credit Stripe to match
    creator = make_creator()
    onboarded(creator, emulator)
    collaboration = completed(fixed_campaign, brand_manager, creator)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    return (
        Payout.objects.get(collaboration=collaboration, kind=K.FEE),
        Payout.objects.get(collaboration=collaboration, kind=K.COMMISSION),
    )


def test_a_fee_payout_and_a_commission_payout_coexist_and_each_is_paid_once(
    both_owed, staff_user, emulator, capsys, django_capture_on_commit_callbacks
):
    fee, commission = both_owed
    assert fee.status == commission.status == Payout.Status.REQUESTED  # both live at once

    with django_capture_on_commit_callbacks(execute=True):
        results = payouts.payouts_approve_many(payout_ids=[fee.pk, commission.pk], by_user=staff_user)

    assert results == {fee.pk: "", commission.pk: ""}
    fee.refresh_from_db()
    commission.refresh_from_db()
    assert fee.status == commission.status == Payout.Status.PAID
    assert fee.idempotency_key != commission.idempotency_key
    assert fee.transfer_group != commission.transfer_group
    (fee_transfer,) = transfers(emulator, fee)
    (commission_transfer,) = transfers(emulator, commission)
    assert (fee_transfer["amount"], commission_transfer["amount"]) == (100_000_000, 7_500_000)
    assert commission_transfer["metadata"]["kind"] == "commission"
    assert "kind" not in fee_transfer["metadata"]  # a fee payout's request is unchanged
    # Delivered again, the send tasks find them paid and send nothing.
    assert payouts.payout_send(payout_id=commission.pk) == Payout.Status.PAID
    assert payouts.payout_send(payout_id=fee.pk) == Payout.Status.PAID
    assert len(transfers(emulator, commission)) == len(transfers(emulator, fee)) == 1
    for kind in (K.FEE, K.COMMISSION):
        assert payouts.payable_for(collaboration_id=fee.collaboration_id, kind=kind) == 0
    assert commission.creator.user.notifications.filter(kind="payout.paid").count() == 2
    call_command("ledger_check")
    assert "ledger_check: ok" in capsys.readouterr().out


def test_a_commission_payout_cannot_be_requested_twice(both_owed):
    _fee, commission = both_owed

    with pytest.raises(InvalidTransition, match="already has a payout under way"):
        payouts.payout_request(
            collaboration=commission.collaboration, amount=commission.amount, kind=K.COMMISSION
        )


def test_closing_a_failed_commission_payout_returns_only_the_commission(
    both_owed, staff_user, emulator, django_capture_on_commit_callbacks
):
    fee, commission = both_owed
    emulator.fail_transfers(1, message="The destination account cannot receive transfers.")
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=commission, by_user=staff_user)
    commission.refresh_from_db()
    assert commission.status == Payout.Status.FAILED
    available = escrow_available(campaign_id=commission.collaboration.campaign_id, currency="IDR")

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_close(payout=commission, by_user=staff_user, reason="The creator donated it back.")

    returned = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.PAYABLE_RETURNED)
    assert returned.entries.get(account="creator_payable").amount == Decimal("75000.00")
    assert payouts.payable_for(collaboration_id=fee.collaboration_id, kind=K.COMMISSION) == 0
    assert payouts.payable_for(collaboration_id=fee.collaboration_id, kind=K.FEE) == FEE
    assert escrow_available(campaign_id=fee.collaboration.campaign_id, currency="IDR") == available + Decimal(
        "75000"
    )
    # The fee payout is untouched and still paid normally.
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=fee, by_user=staff_user)
    fee.refresh_from_db()
    assert fee.status == Payout.Status.PAID
    assert ledger_findings() == []


def test_a_failed_commission_payout_is_retried_while_the_fee_payout_is_live(
    both_owed, staff_user, emulator, django_capture_on_commit_callbacks
):
    fee, commission = both_owed
    emulator.fail_transfers(1, code="balance_insufficient", message="Insufficient funds.")
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=commission, by_user=staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_retry(payout=commission, by_user=staff_user)

    commission.refresh_from_db()
    assert (commission.status, commission.attempt) == (Payout.Status.PAID, 2)
    assert len(transfers(emulator, commission)) == 1
    assert Payout.objects.get(pk=fee.pk).status == Payout.Status.REQUESTED
    assert ledger_findings() == []


# Pages


def test_staff_see_the_kind_and_the_accrual_in_the_queue_and_on_the_payout(client, both_owed, staff_user):
    fee, commission = both_owed
    login_with_mfa(client, staff_user)

    queue = client.get(reverse("payments:payout_queue")).content.decode()
    detail = client.get(reverse("payments:payout_detail", args=[commission.pk])).content.decode()
    fee_detail = client.get(reverse("payments:payout_detail", args=[fee.pk])).content.decode()

    assert 'data-kind="commission"' in queue and 'data-kind="fee"' in queue
    assert 'data-conversions="3"' in queue
    assert "3 conversions" in queue
    assert 'data-testid="accrual"' in detail
    assert "commission of Rp 75.000" in detail
    assert 'data-conversions="3"' in detail
    assert 'data-testid="accrual"' not in fee_detail


def test_the_creator_sees_commissions_apart_from_fees(client, both_owed):
    _fee, commission = both_owed
    client.force_login(commission.creator.user)

    page = client.get(reverse("payments:earnings"))

    html = page.content.decode()
    (line,) = page.context["commissions"].totals
    assert (line.owed, line.waiting, line.paid) == (Decimal("75000.00"), 0, 0)
    assert 'data-testid="commissions"' in html
    assert 'data-amount="commission-owed">Rp 75.000<' in html
    assert 'data-kind="commission"' in html


def test_the_campaign_money_page_shows_commissions_owed_and_paid(
    client, both_owed, brand_manager, staff_user, django_capture_on_commit_callbacks
):
    _fee, commission = both_owed
    campaign_id = commission.collaboration.campaign_id
    client.force_login(brand_manager)
    url = reverse("payments:campaign_spend", args=[campaign_id])

    before = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=commission, by_user=staff_user)
    after = client.get(url).content.decode()

    assert 'data-testid="campaign-commissions"' in before
    assert 'data-amount="commission-owed"><strong>Rp 75.000<' in before
    assert 'data-amount="commission-paid"><strong>Rp 0<' in before
    assert 'data-amount="commission-owed"><strong>Rp 0<' in after
    assert 'data-amount="commission-paid"><strong>Rp 75.000<' in after


def test_the_money_page_of_a_campaign_without_commissions_has_no_commission_section(
    client, brand_org, brand_manager
):
    campaign = CampaignFactory(organization=brand_org)
    client.force_login(brand_manager)

    html = client.get(reverse("payments:campaign_spend", args=[campaign.pk])).content.decode()

    assert 'data-testid="campaign-commissions"' not in html


def test_the_money_page_says_what_commissions_wait_for(client, brand_org, brand_manager):
    campaign = with_commission(CampaignFactory(organization=brand_org, slots=1), fixed=Decimal("25000"))
    collaboration = completed(campaign, brand_manager)
    convert(collaboration, at=collaboration.completed_at)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    client.force_login(brand_manager)

    html = client.get(reverse("payments:campaign_spend", args=[campaign.pk])).content.decode()

    assert 'data-amount="commission-waiting"><strong>Rp 25.000<' in html
    assert 'data-testid="commission-shortfall"' in html
    assert not LedgerEntry.objects.filter(transaction__kind="commission_payable").exists()


def test_a_closed_fee_payout_pays_a_waiting_commission_before_refunding_the_brand(
    emulator, brand_org, brand_manager, staff_user, django_capture_on_commit_callbacks
):
    from campaigns.services.campaign_closing import campaign_close
    from payments.models import CampaignRefund

    campaign = with_commission(CampaignFactory(organization=brand_org, slots=1), fixed=Decimal("25000"))
    creator = make_creator()
    onboarded(creator, emulator)
    collaboration = completed(campaign, brand_manager, creator)
    convert(collaboration, at=collaboration.completed_at)
    campaign_close(campaign=campaign, by_user=brand_manager)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()  # waiting: the escrow is empty
    fee = Payout.objects.get(kind=K.FEE)
    emulator.fail_transfers(1, message="The destination account cannot receive transfers.")
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=fee, by_user=staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_close(
            payout=fee, by_user=staff_user, reason="The creator asked not to be paid the fee."
        )

    assert commission_payout(collaboration).amount == Decimal("25000.00")
    assert CampaignRefund.objects.get().escrow_amount == FEE - Decimal("25000")
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert ledger_findings(stripe=False) == []
