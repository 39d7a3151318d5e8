"""The campaign page: funnel, slots, next actions and due dates; the organization's campaign list."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from campaigns import selectors
from campaigns.models import (
    Application,
    Campaign,
    Collaboration,
    CollaborationDeliverable,
    Dispute,
    Invitation,
    Submission,
)
from creators.models import DeliverableFormat, Platform
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.creators.factories import CreatorProfileFactory

from .factories import ApplicationFactory, CampaignFactory, InvitationFactory, in_days, start_collaboration

pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status
TWO_SPECS = [
    (Platform.INSTAGRAM, DeliverableFormat.REEL, 1),
    (Platform.INSTAGRAM, DeliverableFormat.STORY, 1),
]


def _collaboration(campaign, user, statuses=(), *, submitted=False, collaboration_status=None):
    """An accepted creator whose deliverables are set to `statuses` (test setup, not a workflow)."""
    collaboration = start_collaboration(
        campaign, CreatorProfileFactory(), by_user=user, source=Collaboration.Source.INVITATION
    )
    deliverables = list(collaboration.deliverables.order_by("pk"))
    for deliverable, status in zip(deliverables, statuses, strict=False):
        CollaborationDeliverable.objects.filter(pk=deliverable.pk).update(status=status)
    if submitted:
        Submission.objects.create(deliverable=deliverables[0], round=1, link="https://example.com/draft")
    if collaboration_status:
        Collaboration.objects.filter(pk=collaboration.pk).update(status=collaboration_status)
    return collaboration


@pytest.fixture
def busy_campaign(brand_org, brand_owner):
    """Six slots, two deliverables each, creators at every stage."""
    campaign = CampaignFactory(organization=brand_org, slots=6, deliverables=TWO_SPECS)
    InvitationFactory(campaign=campaign)
    InvitationFactory(campaign=campaign, status=Invitation.Status.COUNTERED, counter_fee=Decimal("1500000"))
    InvitationFactory(campaign=campaign, status=Invitation.Status.DECLINED)
    ApplicationFactory(campaign=campaign)
    ApplicationFactory(campaign=campaign, status=Application.Status.SHORTLISTED)
    ApplicationFactory(campaign=campaign, status=Application.Status.WITHDRAWN)
    ApplicationFactory(campaign=campaign, status=Application.Status.DECLINED)
    # Accepted, nothing submitted yet.
    _collaboration(campaign, brand_owner)
    # One draft waiting for review.
    _collaboration(
        campaign,
        brand_owner,
        [D.SUBMITTED, D.PENDING],
        submitted=True,
        collaboration_status=Collaboration.Status.SUBMITTED,
    )
    # Both approved; one published and waiting for confirmation.
    _collaboration(
        campaign,
        brand_owner,
        [D.APPROVED, D.PUBLISHED],
        submitted=True,
        collaboration_status=Collaboration.Status.APPROVED,
    )
    # Both published (one confirmed).
    _collaboration(
        campaign,
        brand_owner,
        [D.PUBLISHED, D.CONFIRMED],
        submitted=True,
        collaboration_status=Collaboration.Status.PUBLISHED,
    )
    # Completed.
    _collaboration(
        campaign,
        brand_owner,
        [D.CONFIRMED, D.CONFIRMED],
        submitted=True,
        collaboration_status=Collaboration.Status.COMPLETED,
    )
    # Cancelled after a draft: counts nowhere past "invited/applied".
    _collaboration(
        campaign,
        brand_owner,
        [D.APPROVED, D.APPROVED],
        submitted=True,
        collaboration_status=Collaboration.Status.CANCELLED,
    )
    return campaign


# Funnel and next actions


def test_funnel_counts_each_stage(busy_campaign):
    assert selectors.campaign_funnel(campaign=busy_campaign) == {
        "invited": 3,
        "applied": 4,
        "accepted": 5,
        "submitted": 4,
        "approved": 3,
        "published": 2,
        "completed": 1,
    }


def test_funnel_of_a_fresh_brief_is_empty(campaign):
    assert set(selectors.campaign_funnel(campaign=campaign).values()) == {0}


def test_next_actions_name_what_waits_for_the_organization(busy_campaign):
    assert selectors.campaign_next_actions(campaign=busy_campaign) == [
        "2 applications to review.",
        "1 counter-offer to answer.",
        "1 draft waiting for your review.",
        "2 published posts to confirm.",
    ]


def test_next_actions_for_a_draft_and_for_full_or_late_briefs(brand_org, brand_owner):
    draft = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    assert selectors.campaign_next_actions(campaign=draft) == [
        "Publish this draft when the brief is complete, so creators can apply."
    ]

    full = CampaignFactory(organization=brand_org, slots=1)
    _collaboration(full, brand_owner)
    assert selectors.campaign_next_actions(campaign=full) == [
        "All slots are filled: close the campaign, or add slots to accept more creators."
    ]

    late = CampaignFactory(
        organization=brand_org, application_deadline=in_days(-1), content_due_date=in_days(5)
    )
    assert selectors.campaign_next_actions(campaign=late) == [
        "The application deadline has passed: close the campaign to stop applications."
    ]

    quiet = CampaignFactory(organization=brand_org)
    assert selectors.campaign_next_actions(campaign=quiet) == [
        "Slots are still open: invite creators who fit the brief."
    ]


def test_open_dispute_is_listed(campaign, brand_owner):
    collaboration = _collaboration(campaign, brand_owner, collaboration_status=Collaboration.Status.DISPUTED)
    Dispute.objects.create(collaboration=collaboration, raised_by=brand_owner, reason="Late")

    assert "1 dispute is waiting for Kolabo staff." in selectors.campaign_next_actions(campaign=campaign)


def test_due_dates_list_the_brief_and_each_live_collaboration(campaign, brand_owner):
    live = _collaboration(campaign, brand_owner)
    Collaboration.objects.filter(pk=live.pk).update(due_date=in_days(25))
    _collaboration(campaign, brand_owner, collaboration_status=Collaboration.Status.CANCELLED)

    rows = selectors.campaign_dashboard(campaign=campaign)["due_dates"]

    assert [(row["date"], str(row["label"])) for row in rows] == [
        (in_days(14), "Application deadline"),
        (in_days(25), f"Content due from {live.creator.display_name}"),
        (in_days(30), "Content due"),
    ]
    assert rows[0]["days_left"] == 14


# The page


def test_manage_page_shows_funnel_actions_slots_and_links(client, busy_campaign, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("campaigns:campaign_manage", args=[busy_campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stage="published"><strong>2</strong>' in html
    assert "Slots filled: 5 of 6" in html
    assert "2 applications to review." in html
    assert reverse("campaigns:applicants", args=[busy_campaign.pk]) in html
    assert reverse("campaigns:invite", args=[busy_campaign.pk]) in html
    first = busy_campaign.collaborations.first()
    assert reverse("campaigns:collaboration_detail", args=[first.pk]) in html
    assert "Rp 1.000.000" in html
    assert reverse("campaigns:campaign_close", args=[busy_campaign.pk]) in html


def test_draft_manage_page_lists_what_blocks_publishing(client, brand_org, brand_manager):
    draft = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT, description="")
    client.force_login(brand_manager)

    html = client.get(reverse("campaigns:campaign_manage", args=[draft.pk])).content.decode()

    assert "Before you can publish" in html
    assert "Describe the campaign: what you want creators to make, and why." in html
    assert reverse("campaigns:campaign_publish", args=[draft.pk]) in html


def test_viewer_sees_the_page_without_actions(client, campaign, brand_viewer):
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("campaigns:campaign_close", args=[campaign.pk]) not in html
    assert reverse("campaigns:campaign_edit", args=[campaign.pk]) not in html


def test_creators_and_outsiders_get_404_on_the_page(client, campaign, creator, outsider):
    for user in (creator, outsider):
        client.force_login(user)
        assert client.get(reverse("campaigns:campaign_manage", args=[campaign.pk])).status_code == 404


def test_campaign_for_member_refuses_anonymous_and_outsiders(campaign, outsider, brand_viewer):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    for user in (AnonymousUser(), outsider):
        with pytest.raises(Http404):
            selectors.campaign_for_member(user=user, pk=campaign.pk)
    found, membership = selectors.campaign_for_member(user=brand_viewer, pk=campaign.pk)
    assert (found, membership.role) == (campaign, "viewer")


def test_manage_page_query_count_does_not_grow_with_collaborations(
    client, brand_org, brand_owner, django_assert_max_num_queries
):
    campaign = CampaignFactory(organization=brand_org, slots=20, deliverables=TWO_SPECS)
    client.force_login(brand_owner)
    url = reverse("campaigns:campaign_manage", args=[campaign.pk])
    _collaboration(campaign, brand_owner, [D.SUBMITTED], submitted=True)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for _number in range(9):
        _collaboration(campaign, brand_owner, [D.SUBMITTED], submitted=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["collaborations"]) == 10


# The organization's campaigns


def test_org_campaigns_lists_every_status_with_counts(client, brand_org, brand_manager):
    published = CampaignFactory(organization=brand_org, title="Live one")
    ApplicationFactory(campaign=published)
    ApplicationFactory(campaign=published, status=Application.Status.DECLINED)
    InvitationFactory(campaign=published)
    CampaignFactory(organization=brand_org, title="Draft one", status=Campaign.Status.DRAFT)
    CampaignFactory(organization=brand_org, title="Gone", status=Campaign.Status.CANCELLED)
    CampaignFactory(title="Someone else's")
    client.force_login(brand_manager)

    response = client.get(reverse("campaigns:org_campaigns", args=[brand_org.slug]))

    rows = {c.title: c for c in response.context["page"]}
    assert set(rows) == {"Live one", "Draft one", "Gone"}
    assert (rows["Live one"].application_count, rows["Live one"].open_applications) == (2, 1)
    assert rows["Live one"].open_invitations == 1
    html = response.content.decode()
    assert reverse("campaigns:campaign_create", args=[brand_org.slug]) in html
    assert "Draft (1)" in html


def test_org_campaigns_filters_by_status(client, brand_org, brand_manager):
    CampaignFactory(organization=brand_org, title="Live one")
    CampaignFactory(organization=brand_org, title="Draft one", status=Campaign.Status.DRAFT)
    client.force_login(brand_manager)

    response = client.get(reverse("campaigns:org_campaigns", args=[brand_org.slug]), {"status": "draft"})

    assert [c.title for c in response.context["page"]] == ["Draft one"]


def test_viewer_sees_campaigns_without_the_new_button(client, brand_org, brand_viewer):
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:org_campaigns", args=[brand_org.slug]))

    assert response.status_code == 200
    assert reverse("campaigns:campaign_create", args=[brand_org.slug]) not in response.content.decode()


def test_outsider_gets_404_on_org_campaigns(client, brand_org, outsider, creator):
    for user in (outsider, creator):
        client.force_login(user)
        assert client.get(reverse("campaigns:org_campaigns", args=[brand_org.slug])).status_code == 404


def test_org_campaigns_query_count_does_not_grow_with_rows(
    client, brand_org, brand_manager, django_assert_max_num_queries
):
    client.force_login(brand_manager)
    url = reverse("campaigns:org_campaigns", args=[brand_org.slug])
    campaign = CampaignFactory(organization=brand_org)
    ApplicationFactory(campaign=campaign)
    with django_assert_max_num_queries(30) as one:
        client.get(url)
    for _number in range(9):
        ApplicationFactory(campaign=CampaignFactory(organization=brand_org))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"]) == 10


# The dashboard panel


def test_org_panel_lists_latest_campaigns_per_org(brand_org, brand_owner, django_assert_num_queries):
    other = OrganizationFactory(name="Zeta")
    MembershipFactory(organization=other, user=brand_owner, role="viewer")
    for number in range(7):
        CampaignFactory(organization=brand_org, title=f"Kopi {number}")
    CampaignFactory(organization=other, title="Zeta drive")

    with django_assert_num_queries(2):
        panel = selectors.org_campaigns_panel(user=brand_owner)

    assert [entry["organization"] for entry in panel] == [brand_org, other]
    assert [c.title for c in panel[0]["campaigns"]] == ["Kopi 6", "Kopi 5", "Kopi 4", "Kopi 3", "Kopi 2"]
    assert (panel[0]["can_edit"], panel[1]["can_edit"]) == (True, False)
    html = render_to_string("campaigns/briefs/_org_campaigns_panel.html", {"panel": panel})
    assert reverse("campaigns:campaign_create", args=[brand_org.slug]) in html
    assert reverse("campaigns:campaign_create", args=[other.slug]) not in html
    assert "Zeta drive" in html
