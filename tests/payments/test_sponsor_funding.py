"""A sponsor funds an NGO campaign through Stripe Checkout (the local emulator, over HTTP): the
ledger records SPONSOR_FUNDING naming the sponsor, unspent escrow goes back to each payer pro rata
through its own payment, and both sides' pages show the same amounts."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from brands.models import Organization
from campaigns.models import Campaign, Sponsorship
from campaigns.selectors.sponsorships import sponsorship_spend
from campaigns.services import sponsorship as sponsorship_services
from campaigns.services.campaign_closing import campaign_close
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import Notification
from payments.checks import ledger_findings
from payments.ledger import campaign_totals, money
from payments.models import Account, CampaignFunding, CampaignRefund, LedgerEntry, LedgerTransaction
from payments.services.funding import funding_record_paid, sponsor_funding_start
from payments.services.refunds import refund_shares
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tests.payments.test_stripe_flows import deliver, event_ids

VERIFIED = Organization.VerificationStatus.VERIFIED
FEE = Decimal("1000000.00")  # the brief's fee per creator
SPONSORED = Decimal("3000000.00")
Kind = LedgerTransaction.Kind


@pytest.fixture
def ngo(ngo_org):
    Organization.objects.filter(pk=ngo_org.pk).update(verification_status=VERIFIED)
    ngo_org.refresh_from_db()
    return ngo_org


@pytest.fixture
def brand(brand_org):
    Organization.objects.filter(pk=brand_org.pk).update(verification_status=VERIFIED)
    brand_org.refresh_from_db()
    return brand_org


@pytest.fixture
def cause(ngo):
    """A published cause campaign: 4 slots at IDR 1,000,000, not funded yet."""
    return CampaignFactory(
        organization=ngo, kind=Campaign.Kind.CAUSE, title="Clean beaches", slots=4, funded=False
    )


@pytest.fixture
def sponsorship(cause, brand, ngo_manager, brand_manager):
    offered = sponsorship_services.sponsorship_offer(
        campaign=cause, sponsor=brand, amount=SPONSORED, message="", by_user=brand_manager
    )
    return sponsorship_services.sponsorship_accept(sponsorship=offered, by_user=ngo_manager)


def pay(client, emulator, funding):
    """The sponsor pays at Stripe and the verified webhook arrives."""
    emulator.complete_checkout(funding.checkout_session_id)
    completed = event_ids(emulator, "checkout.session.completed")[-1]
    assert deliver(client, emulator, completed).status_code == 200
    funding.refresh_from_db()
    return funding


def amount_in(html, testid_amount):
    """The text of the element marked data-amount="<name>" (first one)."""
    marker = f'data-amount="{testid_amount}">'
    start = html.index(marker) + len(marker)
    if html[start:].startswith("<strong>"):
        start += len("<strong>")
    return html[start : html.index("<", start)].strip()


# Funding


def test_the_sponsor_funds_through_checkout_and_the_ledger_says_so(
    client, emulator, sponsorship, brand, brand_manager, ngo_manager
):
    client.force_login(brand_manager)
    page = client.get(reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])).content.decode()
    assert amount_in(page, "left").startswith("You can pay up to Rp 3.000.000")

    response = client.post(
        reverse("campaigns:sponsorship_fund", args=[sponsorship.pk]), {"amount": "3000000"}
    )

    funding = CampaignFunding.objects.get()
    assert response.status_code == 302 and response.url == funding.checkout_url
    assert (funding.sponsorship, funding.created_by, funding.escrow_amount) == (
        sponsorship,
        brand_manager,
        SPONSORED,
    )
    assert funding.fee_amount == SPONSORED * Decimal("0.05")  # the NGO rate

    funding = pay(client, emulator, funding)

    assert funding.status == CampaignFunding.Status.PAID
    posted = LedgerTransaction.objects.get()
    assert (posted.kind, posted.sponsor, posted.reference) == (
        Kind.SPONSOR_FUNDING,
        brand,
        f"funding:{funding.pk}",
    )
    escrow = LedgerEntry.objects.get(transaction=posted, account=Account.CAMPAIGN_ESCROW)
    assert escrow.amount == -SPONSORED
    line = campaign_totals(campaign_id=sponsorship.campaign_id)["IDR"]
    assert (line["funded"], line["available"]) == (SPONSORED, SPONSORED)
    assert ledger_findings(stripe=False) == []
    call_command("ledger_check", "--no-stripe")
    assert Notification.objects.filter(recipient=ngo_manager, kind="sponsorship.funded").count() == 1
    # The brand comes back from Stripe to its own page, not the NGO's money page.
    back = client.get(
        reverse("payments:funding_return", args=[funding.pk]) + f"?session_id={funding.checkout_session_id}"
    )
    assert back.url == reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])
    spend = sponsorship_spend(sponsorship)
    assert (spend.funded, spend.spent, spend.available, spend.left_to_fund) == (SPONSORED, 0, SPONSORED, 0)


def test_a_sponsor_funds_at_most_what_it_agreed(client, emulator, sponsorship, brand_manager):
    first = sponsor_funding_start(sponsorship=sponsorship, by_user=brand_manager, amount=Decimal("1000000"))
    pay(client, emulator, first)

    with pytest.raises(ValidationFailed, match=re.escape("at most Rp 2.000.000")) as refused:
        sponsor_funding_start(sponsorship=sponsorship, by_user=brand_manager, amount=Decimal("2000001"))
    assert refused.value.field == "amount"
    client.force_login(brand_manager)
    response = client.post(
        reverse("campaigns:sponsorship_fund", args=[sponsorship.pk]), {"amount": "2500000"}
    )
    assert "You can pay at most Rp 2.000.000" in response.context["fund_form"].errors["amount"][0]

    rest = sponsor_funding_start(
        sponsorship=sponsorship, by_user=brand_manager
    )  # the default: all that is left
    assert rest.escrow_amount == Decimal("2000000.00")
    pay(client, emulator, rest)
    with pytest.raises(ValidationFailed, match=re.escape("has paid all of the Rp 3.000.000")):
        sponsor_funding_start(sponsorship=sponsorship, by_user=brand_manager)
    assert CampaignFunding.objects.count() == 2


def test_only_the_sponsors_managers_fund_and_only_once_accepted(
    client, emulator, cause, brand, brand_manager, brand_viewer, ngo_manager
):
    offered = sponsorship_services.sponsorship_offer(
        campaign=cause, sponsor=brand, amount=SPONSORED, message="", by_user=brand_manager
    )
    with pytest.raises(Exception, match="Only an accepted sponsorship can be funded"):
        sponsor_funding_start(sponsorship=offered, by_user=brand_manager)
    accepted = sponsorship_services.sponsorship_accept(sponsorship=offered, by_user=ngo_manager)
    for user in (brand_viewer, ngo_manager):
        with pytest.raises(PermissionDeniedError):
            sponsor_funding_start(sponsorship=accepted, by_user=user)

    client.force_login(ngo_manager)
    response = client.post(
        reverse("campaigns:sponsorship_fund", args=[accepted.pk]), {"amount": "1000000"}, follow=True
    )

    assert response.redirect_chain == [(reverse("campaigns:sponsorship_detail", args=[accepted.pk]), 302)]
    assert any("Only owners and managers" in str(m) for m in response.context["messages"])
    assert not CampaignFunding.objects.exists()


# Refunds


def test_refund_shares_are_pro_rata_exact_and_never_above_a_part():
    shares = refund_shares(Decimal("100.00"), [Decimal("100.00"), Decimal("100.00"), Decimal("100.00")])
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert refund_shares(Decimal("3000000"), [Decimal("1000000"), Decimal("3000000")]) == [
        Decimal("750000.00"),
        Decimal("2250000.00"),
    ]
    # More unspent than the payments can give back: each gives back all it has, no more.
    assert refund_shares(Decimal("50"), [Decimal("10"), Decimal("20")]) == [
        Decimal("10.00"),
        Decimal("20.00"),
    ]
    assert refund_shares(Decimal("0"), [Decimal("10")]) == [Decimal("0")]
    odd = [Decimal("0.01"), Decimal("0.02"), Decimal("999.97")]
    for unspent in (Decimal("0.01"), Decimal("0.05"), Decimal("333.33"), Decimal("1000.00")):
        shares = refund_shares(unspent, odd)
        assert sum(shares) == unspent
        assert all(Decimal("0") <= share <= part for share, part in zip(shares, odd, strict=True))


def test_closing_refunds_the_sponsor_through_its_own_payment_and_both_pages_agree(
    client,
    emulator,
    django_capture_on_commit_callbacks,
    cause,
    ngo_manager,
    brand_manager,
    sponsorship,
    brand,
):
    # Given the NGO's own IDR 1,000,000 (a bank transfer) and the sponsor's 3,000,000 by card,
    funding_record_paid(campaign=cause, amount=FEE, note="NGO bank transfer", by_user=ngo_manager)
    sponsor_funding = pay(
        client, emulator, sponsor_funding_start(sponsorship=sponsorship, by_user=brand_manager)
    )
    # and one creator accepted at the brief's fee (reserved: spent),
    start_collaboration(cause, make_creator(), by_user=ngo_manager, fee=FEE)
    spend = sponsorship_spend(sponsorship)
    assert (spend.spent, spend.available) == (FEE * 3 / 4, FEE * 9 / 4)  # its share of the pot: 3/4

    # when the NGO closes the campaign,
    with django_capture_on_commit_callbacks(execute=True):
        campaign_close(campaign=cause, by_user=ngo_manager)

    # then the unspent 3,000,000 goes back pro rata: 3/4 to the sponsor's card, 1/4 to the NGO.
    sponsor_refund = CampaignRefund.objects.get(funding=sponsor_funding)
    ngo_refund = CampaignRefund.objects.exclude(funding=sponsor_funding).get()
    assert (sponsor_refund.escrow_amount, ngo_refund.escrow_amount) == (FEE * 9 / 4, FEE * 3 / 4)
    assert sponsor_refund.fee_amount == money(FEE * 9 / 4 * Decimal("0.05"))
    assert sponsor_refund.status == ngo_refund.status == CampaignRefund.Status.PAID
    (stripe_refund,) = emulator.state()["objects"]["refund"]
    assert stripe_refund["id"] == sponsor_refund.stripe_refund_id
    assert stripe_refund["payment_intent"] == sponsor_funding.payment_intent_id
    assert stripe_refund["amount"] == int(sponsor_refund.total * 100)
    # The ledger names the sponsor on its refund's postings, and nowhere on the NGO's.
    sponsor_posts = LedgerTransaction.objects.filter(sponsor=brand).values_list("kind", "reference")
    assert set(sponsor_posts) == {
        (Kind.SPONSOR_FUNDING, f"funding:{sponsor_funding.pk}"),
        (Kind.REFUND_DUE, f"refund-due:{sponsor_refund.pk}"),
        (Kind.REFUND_PAID, f"refund-paid:{sponsor_refund.pk}"),
    }
    ngo_posts = LedgerTransaction.objects.filter(
        reference__in=[f"refund-due:{ngo_refund.pk}", f"refund-paid:{ngo_refund.pk}"]
    ).values_list("sponsor", flat=True)
    assert list(ngo_posts) == [None, None]
    assert ledger_findings(stripe=False) == []
    assert Notification.objects.filter(recipient=brand_manager, kind="sponsorship.refunded").count() == 1

    spend = sponsorship_spend(sponsorship)
    assert (spend.funded, spend.spent, spend.available) == (SPONSORED, FEE * 3 / 4, 0)
    assert spend.refunded == sponsor_refund.total
    assert spend.funded - spend.spent == sponsor_refund.escrow_amount

    # Both sides' pages show the same figures.
    client.force_login(brand_manager)
    brand_list = client.get(reverse("campaigns:org_sponsorships", args=[brand.slug])).content.decode()
    brand_detail = client.get(reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])).content.decode()
    client.force_login(ngo_manager)
    panel = client.get(reverse("campaigns:campaign_manage", args=[cause.pk])).content.decode()
    ngo_detail = client.get(reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])).content.decode()
    for html in (brand_list, brand_detail, panel, ngo_detail):
        assert amount_in(html, "funded") == "Rp 3.000.000"
        assert amount_in(html, "spent") == "Rp 750.000"
        assert amount_in(html, "refunded") == "Rp 2.362.500"  # 2,250,000 with its 5% fee
    assert amount_in(brand_list, "campaign-spent") == "Rp 1.000.000 of Rp 4.000.000"
    assert "Refunded to you" in brand_detail and "Refunded to the sponsor" in ngo_detail


def test_a_campaign_funded_only_by_its_own_organization_refunds_as_before(
    client, emulator, django_capture_on_commit_callbacks, brand_org, brand_manager
):
    campaign = CampaignFactory(organization=brand_org, funded=False, slots=2)
    first = funding_record_paid(campaign=campaign, amount=FEE, note="transfer 1")
    second = funding_record_paid(campaign=campaign, amount=FEE * 3, note="transfer 2")

    with django_capture_on_commit_callbacks(execute=True):
        campaign_close(campaign=campaign, by_user=brand_manager)

    refunds = {r.funding_id: r.escrow_amount for r in CampaignRefund.objects.all()}
    assert refunds == {first.pk: FEE, second.pk: FEE * 3}
    assert not LedgerTransaction.objects.filter(sponsor__isnull=False).exists()
    assert ledger_findings(stripe=False) == []
    assert Sponsorship.objects.count() == 0


def test_stripe_down_when_the_sponsor_pays_says_so_and_a_later_try_pays_once(
    client, emulator, sponsorship, brand_manager, settings
):
    client.force_login(brand_manager)
    url = reverse("campaigns:sponsorship_fund", args=[sponsorship.pk])
    live_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    down = client.post(url, {"amount": "3000000"}, follow=True)

    page = down.content.decode()
    assert down.status_code == 200
    assert "127.0.0.1" not in page and "Connection" not in page  # our words, not the library's
    assert [str(m) for m in down.context["messages"]]
    assert not LedgerTransaction.objects.exists()

    settings.STRIPE_API_BASE = live_base
    again = client.post(url, {"amount": "3000000"})

    funding = CampaignFunding.objects.exclude(checkout_url="").get()
    assert again.url == funding.checkout_url
    pay(client, emulator, funding)
    spend = sponsorship_spend(sponsorship)
    assert (spend.funded, spend.left_to_fund) == (SPONSORED, 0)
    assert LedgerTransaction.objects.filter(kind=Kind.SPONSOR_FUNDING).count() == 1
