"""Demo data: 3 brands, 2 NGOs, staff and 200 creators, the same every time (seeded).

Follower counts are log-normal around 10k, so most creators sit between 1k and 100k, and
engagement falls with the tier. The niche mix follows the category shares of a public
2019 sample of 33,935 Instagram creator accounts (fashion 35%, travel 12%, family 12%,
food 10%, beauty 5%, interior 3.5%, fitness 3.3%, pets 1.7%, other 17%); the sample
itself is not needed.
"""

import math
import random
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from brands import services as brand_services
from brands.models import Membership, Organization, VerificationRequest
from campaigns.eligibility import check_eligibility
from campaigns.models import Campaign, Collaboration
from campaigns.services import applications as application_services
from campaigns.services import briefs as brief_services
from campaigns.services import conversation as conversation_services
from campaigns.services import drafts as draft_services
from campaigns.services import invitations as invitation_services
from campaigns.services import publishing as publishing_services
from creators import services as creator_services
from creators.models import Cause, CreatorProfile, DeliverableFormat, Niche, Platform
from creators.signals import matching_changes_gathered
from marketplace.models import User
from marketplace.permissions import grant_staff_roles
from payments.services import escrow as escrow_services

SEED = 2026
PASSWORD = "kolabo-demo-2026"  # noqa: S105 - the documented demo password, never used outside seed_demo
DOMAIN = "kolabo.demo"
CREATOR_COUNT = 200

# Niche slug -> weight, from the category shares named in the module docstring.
# "other" (17%) is spread over the remaining niches.
NICHE_WEIGHTS = {
    "fashion": 35.1,
    "travel": 12.4,
    "parenting-family": 12.0,
    "food": 10.5,
    "beauty": 4.5,
    "interior-home": 3.5,
    "fitness": 3.3,
    "pets": 1.7,
}
OTHER_WEIGHT = 17.0

# Median engagement rate (%) by tier: smaller audiences engage more.
TIER_ER = [(1_000, 5.5), (10_000, 3.8), (100_000, 2.2), (500_000, 1.5), (1_000_000, 1.1), (math.inf, 0.8)]

ID_FIRST = [
    "Putri",
    "Ayu",
    "Dewi",
    "Siti",
    "Intan",
    "Rina",
    "Nadia",
    "Aulia",
    "Salsabila",
    "Kirana",
    "Rizky",
    "Budi",
    "Agus",
    "Wahyu",
    "Fajar",
    "Dimas",
    "Bayu",
    "Andi",
    "Hendra",
    "Yoga",
    "Nur",
    "Lestari",
    "Anisa",
    "Citra",
    "Maya",
    "Galih",
    "Reza",
    "Ilham",
    "Fitri",
    "Wulan",
]
ID_LAST = [
    "Pratama",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Kusuma",
    "Hidayat",
    "Nugroho",
    "Santoso",
    "Permata",
    "Setiawan",
    "Rahmawati",
    "Siregar",
    "Simanjuntak",
    "Halim",
    "Gunawan",
    "Purnomo",
    "Maharani",
    "Utami",
    "Susanto",
    "Hakim",
]
EN_FIRST = ["Emma", "Olivia", "James", "Liam", "Sophie", "Chloe", "Noah", "Grace", "Ethan", "Mia"]
EN_LAST = ["Walker", "Bennett", "Hughes", "Carter", "Foster", "Reid", "Hayes", "Ellis", "Brooks", "Shaw"]
ID_CITIES = [
    "Jakarta",
    "Bandung",
    "Surabaya",
    "Yogyakarta",
    "Denpasar",
    "Medan",
    "Makassar",
    "Semarang",
    "Malang",
]
EN_PLACES = [
    ("SG", "Singapore"),
    ("MY", "Kuala Lumpur"),
    ("AU", "Sydney"),
    ("GB", "London"),
    ("US", "Austin"),
]

BIOS = {
    "fashion": "Everyday outfits, local designers and thrift finds.",
    "travel": "Slow travel across the archipelago, on a budget.",
    "parenting-family": "Parenting two toddlers and sharing what actually works.",
    "food": "Street food, home cooking and honest reviews.",
    "beauty": "Skincare for humid weather, tested on real skin.",
    "interior-home": "Small homes, warm corners, second-hand furniture.",
    "fitness": "Home workouts and running clubs for beginners.",
    "pets": "Life with rescued cats and one very loud dog.",
}

ORGS = [
    {
        "key": "kopi",
        "kind": Organization.Kind.BRAND,
        "name": "Kopi Nusantara",
        "country": "ID",
        "website": "https://kopinusantara.example",
        "description": "Single-origin coffee from Aceh to Flores, roasted in Bandung.",
        "currency": "IDR",
        "verify": "approve",
    },
    {
        "key": "batik",
        "kind": Organization.Kind.BRAND,
        "name": "Batik Modern Co.",
        "country": "ID",
        "website": "https://batikmodern.example",
        "description": "Contemporary batik for work and weekends, hand-stamped in Pekalongan.",
        "currency": "IDR",
        "verify": "approve",
    },
    {
        "key": "greenhome",
        "kind": Organization.Kind.BRAND,
        "name": "GreenHome Living",
        "country": "SG",
        "website": "https://greenhome.example",
        "description": "Refillable home-care products for South-East Asian homes.",
        "currency": "USD",
        "verify": "pending",
    },
    {
        "key": "laut",
        "kind": Organization.Kind.NGO,
        "name": "Yayasan Laut Bersih",
        "country": "ID",
        "website": "https://lautbersih.example",
        "description": "Community beach clean-ups and plastic-free fishing villages.",
        "currency": "IDR",
        "causes": ["ocean-conservation", "waste-reduction", "environment"],
        "verify": "approve",
    },
    {
        "key": "literasi",
        "kind": Organization.Kind.NGO,
        "name": "Literasi Anak Bangsa",
        "country": "ID",
        "website": "https://literasianak.example",
        "description": "Reading corners and volunteer tutors for children in eastern Indonesia.",
        "currency": "IDR",
        "causes": ["education-access", "child-welfare", "digital-literacy"],
        "verify": None,
    },
]


class Command(BaseCommand):
    help = "Load the demo data (idempotent, deterministic) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--creators", type=int, default=CREATOR_COUNT, help="How many creators (default 200)."
        )

    def handle(self, *args, **options):
        marker = f"reviewer@{DOMAIN}"
        # Demo data must not email anybody.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            if User.objects.filter(email=marker).exists():
                self.stdout.write("Demo data is already loaded.")
            else:
                with matching_changes_gathered(), transaction.atomic():
                    self.seed(creator_count=options["creators"])
                self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            # Databases seeded before campaigns existed get them now.
            demo_orgs = Organization.objects.filter(memberships__user__email__endswith=f".{DOMAIN}")
            if demo_orgs.exists() and not Campaign.objects.filter(organization__in=demo_orgs).exists():
                with transaction.atomic():
                    seed_campaigns(random.Random(SEED + 1))
                self.stdout.write(self.style.SUCCESS("Demo campaigns loaded."))
        self.print_logins()

    # -- people -----------------------------------------------------------------------------

    def user(self, email: str, full_name: str, *, signup_role: str = "", **extra) -> User:
        # Hashing once keeps 200 users fast: PBKDF2 per user would take most of the run.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(PASSWORD)
        user = User.objects.create(
            email=email, password=self._password_hash, full_name=full_name, signup_role=signup_role, **extra
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    def seed(self, *, creator_count: int) -> None:
        rng = random.Random(SEED)
        self.user(f"admin@{DOMAIN}", "Kolabo Admin", is_staff=True, is_superuser=True)
        reviewer = self.user(f"reviewer@{DOMAIN}", "Rani Staff Reviewer", is_staff=True)
        grant_staff_roles(reviewer)  # payout, verification and dispute roles (marketplace/permissions.py)
        self.seed_orgs(reviewer=reviewer)
        self.seed_creators(rng, count=creator_count)
        seed_campaigns(random.Random(SEED + 1))

    def seed_orgs(self, *, reviewer: User) -> None:
        causes = {c.slug: c for c in Cause.objects.all()}
        for spec in ORGS:
            owner = self.user(
                f"owner@{spec['key']}.{DOMAIN}", f"{spec['name']} Owner", signup_role=spec["kind"]
            )
            org = brand_services.organization_create(
                user=owner,
                kind=spec["kind"],
                name=spec["name"],
                country=spec["country"],
                website=spec["website"],
                description=spec["description"],
                default_currency=spec["currency"],
                causes=[causes[slug] for slug in spec.get("causes", [])],
            )
            manager = self.user(
                f"manager@{spec['key']}.{DOMAIN}", f"{spec['name']} Manager", signup_role=spec["kind"]
            )
            Membership.objects.create(organization=org, user=manager, role=Membership.Role.MANAGER)
            viewer = self.user(
                f"viewer@{spec['key']}.{DOMAIN}", f"{spec['name']} Viewer", signup_role=spec["kind"]
            )
            Membership.objects.create(organization=org, user=viewer, role=Membership.Role.VIEWER)
            if spec["verify"]:
                request = brand_services.verification_request_submit(
                    organization=org,
                    by_user=owner,
                    evidence=f"Company registration and website {spec['website']}",
                )
                if spec["verify"] == "approve":
                    brand_services.verification_request_approve(request=request, by_user=reviewer)
        assert VerificationRequest.objects.filter(status=VerificationRequest.Status.PENDING).count() == 1

    def seed_creators(self, rng: random.Random, *, count: int) -> None:
        niches = {n.slug: n for n in Niche.objects.all()}
        causes = list(Cause.objects.all())
        other = [slug for slug in niches if slug not in NICHE_WEIGHTS]
        weights = dict(NICHE_WEIGHTS) | {slug: OTHER_WEIGHT / len(other) for slug in other}
        slugs, slug_weights = list(weights), list(weights.values())
        today = timezone.localdate()
        used_handles: set[str] = set()

        for i in range(count):
            indonesian = rng.random() < 0.82
            if indonesian:
                first, last = rng.choice(ID_FIRST), rng.choice(ID_LAST)
                country, city = "ID", rng.choice(ID_CITIES)
                languages = ["id", "en"] if rng.random() < 0.55 else ["id"]
                if rng.random() < 0.2:
                    languages.append(rng.choice(["jv", "su"]))
                currency = "IDR"
            else:
                first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
                country, city = rng.choice(EN_PLACES)
                languages = ["en"] + (["ms"] if country == "MY" else [])
                currency = "USD"
            name = f"{first} {last}"
            primary = rng.choices(slugs, weights=slug_weights)[0]
            extra = rng.sample([s for s in slugs if s != primary], k=rng.choice([0, 1, 1, 2]))
            user = self.user(f"creator{i + 1:03d}@{DOMAIN}", name, signup_role=User.SignupRole.CREATOR)
            profile = creator_services.creator_profile_create(
                user=user,
                display_name=name,
                bio=BIOS.get(primary, "Stories about the things I love, with a community that talks back."),
                country=country,
                city=city,
                languages=languages,
                niches=[niches[primary]] + [niches[s] for s in extra],
                causes=rng.sample(causes, k=rng.choice([0, 0, 1, 2])),
                open_to_pro_bono=rng.random() < 0.3,
                currency=currency,
            )
            handle = self.handle_for(first, last, rng, used_handles)
            followers = self.followers(rng)
            self.add_account(profile, user, rng, Platform.INSTAGRAM, handle, followers, indonesian, today)
            if rng.random() < 0.4:
                tiktok_followers = max(200, int(followers * rng.uniform(0.3, 2.5)))
                self.add_account(
                    profile, user, rng, Platform.TIKTOK, handle, tiktok_followers, indonesian, today
                )
            self.add_rates(profile, user, rng, followers, currency)

    @staticmethod
    def handle_for(first: str, last: str, rng: random.Random, used: set[str]) -> str:
        while True:
            handle = f"{first}.{last}{rng.randint(1, 99)}".lower()
            if handle not in used:
                used.add(handle)
                return handle

    @staticmethod
    def followers(rng: random.Random) -> int:
        # log10(followers) ~ N(4.0, 0.55): median 10k, ~90% between 1k and 100k.
        return int(min(3_000_000, max(300, 10 ** rng.gauss(4.0, 0.55))))

    def add_account(self, profile, user, rng, platform, handle, followers, indonesian, today) -> None:
        median_er = next(er for ceiling, er in TIER_ER if followers < ceiling)
        er = median_er * rng.lognormvariate(0, 0.35)
        interactions = followers * er / 100
        avg_comments = int(interactions * rng.uniform(0.02, 0.06))
        home_share = rng.uniform(55, 88) if indonesian else rng.uniform(35, 70)
        home = "ID" if indonesian else profile.country.code
        rest = 100 - home_share
        others = [code for code in ("ID", "MY", "SG", "AU") if code != home][:2]
        creator_services.social_account_create(
            profile=profile,
            actor=user,
            platform=platform,
            handle=handle,
            followers=followers,
            following=int(min(7_500, rng.lognormvariate(6.6, 0.7))),
            posts=rng.randint(40, 2_500),
            avg_likes=int(interactions) - avg_comments,
            avg_comments=avg_comments,
            avg_views=int(followers * rng.uniform(0.25, 1.6)),
            audience_countries=[
                {"code": home, "pct": round(home_share, 1)},
                *(
                    {"code": code, "pct": round(rest * share, 1)}
                    for code, share in zip(others, (0.4, 0.25), strict=True)
                ),
            ],
            audience_languages=[
                {"code": "id" if indonesian else "en", "pct": round(home_share + 5, 1)},
                {"code": "en" if indonesian else "ms", "pct": round(rest * 0.5, 1)},
            ],
            metrics_date=today - timedelta(days=rng.randint(0, 75)),
        )

    @staticmethod
    def add_rates(profile, user, rng, followers, currency) -> None:
        if currency == "IDR":
            per_follower = Decimal(rng.randint(18, 45))
            base = max(Decimal(150_000), per_follower * followers).quantize(Decimal("-4"))
        else:
            base = max(Decimal(25), Decimal(followers) / 100 * Decimal(rng.uniform(0.8, 1.6))).quantize(
                Decimal("1")
            )
        multipliers = {
            DeliverableFormat.FEED_POST: 1,
            DeliverableFormat.REEL: Decimal("1.6"),
            DeliverableFormat.STORY: Decimal("0.4"),
        }
        for fmt in rng.sample(list(multipliers), k=rng.choice([1, 2, 3])):
            price = (base * multipliers[fmt]).quantize(Decimal("1"))
            creator_services.rate_card_item_set(
                profile=profile, actor=user, platform=Platform.INSTAGRAM, format=fmt, price=price
            )

    def print_logins(self) -> None:
        w = self.stdout.write
        w("")
        w(f"Demo logins (password for every account: {PASSWORD})")
        w(f"  Staff admin (superuser): admin@{DOMAIN}")
        w(f"  Staff reviewer:          reviewer@{DOMAIN}")
        for spec in ORGS:
            kind = "NGO" if spec["kind"] == Organization.Kind.NGO else "Brand"
            emails = ", ".join(f"{role}@{spec['key']}.{DOMAIN}" for role in ("owner", "manager", "viewer"))
            w(f"  {kind} {spec['name']}: {emails}")
        last = CreatorProfile.objects.filter(user__email__endswith=f"@{DOMAIN}").count()
        if last:
            w(f"  Creators:                creator001@{DOMAIN} … creator{last:03d}@{DOMAIN}")
        w("")


# -- campaigns ------------------------------------------------------------------------------------

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
        needed = escrow_services.funding_needed(campaign)
        if needed > 0:
            # Demo money arrives as a recorded bank transfer: no Stripe needed to load the demo.
            # `make run` then tops Stripe's test balance up to the ledger (manage.py demo_stripe_sync).
            escrow_services.funding_record_offline(
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


def advance(collaboration: Collaboration, *, manager: User, stage: str) -> None:
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
                views=12_400,
                likes=1_310,
                comments=87,
                shares=45,
                saves=120,
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
