"""The report page, its CSV, PDF and API answer in a fixed number of queries: the same with 200
collaborations as with 2 (rows made with bulk_create)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.selectors import CAMPAIGN_REPORT_QUERIES, campaign_report
from campaigns.models import Collaboration, CollaborationDeliverable
from creators.models import CreatorProfile, SocialAccount
from marketplace.models import User
from tests.campaigns.factories import CampaignFactory
from tracking.models import Click, Conversion, ConversionGoal, TrackedLink

pytestmark = pytest.mark.django_db

NAMES = ("campaign_report", "campaign_report_csv", "campaign_report_pdf")


def add_collaborations(campaign, start: int, count: int) -> None:
    """`count` collaborations with a published post, a tracked link, 2 clicks and a conversion each."""
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@creators.example", full_name=f"Bulk {n}") for n in range(start, start + count)
    )
    profiles = CreatorProfile.objects.bulk_create(
        CreatorProfile(
            user=user, display_name=f"Creator {n:03}", slug=f"bulk-{n}", country="ID", currency="IDR"
        )
        for n, user in enumerate(users, start)
    )
    SocialAccount.objects.bulk_create(
        SocialAccount(
            profile=profile,
            platform="instagram",
            handle=f"bulk.{profile.slug}",
            followers=10_000,
            metrics_date=timezone.localdate(),
        )
        for profile in profiles
    )
    collaborations = Collaboration.objects.bulk_create(
        Collaboration(
            campaign=campaign,
            creator=profile,
            source=Collaboration.Source.INVITATION,
            fee=Decimal("100000"),
            currency="IDR",
            status=Collaboration.Status.PUBLISHED,
        )
        for profile in profiles
    )
    spec = campaign.deliverables.get()
    now = timezone.now()
    CollaborationDeliverable.objects.bulk_create(
        CollaborationDeliverable(
            collaboration=c,
            spec=spec,
            status=CollaborationDeliverable.Status.PUBLISHED,
            post_url=f"https://instagram.com/p/bulk{c.pk}",
            views=1000,
            likes=100,
            comments=10,
            published_at=now,
        )
        for c in collaborations
    )
    links = TrackedLink.objects.bulk_create(
        TrackedLink(collaboration=c, campaign=campaign, code=f"b{c.pk}", promo_code=f"BULK{c.pk}")
        for c in collaborations
    )
    Click.objects.bulk_create(
        Click(
            link=link, token=f"t{link.pk}-{n}", visitor=f"v{n}", clicked_at=now - datetime.timedelta(days=n)
        )
        for link in links
        for n in range(2)
    )
    goal = ConversionGoal.objects.get_or_create(campaign=campaign, kind=ConversionGoal.Kind.SIGNUP)[0]
    Conversion.objects.bulk_create(
        Conversion(
            campaign=campaign,
            goal=goal,
            collaboration=c,
            external_id=f"c{c.pk}",
            occurred_at=now,
            source=Conversion.Source.CSV,
        )
        for c in collaborations
    )


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_campaign_report_selector_runs_a_fixed_number_of_queries(brand_org, django_assert_num_queries):
    campaign = CampaignFactory(organization=brand_org, slots=300)
    add_collaborations(campaign, 0, 2)
    with django_assert_num_queries(CAMPAIGN_REPORT_QUERIES):
        small = campaign_report(campaign)
    add_collaborations(campaign, 2, 198)
    with django_assert_num_queries(CAMPAIGN_REPORT_QUERIES):
        big = campaign_report(campaign)
    assert (small.creators, big.creators) == (2, 200)
    assert big.clicks.value == 400 and big.conversions.value == 200 and big.engagements.value == 22_000


def test_report_page_csv_pdf_and_api_do_not_grow_with_collaborations(
    client, brand_org, brand_owner, django_assert_max_num_queries
):
    campaign = CampaignFactory(organization=brand_org, slots=300)
    add_collaborations(campaign, 0, 2)
    client.force_login(brand_owner)
    urls = [reverse(f"analytics:{name}", args=[campaign.pk]) for name in NAMES]
    urls.append(reverse("api:campaign_report", args=[campaign.pk]))
    for url in urls:
        client.get(url)  # warm the session and content type caches
    budgets = {url: count_queries(lambda url=url: client.get(url)) for url in urls}

    add_collaborations(campaign, 2, 198)
    for url in urls:
        with django_assert_max_num_queries(budgets[url]):
            response = client.get(url)
        assert response.status_code == 200, url
    # The last answer (the API) lists every collaboration.
    assert len(response.json()["collaborations"]) == 200
