"""Demo campaigns: briefs in every state, funded by a recorded bank transfer, with applications,
invitations and collaborations walked through the workspace."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from brands.models import Membership, Organization
from campaigns.eligibility import check_eligibility
from campaigns.models import Collaboration
from campaigns.services import applications as application_services
from campaigns.services import briefs as brief_services
from campaigns.services import conversation as conversation_services
from campaigns.services import drafts as draft_services
from campaigns.services import invitations as invitation_services
from campaigns.services import publishing as publishing_services
from creators.models import Cause, CreatorProfile, Niche
from marketplace.demo import DOMAIN
from marketplace.models import User
from payments.services import funding as funding_services

CAMPAIGNS = [
    {
        "org": "Kopi Nusantara",
        "title": "Ramadan sahur coffee stories",
        "kind": "commercial",
        "compensation": "paid",
        "objective": "awareness",
        "description": "Show how you brew our single-origin coffee at sahur, in your own kitchen and voice.",
        "niches": ["food", "lifestyle"],
        "platforms": ["instagram"],
        "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 1}],
        "min_followers": 1_000,
        "max_followers": 100_000,
        "fee": (Decimal("1500000"), Decimal("3000000")),
        "currency": "IDR",
        "slots": 6,
        "usage_rights": "paid_30",
        "hashtags": "#iklan #KopiNusantara #SahurBareng",
        "stages": ["completed", "published", "approved", "submitted", "active"],
    },
    {
        "org": "Batik Modern Co.",
        "title": "Batik to the office: 5 looks",
        "kind": "commercial",
        "compensation": "paid",
        "objective": "sales",
        "description": "Style one batik shirt or dress five ways for the work week.",
        "niches": ["fashion", "modest-fashion"],
        "platforms": ["instagram", "tiktok"],
        "deliverables": [
            {"platform": "instagram", "format": "feed_post", "quantity": 1},
            {"platform": "instagram", "format": "story", "quantity": 2},
        ],
        "min_followers": 5_000,
        "max_followers": 100_000,
        "fee": (Decimal("2500000"), Decimal("2500000")),
        "currency": "IDR",
        "slots": 4,
        "usage_rights": "organic",
        "hashtags": "#iklan #BatikKeKantor",
        "stages": ["active", "submitted"],
    },
    {
        "org": "GreenHome Living",
        "title": "Refill, don't landfill",
        "kind": "commercial",
        "compensation": "paid",
        "objective": "traffic",
        "description": "Swap one single-use bottle at home for our refills and show the before and after.",
        "niches": ["zero-waste", "interior-home", "parenting-family"],
        "platforms": ["instagram"],
        "deliverables": [{"platform": "instagram", "format": "reel", "quantity": 1}],
        "min_followers": 1_000,
        "max_followers": 60_000,
        "fee": (Decimal("120"), Decimal("250")),
        "currency": "USD",
        "slots": 3,
        "usage_rights": "paid_90",
        "hashtags": "#ad #GreenHome",
        "stages": [],
    },
    {
        "org": "Yayasan Laut Bersih",
        "title": "Clean beach weekend",
        "kind": "cause",
        "compensation": "volunteer",
        "objective": "signups",
        "description": "Invite your followers to our beach clean-ups on 12 sites across Bali and Lombok.",
        "niches": ["zero-waste", "travel"],
        "causes": ["ocean-conservation", "waste-reduction"],
        "platforms": ["instagram", "tiktok"],
        "deliverables": [{"platform": "instagram", "format": "story", "quantity": 3}],
        "min_followers": 1_000,
        "max_followers": 100_000,
        "fee": (Decimal("0"), Decimal("0")),
        "currency": "IDR",
        "slots": 10,
        "usage_rights": "ngo_noncommercial",
        "hashtags": "#LautBersih",
        "stages": ["active"],
    },
]


def seed_campaigns(rng: random.Random) -> None:
    """Briefs in every state, with applications, invitations and collaborations along the way."""
    today = timezone.localdate()
    creators = list(
        CreatorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}")
        .select_related("user")
        .prefetch_related("social_accounts")
        .order_by("user__email")
    )
    niches = {n.slug: n for n in Niche.objects.all()}
    causes = {c.slug: c for c in Cause.objects.all()}
    used: set[int] = set()
    finance = User.objects.get(email=f"reviewer@{DOMAIN}")
    for spec in CAMPAIGNS:
        org = Organization.objects.get(name=spec["org"])
        manager = org.memberships.get(role=Membership.Role.MANAGER).user
        fee_min, fee_max = spec["fee"]
        campaign = brief_services.campaign_create(
            organization=org,
            by_user=manager,
            title=spec["title"],
            kind=spec["kind"],
            compensation=spec["compensation"],
            objective=spec["objective"],
            description=spec["description"],
            platforms=spec["platforms"],
            min_followers=spec["min_followers"],
            max_followers=spec["max_followers"],
            fee_min=fee_min,
            fee_max=fee_max,
            currency=spec["currency"],
            slots=spec["slots"],
            application_deadline=today + timedelta(days=rng.randint(10, 20)),
            content_due_date=today + timedelta(days=rng.randint(25, 40)),
            usage_rights=spec["usage_rights"],
            required_hashtags=spec["hashtags"],
            dos="Be yourself. Show the product in daily life.",
            donts="No competitor brands in frame. No medical claims.",
            deliverables=spec["deliverables"],
            niches=[niches[slug] for slug in spec["niches"]],
            causes=[causes[slug] for slug in spec.get("causes", [])],
        )
        brief_services.campaign_publish(campaign=campaign, by_user=manager)
        needed = funding_services.funding_needed(campaign)
        if needed > 0:
            # Demo money arrives as a recorded bank transfer: no Stripe needed to load the demo.
            # `make run` then tops Stripe's test balance up to the ledger (manage.py demo_stripe_sync).
            funding_services.funding_record_offline(
                campaign=campaign, amount=needed, by_user=finance, note="Demo funding (bank transfer)"
            )
        fitting = [
            c
            for c in creators
            if c.pk not in used
            and check_eligibility(campaign=campaign, creator=c).eligible
            and {n.slug for n in c.niches.all()} & set(spec["niches"])
        ]
        rng.shuffle(fitting)
        for stage in spec["stages"]:
            if not fitting:
                break  # a small --creators run may not have enough matching creators
            creator = fitting.pop()
            used.add(creator.pk)
            application = application_services.application_create(
                campaign=campaign,
                creator=creator,
                by_user=creator.user,
                pitch="My audience cooks, dresses and lives like this every day; I would love to show them.",
                proposed_fee=fee_max,
            )
            collaboration = application_services.application_accept(application=application, by_user=manager)
            advance(collaboration, manager=manager, stage=stage)
        for creator in fitting[:3]:  # waiting for the brand's decision
            used.add(creator.pk)
            application_services.application_create(
                campaign=campaign,
                creator=creator,
                by_user=creator.user,
                pitch="I post about this every week and my followers ask where to buy.",
                proposed_fee=fee_min,
            )
        for creator in fitting[3:5]:  # invited, not answered yet
            used.add(creator.pk)
            invitation_services.invitation_create(
                campaign=campaign,
                by_user=manager,
                creator=creator,
                offered_fee=fee_max,
                message="We love your content and think it fits this brief.",
            )
    # A draft, to show the publishing checklist.
    org = Organization.objects.get(name="Literasi Anak Bangsa")
    brief_services.campaign_create(
        organization=org,
        by_user=org.memberships.get(role=Membership.Role.MANAGER).user,
        title="Read-aloud month",
        kind="cause",
        compensation="stipend",
        description="Read a children's book aloud and tell your followers how to donate one.",
        currency="IDR",
    )


DEFAULT_METRICS = {"views": 12_400, "likes": 1_310, "comments": 87, "shares": 45, "saves": 120}


def advance(collaboration: Collaboration, *, manager: User, stage: str, metrics: dict | None = None) -> None:
    """Walk a fresh collaboration through the workspace up to `stage`."""
    order = ["active", "submitted", "approved", "published", "completed"]
    target = order.index(stage)
    creator_user = collaboration.creator.user
    for deliverable in collaboration.deliverables.all():
        if target >= order.index("submitted"):
            submission = draft_services.submission_create(
                deliverable=deliverable,
                by_user=creator_user,
                link="https://drive.example.com/kolabo-demo-draft",
                caption="Draft caption with #iklan, as the brief asks.",
            )
        if target >= order.index("approved"):
            draft_services.submission_approve(submission=submission, by_user=manager)
            deliverable.refresh_from_db()
        if target >= order.index("published"):
            publishing_services.deliverable_publish(
                deliverable=deliverable,
                by_user=creator_user,
                post_url="https://www.instagram.com/p/kolabo-demo/",
                **(metrics or DEFAULT_METRICS),
            )
            deliverable.refresh_from_db()
        if target >= order.index("completed"):
            publishing_services.deliverable_confirm(deliverable=deliverable, by_user=manager)
    if stage == "completed":
        collaboration.refresh_from_db()
        conversation_services.rating_create(
            collaboration=collaboration, by_user=manager, score=5, comment="On time and on brief."
        )
        conversation_services.rating_create(
            collaboration=collaboration, by_user=creator_user, score=5, comment="Clear brief, fast feedback."
        )
