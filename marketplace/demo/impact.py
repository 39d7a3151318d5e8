"""Demo impact: a brand-sponsored NGO campaign with tracked links, clicks and donations, and sales
tracked on Kopi Nusantara's coffee campaign, so reports, impact pages and charts have data.

Everything goes through the services, except the clicks' history: they are written through the
same idempotent writer the click flush uses (tracking.clicks.clicks_write), dated over the last
weeks, as /r/<code> would have recorded them.
"""

import json
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from analytics.impact_services import collaboration_credit_set
from brands.models import Membership, Organization
from campaigns.eligibility import check_eligibility
from campaigns.models import Campaign, Collaboration, Sponsorship
from campaigns.services import applications as application_services
from campaigns.services import briefs as brief_services
from campaigns.services import sponsorship as sponsorship_services
from creators.models import Cause, CreatorProfile, Niche
from marketplace.demo import DOMAIN
from marketplace.demo.campaigns import advance
from marketplace.models import User
from payments.services import funding as funding_services
from tracking import clicks as click_services
from tracking import conversions as conversion_services
from tracking import links as link_services
from tracking import settings_services
from tracking.models import Click, Conversion

SPONSORED_TITLE = "Plastic-free fishing villages"


def _manager(org: Organization) -> User:
    return org.memberships.get(role=Membership.Role.MANAGER).user


def seed_impact(rng: random.Random) -> None:
    ngo = Organization.objects.get(name="Yayasan Laut Bersih")
    sponsor = Organization.objects.get(name="Kopi Nusantara")
    campaign = _sponsored_campaign(rng, ngo=ngo, sponsor=sponsor)
    _track(
        rng,
        campaign=campaign,
        target="https://lautbersih.example/donasi",
        goals={"signup": "Volunteer sign-up", "pledge": "Plastic-free pledge", "donation": "Donation"},
        visitors=(180, 420),
    )
    coffee = Campaign.objects.get(title="Ramadan sahur coffee stories")
    settings_services.tracking_settings_update(
        campaign=coffee,
        by_user=_manager(coffee.organization),
        goals={"sale": "Online order"},
        target_url="https://kopinusantara.example/sahur",
        commission_kind="percent",
        commission_percent=Decimal("10"),
    )
    _track(rng, campaign=coffee, target="", goals=None, visitors=(120, 300))


def _sponsored_campaign(rng: random.Random, *, ngo: Organization, sponsor: Organization) -> Campaign:
    """A stipend cause campaign of the NGO, sponsored and funded by a brand, with creators at work."""
    manager = _manager(ngo)
    today = timezone.localdate()
    campaign = brief_services.campaign_create(
        organization=ngo,
        by_user=manager,
        title=SPONSORED_TITLE,
        kind="cause",
        compensation="stipend",
        objective="donations",
        description=(
            "Tell your followers how fishing villages in Lombok went plastic-free, and ask them to "
            "pledge, volunteer or donate a refill station."
        ),
        platforms=["instagram"],
        min_followers=1_000,
        max_followers=100_000,
        fee_min=Decimal("750000"),
        fee_max=Decimal("750000"),
        currency="IDR",
        slots=5,
        application_deadline=today + timedelta(days=14),
        content_due_date=today + timedelta(days=30),
        usage_rights="ngo_noncommercial",
        required_hashtags="#LautBersih #DesaTanpaPlastik",
        dos="Show the village, the people and the refill station. Link to the donation page.",
        donts="No brand logos except the sponsor's, no shaming of fishers.",
        deliverables=[{"platform": "instagram", "format": "reel", "quantity": 1}],
        niches=list(Niche.objects.filter(slug__in=["zero-waste", "travel"])),
        causes=list(Cause.objects.filter(slug__in=["ocean-conservation", "waste-reduction"])),
    )
    brief_services.campaign_publish(campaign=campaign, by_user=manager)
    sponsorship = sponsorship_services.sponsorship_offer(
        campaign=campaign,
        sponsor=sponsor,
        amount=funding_services.funding_needed(campaign),
        message="Kopi Nusantara would like to fund every creator's stipend on this campaign.",
        by_user=_manager(sponsor),
    )
    sponsorship_services.sponsorship_accept(sponsorship=sponsorship, by_user=manager)
    # Demo money arrives as a recorded bank transfer from the sponsor (no Stripe needed to load).
    funding_services.funding_record_paid(
        campaign=campaign,
        amount=sponsorship.amount,
        note="Demo sponsorship (bank transfer from Kopi Nusantara)",
        sponsorship=sponsorship,
    )
    taken = set(Collaboration.objects.values_list("creator_id", flat=True))
    creators = [
        creator
        for creator in CreatorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}")
        .exclude(pk__in=taken)
        .select_related("user")
        .prefetch_related("social_accounts", "niches")
        .order_by("user__email")
        if {n.slug for n in creator.niches.all()} & {"zero-waste", "travel"}
        and check_eligibility(campaign=campaign, creator=creator).eligible
    ]
    rng.shuffle(creators)
    for stage, credited in (
        ("completed", True),
        ("published", True),
        ("published", False),
        ("approved", True),
    ):
        if not creators:
            break  # a small --creators run may not have enough matching creators
        creator = creators.pop()
        application = application_services.application_create(
            campaign=campaign,
            creator=creator,
            by_user=creator.user,
            pitch="I swim off these beaches every week; my followers want to help.",
            proposed_fee=campaign.fee_max,
        )
        collaboration = application_services.application_accept(application=application, by_user=manager)
        views = rng.randint(4_000, 30_000)
        advance(
            collaboration,
            manager=manager,
            stage=stage,
            metrics={
                "views": views,
                "likes": views * rng.randint(6, 12) // 100,
                "comments": views * rng.randint(3, 9) // 1000,
                "shares": views * rng.randint(2, 6) // 1000,
                "saves": views * rng.randint(4, 10) // 1000,
            },
        )
        if credited:
            collaboration_credit_set(collaboration=collaboration, by_user=creator.user, credited=True)
    return campaign


def _track(rng: random.Random, *, campaign: Campaign, target: str, goals, visitors: tuple[int, int]) -> None:
    """Destination, goals, links, three weeks of clicks, and conversions through the click ids."""
    if goals is not None:
        settings_services.tracking_settings_update(
            campaign=campaign, by_user=_manager(campaign.organization), goals=goals, target_url=target
        )
    goal_kinds = list(campaign.conversion_goals.values_list("kind", flat=True))
    now = timezone.now()
    items = []
    collaborations = campaign.collaborations.exclude(status=Collaboration.Status.CANCELLED).order_by("pk")
    for collaboration in collaborations.select_related("creator"):
        link = link_services.link_for_collaboration(collaboration)
        if not collaboration.deliverables.filter(published_at__isnull=False).exists():
            continue  # no post yet, so nobody has seen the link
        for n in range(rng.randint(*visitors)):
            at = now - timedelta(days=rng.uniform(0.2, 20))
            items.append(
                json.dumps(
                    {
                        "token": f"demo{link.code}{n:05d}",
                        "link": link.pk,
                        "collaboration": collaboration.pk,
                        "campaign": campaign.pk,
                        "visitor": f"demo-visitor-{link.code}-{n}",
                        "at": at.timestamp(),
                    }
                )
            )
    click_services.clicks_write(items)
    for number, click in enumerate(
        Click.objects.filter(link__campaign=campaign).order_by("clicked_at", "pk").iterator()
    ):
        if rng.random() > 0.09:
            continue  # about one click in eleven converts
        kind = rng.choice(goal_kinds)
        amount = None
        if kind == "donation":
            amount = Decimal(rng.choice([50_000, 100_000, 150_000, 250_000, 500_000]))
        elif kind == "sale":
            amount = Decimal(rng.choice([89_000, 129_000, 178_000, 245_000]))
        conversion_services.conversion_record(
            campaign=campaign,
            goal_kind=kind,
            external_id=f"demo-{campaign.pk}-{number}",
            occurred_at=min(click.clicked_at + timedelta(hours=rng.uniform(0.1, 40)), now),
            amount=amount,
            click_token=click.token,
            source=Conversion.Source.POSTBACK,
        )


def sponsored_campaign() -> Campaign | None:
    return Campaign.objects.filter(
        title=SPONSORED_TITLE, sponsorships__status=Sponsorship.Status.ACCEPTED
    ).first()
