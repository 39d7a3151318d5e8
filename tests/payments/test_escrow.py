"""Escrow through a campaign's life: funded, reserved on acceptance, released, owed, refunded."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from campaigns.services import campaign_closing, workspace
from payments.ledger import campaign_totals, escrow_available, escrow_reserved
from payments.models import CampaignRefund, LedgerTransaction, Payout
from payments.services.escrow import (
    FundingRequired,
    fee_rate,
    funding_needed,
    funding_record_offline,
)
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    finance_staff,
    make_creator,
    start_collaboration,
)

FEE = Decimal("1000000.00")


@pytest.fixture
def campaign(brand_org):
    return CampaignFactory(organization=brand_org, slots=2)


def totals(campaign):
    return campaign_totals(campaign_id=campaign.pk)["IDR"]


def test_a_funded_campaign_holds_its_slots_in_escrow_and_the_fee_as_revenue(campaign):
    line = totals(campaign)

    assert line["funded"] == line["available"] == 2 * FEE
    assert line["fees"] == 2 * FEE * Decimal("0.10")
    assert funding_needed(campaign) == 0


def test_fee_rates_are_lower_for_ngos_and_zero_for_volunteer_campaigns(db, brand_org, ngo_org):
    assert fee_rate(CampaignFactory(organization=brand_org, funded=False)) == Decimal("0.10")
    assert fee_rate(CampaignFactory(organization=ngo_org, funded=False)) == Decimal("0.05")
    volunteer = CampaignFactory(
        organization=ngo_org, compensation="volunteer", fee_min=None, fee_max=None, funded=False
    )
    assert fee_rate(volunteer) == 0
    assert funding_needed(volunteer) == 0


def test_accepting_reserves_the_fee_and_an_unfunded_campaign_is_refused(db, brand_org, brand_manager):
    unfunded = CampaignFactory(organization=brand_org, funded=False)

    with pytest.raises(FundingRequired, match=r"Fund this campaign first: accepting needs Rp 1\.000\.000"):
        start_collaboration(unfunded, make_creator(), by_user=brand_manager)

    assert not unfunded.collaborations.exists()
    assert funding_needed(unfunded) == 2 * FEE


def test_reserving_and_the_last_slot(campaign, brand_manager):
    first = start_collaboration(campaign, make_creator(), by_user=brand_manager)

    assert escrow_reserved(collaboration_id=first.pk) == FEE
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == FEE


def test_a_cancelled_collaboration_gives_its_fee_back_to_the_campaign(campaign, brand_manager):
    collaboration = start_collaboration(campaign, make_creator(), by_user=brand_manager)

    workspace.collaboration_cancel(collaboration=collaboration, by_user=brand_manager, reason="Brief changed")

    assert escrow_reserved(collaboration_id=collaboration.pk) == 0
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 2 * FEE


def test_completion_makes_the_fee_owed_and_opens_one_payout_request(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    collaboration = start_collaboration(campaign, make_creator(), by_user=brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        complete_collaboration(collaboration, brand_manager)

    payout = Payout.objects.get()
    assert (payout.status, payout.amount, payout.reserved_amount) == ("requested", FEE, FEE)
    assert totals(campaign)["owed"] == FEE
    assert totals(campaign)["reserved"] == 0
    assert collaboration.creator.user.notifications.filter(kind="payout.requested").exists()


def test_closing_refunds_exactly_the_unspent_escrow_with_its_share_of_the_fee(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    start_collaboration(campaign, make_creator(), by_user=brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_close(campaign=campaign, by_user=brand_manager)

    refund = CampaignRefund.objects.get()
    assert refund.escrow_amount == FEE  # one slot unspent; the accepted creator's fee stays reserved
    assert refund.fee_amount == FEE * Decimal("0.10")
    assert refund.status == CampaignRefund.Status.PAID  # recorded offline: settled at once
    line = totals(campaign)
    assert line["available"] == 0
    assert line["reserved"] == FEE
    assert line["refunded"] == FEE * Decimal("1.10")
    assert line["fees"] == FEE * Decimal("0.10")


def test_a_refund_never_exceeds_the_unspent_escrow(campaign, brand_manager):
    from payments.services.escrow import campaign_refund_unspent

    campaign_closing.campaign_close(campaign=campaign, by_user=brand_manager)

    assert campaign_refund_unspent(campaign=campaign) == []  # asking again finds nothing left
    assert sum(r.escrow_amount for r in CampaignRefund.objects.all()) == 2 * FEE
    assert escrow_available(campaign_id=campaign.pk, currency="IDR") == 0


def test_cancelling_a_campaign_releases_every_fee_and_refunds_everything(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    start_collaboration(campaign, make_creator(), by_user=brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_manager, reason="Product recall")

    line = totals(campaign)
    assert line["available"] == line["reserved"] == 0
    assert line["refunded"] == 2 * FEE * Decimal("1.10")
    assert line["fees"] == 0
    assert CampaignRefund.objects.count() == 1


def test_offline_funding_is_for_staff_and_needs_a_reference(campaign, brand_manager):
    from marketplace.errors import PermissionDeniedError, ValidationFailed

    with pytest.raises(PermissionDeniedError):
        funding_record_offline(campaign=campaign, amount=FEE, by_user=brand_manager, note="x")
    with pytest.raises(ValidationFailed) as error:
        funding_record_offline(campaign=campaign, amount=FEE, by_user=finance_staff(), note=" ")
    assert error.value.field == "note"


def test_ledger_check_passes_after_a_whole_campaign(campaign, brand_manager, capsys):
    collaboration = start_collaboration(campaign, make_creator(), by_user=brand_manager)
    complete_collaboration(collaboration, brand_manager)
    campaign_closing.campaign_close(campaign=campaign, by_user=brand_manager)

    call_command("ledger_check", "--no-stripe")

    assert "ledger_check: ok" in capsys.readouterr().out
    assert LedgerTransaction.objects.filter(kind="payable").count() == 1
