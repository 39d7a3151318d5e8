"""Commissions and the campaign's money: what still needs funding, topping up a closed campaign for
commissions waiting for funding, refunds that pay those commissions first, the API's split of fees
and commissions, and per-conversion rounding that adds up to the payout (docs/money.md,
"Commissions")."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services.campaign_closing import campaign_close, campaign_complete_if_finished
from campaigns.services.workspace import collaboration_cancel
from marketplace.errors import InvalidTransition, ValidationFailed
from payments.checks import ledger_findings
from payments.ledger import campaign_totals, escrow_available
from payments.models import CampaignFunding, CampaignRefund, CommissionAccrual, LedgerTransaction, Payout
from payments.services import commissions, payouts
from payments.services.funding import (
    COMMISSIONS_OFFER,
    commission_top_up,
    funding_record_paid,
    funding_start,
    funding_state,
)
from tests.api.conftest import bearer, make_token
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tests.payments.test_commissions import (
    FEE,
    after_window,
    commission_payout,
    completed,
    convert,
    onboarded,
    with_commission,
)
from tests.payments.test_stripe_flows import deliver, event_ids
from tracking.conversions import commission_for
from tracking.models import Conversion, TrackingSettings

pytestmark = pytest.mark.django_db

K = Payout.Kind
COMMISSION = Decimal("25000.00")


def waiting_on_a_closed_campaign(brand_org, brand_manager, *, conversions=1):
    """One slot funded for exactly its fee, completed, the campaign closed, and a commission of
    IDR 25,000 per conversion accrued after the window closed: it waits for funding (the escrow
    is empty)."""
    campaign = with_commission(CampaignFactory(organization=brand_org, slots=1), fixed=COMMISSION)
    collaboration = completed(campaign, brand_manager)
    for _ in range(conversions):
        convert(collaboration, at=collaboration.completed_at)
    campaign_close(campaign=campaign, by_user=brand_manager)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()
    campaign.refresh_from_db()
    return campaign, collaboration


def pay_checkout(client, emulator, funding):
    """The brand pays at Stripe and the verified webhook credits the escrow."""
    emulator.complete_checkout(funding.checkout_session_id)
    assert deliver(client, emulator, event_ids(emulator, "checkout.session.completed")[-1]).status_code == 200
    funding.refresh_from_db()
    return funding


# 1. What the slots still need does not count commission money as fee money


def test_a_commission_paid_from_a_published_campaign_is_not_money_held_for_fees(
    emulator, brand_org, brand_manager
):
    # Two slots funded at IDR 1,000,000; one collaboration completed with three IDR 25,000 sales.
    campaign = with_commission(CampaignFactory(organization=brand_org), fixed=COMMISSION)
    collaboration = completed(campaign, brand_manager)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at)
    assert funding_state(campaign).needed == 0

    commissions.commissions_accrue_due(now=after_window(collaboration))

    # The commission came out of the open slot's escrow: that slot is now IDR 75,000 short.
    assert campaign_totals(campaign_id=campaign.pk)["IDR"]["commissions"] == Decimal("75000.00")
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == FEE - Decimal("75000")
    assert funding_state(campaign).needed == Decimal("75000.00")
    funding = funding_start(campaign=campaign, by_user=brand_manager)
    assert funding.escrow_amount == Decimal("75000.00")


def test_a_closed_commission_payout_is_fee_money_again(
    emulator, brand_org, brand_manager, staff_user, django_capture_on_commit_callbacks
):
    emulator.credit(1_000_000_000, "idr")
    campaign = with_commission(CampaignFactory(organization=brand_org), fixed=COMMISSION)
    creator = make_creator()
    onboarded(creator, emulator)
    collaboration = completed(campaign, brand_manager, creator)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    payout = commission_payout(collaboration)
    emulator.fail_transfers(1, message="The destination account cannot receive transfers.")
    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_approve(payout=payout, by_user=staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        payouts.payout_close(payout=payout, by_user=staff_user, reason="The creator donated it back.")

    # The IDR 75,000 is back in the available escrow, so the open slot is fully funded again.
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == FEE
    assert funding_state(campaign).needed == 0


# 2. A campaign that no longer takes creators is topped up for its waiting commissions


@pytest.mark.parametrize("status", [Campaign.Status.CLOSED, Campaign.Status.COMPLETED])
def test_a_closed_or_completed_campaign_is_topped_up_by_exactly_its_waiting_commissions_and_pays_them_at_once(
    client, emulator, brand_org, brand_manager, status, django_capture_on_commit_callbacks, capsys
):
    campaign, collaboration = waiting_on_a_closed_campaign(brand_org, brand_manager, conversions=2)
    if status == Campaign.Status.COMPLETED:
        assert campaign_complete_if_finished(campaign_id=campaign.pk)
        campaign.refresh_from_db()
    assert campaign.status == status
    assert commission_top_up(campaign) == Decimal("50000.00")

    funding = funding_start(campaign=campaign, by_user=brand_manager)

    assert (funding.escrow_amount, funding.fee_amount) == (Decimal("50000.00"), Decimal("5000.00"))
    with django_capture_on_commit_callbacks(execute=True):
        pay_checkout(client, emulator, funding)

    # Paid at once (not at the next sweep), and none of it refunded to the brand.
    assert funding.status == CampaignFunding.Status.PAID
    assert commission_payout(collaboration).amount == Decimal("50000.00")
    assert not CampaignRefund.objects.exists()
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert commission_top_up(campaign) == 0
    with pytest.raises(InvalidTransition, match="Only draft and published campaigns can be funded"):
        funding_start(campaign=campaign, by_user=brand_manager)
    assert ledger_findings(stripe=False) == []
    call_command("ledger_check", "--no-stripe")
    assert "ledger_check: ok" in capsys.readouterr().out


def test_the_commission_top_up_over_the_api_and_the_web_page_uses_the_same_service(
    client, emulator, brand_org, brand_manager
):
    campaign, _collaboration = waiting_on_a_closed_campaign(brand_org, brand_manager)
    api = bearer(make_token(brand_manager))

    balance = api.get(reverse("api:campaign_balance", args=[campaign.pk])).json()
    created = api.post(
        reverse("api:campaign_fundings", args=[campaign.pk]), {"offer": COMMISSIONS_OFFER}, format="json"
    )
    client.force_login(brand_manager)
    page = client.get(reverse("payments:campaign_spend", args=[campaign.pk])).content.decode()
    web = client.post(reverse("payments:funding_start", args=[campaign.pk]), {"offer": COMMISSIONS_OFFER})

    assert (balance["funding_needed"], balance["commissions_needed"]) == ("0.00", "25000.00")
    assert created.status_code == 201, created.content
    assert created.json()["escrow_amount"] == "25000.00"
    assert f'value="{COMMISSIONS_OFFER}"' in page
    latest = CampaignFunding.objects.order_by("-pk").first()
    assert web.status_code == 302 and web.url == latest.checkout_url
    assert latest.escrow_amount == COMMISSION


def test_a_closed_campaign_with_nothing_waiting_still_takes_no_money(emulator, brand_org, brand_manager):
    campaign = with_commission(CampaignFactory(organization=brand_org, slots=1), fixed=COMMISSION)
    completed(campaign, brand_manager)
    campaign_close(campaign=campaign, by_user=brand_manager)
    campaign.refresh_from_db()
    published = with_commission(CampaignFactory(organization=brand_org), fixed=COMMISSION)

    with pytest.raises(InvalidTransition, match="Only draft and published campaigns can be funded"):
        funding_start(campaign=campaign, by_user=brand_manager)
    with pytest.raises(ValidationFailed, match="No commission is waiting for funding") as raised:
        funding_start(campaign=published, by_user=brand_manager, offer=COMMISSIONS_OFFER)
    assert raised.value.field == "offer"
    assert not CampaignFunding.objects.filter(status=CampaignFunding.Status.OPEN).exists()


def test_an_offline_payment_pays_waiting_commissions_at_once(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    campaign, collaboration = waiting_on_a_closed_campaign(brand_org, brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        funding_record_paid(campaign=campaign, amount=Decimal("30000"), note="Bank transfer")

    assert commission_payout(collaboration).amount == COMMISSION
    # The IDR 5,000 nobody needs goes back at once with its fee, pro rata over the campaign's
    # payments like any unspent escrow.
    refunded = CampaignRefund.objects.all()
    assert sum(r.escrow_amount for r in refunded) == Decimal("5000.00")
    assert sum(r.fee_amount for r in refunded) == Decimal("500.00")
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert ledger_findings(stripe=False) == []


# 3. Refunds of unspent escrow pay waiting commissions first


def test_refunding_unspent_escrow_pays_a_waiting_commission_first(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    # Two slots funded; A completed with one sale, B still at work when the campaign closes.
    campaign = with_commission(CampaignFactory(organization=brand_org), fixed=COMMISSION)
    first = completed(campaign, brand_manager)
    convert(first, at=first.completed_at)
    second = start_collaboration(campaign, make_creator(), by_user=brand_manager)
    campaign_close(campaign=campaign, by_user=brand_manager)
    commissions.commissions_accrue_due(now=after_window(first))
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()  # all escrow is reserved or owed

    # B is cancelled: its fee goes back to the escrow and the closed campaign refunds it.
    collaboration_cancel(collaboration=second, by_user=brand_manager, reason="The shoot was called off.")

    assert commission_payout(first).amount == COMMISSION
    refund = CampaignRefund.objects.get()
    assert refund.escrow_amount == FEE - COMMISSION
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0
    assert ledger_findings(stripe=False) == []


def test_a_sponsors_refund_never_includes_a_creators_commission(
    ngo_org, brand_org, ngo_manager, brand_manager
):
    from brands.models import Organization
    from campaigns.services import sponsorship as sponsorship_services

    Organization.objects.filter(pk__in=[ngo_org.pk, brand_org.pk]).update(
        verification_status=Organization.VerificationStatus.VERIFIED
    )
    campaign = CampaignFactory(organization=ngo_org, kind=Campaign.Kind.CAUSE, slots=2, funded=False)
    with_commission(campaign, fixed=COMMISSION)
    offered = sponsorship_services.sponsorship_offer(
        campaign=campaign, sponsor=brand_org, amount=2 * FEE, message="", by_user=brand_manager
    )
    sponsorship = sponsorship_services.sponsorship_accept(sponsorship=offered, by_user=ngo_manager)
    funding_record_paid(campaign=campaign, amount=2 * FEE, note="Sponsor's transfer", sponsorship=sponsorship)
    first = completed(campaign, ngo_manager)
    convert(first, at=first.completed_at)
    second = start_collaboration(campaign, make_creator(), by_user=ngo_manager)
    campaign_close(campaign=campaign, by_user=ngo_manager)
    commissions.commissions_accrue_due(now=after_window(first))

    collaboration_cancel(collaboration=second, by_user=ngo_manager, reason="The creator fell ill.")

    assert commission_payout(first).amount == COMMISSION
    refund = CampaignRefund.objects.get()
    assert (refund.funding.sponsorship, refund.escrow_amount) == (sponsorship, FEE - COMMISSION)
    due = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.REFUND_DUE)
    assert due.sponsor_id == brand_org.pk
    assert ledger_findings(stripe=False) == []


def test_a_refund_keeps_what_a_waiting_commission_still_needs(emulator, brand_org, brand_manager):
    from payments.services.refunds import campaign_refund_unspent

    campaign, _collaboration = waiting_on_a_closed_campaign(brand_org, brand_manager)
    # IDR 10,000 arrives (its on-commit follow-up never runs inside the test's transaction): not
    # enough for the IDR 25,000.
    funding_record_paid(campaign=campaign, amount=Decimal("10000"), note="Bank transfer")

    assert campaign_refund_unspent(campaign=campaign, by_user=brand_manager) == []

    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == Decimal("10000.00")
    assert not Payout.objects.filter(kind=K.COMMISSION).exists()
    assert commission_top_up(campaign) == Decimal("15000.00")
    assert funding_start(campaign=campaign, by_user=brand_manager).escrow_amount == Decimal("15000.00")
    assert ledger_findings(stripe=False) == []


# 4. The API tells fees and commissions apart


def test_the_api_shows_each_payouts_kind_and_earnings_split_into_fees_and_commissions(
    brand_org, brand_manager
):
    campaign = with_commission(CampaignFactory(organization=brand_org), fixed=COMMISSION)
    collaboration = completed(campaign, brand_manager)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at)
    commissions.commissions_accrue_due(now=after_window(collaboration))
    api = bearer(make_token(collaboration.creator.user))

    rows = api.get(reverse("api:payouts")).json()["results"]
    (earnings,) = api.get(reverse("api:earnings")).json()

    assert sorted((row["kind"], row["amount"]) for row in rows) == [
        ("commission", "75000.00"),
        ("fee", "1000000.00"),
    ]
    # "owed" keeps its meaning: the fee; commissions have their own figures.
    assert earnings["owed"] == "1000000.00"
    assert earnings["pending"] == "1000000.00"
    assert earnings["commissions"] == {
        "owed": "75000.00",
        "waiting": "0.00",
        "pending": "75000.00",
        "sending": "0.00",
        "paid": "0.00",
        "failed": "0.00",
    }


def test_the_api_shows_a_commission_waiting_for_funding(brand_org, brand_manager):
    _campaign, collaboration = waiting_on_a_closed_campaign(brand_org, brand_manager)

    (earnings,) = bearer(make_token(collaboration.creator.user)).get(reverse("api:earnings")).json()

    assert (earnings["owed"], earnings["commissions"]["owed"]) == ("1000000.00", "0.00")
    assert earnings["commissions"]["waiting"] == "25000.00"


# 5. Each conversion's commission is rounded the way Kolabo pays it


def test_golden_three_times_twelve_and_a_half_percent_of_idr_99999(brand_org, brand_manager):
    campaign = with_commission(CampaignFactory(organization=brand_org), percent=Decimal("12.5"))
    collaboration = completed(campaign, brand_manager)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at, amount=Decimal("99999"))

    accrual = commissions.commission_accrue(collaboration=collaboration, now=after_window(collaboration))

    # 12.5% of 99,999 = 12,499.875 → IDR 12,500 per conversion (whole rupiah), 37,500 in all.
    frozen = list(Conversion.objects.values_list("commission", flat=True))
    assert frozen == [Decimal("12500.00")] * 3
    assert accrual.amount == sum(frozen) == Decimal("37500.00")
    assert commission_payout(collaboration).amount == accrual.amount


def test_the_accrual_is_the_sum_of_the_frozen_commissions_where_rounding_the_total_would_differ(
    brand_org, brand_manager
):
    campaign = with_commission(CampaignFactory(organization=brand_org), percent=Decimal("10"))
    collaboration = completed(campaign, brand_manager)
    for _ in range(3):
        convert(collaboration, at=collaboration.completed_at, amount=Decimal("5"))  # 0.50 each

    accrual = commissions.commission_accrue(collaboration=collaboration, now=after_window(collaboration))

    # Rounded per conversion: IDR 1 each, so 3 (rounding 1.50 in all would pay 2).
    assert accrual.amount == sum(Conversion.objects.values_list("commission", flat=True)) == Decimal("3.00")


@pytest.mark.parametrize(
    ("currency", "kind", "value", "amount", "expected"),
    [
        ("IDR", "percent", "12.5", "99999", "12500.00"),
        ("IDR", "percent", "12.5", "99995", "12499.00"),  # 12,499.375
        ("IDR", "fixed", "1000.50", None, "1001.00"),
        ("USD", "percent", "7.5", "10.10", "0.76"),  # 0.7575
        ("USD", "percent", "7.5", "19.99", "1.50"),  # 1.49925
        ("USD", "fixed", "2.50", None, "2.50"),
    ],
)
def test_a_conversions_commission_is_rounded_half_up_to_the_unit_kolabo_pays(
    currency, kind, value, amount, expected
):
    settings = TrackingSettings(
        commission_kind=kind,
        commission_amount=Decimal(value) if kind == "fixed" else None,
        commission_percent=Decimal(value) if kind == "percent" else None,
    )

    got = commission_for(settings, None if amount is None else Decimal(amount), currency=currency)

    assert got == Decimal(expected)
    assert got == commissions.commission_round(got, currency)  # nothing left for the accrual to round


def test_accrued_commissions_match_what_the_accrual_table_holds(brand_org, brand_manager):
    """The accrual's conversions and amount agree with the rows it counted."""
    campaign = with_commission(CampaignFactory(organization=brand_org), percent=Decimal("12.5"))
    collaboration = completed(campaign, brand_manager)
    convert(collaboration, at=collaboration.completed_at, amount=Decimal("99995"))
    convert(collaboration, at=collaboration.completed_at, amount=Decimal("99999"))

    commissions.commission_accrue(collaboration=collaboration, now=after_window(collaboration))

    accrual = CommissionAccrual.objects.get(collaboration=collaboration)
    assert (accrual.amount, accrual.conversions) == (Decimal("24999.00"), 2)
    posted = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.COMMISSION_PAYABLE)
    assert posted.entries.get(account="creator_payable").amount == -accrual.amount
