"""Load the demo data (marketplace/demo/): staff, brands, NGOs, creators and campaigns, the same every time."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from brands.models import Organization
from campaigns.models import Campaign
from creators.models import CreatorProfile
from creators.signals import matching_changes_gathered
from marketplace.demo import CREATOR_COUNT, DOMAIN, PASSWORD, SEED
from marketplace.demo.campaigns import seed_campaigns
from marketplace.demo.impact import seed_impact, sponsored_campaign
from marketplace.demo.people import ORGS, People
from marketplace.models import User
from marketplace.permissions import grant_staff_roles


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
            # Databases seeded before tracking and sponsorship existed get their impact data now.
            if demo_orgs.exists() and sponsored_campaign() is None:
                with matching_changes_gathered(), transaction.atomic():
                    seed_impact(random.Random(SEED + 2))
                self.stdout.write(self.style.SUCCESS("Demo impact data loaded."))
        self.print_logins()

    def seed(self, *, creator_count: int) -> None:
        rng = random.Random(SEED)
        people = People()
        people.user(f"admin@{DOMAIN}", "Kolabo Admin", is_staff=True, is_superuser=True)
        reviewer = people.user(f"reviewer@{DOMAIN}", "Rani Staff Reviewer", is_staff=True)
        grant_staff_roles(reviewer)  # payout, verification and dispute roles (marketplace/permissions.py)
        people.seed_orgs(reviewer=reviewer)
        people.seed_creators(rng, count=creator_count)
        seed_campaigns(random.Random(SEED + 1))
        seed_impact(random.Random(SEED + 2))

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
        if campaign := sponsored_campaign():
            w("")
            w(f"  A sponsored NGO campaign's public impact page: /impact/{campaign.pk}/")
        w("")
