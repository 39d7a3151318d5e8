"""A hand-built NGO cause campaign with known numbers, shared by the report tests.

Everything the report reads is made here the way the app makes it (services for collaborations,
publishing and money; the ORM for rows other helpers' services write: posts, snapshots, links,
clicks, conversions). The expected figures are worked out by hand in test_metrics_golden.py.

The campaign (IDR, brief fee 1,000,000 × 3 slots, funded 3,000,000 + 5 % NGO fee = 150,000):
- Ayu: fee 1,000,000, completed (owed), plus a 20,000 commission. One verified Instagram reel: the
  post now reads views 10,000, likes 800, comments 100, shares 50, saves 50, reach 8,000 (she typed
  views 9,000, likes 700, comments 80 at publication: superseded). Snapshots: 650 engagements at
  publication (5 days ago), 800 after 24 hours (4 days ago). 25,000 followers (self-reported).
  Clicks: 20 three days ago, 10 one day ago. Conversions: 4 sign-ups, 2 donations (100,000 + 50,000).
- Budi: fee 800,000, published, not confirmed (reserved). Self-reported reel: views 5,000,
  likes 300, comments 50, shares and saves unknown. 40,000 followers (verified). Clicks: 10 two days
  ago. Conversions: 1 sign-up.
- Citra: fee 500,000, cancelled before any work (released). No post, no click.
- One more sign-up arrived with no link or promo code (unattributed).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from campaigns.models import Campaign, CollaborationDeliverable
from campaigns.services import publishing
from campaigns.services.workspace import collaboration_cancel
from creators.models import MetricsSource
from payments import ledger
from payments.models import Account, LedgerTransaction
from platforms.models import PlatformConnection, PlatformPost, PostSnapshot
from tests.campaigns.factories import CampaignFactory, start_collaboration, submit_and_approve
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tracking.links import link_for_collaboration
from tracking.models import Click, Conversion, ConversionGoal, TrackedLink


def local_noon(days_ago: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


def creator(name: str, followers: int, source=MetricsSource.SELF_REPORTED):
    profile = CreatorProfileFactory(display_name=name)
    SocialAccountFactory(profile=profile, followers=followers, metrics_source=source)
    return profile


def add_clicks(link: TrackedLink, count: int, days_ago: int) -> None:
    at = local_noon(days_ago)
    Click.objects.bulk_create(
        Click(link=link, token=f"{link.code}-{days_ago}-{n}", visitor=f"v{n}", clicked_at=at)
        for n in range(count)
    )


def convert(campaign, goal, collaboration, external_id, amount=None):
    return Conversion.objects.create(
        campaign=campaign,
        goal=goal,
        collaboration=collaboration,
        external_id=external_id,
        amount=amount,
        currency=campaign.currency if amount is not None else "",
        occurred_at=local_noon(1),
        source=Conversion.Source.POSTBACK,
        touch=Conversion.Touch.LINK if collaboration else "",
    )


def link_for(collaboration) -> TrackedLink:
    return link_for_collaboration(collaboration)  # made when the collaboration opened


def publish(collaboration, reviewer, *, url, **metrics):
    deliverable = collaboration.deliverables.get()
    submit_and_approve(deliverable, collaboration.creator.user, reviewer)
    publishing.deliverable_publish(
        deliverable=deliverable, by_user=collaboration.creator.user, post_url=url, **metrics
    )
    deliverable.refresh_from_db()
    return deliverable


def golden_campaign(ngo_org, reviewer) -> dict:
    campaign = CampaignFactory(
        organization=ngo_org,
        kind=Campaign.Kind.CAUSE,
        title="Clean beaches drive",
        fee_min=Decimal("1000000"),
        fee_max=Decimal("1000000"),
        slots=3,
        usage_rights=Campaign.UsageRights.NGO_NONCOMMERCIAL,
    )
    ayu = start_collaboration(campaign, creator("Ayu", 25_000), by_user=reviewer, fee=Decimal("1000000"))
    budi = start_collaboration(
        campaign,
        creator("Budi", 40_000, MetricsSource.VERIFIED),
        by_user=reviewer,
        fee=Decimal("800000"),
    )
    citra = start_collaboration(campaign, creator("Citra", 60_000), by_user=reviewer, fee=Decimal("500000"))
    collaboration_cancel(collaboration=citra, by_user=reviewer, reason="Plans changed")

    # Ayu: typed numbers at publication, then her connected account's post replaces them.
    reel = publish(ayu, reviewer, url="https://instagram.com/p/ayu1", views=9000, likes=700, comments=80)
    publishing.deliverable_confirm(deliverable=reel, by_user=reviewer)
    connection = PlatformConnection.objects.create(
        profile=ayu.creator, platform="instagram", external_id="ig-ayu", username="ayu"
    )
    post = PlatformPost.objects.create(
        connection=connection,
        external_id="p1",
        permalink="https://instagram.com/p/ayu1",
        posted_at=local_noon(5),
        views=10_000,
        likes=800,
        comments=100,
        shares=50,
        saves=50,
        reach=8_000,
    )
    CollaborationDeliverable.objects.filter(pk=reel.pk).update(verified_post=post)
    PostSnapshot.objects.create(
        deliverable=reel,
        post=post,
        moment=PostSnapshot.Moment.PUBLISHED,
        due_at=local_noon(5),
        taken_at=local_noon(5),
        likes=600,
        comments=50,
    )
    PostSnapshot.objects.create(
        deliverable=reel,
        post=post,
        moment=PostSnapshot.Moment.DAY_1,
        due_at=local_noon(4),
        taken_at=local_noon(4),
        likes=700,
        comments=80,
        shares=20,
        saves=0,
    )
    # A commission of 20,000 made payable from the escrow (payments.CommissionAccrual's ledger leg).
    ledger.post(
        kind=LedgerTransaction.Kind.COMMISSION_PAYABLE,
        reference=f"commission:{ayu.pk}",
        currency="IDR",
        campaign_id=campaign.pk,
        collaboration_id=ayu.pk,
        legs=[
            ledger.Leg(Account.CAMPAIGN_ESCROW, Decimal("20000"), campaign.pk),
            ledger.Leg(Account.CREATOR_PAYABLE, Decimal("-20000"), campaign.pk, ayu.pk, ayu.creator_id),
        ],
    )

    publish(budi, reviewer, url="https://instagram.com/p/budi1", views=5000, likes=300, comments=50)

    ayu_link, budi_link = link_for(ayu), link_for(budi)
    add_clicks(ayu_link, 20, days_ago=3)
    add_clicks(ayu_link, 10, days_ago=1)
    add_clicks(budi_link, 10, days_ago=2)

    signup = ConversionGoal.objects.create(campaign=campaign, kind=ConversionGoal.Kind.SIGNUP)
    donation = ConversionGoal.objects.create(campaign=campaign, kind=ConversionGoal.Kind.DONATION)
    for n in range(4):
        convert(campaign, signup, ayu, f"ayu-signup-{n}")
    convert(campaign, donation, ayu, "ayu-donation-1", Decimal("100000"))
    convert(campaign, donation, ayu, "ayu-donation-2", Decimal("50000"))
    convert(campaign, signup, budi, "budi-signup-1")
    convert(campaign, signup, None, "nobody-signup-1")
    for row in (ayu, budi, citra):
        row.refresh_from_db()
    return {"campaign": campaign, "ayu": ayu, "budi": budi, "citra": citra}
