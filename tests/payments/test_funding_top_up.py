"""An offer above the brief's top fee can be accepted: the money page shows the shortfall, offers a
top-up Checkout for exactly that amount (plus Kolabo's fee on it), and once the top-up's webhook
lands, accepting works. The same numbers come out of the API."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Application, Collaboration, Invitation
from campaigns.services import applications, invitations
from payments import gateway
from payments.ledger import escrow_available, escrow_reserved
from payments.models import CampaignFunding
from payments.services import escrow
from payments.services.escrow import FundingRequired
from tests.campaigns.factories import ApplicationFactory, CampaignFactory, InvitationFactory, make_creator

FEE = Decimal("1000000.00")
COUNTER = Decimal("1500000.00")


def deliver(client, emulator, event_id):
    signed = emulator.signed_event(event_id)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=signed["payload"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed["signature"],
    )


@pytest.fixture
def one_slot(brand_org):
    """A brief paying Rp 1.000.000 for one creator, funded for exactly that."""
    return CampaignFactory(organization=brand_org, slots=1)


@pytest.fixture
def countered(one_slot, brand_manager):
    creator = make_creator()
    invitation = InvitationFactory(campaign=one_slot, creator=creator, invited_by=brand_manager)
    return invitations.invitation_counter(invitation=invitation, by_user=creator.user, fee=COUNTER)


def test_a_counter_offer_above_the_top_fee_shows_its_shortfall_not_fully_funded(
    client, countered, one_slot, brand_manager
):
    client.force_login(brand_manager)

    response = client.get(reverse("payments:campaign_spend", args=[one_slot.pk]))

    html = response.content.decode()
    (top_up,) = response.context["top_ups"]
    assert top_up.offer == f"invitation:{countered.pk}"
    assert (top_up.amount, top_up.fee_amount, top_up.total) == (
        Decimal("500000.00"),
        Decimal("50000.00"),
        Decimal("550000.00"),
    )
    assert "Fully funded" not in html
    assert "Shortfall: Rp 500.000." in html
    assert "With Kolabo's fee of Rp 50.000, you pay Rp 550.000 at checkout." in html
    assert f'name="offer" value="invitation:{countered.pk}"' in html
    # The counter-offer page explains why Accept is not offered yet, and where to top up.
    page = client.get(reverse("campaigns:invitation_detail", args=[countered.pk])).content.decode()
    assert "Accepting needs Rp 500.000 more in escrow. Top it up first." in page
    assert reverse("campaigns:invitation_counter_accept", args=[countered.pk]) not in page
    assert reverse("payments:campaign_spend", args=[one_slot.pk]) + "#top-ups" in page


def test_after_the_top_up_webhook_lands_the_counter_offer_can_be_accepted(
    client, emulator, countered, one_slot, brand_manager
):
    emulator.set_webhook_url(None)
    client.force_login(brand_manager)
    with pytest.raises(FundingRequired):
        invitations.invitation_counter_accept(invitation=countered, by_user=brand_manager)

    response = client.post(
        reverse("payments:funding_start", args=[one_slot.pk]), {"offer": f"invitation:{countered.pk}"}
    )

    funding = CampaignFunding.objects.get(checkout_session_id__isnull=False)
    assert response.url == funding.checkout_url
    assert (funding.escrow_amount, funding.fee_amount) == (Decimal("500000.00"), Decimal("50000.00"))
    session = emulator.complete_checkout(funding.checkout_session_id)
    assert session["amount_total"] == gateway.to_minor(Decimal("550000"), "IDR")
    # Paid at Stripe, webhook not in yet: still not acceptable, and the page says why.
    client.get(reverse("payments:funding_return", args=[funding.pk]))
    page = client.get(reverse("campaigns:invitation_detail", args=[countered.pk])).content.decode()
    assert "Stripe is confirming your payment. Accept once it is in escrow." in page
    spend = client.get(reverse("payments:campaign_spend", args=[one_slot.pk]))
    assert spend.context["top_ups"] == []

    (completed,) = emulator.events(type="checkout.session.completed")
    assert deliver(client, emulator, completed["id"]).status_code == 200
    page = client.get(reverse("campaigns:invitation_detail", args=[countered.pk])).content.decode()
    assert reverse("campaigns:invitation_counter_accept", args=[countered.pk]) in page
    accepted = client.post(reverse("campaigns:invitation_counter_accept", args=[countered.pk]))

    collaboration = Collaboration.objects.get(invitation=countered)
    assert accepted.url == collaboration.get_absolute_url()
    assert collaboration.fee == COUNTER
    assert escrow_reserved(collaboration_id=collaboration.pk) == COUNTER
    assert escrow_available(campaign_id=one_slot.pk, currency="IDR") == 0
    assert escrow.funding_needed(one_slot) == 0


def test_an_application_above_the_top_fee_gets_a_top_up_of_exactly_its_shortfall(one_slot, brand_manager):
    application = ApplicationFactory(
        campaign=one_slot, creator=make_creator(), proposed_fee=COUNTER, is_counter_offer=True
    )

    (top_up,) = escrow.funding_top_ups(one_slot)
    assert top_up.offer == f"application:{application.pk}"
    assert top_up.amount == Decimal("500000.00")
    # Topped up (here booked as received, the way staff record a bank transfer), it is accepted.
    escrow.funding_record_paid(campaign=one_slot, amount=top_up.amount, note="Top-up")
    assert escrow.funding_top_ups(one_slot) == []
    collaboration = applications.application_accept(application=application, by_user=brand_manager)
    assert collaboration.fee == COUNTER


def test_two_slots_a_counter_takes_what_it_needs_and_the_other_slot_shows_as_still_needed(
    brand_org, brand_manager
):
    campaign = CampaignFactory(organization=brand_org, slots=2)
    creator = make_creator()
    invitation = InvitationFactory(campaign=campaign, creator=creator, invited_by=brand_manager)
    invitations.invitation_counter(invitation=invitation, by_user=creator.user, fee=COUNTER)

    # Topping up first keeps both slots covered.
    (top_up,) = escrow.funding_top_ups(campaign)
    assert top_up.amount == Decimal("500000.00")
    # Accepting without the top-up is possible (the escrow holds 2,000,000), but leaves the
    # second slot short, and the page says so instead of "fully funded".
    invitations.invitation_counter_accept(invitation=invitation, by_user=brand_manager)
    assert escrow.funding_needed(campaign) == Decimal("500000.00")


def test_expired_or_answered_offers_need_no_top_up(one_slot, brand_manager):
    creator = make_creator()
    InvitationFactory(
        campaign=one_slot,
        creator=creator,
        status=Invitation.Status.COUNTERED,
        counter_fee=COUNTER,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    ApplicationFactory(
        campaign=one_slot, creator=make_creator(), proposed_fee=COUNTER, status=Application.Status.DECLINED
    )

    assert escrow.funding_top_ups(one_slot) == []
    with pytest.raises(Exception, match="This offer needs no top-up"):
        escrow.funding_start(campaign=one_slot, by_user=brand_manager, offer="application:999999")


def test_the_api_balance_lists_the_top_up_and_what_is_being_confirmed(
    client, countered, one_slot, brand_manager
):
    client.force_login(brand_manager)

    body = client.get(f"/api/v1/campaigns/{one_slot.pk}/balance/").json()

    assert body["funding_needed"] == "0.00"
    assert body["processing"] == "0.00"
    (top_up,) = body["top_ups"]
    assert top_up == {
        "offer": f"invitation:{countered.pk}",
        "creator_name": countered.creator.display_name,
        "fee": "1500000.00",
        "amount": "500000.00",
        "fee_amount": "50000.00",
        "total": "550000.00",
    }


def test_the_api_starts_the_top_up_checkout_and_accepting_works_once_it_is_paid(
    client, emulator, countered, one_slot, brand_manager
):
    client.force_login(brand_manager)

    response = client.post(
        f"/api/v1/campaigns/{one_slot.pk}/fundings/",
        {"offer": f"invitation:{countered.pk}"},
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["escrow_amount"], body["fee_amount"], body["total"]) == (
        "500000.00",
        "50000.00",
        "550000.00",
    )
    funding = CampaignFunding.objects.get(pk=body["id"])
    assert body["checkout_url"] == funding.checkout_url
    refused = client.post(f"/api/v1/invitations/{countered.pk}/counter-accept/")
    assert refused.status_code == 409
    emulator.complete_checkout(funding.checkout_session_id)
    (completed,) = emulator.events(type="checkout.session.completed")
    deliver(client, emulator, completed["id"])
    accepted = client.post(f"/api/v1/invitations/{countered.pk}/counter-accept/")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["fee"] == "1500000.00"


def test_an_invitation_above_the_brief_waits_for_the_top_up_before_the_creator_can_accept(
    client, one_slot, brand_manager
):
    creator = make_creator()
    invitation = invitations.invitation_create(
        campaign=one_slot, by_user=brand_manager, creator=creator, offered_fee=COUNTER
    )

    (top_up,) = escrow.funding_top_ups(one_slot)
    client.force_login(creator.user)
    page = client.get(reverse("campaigns:invitation_detail", args=[invitation.pk])).content.decode()

    assert top_up.offer == f"invitation:{invitation.pk}"
    assert top_up.amount == Decimal("500000.00")
    assert "has not put this fee in escrow yet" in page
    assert reverse("campaigns:invitation_accept", args=[invitation.pk]) not in page
    escrow.funding_record_paid(campaign=one_slot, amount=top_up.amount, note="Top-up")
    page = client.get(reverse("campaigns:invitation_detail", args=[invitation.pk])).content.decode()
    assert reverse("campaigns:invitation_accept", args=[invitation.pk]) in page
    collaboration = invitations.invitation_accept(invitation=invitation, by_user=creator.user)
    assert collaboration.fee == COUNTER
