"""Coming back from Stripe Checkout before the `checkout.session.completed` webhook has landed:
the money page says "payment processing", offers no second payment, and never reads all zeros.
The escrow is still credited only by the verified webhook.

The emulator delivers no webhooks here (its webhook URL is unset); tests deliver them by hand.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.errors import ValidationFailed
from payments.ledger import campaign_totals
from payments.models import CampaignFunding, LedgerTransaction
from payments.services import escrow
from tests.campaigns.factories import CampaignFactory

FEE = Decimal("1000000.00")


def deliver(client, emulator, event_id):
    signed = emulator.signed_event(event_id)
    return client.post(
        reverse("payments:stripe_webhook"),
        data=signed["payload"],
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed["signature"],
    )


def completed_event(emulator):
    (event,) = emulator.events(type="checkout.session.completed")
    return event["id"]


def amount_cell(html, name):
    match = re.search(rf'data-amount="{name}"><strong>([^<]+)</strong>', html)
    return match and match.group(1)


@pytest.fixture
def no_webhooks(emulator):
    emulator.set_webhook_url(None)
    return emulator


@pytest.fixture
def unfunded(brand_org):
    return CampaignFactory(organization=brand_org, funded=False, slots=2)


def pay_at_stripe(client, emulator, campaign):
    """The brand presses "Fund this campaign" and pays on the Checkout page."""
    response = client.post(reverse("payments:funding_start", args=[campaign.pk]))
    funding = CampaignFunding.objects.get(campaign=campaign)
    assert response.url == funding.checkout_url
    emulator.complete_checkout(funding.checkout_session_id)
    return funding


def test_the_return_page_says_payment_processing_until_the_webhook_lands(
    client, no_webhooks, unfunded, brand_manager
):
    client.force_login(brand_manager)
    funding = pay_at_stripe(client, no_webhooks, unfunded)

    back = client.get(
        reverse("payments:funding_return", args=[funding.pk]) + f"?session_id={funding.checkout_session_id}",
        follow=True,
    )

    html = back.content.decode()
    assert back.status_code == 200
    assert "Payment processing: Stripe is confirming the payment" in html
    assert 'data-testid="payment-processing"' in html
    assert "Fund this campaign" not in html
    assert "Continue payment" not in html
    assert funding.checkout_url not in html
    # Not all zeros: the payment on its way is shown, and nothing is said to be still needed.
    assert amount_cell(html, "processing") == "Rp 2.000.000"
    assert back.context["needed"] == 0
    # Escrow is credited only by the webhook.
    assert not LedgerTransaction.objects.exists()
    assert amount_cell(html, "available") == "Rp 0"

    assert deliver(client, no_webhooks, completed_event(no_webhooks)).status_code == 200
    html = client.get(reverse("payments:campaign_spend", args=[unfunded.pk])).content.decode()
    assert amount_cell(html, "available") == "Rp 2.000.000"
    assert amount_cell(html, "processing") is None
    assert "Payment processing" not in html
    assert "Fully funded for its 2 slots." in html
    assert LedgerTransaction.objects.filter(kind="funding").count() == 1


def test_the_money_page_alone_finds_a_paid_checkout_whose_webhook_is_late(
    client, no_webhooks, unfunded, brand_manager
):
    # The brand closed the tab at Stripe and comes back to the money page on its own.
    client.force_login(brand_manager)
    pay_at_stripe(client, no_webhooks, unfunded)

    response = client.get(reverse("payments:campaign_spend", args=[unfunded.pk]))

    html = response.content.decode()
    assert "Payment processing" in html
    assert "Fund this campaign" not in html
    assert "Continue payment" not in html
    assert amount_cell(html, "processing") == "Rp 2.000.000"
    assert campaign_totals(campaign_id=unfunded.pk) == {}
    # The campaign page's money line agrees.
    line = client.get(reverse("campaigns:campaign_manage", args=[unfunded.pk])).content.decode()
    assert "Rp 2.000.000 payment processing" in line
    assert "Rp 0 still needed" in line


def test_an_unpaid_checkout_still_offers_to_continue_the_payment(
    client, no_webhooks, unfunded, brand_manager
):
    client.force_login(brand_manager)
    client.post(reverse("payments:funding_start", args=[unfunded.pk]))
    funding = CampaignFunding.objects.get()

    back = client.get(reverse("payments:funding_return", args=[funding.pk]), follow=True)

    html = back.content.decode()
    assert "Payment processing" not in html
    assert f'href="{funding.checkout_url}">Continue payment' in html
    assert "Fund this campaign" in html  # nothing was paid: the need stands


def test_a_second_checkout_is_refused_while_the_first_payment_is_being_confirmed(
    client, no_webhooks, unfunded, brand_manager
):
    client.force_login(brand_manager)
    funding = pay_at_stripe(client, no_webhooks, unfunded)
    client.get(reverse("payments:funding_return", args=[funding.pk]))

    with pytest.raises(ValidationFailed, match="being confirmed by Stripe"):
        escrow.funding_start(campaign=unfunded, by_user=brand_manager)
    response = client.post(reverse("payments:funding_start", args=[unfunded.pk]), follow=True)

    assert "A payment of Rp 2.000.000 is being confirmed by Stripe" in response.content.decode()
    assert CampaignFunding.objects.count() == 1


def test_the_return_page_copes_when_stripe_does_not_answer(
    client, no_webhooks, unfunded, brand_manager, settings
):
    client.force_login(brand_manager)
    funding = pay_at_stripe(client, no_webhooks, unfunded)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    back = client.get(reverse("payments:funding_return", args=[funding.pk]), follow=True)

    assert back.status_code == 200
    assert "Stripe is confirming the payment, or it did not go through" in back.content.decode()
    assert not LedgerTransaction.objects.exists()
