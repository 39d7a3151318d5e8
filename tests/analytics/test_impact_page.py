"""The public impact page of a cause campaign: open to anyone, aggregates only, creators named only
when they opted in, sponsors credited, OpenGraph tags, cached briefly, a fixed query count."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.impact import impact_cache_clear
from campaigns.models import Campaign, Collaboration, CollaborationDeliverable, Sponsorship
from payments.services.escrow import funding_record_paid
from tests.brands.factories import OrganizationFactory
from tests.campaigns.factories import CampaignFactory, start_collaboration
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tracking.links import link_for_collaboration
from tracking.models import Click, Conversion, ConversionGoal

pytestmark = pytest.mark.django_db

FEE = Decimal("500000")


def creator_named(name):
    profile = CreatorProfileFactory(display_name=name, slug=name.lower().replace(" ", "-"))
    SocialAccountFactory(profile=profile)
    return profile


def publish(collaboration, **metrics):
    CollaborationDeliverable.objects.filter(collaboration=collaboration).update(
        status=CollaborationDeliverable.Status.PUBLISHED, published_at=timezone.now(), **metrics
    )


def convert(campaign, goal, collaboration, external_id, amount=None):
    Conversion.objects.create(
        campaign=campaign,
        goal=goal,
        collaboration=collaboration,
        external_id=external_id,
        amount=amount,
        currency="IDR" if amount else "",
        occurred_at=timezone.now(),
        source="postback",
    )


@pytest.fixture
def cause(ngo_org, ngo_manager, brand_org):
    """Laut Bersih's beach clean-up: Ayu (named), Budi (not named), Citra (cancelled, had opted in);
    2 sign-ups, 2 donations (Rp 25,000 + Rp 75,000), 4 clicks, sponsored by Kopi Nusantara."""
    campaign = CampaignFactory(
        organization=ngo_org,
        kind=Campaign.Kind.CAUSE,
        title="Pantai bersih",
        slots=3,
        fee_min=FEE,
        fee_max=FEE,
    )
    ayu, budi, citra = (creator_named(n) for n in ("Ayu Lestari", "Budi Santoso", "Citra Dewi"))
    collaborations = [
        start_collaboration(campaign, p, by_user=ngo_manager, fee=FEE) for p in (ayu, budi, citra)
    ]
    Collaboration.objects.filter(pk=collaborations[0].pk).update(credited_publicly=True)
    Collaboration.objects.filter(pk=collaborations[2].pk).update(
        credited_publicly=True, status=Collaboration.Status.CANCELLED
    )
    publish(collaborations[0], views=1200, likes=100, comments=20)
    publish(collaborations[1], views=800, likes=50, comments=10, shares=5, saves=5)
    signup = ConversionGoal.objects.create(campaign=campaign, kind="signup")
    donation = ConversionGoal.objects.create(campaign=campaign, kind="donation")
    convert(campaign, signup, collaborations[0], "s1")
    convert(campaign, signup, collaborations[1], "s2")
    convert(campaign, donation, collaborations[0], "d1", Decimal("25000"))
    convert(campaign, donation, collaborations[1], "d2", Decimal("75000"))
    link = link_for_collaboration(collaborations[0])
    for n in range(4):
        Click.objects.create(link=link, token=f"tok{n}", visitor=f"v{n}", clicked_at=timezone.now())
    brand_org.logo = "org-logos/kopi.png"
    brand_org.website = "https://kopi.example"
    brand_org.save()
    Sponsorship.objects.create(
        campaign=campaign,
        sponsor=brand_org,
        status=Sponsorship.Status.ACCEPTED,
        amount=1_500_000,
        currency="IDR",
    )
    Sponsorship.objects.create(
        campaign=campaign,
        sponsor=OrganizationFactory(kind="brand", name="Declined Brand"),
        status=Sponsorship.Status.DECLINED,
        amount=100,
        currency="IDR",
    )
    return {"campaign": campaign, "collaborations": collaborations, "profiles": (ayu, budi, citra)}


def page(client, campaign):
    response = client.get(reverse("analytics:impact", args=[campaign.pk]))
    assert response.status_code == 200
    return response.content.decode()


def figure(html, key):
    return re.search(rf'data-figure="{key}" data-value="(\d*)"', html).group(1)


def test_anyone_sees_the_aggregate_results_without_logging_in(client, cause):
    html = page(client, cause["campaign"])

    assert "Pantai bersih" in html and "Laut Bersih" in html
    assert '<strong data-figure="creators">2</strong>' in html  # the cancelled one does not take part
    assert figure(html, "views") == "2000"
    assert figure(html, "engagements") == "190"  # 120 + 70
    assert figure(html, "clicks") == "4"
    assert figure(html, "signup") == "2"
    assert figure(html, "donation") == "2"
    assert '<span data-amount="donation-IDR">Rp 100.000</span>' in html
    assert 'data-source="self_reported"' in html  # every audience figure says where it comes from
    assert "Chart: Results so far." in html
    assert 'data-testid="impact-updated"' in html and "Updated: " in html


def test_only_creators_who_opted_in_are_named(client, cause):
    html = page(client, cause["campaign"])

    assert "Ayu Lestari" in html
    assert "Budi Santoso" not in html  # did not opt in
    assert "Citra Dewi" not in html  # opted in, then the collaboration was cancelled
    assert "And 1 creator who chose not to be named." in html


def test_no_private_data_fees_earnings_or_emails(client, cause, ngo_manager):
    html = page(client, cause["campaign"])

    for private in ("Rp 500.000", "500000", "500.000", "Rp 1.500.000", "US$", "@example"):
        assert private not in html, private
    assert ngo_manager.email not in html
    for profile in cause["profiles"]:
        assert profile.user.email not in html


def test_sponsors_are_credited_with_their_logo(client, cause):
    html = page(client, cause["campaign"])

    section = html[html.index('data-testid="impact-sponsors"') :]
    assert "Kopi Nusantara" in section and "/media/org-logos/kopi.png" in section
    assert 'href="https://kopi.example"' in section
    assert "Declined Brand" not in html


def test_opengraph_and_twitter_tags_with_absolute_urls(client, cause, settings):
    settings.SITE_URL = "https://kolabo.example"
    campaign = cause["campaign"]
    html = page(client, campaign)

    url = f"https://kolabo.example{reverse('analytics:impact', args=[campaign.pk])}"
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="website">' in html
    assert '<meta property="og:title" content="Pantai bersih · Laut Bersih">' in html
    description = re.search(r'<meta property="og:description" content="([^"]*)">', html).group(1)
    assert "2 creators" in description and "2,000 views" in description and "2 sign-up" in description
    # No logo for the NGO: the default share image, a PNG, absolute.
    assert '<meta property="og:image" content="https://kolabo.example/static/img/impact-share.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<link rel="canonical" href="{url}">' in html
    assert "wa.me/?text=https%3A%2F%2Fkolabo.example" in html  # share link
    assert 'id="impact-print"' in html  # print button


def test_the_ngo_logo_is_the_share_image_when_there_is_one(client, cause, settings):
    settings.SITE_URL = "https://kolabo.example"
    organization = cause["campaign"].organization
    organization.logo = "org-logos/laut.png"
    organization.save()

    html = page(client, cause["campaign"])

    assert '<meta property="og:image" content="https://kolabo.example/media/org-logos/laut.png">' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Campaign.Status.DRAFT, "published_at": None},
        {"status": Campaign.Status.CANCELLED},
        {"kind": Campaign.Kind.COMMERCIAL},
    ],
    ids=["draft", "cancelled", "commercial"],
)
def test_drafts_cancelled_and_commercial_campaigns_have_no_impact_page(client, cause, fields):
    Campaign.objects.filter(pk=cause["campaign"].pk).update(**fields)
    impact_cache_clear(cause["campaign"].pk)

    assert client.get(reverse("analytics:impact", args=[cause["campaign"].pk])).status_code == 404


def test_a_brands_cause_campaign_and_an_unknown_one_have_no_impact_page(client, brand_org):
    campaign = CampaignFactory(organization=brand_org, kind=Campaign.Kind.CAUSE)
    assert client.get(reverse("analytics:impact", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("analytics:impact", args=[campaign.pk + 999])).status_code == 404


def test_closed_and_completed_campaigns_keep_their_page(client, cause):
    for status in (Campaign.Status.CLOSED, Campaign.Status.COMPLETED):
        Campaign.objects.filter(pk=cause["campaign"].pk).update(status=status)
        assert client.get(reverse("analytics:impact", args=[cause["campaign"].pk])).status_code == 200


def test_the_page_is_cached_briefly_and_updates_as_results_come_in(client, cause):
    campaign = cause["campaign"]
    assert figure(page(client, campaign), "signup") == "2"
    signup = ConversionGoal.objects.get(campaign=campaign, kind="signup")
    convert(campaign, signup, cause["collaborations"][0], "s3")

    assert figure(page(client, campaign), "signup") == "2"  # computed a moment ago
    impact_cache_clear(campaign.pk)  # what the 5 minutes' expiry does
    assert figure(page(client, campaign), "signup") == "3"


def test_the_query_count_does_not_grow_with_the_creators(client, cause, ngo_manager):
    campaign = cause["campaign"]

    def count():
        impact_cache_clear(campaign.pk)
        with CaptureQueriesContext(connection) as queries:
            page(client, campaign)
        return len(queries)

    before = count()
    Campaign.objects.filter(pk=campaign.pk).update(slots=20)
    campaign.refresh_from_db()
    funding_record_paid(campaign=campaign, amount=FEE * 8, note="Top-up for eight more creators")
    for n in range(8):
        collaboration = start_collaboration(
            campaign, creator_named(f"Extra {n}"), by_user=ngo_manager, fee=FEE
        )
        Collaboration.objects.filter(pk=collaboration.pk).update(credited_publicly=n % 2 == 0)
        publish(collaboration, views=100, likes=n)
    assert count() == before
    with CaptureQueriesContext(connection) as cached:
        page(client, campaign)
    assert len(cached) <= 2  # the campaign, and the session's user when signed in


# The creator's choice


def test_a_creator_opts_in_from_the_page_and_is_named_at_once(
    client, cause, django_capture_on_commit_callbacks
):
    campaign = cause["campaign"]
    budi = cause["profiles"][1]
    page(client, campaign)  # cached without Budi
    client.force_login(budi.user)

    html = page(client, campaign)
    assert 'data-testid="impact-mine"' in html and 'value="1"' in html
    with django_capture_on_commit_callbacks(execute=True):  # the opt-in clears the cached page
        response = client.post(
            reverse("analytics:impact_credit", args=[campaign.pk]),
            {"credited": "1", "next": f"/impact/{campaign.pk}/"},
        )

    assert response["Location"] == f"/impact/{campaign.pk}/"
    client.logout()
    assert "Budi Santoso" in page(client, campaign)


def test_a_creator_opts_out_again(client, cause, django_capture_on_commit_callbacks):
    campaign, ayu = cause["campaign"], cause["profiles"][0]
    assert "Ayu Lestari" in page(client, campaign)
    client.force_login(ayu.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analytics:impact_credit", args=[campaign.pk]), {"credited": "0"})

    assert not Collaboration.objects.get(pk=cause["collaborations"][0].pk).credited_publicly
    client.logout()
    assert "Ayu Lestari" not in page(client, campaign)


def test_nobody_else_decides_for_the_creator(client, cause, ngo_manager, outsider):
    campaign = cause["campaign"]
    for user in (ngo_manager, outsider):
        client.force_login(user)
        response = client.post(reverse("analytics:impact_credit", args=[campaign.pk]), {"credited": "1"})
        assert response.status_code == 404
    assert not Collaboration.objects.get(pk=cause["collaborations"][1].pk).credited_publicly
    assert client.get(reverse("analytics:impact_credit", args=[campaign.pk])).status_code == 405


def test_opting_in_needs_a_clear_answer_and_a_cause_campaign(client, brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org)
    profile = creator_named("Dewi Ayu")
    collaboration = start_collaboration(campaign, profile, by_user=brand_owner)
    client.force_login(profile.user)
    url = reverse("analytics:impact_credit", args=[campaign.pk])

    response = client.post(url, {"credited": "maybe"}, follow=True)
    assert "Choose whether to be named on the impact page: yes or no." in response.content.decode()
    response = client.post(url, {"credited": "1"}, follow=True)
    assert "Only cause campaigns have a public impact page." in response.content.decode()
    collaboration.refresh_from_db()
    assert not collaboration.credited_publicly
