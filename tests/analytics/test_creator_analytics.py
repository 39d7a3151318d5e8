"""A creator's own analytics page: earnings per month and currency from the ledger, engagement per
collaboration with its source, ratings received, clicks and conversions driven; only their own."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.creator_selectors import creator_analytics
from campaigns.models import Campaign, CollaborationDeliverable, Rating
from creators.models import MetricsSource
from payments.ledger import Leg, post
from payments.models import Account, LedgerTransaction
from platforms.models import PlatformConnection, PlatformPost
from tests.analytics.clock import clock_at
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tracking.links import link_for_collaboration
from tracking.models import Click, Conversion, ConversionGoal

pytestmark = pytest.mark.django_db

K = LedgerTransaction.Kind
D = CollaborationDeliverable.Status


def at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 12, 0))


def book(kind, collaboration, amount, when, *, to_creator=True):
    """Post one creator-payable movement for the collaboration, dated `when` (the month it counts in)."""
    amount = Decimal(amount)
    campaign_id, creator_id = collaboration.campaign_id, collaboration.creator_id
    payable = Leg(
        Account.CREATOR_PAYABLE, -amount if to_creator else amount, campaign_id, collaboration.pk, creator_id
    )
    other = Leg(
        Account.CAMPAIGN_ESCROW if to_creator else Account.STRIPE_CLEARING, -payable.amount, campaign_id
    )
    # The ledger is append-only (a database trigger refuses UPDATE): post it with the clock at `when`.
    with clock_at(when):
        post(
            kind=kind,
            reference=f"test:{kind}:{collaboration.pk}:{amount}:{when:%Y%m}",
            currency=collaboration.currency,
            campaign_id=campaign_id,
            collaboration_id=collaboration.pk,
            legs=[payable, other],
        )


def publish(collaboration, *, post=None, **metrics):
    CollaborationDeliverable.objects.filter(collaboration=collaboration).update(
        status=D.PUBLISHED, published_at=timezone.now(), verified_post=post, **metrics
    )


def verified_post(profile, **metrics):
    account = profile.social_accounts.get()
    account.metrics_source = MetricsSource.VERIFIED
    account.save()
    connection = PlatformConnection.objects.create(
        profile=profile,
        account=account,
        platform=account.platform,
        external_id=f"ext-{account.pk}",
        username=account.handle,
    )
    return PlatformPost.objects.create(
        connection=connection,
        external_id="p1",
        permalink="https://www.instagram.com/p/p1/",
        posted_at=timezone.now(),
        **metrics,
    )


def click(collaboration, n, when):
    link = link_for_collaboration(collaboration)
    for i in range(n):
        Click.objects.create(
            link=link, token=f"t{collaboration.pk}-{when:%m}-{i}", visitor=f"v{i}", clicked_at=when
        )


@pytest.fixture
def world(brand_org, brand_owner, ngo_org, ngo_manager):
    """Ayu works on an IDR brand brief, a USD brand brief and an IDR cause campaign; Budi on the
    IDR brief too (his numbers must never show on Ayu's page)."""
    ayu, budi = make_creator(), make_creator()
    idr = CampaignFactory(organization=brand_org, title="Kopi at sahur")
    usd = CampaignFactory(
        organization=brand_org, title="Export beans", currency="USD", fee_min=100, fee_max=100
    )
    cause = CampaignFactory(
        organization=ngo_org,
        title="Clean beaches",
        kind=Campaign.Kind.CAUSE,
        fee_min=500_000,
        fee_max=500_000,
    )
    a_idr = start_collaboration(idr, ayu, by_user=brand_owner)
    a_usd = start_collaboration(usd, ayu, by_user=brand_owner, fee=Decimal("100"))
    a_cause = start_collaboration(cause, ayu, by_user=ngo_manager, fee=Decimal("500000"))
    b_idr = start_collaboration(idr, budi, by_user=brand_owner)
    return {
        "ayu": ayu,
        "budi": budi,
        "a_idr": a_idr,
        "a_usd": a_usd,
        "a_cause": a_cause,
        "b_idr": b_idr,
        "idr": idr,
        "cause": cause,
        "brand_owner": brand_owner,
    }


def test_earnings_per_month_and_currency_come_from_the_ledger(world):
    a_idr, a_usd, b_idr = world["a_idr"], world["a_usd"], world["b_idr"]
    book(K.PAYABLE, a_idr, "1000000", at(2025, 11))
    book(K.PAYOUT, a_idr, "1000000", at(2025, 12), to_creator=False)
    book(K.COMMISSION_PAYABLE, a_idr, "50000", at(2025, 12))
    book(K.PAYABLE, a_usd, "100", at(2025, 12))
    book(K.PAYABLE, b_idr, "777000", at(2025, 11))  # Budi's

    data = creator_analytics(creator=world["ayu"])

    by_currency = {line.currency: line for line in data.earnings}
    assert set(by_currency) == {"IDR", "USD"}  # never one total across currencies
    idr = [(m.month, m.earned, m.paid) for m in by_currency["IDR"].months]
    assert idr == [
        (datetime.date(2025, 11, 1), Decimal("1000000.00"), Decimal("0.00")),
        (datetime.date(2025, 12, 1), Decimal("50000.00"), Decimal("1000000.00")),
    ]
    assert by_currency["IDR"].earned == Decimal("1050000.00")
    assert [(m.month, m.earned, m.paid) for m in by_currency["USD"].months] == [
        (datetime.date(2025, 12, 1), Decimal("100.00"), Decimal("0.00"))
    ]


def test_engagement_per_collaboration_carries_its_source(world):
    ayu = world["ayu"]
    publish(world["a_idr"], views=1000, likes=100, comments=20, shares=5, saves=5)  # typed in
    post_ = verified_post(ayu, likes=300, comments=30, views=4000)
    publish(world["a_cause"], post=post_, views=10, likes=1, comments=1)  # the post's latest numbers win
    publish(world["b_idr"], views=99999, likes=99999)

    lines = {line.collaboration.pk: line for line in creator_analytics(creator=ayu).collaborations}

    assert set(lines) == {world["a_idr"].pk, world["a_usd"].pk, world["a_cause"].pk}
    assert (lines[world["a_idr"].pk].views, lines[world["a_idr"].pk].engagements) == (1000, 130)
    assert lines[world["a_idr"].pk].source == "self_reported"
    assert (lines[world["a_cause"].pk].views, lines[world["a_cause"].pk].engagements) == (4000, 330)
    assert lines[world["a_cause"].pk].source == "verified"
    assert lines[world["a_usd"].pk].engagements is None  # nothing published: unknown, not 0


def test_ratings_clicks_and_conversions_driven(world, brand_owner):
    ayu = world["ayu"]
    first = Rating.objects.create(
        collaboration=world["a_idr"], rated_side="creator", rated_by=brand_owner, score=4
    )
    second = Rating.objects.create(
        collaboration=world["a_usd"], rated_side="creator", rated_by=brand_owner, score=5
    )
    Rating.objects.filter(pk=first.pk).update(created_at=at(2025, 10))
    Rating.objects.filter(pk=second.pk).update(created_at=at(2025, 12))
    Rating.objects.create(collaboration=world["a_idr"], rated_side="organization", rated_by=ayu.user, score=1)
    Rating.objects.create(collaboration=world["b_idr"], rated_side="creator", rated_by=brand_owner, score=1)
    click(world["a_idr"], 3, at(2025, 11))
    click(world["a_cause"], 2, at(2025, 12))
    click(world["b_idr"], 7, at(2025, 12))
    signup = ConversionGoal.objects.create(campaign=world["cause"], kind="signup")
    donation = ConversionGoal.objects.create(campaign=world["cause"], kind="donation")
    for n, (goal, amount) in enumerate([(signup, None), (donation, "25000"), (donation, "75000")]):
        Conversion.objects.create(
            campaign=world["cause"],
            goal=goal,
            collaboration=world["a_cause"],
            external_id=f"c{n}",
            amount=amount,
            currency="IDR" if amount else "",
            occurred_at=timezone.now(),
            source="csv",
        )

    data = creator_analytics(creator=ayu)

    assert [r.score for r in data.ratings] == [4, 5]  # received as a creator, oldest first
    assert data.rating_average == Decimal("4.50")
    assert data.clicks == 5
    assert data.clicks_by_month == [(datetime.date(2025, 11, 1), 3), (datetime.date(2025, 12, 1), 2)]
    assert data.conversions == 3
    assert dict(data.conversions_by_goal) == {"Donation": 2, "Sign-up": 1}
    cause_line = next(line for line in data.collaborations if line.collaboration == world["a_cause"])
    assert cause_line.conversion_amounts == {"IDR": Decimal("100000")}
    assert cause_line.amounts_display == "Rp 100.000"


def test_the_page_shows_only_the_creators_own_figures_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    book(K.PAYABLE, world["a_idr"], "1000000", at(2025, 11))
    book(K.PAYABLE, world["b_idr"], "777000", at(2025, 11))
    publish(world["b_idr"], views=99999, likes=12345)
    client.force_login(world["ayu"].user)

    html = client.get(reverse("analytics:creator_analytics")).content.decode()

    assert "Rp 1.000.000" in html and "Rp 777.000" not in html
    assert "12345" not in html and "12.345" not in html
    assert "Kopi at sahur" in html and "Clean beaches" in html
    assert 'data-testid="impact-credit-form"' in html  # the cause collaboration's opt-in
    assert "Chart: Earnings per month in IDR" in html

    with django_assert_num_queries(6):
        creator_analytics(creator=world["ayu"])
    for n in range(3):  # more collaborations, more rows: the same queries
        other = CampaignFactory(organization=world["idr"].organization)
        collaboration = start_collaboration(other, world["ayu"], by_user=world["brand_owner"])
        publish(collaboration, views=10, likes=n)
        click(collaboration, 1, at(2025, 12))
    with django_assert_num_queries(6):
        creator_analytics(creator=world["ayu"])


def test_only_creators_have_an_analytics_page(client, brand_owner):
    response = client.get(reverse("analytics:creator_analytics"))
    assert response.status_code == 302  # to the login page
    client.force_login(brand_owner)
    assert client.get(reverse("analytics:creator_analytics")).status_code == 404


def test_the_creator_dashboard_links_to_analytics(client, creator):
    client.force_login(creator)
    assert reverse("analytics:creator_analytics") in client.get(reverse("dashboard")).content.decode()
