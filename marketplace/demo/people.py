"""Demo people: staff, 3 brands, 2 NGOs and their members, and 200 creators (seeded).

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
from django.core.files.base import ContentFile
from django.utils import timezone

from brands import services as brand_services
from brands.models import Membership, Organization, VerificationRequest
from creators import services as creator_services
from creators.models import Cause, DeliverableFormat, Niche, Platform
from marketplace.demo import DOMAIN, PASSWORD
from marketplace.models import User

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


def demo_verification_documents(org: Organization) -> dict[str, ContentFile]:
    """Stand-in legal documents (tiny PDFs) of the kinds the organization must send."""
    kinds = ["nib"] if org.kind == Organization.Kind.BRAND else ["foundation_deed", "sk_kemenkumham"]
    return {
        kind: ContentFile(b"%PDF-1.4\n% Kolabo demo document\n%%EOF\n", name=f"{kind}.pdf") for kind in kinds
    }


class People:
    """Creates the demo's users, organizations and creator profiles; one password hash for all."""

    def user(self, email: str, full_name: str, *, signup_role: str = "", **extra) -> User:
        # Hashing once keeps 200 users fast: PBKDF2 per user would take most of the run.
        if not hasattr(self, "_password_hash"):
            self._password_hash = make_password(PASSWORD)
        user = User.objects.create(
            email=email, password=self._password_hash, full_name=full_name, signup_role=signup_role, **extra
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

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
                    documents=demo_verification_documents(org),
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
