"""The dashboard lists the work waiting: for a brand, applicants to review, counter-offers to
answer, drafts to review and posts to confirm, per campaign with counts and links; for staff,
payouts to review, open disputes and verification requests. Counts use plural forms, and the
page runs a bounded number of queries however much is waiting."""

from decimal import Decimal

import pytest
from django.urls import reverse

from brands import selectors as brand_selectors
from campaigns.models import Dispute
from campaigns.services import drafts, invitations
from marketplace.permissions import PAYOUT_REVIEWERS
from tests.brands.factories import VerificationRequestFactory
from tests.campaigns.factories import (
    DRAFT_LINK,
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    make_creator,
    publish_deliverable,
    start_collaboration,
)
from tests.marketplace.factories import UserFactory
from tests.marketplace.mfa_helpers import login_with_mfa
from tests.payments.test_pages import completed_payout

pytestmark = pytest.mark.django_db


def busy_campaign(organization, manager, *, applicants=2):
    """Applicants waiting, one counter-offer, one draft to review and one post to confirm."""
    campaign = CampaignFactory(organization=organization, slots=3)
    for _ in range(applicants):
        ApplicationFactory(campaign=campaign, creator=make_creator())
    creator = make_creator()
    invitation = InvitationFactory(campaign=campaign, creator=creator, invited_by=manager)
    invitations.invitation_counter(invitation=invitation, by_user=creator.user, fee=Decimal("900000"))
    drafting = start_collaboration(campaign, make_creator(), by_user=manager)
    drafts.submission_create(
        deliverable=drafting.deliverables.get(), by_user=drafting.creator.user, link=DRAFT_LINK
    )
    publishing = start_collaboration(campaign, make_creator(), by_user=manager)
    publish_deliverable(publishing.deliverables.get(), publishing.creator.user, manager)
    return campaign


def test_the_brand_dashboard_lists_the_work_waiting_with_counts_and_links(client, brand_org, brand_manager):
    campaign = busy_campaign(brand_org, brand_manager)
    CampaignFactory(organization=brand_org, title="Quiet brief")  # nothing waiting: not listed
    client.force_login(brand_manager)

    html = client.get(reverse("dashboard")).content.decode()

    section = html[html.index('data-testid="org-work"') :]
    section = section[: section.index("</article>")]
    applicants = reverse("campaigns:applicants", args=[campaign.pk])
    manage = reverse("campaigns:campaign_manage", args=[campaign.pk])
    assert f'<a href="{applicants}" data-work="applicants">2 applicants to review</a>' in section
    assert f'<a href="{reverse("campaigns:invite", args=[campaign.pk])}" data-work="counters">' in section
    assert "1 counter-offer to answer" in section
    assert f'<a href="{manage}#collaborations-title" data-work="drafts">1 draft to review</a>' in section
    assert (
        f'<a href="{manage}#collaborations-title" data-work="posts">1 published post to confirm</a>'
        in section
    )
    assert "Quiet brief" not in section


def test_one_applicant_reads_in_the_singular(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org)
    ApplicationFactory(campaign=campaign, creator=make_creator())
    client.force_login(brand_manager)

    html = client.get(reverse("dashboard")).content.decode()

    assert "1 applicant to review" in html
    assert "1 applicants" not in html


def test_viewers_and_outsiders_see_no_work_waiting(client, brand_org, brand_manager, brand_viewer, outsider):
    busy_campaign(brand_org, brand_manager)

    assert brand_selectors.org_work_waiting(user=brand_viewer) == []
    assert brand_selectors.org_work_waiting(user=outsider) == []
    client.force_login(brand_viewer)
    assert "applicants to review" not in client.get(reverse("dashboard")).content.decode()


def test_nothing_waiting_says_so(client, brand_org, brand_manager):
    CampaignFactory(organization=brand_org)
    client.force_login(brand_manager)

    html = client.get(reverse("dashboard")).content.decode()

    assert "Nothing is waiting for you" in html


@pytest.mark.parametrize("campaigns", [1, 4])
def test_the_brand_dashboard_runs_a_bounded_number_of_queries(
    client, brand_org, brand_manager, campaigns, django_assert_max_num_queries
):
    for _ in range(campaigns):
        busy_campaign(brand_org, brand_manager, applicants=3)
    client.force_login(brand_manager)
    client.get(reverse("dashboard"))

    with django_assert_max_num_queries(BRAND_DASHBOARD_QUERIES):
        html = client.get(reverse("dashboard")).content.decode()

    assert html.count("3 applicants to review") == campaigns


BRAND_DASHBOARD_QUERIES = 14


def test_the_staff_dashboard_lists_payouts_disputes_and_verifications(client, brand_org, brand_manager):
    staff = UserFactory(is_staff=True)
    VerificationRequestFactory()
    campaign = CampaignFactory(organization=brand_org, slots=2)
    completed_payout(campaign, make_creator(), brand_manager)
    disputed = start_collaboration(campaign, make_creator(), by_user=brand_manager)
    Dispute.objects.create(collaboration=disputed, raised_by=brand_manager, reason="No draft in three weeks.")
    login_with_mfa(client, staff)

    html = client.get(reverse("dashboard")).content.decode()

    assert f'<a href="{reverse("payments:payout_queue")}" data-work="payouts">1 payout to review</a>' in html
    assert f'<a href="{reverse("campaigns:dispute_queue")}" data-work="disputes">1 dispute open</a>' in html
    verifications = reverse("brands:verification_queue")
    assert f'<a href="{verifications}" data-work="verifications">1 verification request waiting</a>' in html
    VerificationRequestFactory()
    html = client.get(reverse("dashboard")).content.decode()
    assert "2 verification requests waiting" in html
    assert "1 verification requests" not in html


def test_staff_see_only_the_queues_of_their_roles(client):
    staff = UserFactory(is_staff=True, staff_roles=[PAYOUT_REVIEWERS])
    login_with_mfa(client, staff)

    html = client.get(reverse("dashboard")).content.decode()

    assert 'data-work="payouts"' in html
    assert 'data-work="disputes"' not in html
    assert 'data-work="verifications"' not in html


@pytest.mark.parametrize("waiting", [1, 5])
def test_the_staff_dashboard_runs_a_bounded_number_of_queries(
    client, brand_org, brand_manager, waiting, django_assert_max_num_queries
):
    staff = UserFactory(is_staff=True)
    for _ in range(waiting):
        VerificationRequestFactory()
        campaign = CampaignFactory(organization=brand_org, slots=1)
        completed_payout(campaign, make_creator(), brand_manager)
    login_with_mfa(client, staff)
    client.get(reverse("dashboard"))

    with django_assert_max_num_queries(17):
        html = client.get(reverse("dashboard")).content.decode()

    assert f"{waiting} payout" in html


def test_staff_work_waits_behind_two_factor_on_the_dashboard(client):
    # Queue counts and the names of organizations waiting for verification are staff data.
    staff = UserFactory(is_staff=True)
    waiting = VerificationRequestFactory()
    client.force_login(staff)

    html = client.get(reverse("dashboard")).content.decode()

    assert 'data-testid="staff-needs-mfa"' in html
    assert 'data-work="payouts"' not in html and waiting.organization.name not in html
    login_with_mfa(client, staff)
    assert waiting.organization.name in client.get(reverse("dashboard")).content.decode()
