import statistics

import pytest
from django.core.management import call_command
from django.db import transaction

from brands.models import Organization
from campaigns.models import Campaign, Collaboration, Rating
from creators.models import CreatorProfile, SocialAccount
from marketplace.models import User
from marketplace.permissions import can_handle_disputes, can_review_payouts, can_review_verifications

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        SocialAccount.objects.values_list(
            "profile__user__email", "platform", "handle", "followers", "avg_likes"
        )
    )


def test_seed_demo_creates_the_demo_world_and_prints_logins(capsys):
    call_command("seed_demo")

    assert Organization.objects.filter(kind="brand").count() == 3
    assert Organization.objects.filter(kind="ngo").count() == 2
    assert CreatorProfile.objects.count() == 200
    assert User.objects.filter(is_staff=True).count() == 2
    reviewer = User.objects.get(email="reviewer@kolabo.demo")
    assert can_review_payouts(reviewer)
    assert can_review_verifications(reviewer)
    assert can_handle_disputes(reviewer)
    out = capsys.readouterr().out
    assert "kolabo-demo-2026" in out
    assert "owner@kopi.kolabo.demo" in out
    assert "creator200@kolabo.demo" in out

    # Real-world shapes: most creators are nano or micro; engagement falls with the tier.
    instagram = list(SocialAccount.objects.filter(platform="instagram"))
    share_1k_100k = sum(1 for a in instagram if 1_000 <= a.followers < 100_000) / len(instagram)
    assert share_1k_100k > 0.8
    median_er = {
        tier: statistics.median(a.engagement_rate for a in instagram if a.tier == tier)
        for tier in ("nano", "micro")
    }
    assert median_er["nano"] > median_er["micro"]
    # Briefs in every state of the lifecycle, so the demo shows it end to end.
    assert set(Campaign.objects.values_list("status", flat=True)) == {"draft", "published"}
    assert {"active", "submitted", "approved", "published", "completed"} <= set(
        Collaboration.objects.values_list("status", flat=True)
    )
    # Both sides rate each completed collaboration: the coffee brief's and the sponsored NGO campaign's.
    assert Rating.objects.count() == 4
    names = {p.display_name.split()[0] for p in CreatorProfile.objects.all()}
    assert {"Putri", "Emma"} & names  # Indonesian and English names


def test_seed_demo_is_idempotent():
    call_command("seed_demo", creators=20)
    before = (snapshot(), User.objects.count(), Organization.objects.count())

    call_command("seed_demo", creators=20)

    assert (snapshot(), User.objects.count(), Organization.objects.count()) == before


def test_seed_demo_is_deterministic():
    # The first world is rolled back rather than deleted: the money ledger refuses deletes.
    with transaction.atomic():
        call_command("seed_demo", creators=20)
        first = snapshot()
        transaction.set_rollback(True)
    assert not User.objects.exists()

    call_command("seed_demo", creators=20)

    assert snapshot() == first
