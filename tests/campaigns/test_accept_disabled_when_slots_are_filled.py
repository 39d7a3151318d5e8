"""When every slot is filled, Accept is shown disabled with the reason: on the applicants page, on
a counter-offer, and on the creator's invitation. The service refuses it anyway."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Invitation
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    make_creator,
    start_collaboration,
)

FULL = "The only slot of this campaign is filled. Add a slot or decline the others."


@pytest.fixture
def full(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    start_collaboration(campaign, make_creator(), by_user=brand_manager)
    return campaign


def test_the_applicants_page_disables_accept_with_the_reason(client, full, brand_manager):
    waiting = ApplicationFactory(campaign=full, creator=make_creator())
    client.force_login(brand_manager)

    page = client.get(reverse("campaigns:applicants", args=[full.pk])).content.decode()

    assert 'data-testid="accept-closed"' in page and FULL in page
    assert reverse("campaigns:application_accept", args=[waiting.pk]) not in page
    assert (
        f'<button type="button" disabled aria-describedby="accept-why-{waiting.pk}">Accept</button>' in page
    )
    # Declining stays possible.
    assert reverse("campaigns:application_decline", args=[waiting.pk]) in page


def test_the_applicants_page_offers_accept_while_a_slot_is_open(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=2)
    start_collaboration(campaign, make_creator(), by_user=brand_manager)
    waiting = ApplicationFactory(campaign=campaign, creator=make_creator())
    client.force_login(brand_manager)

    page = client.get(reverse("campaigns:applicants", args=[campaign.pk])).content.decode()

    assert reverse("campaigns:application_accept", args=[waiting.pk]) in page
    assert 'data-testid="accept-blocked"' not in page


def test_a_counter_offer_on_a_full_campaign_shows_accept_disabled(client, full, brand_manager):
    creator = make_creator()
    countered = InvitationFactory(
        campaign=full,
        creator=creator,
        status=Invitation.Status.COUNTERED,
        counter_fee=Decimal("900000"),
    )
    client.force_login(brand_manager)

    page = client.get(reverse("campaigns:invitation_detail", args=[countered.pk])).content.decode()

    assert FULL in page
    assert reverse("campaigns:invitation_counter_accept", args=[countered.pk]) not in page
    assert reverse("campaigns:invitation_counter_decline", args=[countered.pk]) in page


def test_the_creator_sees_accept_disabled_on_an_invitation_to_a_full_campaign(client, full):
    creator = make_creator()
    invitation = InvitationFactory(campaign=full, creator=creator)
    client.force_login(creator.user)

    page = client.get(reverse("campaigns:invitation_detail", args=[invitation.pk])).content.decode()

    assert FULL in page
    assert reverse("campaigns:invitation_accept", args=[invitation.pk]) not in page
    assert reverse("campaigns:invitation_decline", args=[invitation.pk]) in page


def test_the_applicants_page_runs_a_fixed_number_of_queries(
    client, brand_org, brand_manager, django_assert_max_num_queries
):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    for _ in range(6):
        ApplicationFactory(campaign=campaign, creator=make_creator(), proposed_fee=Decimal("1500000"))
    client.force_login(brand_manager)
    client.get(reverse("campaigns:applicants", args=[campaign.pk]))  # warm the session and caches

    # The same with 1 applicant or 6; 8 of them score the page (campaigns.selectors.brief_matches):
    # the brief's niches, causes and deliverables, the creators' niches, causes and rate cards,
    # and their track record (2).
    with django_assert_max_num_queries(24):
        page = client.get(reverse("campaigns:applicants", args=[campaign.pk])).content.decode()

    assert page.count('data-testid="accept-blocked"') == 6  # each needs a Rp 500.000 top-up
    assert "Accepting needs Rp 500.000 more in escrow. Top it up first." in page
