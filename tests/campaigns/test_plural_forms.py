"""Counts shown in text use the singular for one: "1 slot", "1 invitation to answer", "1 review"."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from campaigns.matching import Reliability, _reliability_reason
from tests.campaigns.factories import CampaignFactory, InvitationFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_a_one_slot_brief_with_a_fee_range_says_one_slot(brand_org):
    campaign = CampaignFactory(
        organization=brand_org, slots=1, fee_min=Decimal("1000000"), fee_max=Decimal("2000000")
    )

    html = render_to_string("campaigns/briefs/_budget.html", {"campaign": campaign})

    assert "(1 slot)" in html
    assert "slots" not in html


def test_applicants_page_counts_one_slot_in_the_singular(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    client.force_login(brand_manager)

    html = client.get(reverse("campaigns:applicants", args=[campaign.pk])).content.decode()

    assert "0 of 1 slot filled" in html


def test_creator_dashboard_counts_one_invitation_in_the_singular(client, creator, campaign):
    InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    client.force_login(creator)

    html = client.get(reverse("dashboard")).content.decode()

    assert "invitation to answer" in html
    assert "invitations to answer" not in html
    assert "open applications" in html  # zero takes the plural in English


def test_match_reasons_count_one_collaboration_and_one_review():
    reason = _reliability_reason(
        Reliability(finished=1, completed=1, delivered=1, on_time=1, rating_average=5, rating_count=1)
    )

    assert reason == "Completed 1 of 1 collaboration, 1 of 1 on time; rated 5.0/5 from 1 review."


# Guard: a count followed by a plural noun inside a {% blocktranslate %} without `count`.
COUNTED_NOUNS = (
    r"(slots|followers|creators|briefs|requests|invitations|applications|collaborations|days|reviews)"
)
BLOCK = re.compile(r"{% blocktranslate( [^%]*)?%}(.*?){% endblocktranslate %}", re.S)


def test_no_template_counts_without_a_plural_form():
    offenders = []
    for path in TEMPLATES.rglob("*.*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for options, body in BLOCK.findall(path.read_text()):
            if " count " in f" {options} ":
                continue
            if re.search(r"{{ ?\w+ ?}} " + COUNTED_NOUNS + r"\b", body):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {body.strip()[:80]}")
    assert offenders == []
