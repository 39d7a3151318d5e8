"""The web pages for applying, reviewing applicants, inviting and answering invitations."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Application, Collaboration, Invitation
from campaigns.services.applications import application_create
from campaigns.services.invitations import invitation_counter
from marketplace.models import Notification
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    in_days,
    make_creator,
)

PITCH = "I brew kopi tubruk every sahur and my audience loves it."


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


# Anonymous visitors


@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("campaigns:apply", True),
        ("campaigns:applicants", True),
        ("campaigns:invite", True),
        ("campaigns:invitation_detail", True),
        ("campaigns:my_offers", False),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, campaign, name, needs_pk):
    url = reverse(name, args=[campaign.pk] if needs_pk else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# Applying


def test_apply_page_shows_the_eligibility_panel_and_the_fee(as_user, campaign, creator):
    response = as_user(creator).get(reverse("campaigns:apply", args=[campaign.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "You are eligible" in body
    assert "Instagram @ayu.cooks has 25,000 followers; the brief asks for 1,000–100,000 followers." in body
    assert "The brief pays Rp 1.000.000." in body
    assert 'name="pitch"' in body


def test_creator_applies_through_the_page(as_user, campaign, creator, brand_owner):
    response = as_user(creator).post(
        reverse("campaigns:apply", args=[campaign.pk]), {"pitch": PITCH, "proposed_fee": "1000000"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:my_offers")
    application = Application.objects.get()
    assert (application.creator, application.proposed_fee, application.is_counter_offer) == (
        creator.creator_profile,
        Decimal("1000000"),
        False,
    )
    assert Notification.objects.filter(kind="application.created", recipient=brand_owner).exists()


def test_a_counter_offer_is_labelled_for_the_creator(as_user, campaign, creator):
    client = as_user(creator)

    response = client.post(
        reverse("campaigns:apply", args=[campaign.pk]),
        {"pitch": PITCH, "proposed_fee": "1750000"},
        follow=True,
    )

    body = response.content.decode()
    assert "was sent with a counter-offer" in body
    assert "counter-offer</span>" in body
    assert "Rp 1.750.000" in body
    assert Application.objects.get().is_counter_offer is True


def test_negative_fee_is_refused_on_the_field(as_user, campaign, creator):
    response = as_user(creator).post(
        reverse("campaigns:apply", args=[campaign.pk]), {"pitch": PITCH, "proposed_fee": "-10"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"proposed_fee": ["The fee cannot be negative."]}
    assert not Application.objects.exists()


def test_applying_while_ineligible_shows_why_and_writes_nothing(as_user, brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, min_followers=50_000)
    client = as_user(creator)
    url = reverse("campaigns:apply", args=[campaign.pk])

    page = client.get(url)
    response = client.post(url, {"pitch": PITCH, "proposed_fee": "1000000"})

    assert 'name="pitch"' not in page.content.decode()
    assert response.status_code == 400
    refusal = str(response.context["refusal"].message)
    assert refusal.startswith("You do not meet the brief's rules yet:")
    assert "the brief asks for 50,000–100,000 followers." in response.content.decode()
    assert not Application.objects.exists()


def test_applying_after_the_deadline_is_refused_on_the_page(as_user, brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, application_deadline=in_days(-2))

    response = as_user(creator).post(
        reverse("campaigns:apply", args=[campaign.pk]), {"pitch": PITCH, "proposed_fee": "1000000"}
    )

    assert response.status_code == 400
    assert "The application deadline for this brief was" in response.content.decode()
    assert not Application.objects.exists()


def test_applying_to_a_closed_brief_is_refused_for_a_creator_who_was_invited(as_user, brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, status="closed")
    InvitationFactory(campaign=campaign, creator=creator.creator_profile, status=Invitation.Status.CLOSED)

    response = as_user(creator).post(
        reverse("campaigns:apply", args=[campaign.pk]), {"pitch": PITCH, "proposed_fee": "1000000"}
    )

    assert response.status_code == 400
    assert "This brief is not taking applications: it is closed." in response.content.decode()
    assert not Application.objects.exists()


def test_someone_without_a_creator_profile_is_pointed_to_onboarding(as_user, campaign, user):
    response = as_user(user).post(reverse("campaigns:apply", args=[campaign.pk]), {"pitch": PITCH})

    assert response.status_code == 403
    assert reverse("creators:onboarding") in response.content.decode()
    assert not Application.objects.exists()


def test_another_organizations_draft_is_not_found(as_user, ngo_org, creator):
    draft = CampaignFactory(organization=ngo_org, status="draft")

    assert as_user(creator).get(reverse("campaigns:apply", args=[draft.pk])).status_code == 404


def test_creator_withdraws_from_my_offers(as_user, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    response = as_user(creator).post(reverse("campaigns:application_withdraw", args=[application.pk]))

    assert response["Location"] == reverse("campaigns:my_offers")
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_another_creators_application_is_not_found(as_user, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=make_creator())

    response = as_user(creator).post(reverse("campaigns:application_withdraw", args=[application.pk]))

    assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_withdraw_needs_post(as_user, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    assert (
        as_user(creator).get(reverse("campaigns:application_withdraw", args=[application.pk])).status_code
        == 405
    )


# My offers


def test_my_offers_lists_applications_and_invitations_with_their_actions(as_user, brand_org, creator):
    profile = creator.creator_profile
    ApplicationFactory(campaign=CampaignFactory(organization=brand_org, title="Sambal week"), creator=profile)
    invitation = InvitationFactory(
        campaign=CampaignFactory(organization=brand_org, title="Kopi pagi"), creator=profile
    )

    response = as_user(creator).get(reverse("campaigns:my_offers"))

    body = response.content.decode()
    assert "Sambal week" in body and "Kopi pagi" in body
    assert reverse("campaigns:invitation_detail", args=[invitation.pk]) in body
    assert "Withdraw" in body


def test_my_offers_runs_a_constant_number_of_queries(
    as_user, brand_org, creator, django_assert_max_num_queries
):
    profile = creator.creator_profile
    client = as_user(creator)

    def add(count):
        for _ in range(count):
            campaign = CampaignFactory(organization=brand_org)
            ApplicationFactory(campaign=campaign, creator=profile)
            InvitationFactory(campaign=CampaignFactory(organization=brand_org), creator=profile)

    add(1)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("campaigns:my_offers"))
    add(9)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("campaigns:my_offers"))
    assert response.content.decode().count("Withdraw") == 10


def test_my_offers_sends_non_creators_to_onboarding(as_user, user):
    response = as_user(user).get(reverse("campaigns:my_offers"))

    assert response["Location"] == reverse("creators:onboarding")


# Reviewing applicants


def test_applicants_page_shows_metrics_and_slots(as_user, campaign, brand_manager):
    profile = make_creator(handle="sari.masak", followers=42_000, avg_likes=2000, avg_comments=100)
    ApplicationFactory(
        campaign=campaign, creator=profile, proposed_fee=Decimal("1500000"), is_counter_offer=True
    )

    response = as_user(brand_manager).get(reverse("campaigns:applicants", args=[campaign.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "0 of 2 slots filled" in body
    assert "@sari.masak" in body and "42,000" in body and "5.00%" in body
    assert "Rp 1.500.000" in body and 'data-testid="counter-offer"' in body
    assert "Indonesia" in body
    assert reverse("campaigns:application_accept", args=[profile.applications.get().pk]) in body


def test_applicants_can_be_filtered_and_sorted(as_user, campaign, brand_manager):
    small = make_creator(handle="small.one", followers=5_000, avg_likes=500, avg_comments=50)
    big = make_creator(handle="big.one", followers=90_000, avg_likes=900, avg_comments=90)
    ApplicationFactory(
        campaign=campaign, creator=small, is_counter_offer=True, proposed_fee=Decimal("2000000")
    )
    ApplicationFactory(campaign=campaign, creator=big, status=Application.Status.SHORTLISTED)
    client = as_user(brand_manager)
    url = reverse("campaigns:applicants", args=[campaign.pk])

    by_followers = [r["creator"] for r in client.get(url, {"sort": "followers"}).context["rows"]]
    by_engagement = [r["creator"] for r in client.get(url, {"sort": "engagement"}).context["rows"]]
    by_fee = [r["creator"] for r in client.get(url, {"sort": "fee"}).context["rows"]]
    counters = [r["creator"] for r in client.get(url, {"counter_offers": "on"}).context["rows"]]
    shortlisted = [r["creator"] for r in client.get(url, {"status": "shortlisted"}).context["rows"]]

    assert by_followers == [big, small]
    assert by_engagement == [small, big]
    assert by_fee == [big, small]
    assert counters == [small]
    assert shortlisted == [big]


def test_applicants_page_runs_a_constant_number_of_queries(
    as_user, campaign, brand_manager, django_assert_max_num_queries
):
    client = as_user(brand_manager)
    url = reverse("campaigns:applicants", args=[campaign.pk])
    ApplicationFactory(campaign=campaign, creator=make_creator())

    # 20 before the match score; scoring the page adds a fixed handful (brief_matches).
    with django_assert_max_num_queries(25) as one:
        client.get(url)
    for _ in range(9):
        ApplicationFactory(campaign=campaign, creator=make_creator())
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 10


def test_outsider_gets_404_on_the_applicants_page(as_user, campaign, outsider, ngo_manager, creator):
    url = reverse("campaigns:applicants", args=[campaign.pk])

    assert as_user(outsider).get(url).status_code == 404
    assert as_user(ngo_manager).get(url).status_code == 404
    assert as_user(creator).get(url).status_code == 404


def test_viewer_sees_applicants_without_actions(as_user, campaign, brand_viewer):
    application = ApplicationFactory(campaign=campaign, creator=make_creator())

    response = as_user(brand_viewer).get(reverse("campaigns:applicants", args=[campaign.pk]))

    assert response.status_code == 200
    assert application.creator.display_name in response.content.decode()
    assert reverse("campaigns:application_accept", args=[application.pk]) not in response.content.decode()


def test_viewer_cannot_accept_through_the_page(as_user, campaign, brand_viewer):
    application = ApplicationFactory(campaign=campaign, creator=make_creator())

    response = as_user(brand_viewer).post(reverse("campaigns:application_accept", args=[application.pk]))

    assert response.status_code == 302
    assert flash(response) == ["Only owners and managers of the organization can do this."]
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert not Collaboration.objects.exists()


def test_outsider_gets_404_on_application_actions(as_user, campaign, ngo_manager):
    application = ApplicationFactory(campaign=campaign, creator=make_creator())

    for name in ("application_accept", "application_decline", "application_shortlist"):
        response = as_user(ngo_manager).post(reverse(f"campaigns:{name}", args=[application.pk]))
        assert response.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_manager_shortlists_accepts_and_declines_from_the_list(as_user, campaign, brand_manager):
    first = application_create(
        campaign=campaign, creator=(a := make_creator()), by_user=a.user, pitch=PITCH, proposed_fee=None
    )
    second = ApplicationFactory(campaign=campaign, creator=make_creator())
    client = as_user(brand_manager)
    back = reverse("campaigns:applicants", args=[campaign.pk]) + "?sort=fee"

    client.post(reverse("campaigns:application_shortlist", args=[first.pk]), {"next": back})
    first.refresh_from_db()
    assert first.status == Application.Status.SHORTLISTED
    accepted = client.post(reverse("campaigns:application_accept", args=[first.pk]), {"next": back})
    declined = client.post(
        reverse("campaigns:application_decline", args=[second.pk]),
        {"reason": "Looking for TikTok.", "next": back},
    )

    assert accepted["Location"] == back and declined["Location"] == back
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Application.Status.ACCEPTED
    assert Collaboration.objects.get().creator == first.creator
    assert (second.status, second.decline_reason) == (Application.Status.DECLINED, "Looking for TikTok.")


def test_accepting_past_the_slots_shows_the_refusal(as_user, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    first = ApplicationFactory(campaign=campaign, creator=make_creator())
    second = ApplicationFactory(campaign=campaign, creator=make_creator())
    client = as_user(brand_manager)
    client.post(reverse("campaigns:application_accept", args=[first.pk]))

    response = client.post(reverse("campaigns:application_accept", args=[second.pk]), follow=True)

    assert "The only slot of this campaign is filled." in response.content.decode()
    second.refresh_from_db()
    assert second.status == Application.Status.PENDING


def test_next_must_stay_on_this_site(as_user, campaign, brand_manager):
    application = ApplicationFactory(campaign=campaign, creator=make_creator())

    response = as_user(brand_manager).post(
        reverse("campaigns:application_shortlist", args=[application.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("campaigns:applicants", args=[campaign.pk])


# Inviting


def test_bulk_invite_reports_every_line_and_a_rerun_creates_no_duplicates(as_user, campaign, brand_manager):
    by_slug = make_creator()
    by_url = make_creator()
    by_handle = make_creator(handle="dewi.bakes")
    too_small = make_creator(followers=300, avg_likes=30, avg_comments=3)
    lines = "\n".join(
        [
            by_slug.slug,
            f"https://kolabo.example/creators/{by_url.slug}/",
            "@Dewi.Bakes",
            too_small.slug,
            "nobody-here",
            "",
        ]
    )
    client = as_user(brand_manager)
    url = reverse("campaigns:invite", args=[campaign.pk])

    response = client.post(url, {"creators": lines, "offered_fee": "", "message": "Come brew with us."})

    assert response.status_code == 200
    statuses = [(row["line"], row["status"]) for row in response.context["report"]]
    assert statuses == [
        (by_slug.slug, "invited"),
        (f"https://kolabo.example/creators/{by_url.slug}/", "invited"),
        ("@Dewi.Bakes", "invited"),
        (too_small.slug, "ineligible"),
        ("nobody-here", "unknown"),
    ]
    assert response.context["report"][4]["message"] == "No creator on Kolabo matches this."
    invited = Invitation.objects.filter(campaign=campaign)
    assert {i.creator for i in invited} == {by_slug, by_url, by_handle}
    assert {i.offered_fee for i in invited} == {Decimal("1000000")}

    rerun = client.post(url, {"creators": lines, "offered_fee": "1200000", "message": ""})

    assert [row["status"] for row in rerun.context["report"]][:3] == ["already_invited"] * 3
    assert Invitation.objects.filter(campaign=campaign).count() == 3


def test_invite_form_refuses_a_negative_fee_and_an_empty_list(as_user, campaign, brand_manager):
    response = as_user(brand_manager).post(
        reverse("campaigns:invite", args=[campaign.pk]), {"creators": "  \n ", "offered_fee": "-1"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "creators": ["Name at least one creator."],
        "offered_fee": ["The fee cannot be negative."],
    }
    assert not Invitation.objects.exists()


def test_invite_prefills_a_creator_from_their_profile(as_user, campaign, brand_manager, creator):
    response = as_user(brand_manager).get(
        reverse("campaigns:invite", args=[campaign.pk]), {"creator": "ayu-lestari"}
    )

    assert "ayu-lestari</textarea>" in response.content.decode()


def test_viewer_cannot_invite(as_user, campaign, brand_viewer, creator):
    url = reverse("campaigns:invite", args=[campaign.pk])

    page = as_user(brand_viewer).get(url)
    post = as_user(brand_viewer).post(url, {"creators": "ayu-lestari"})

    assert page.status_code == post.status_code == 403
    assert "Only owners and managers of the organization can invite creators." in post.content.decode()
    assert not Invitation.objects.exists()


def test_outsider_gets_404_on_the_invite_page(as_user, campaign, ngo_manager):
    assert as_user(ngo_manager).get(reverse("campaigns:invite", args=[campaign.pk])).status_code == 404


# Answering invitations


def test_invitation_detail_is_for_the_creator_and_the_organization_only(
    as_user, campaign, creator, brand_viewer, outsider, ngo_manager
):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    url = reverse("campaigns:invitation_detail", args=[invitation.pk])

    assert as_user(creator).get(url).status_code == 200
    assert as_user(brand_viewer).get(url).status_code == 200
    assert as_user(outsider).get(url).status_code == 404
    assert as_user(ngo_manager).get(url).status_code == 404
    assert as_user(make_creator().user).get(url).status_code == 404


def test_another_creator_cannot_act_on_an_invitation(as_user, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    other = as_user(make_creator().user)

    for name in ("invitation_accept", "invitation_decline", "invitation_counter"):
        assert other.post(reverse(f"campaigns:{name}", args=[invitation.pk]), {"fee": "5"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_creator_accepts_from_the_page_and_lands_in_the_collaboration(as_user, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    client = as_user(creator)

    page = client.get(reverse("campaigns:invitation_detail", args=[invitation.pk]))
    response = client.post(reverse("campaigns:invitation_accept", args=[invitation.pk]))

    assert "Accept for Rp 1.000.000" in page.content.decode()
    collaboration = Collaboration.objects.get()
    assert response["Location"] == collaboration.get_absolute_url()
    assert collaboration.fee == Decimal("1000000")


def test_an_expired_invitation_shows_the_refusal(as_user, campaign, creator):
    invitation = InvitationFactory(
        campaign=campaign,
        creator=creator.creator_profile,
        expires_at=timezone.now() - datetime.timedelta(hours=2),
    )
    client = as_user(creator)

    page = client.get(reverse("campaigns:invitation_detail", args=[invitation.pk]))
    response = client.post(reverse("campaigns:invitation_accept", args=[invitation.pk]), follow=True)

    assert "Accept for" not in page.content.decode()
    assert "This invitation expired on" in response.content.decode()
    assert not Collaboration.objects.exists()


def test_counter_offer_with_a_bad_fee_shows_the_field_error(as_user, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    response = as_user(creator).post(
        reverse("campaigns:invitation_counter", args=[invitation.pk]), {"fee": "1000000"}
    )

    assert response.status_code == 400
    assert response.context["counter_form"].errors == {
        "fee": ["That is the fee already offered. Accept the invitation instead."]
    }
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_counter_flow_through_the_pages(as_user, campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    creator_client = as_user(creator)
    creator_client.post(
        reverse("campaigns:invitation_counter", args=[invitation.pk]),
        {"fee": "1400000", "message": "Plus a story"},
    )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COUNTERED

    manager = as_user(brand_manager)
    page = manager.get(reverse("campaigns:invitation_detail", args=[invitation.pk]))
    assert "Accept Rp 1.400.000" in page.content.decode()
    manager.post(reverse("campaigns:invitation_counter_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING

    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1300000"))
    manager.post(reverse("campaigns:invitation_counter_accept", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert Collaboration.objects.get().fee == Decimal("1300000")


def test_viewer_cannot_revoke_through_the_page(as_user, campaign, creator, brand_viewer):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    response = as_user(brand_viewer).post(reverse("campaigns:invitation_revoke", args=[invitation.pk]))

    assert flash(response) == ["Only owners and managers of the organization can do this."]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_manager_revokes_with_a_reason(as_user, campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    as_user(brand_manager).post(
        reverse("campaigns:invitation_revoke", args=[invitation.pk]), {"reason": "Brief changed."}
    )

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert Notification.objects.get(kind="invitation.revoked").params["reason"] == "Brief changed."
