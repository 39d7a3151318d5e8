"""A closed or cancelled campaign takes no more money: no page and no API answer says "still
needed" or offers a checkout, even when it was never fully funded."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.services import campaign_closing, invitations
from marketplace.errors import InvalidTransition
from payments.models import CampaignFunding
from payments.services import escrow
from tests.campaigns.factories import CampaignFactory, InvitationFactory, make_creator

FEE = Decimal("1000000.00")


@pytest.fixture
def half_funded(brand_org, brand_manager):
    """Two slots at Rp 1.000.000, one funded, an unpaid checkout left open and a counter-offer
    above the brief's fee waiting."""
    campaign = CampaignFactory(organization=brand_org, slots=2, funded=False)
    escrow.funding_record_paid(campaign=campaign, amount=FEE, note="Bank transfer")
    CampaignFunding.objects.create(
        campaign=campaign,
        escrow_amount=FEE,
        fee_amount=FEE / 10,
        fee_rate=Decimal("0.10"),
        currency="IDR",
        checkout_session_id="cs_test_left_open",
        checkout_url="https://checkout.stripe.test/pay/cs_test_left_open",
    )
    creator = make_creator()
    invitation = InvitationFactory(campaign=campaign, creator=creator, invited_by=brand_manager)
    invitations.invitation_counter(invitation=invitation, by_user=creator.user, fee=2 * FEE)
    return campaign


def assert_takes_no_money(client, campaign):
    spend = client.get(reverse("payments:campaign_spend", args=[campaign.pk]))
    html = spend.content.decode()
    assert spend.context["needed"] == 0
    assert spend.context["top_ups"] == []
    assert "still needed" not in html.lower()
    assert "Still needed" not in html
    assert "Fund this campaign" not in html
    assert "Continue payment" not in html and "cs_test_left_open" not in html
    assert reverse("payments:funding_start", args=[campaign.pk]) not in html
    assert 'data-testid="funding-closed"' in html

    line = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).content.decode()
    assert "still needed" not in line
    assert "takes no more funding" in line

    body = client.get(f"/api/v1/campaigns/{campaign.pk}/balance/").json()
    assert body["funding_needed"] == "0.00"
    assert body["checkout_total"] == "0.00"
    assert body["top_ups"] == []
    refused = client.post(f"/api/v1/campaigns/{campaign.pk}/fundings/", {}, content_type="application/json")
    assert refused.status_code == 409
    campaign.refresh_from_db()
    with pytest.raises(InvalidTransition):
        escrow.funding_start(campaign=campaign, by_user=spend.wsgi_request.user)


def test_before_closing_the_campaign_says_what_it_still_needs(client, half_funded, brand_manager):
    client.force_login(brand_manager)

    spend = client.get(reverse("payments:campaign_spend", args=[half_funded.pk]))

    assert spend.context["needed"] == FEE
    assert "Fund this campaign" in spend.content.decode()
    assert len(spend.context["top_ups"]) == 1


def test_a_closed_campaign_never_says_still_needed_or_offers_checkout(
    client, half_funded, brand_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_close(campaign=half_funded, by_user=brand_manager)
    client.force_login(brand_manager)

    assert_takes_no_money(client, half_funded)


def test_a_cancelled_campaign_never_says_still_needed_or_offers_checkout(
    client, half_funded, brand_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_cancel(campaign=half_funded, by_user=brand_manager, reason="Budget cut")
    client.force_login(brand_manager)

    assert_takes_no_money(client, half_funded)
