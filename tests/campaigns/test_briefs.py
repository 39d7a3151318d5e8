"""Briefs: creating, editing, publishing, closing, cancelling and duplicating campaigns."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from campaigns.models import Application, Campaign, Collaboration, DeliverableSpec, Dispute, Invitation
from campaigns.services import brief_checks, briefs, campaign_closing
from campaigns.services.brief_checks import BriefInvalid
from creators.models import Cause, DeliverableFormat, Niche, Platform
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.brands.factories import MembershipFactory, OrganizationFactory
from tests.creators.factories import CreatorProfileFactory

from .factories import ApplicationFactory, CampaignFactory, InvitationFactory, in_days, start_collaboration

pytestmark = pytest.mark.django_db

REEL = {"platform": Platform.INSTAGRAM, "format": DeliverableFormat.REEL, "quantity": 2, "notes": "Vertical"}


def _complete_fields(**overrides):
    fields = {
        "title": "Kopi at sahur",
        "objective": Campaign.Objective.AWARENESS,
        "description": "Show your sahur coffee ritual.",
        "platforms": [Platform.INSTAGRAM],
        "fee_min": Decimal("1500000"),
        "fee_max": Decimal("1500000"),
        "slots": 3,
        "application_deadline": in_days(10),
        "content_due_date": in_days(30),
        "deliverables": [REEL],
    }
    fields.update(overrides)
    return fields


def _accept(campaign, creator_profile, by_user):
    return start_collaboration(
        campaign, creator_profile, by_user=by_user, source=Collaboration.Source.INVITATION
    )


def _form_data(**overrides):
    data = {
        "title": "Kopi at sahur",
        "objective": "awareness",
        "description": "Show your sahur coffee ritual.",
        "platforms": ["instagram"],
        "min_followers": "1000",
        "max_followers": "100000",
        "fee_mode": "fixed",
        "fee": "1500000",
        "currency": "IDR",
        "slots": "3",
        "application_deadline": in_days(10).isoformat(),
        "content_due_date": in_days(30).isoformat(),
        "usage_rights": "organic",
        "required_hashtags": "#iklan #KopiNusantara",
        "disclosure_required": "on",
        "review_rounds": "2",
        "deliverables-TOTAL_FORMS": "5",
        "deliverables-INITIAL_FORMS": "0",
        "deliverables-MIN_NUM_FORMS": "0",
        "deliverables-MAX_NUM_FORMS": "20",
        "deliverables-0-platform": "instagram",
        "deliverables-0-format": "reel",
        "deliverables-0-quantity": "2",
        "deliverables-0-notes": "Vertical, 30 seconds",
    }
    for index in range(1, 5):
        data[f"deliverables-{index}-quantity"] = "1"
    data.update(overrides)
    return data


# Creating


def test_manager_creates_draft_with_deliverables_niches_and_audit(brand_org, brand_manager):
    niche = Niche.objects.get(slug="food")

    campaign = briefs.campaign_create(
        organization=brand_org, by_user=brand_manager, niches=[niche], **_complete_fields()
    )

    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.kind == Campaign.Kind.COMMERCIAL
    assert campaign.currency == brand_org.default_currency
    assert campaign.created_by == brand_manager
    assert list(campaign.niches.all()) == [niche]
    spec = campaign.deliverables.get()
    assert (spec.platform, spec.format, spec.quantity, spec.notes) == ("instagram", "reel", 2, "Vertical")
    assert campaign.budget_min == Decimal("4500000")
    event = AuditEvent.objects.get(action="campaign.created")
    assert (event.actor, event.to_status, event.target_id) == (brand_manager, "draft", str(campaign.pk))


def test_ngo_campaign_defaults_to_cause_and_non_commercial_rights(ngo_org, ngo_manager):
    campaign = briefs.campaign_create(organization=ngo_org, by_user=ngo_manager, title="Clean beaches")

    assert campaign.kind == Campaign.Kind.CAUSE
    assert campaign.usage_rights == Campaign.UsageRights.NGO_NONCOMMERCIAL


def test_ngo_can_ask_volunteers_without_a_fee(ngo_org, ngo_manager):
    cause = Cause.objects.get(slug="ocean-conservation")
    campaign = briefs.campaign_create(
        organization=ngo_org,
        by_user=ngo_manager,
        causes=[cause],
        **_complete_fields(compensation=Campaign.Compensation.VOLUNTEER, fee_min=None, fee_max=None),
    )

    briefs.campaign_publish(campaign=campaign, by_user=ngo_manager)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED
    assert not campaign.is_paid


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"kind": "cause"},
            "kind",
            "Only NGOs can run social-cause campaigns; a brand's campaign is commercial. To support a "
            "cause, sponsor an NGO's campaign.",
        ),
        (
            {"compensation": "volunteer", "fee_min": None, "fee_max": None},
            "compensation",
            "Only NGOs can ask creators to volunteer.",
        ),
        (
            {"usage_rights": "ngo_noncommercial"},
            "usage_rights",
            "The NGO non-commercial preset is only for NGOs.",
        ),
        (
            {"fee_min": Decimal("2000000"), "fee_max": Decimal("1000000")},
            "fee_max",
            "The minimum fee is higher than the maximum fee.",
        ),
        (
            {"min_followers": 50_000, "max_followers": 10_000},
            "max_followers",
            "The maximum number of followers is lower than the minimum.",
        ),
        ({"title": "  "}, "title", "Give the campaign a title."),
        (
            {"application_deadline": in_days(20), "content_due_date": in_days(5)},
            "content_due_date",
            "Content is due before the application deadline.",
        ),
        ({"slots": 0}, "slots", "A campaign needs at least one creator slot."),
        ({"currency": "EUR"}, "currency", "Choose IDR or USD."),
    ],
)
def test_brand_create_refuses_inconsistent_brief(brand_org, brand_manager, fields, field, message):
    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_create(organization=brand_org, by_user=brand_manager, **_complete_fields(**fields))

    assert caught.value.errors == [(field, message)]
    assert caught.value.field == field
    assert not Campaign.objects.exists()
    assert not AuditEvent.objects.filter(action="campaign.created").exists()


def test_create_refuses_deliverable_with_quantity_out_of_range(brand_org, brand_manager):
    bad = {"platform": "instagram", "format": "reel", "quantity": 21}

    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_create(
            organization=brand_org, by_user=brand_manager, **_complete_fields(deliverables=[bad])
        )

    assert caught.value.errors == [("deliverables", "Deliverable 1: the quantity is between 1 and 20.")]
    assert not DeliverableSpec.objects.exists()


def test_viewer_cannot_create_campaign(brand_org, brand_viewer):
    with pytest.raises(PermissionDeniedError) as caught:
        briefs.campaign_create(organization=brand_org, by_user=brand_viewer, title="Nope")

    assert str(caught.value) == "Only owners and managers of the organization can do this."
    assert not Campaign.objects.exists()


def test_manager_creates_campaign_through_the_form(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), _form_data())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("campaigns:campaign_manage", args=[campaign.pk])
    assert campaign.status == Campaign.Status.DRAFT
    assert (campaign.fee_min, campaign.fee_max) == (Decimal("1500000"), Decimal("1500000"))
    assert (campaign.min_followers, campaign.max_followers) == (1000, 100000)
    assert campaign.kind == Campaign.Kind.COMMERCIAL
    assert campaign.compensation == Campaign.Compensation.PAID
    assert [(s.platform, s.format, s.quantity) for s in campaign.deliverables.all()] == [
        ("instagram", "reel", 2)
    ]


def test_the_nano_share_is_set_on_the_form_and_checked(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    url = reverse("campaigns:campaign_create", args=[brand_org.slug])

    refused = client.post(url, _form_data(nano_share="60"))
    client.post(url, _form_data(nano_share="35"))

    assert refused.status_code == 400
    assert "Ensure this value is less than or equal to 50." in refused.content.decode()
    assert Campaign.objects.get().nano_share == 35


def test_the_nano_share_defaults_to_twenty_percent(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), _form_data())

    assert Campaign.objects.get().nano_share == 20


def test_form_with_fee_range_and_tier_shortcut(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    data = _form_data(fee_mode="range", fee="", fee_min="1000000", fee_max="2500000", tiers=["nano", "micro"])
    data.update(min_followers="", max_followers="")

    response = client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), data)

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.fee_min, campaign.fee_max) == (Decimal("1000000"), Decimal("2500000"))
    assert (campaign.min_followers, campaign.max_followers) == (1_000, 99_999)


def test_form_shows_min_fee_above_max_next_to_the_field(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    data = _form_data(fee_mode="range", fee="", fee_min="3000000", fee_max="1000000")

    response = client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), data)

    assert response.status_code == 400
    assert response.context["form"].errors["fee_max"] == ["The minimum fee is higher than the maximum fee."]
    assert not Campaign.objects.exists()


def test_form_refuses_tiers_and_typed_range_together(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:campaign_create", args=[brand_org.slug]), _form_data(tiers=["micro"])
    )

    assert response.status_code == 400
    assert response.context["form"].errors["tiers"] == [
        "Use either the tiers or your own follower range, not both. Clear one of them."
    ]
    assert not Campaign.objects.exists()


def test_form_refuses_half_filled_deliverable_row(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:campaign_create", args=[brand_org.slug]),
        _form_data(**{"deliverables-1-platform": "tiktok"}),
    )

    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors["format"] == ["Choose a format, or clear the row."]
    assert not Campaign.objects.exists()


def test_brand_form_offers_neither_cause_kind_nor_ngo_rights(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    response = client.get(reverse("campaigns:campaign_create", args=[brand_org.slug]))

    form = response.context["form"]
    assert "kind" not in form.fields
    assert "compensation" not in form.fields
    assert "ngo_noncommercial" not in dict(form.fields["usage_rights"].choices)
    assert form.fields["currency"].initial == "IDR"


def test_ngo_form_defaults_to_cause(client, ngo_org, ngo_manager):
    client.force_login(ngo_manager)

    response = client.get(reverse("campaigns:campaign_create", args=[ngo_org.slug]))

    form = response.context["form"]
    assert form.fields["kind"].initial == Campaign.Kind.CAUSE
    assert "volunteer" in dict(form.fields["compensation"].choices)


def test_viewer_gets_403_page_on_create(client, brand_org, brand_viewer):
    client.force_login(brand_viewer)

    response = client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), _form_data())

    assert response.status_code == 403
    assert "Only owners and managers of the organization can do this." in response.content.decode()
    assert not Campaign.objects.exists()


def test_outsider_gets_404_on_create(client, brand_org, outsider):
    client.force_login(outsider)

    assert client.get(reverse("campaigns:campaign_create", args=[brand_org.slug])).status_code == 404


def test_anonymous_is_sent_to_login(client, campaign):
    response = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Publishing


def test_publish_lists_every_problem_at_once(brand_org, brand_manager):
    campaign = CampaignFactory(
        organization=brand_org,
        status=Campaign.Status.DRAFT,
        objective="",
        description="",
        platforms=[Platform.TIKTOK],
        fee_min=None,
        fee_max=None,
        application_deadline=in_days(-1),
        content_due_date=None,
        deliverables=[(Platform.INSTAGRAM, DeliverableFormat.REEL, 1)],
    )

    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_publish(campaign=campaign, by_user=brand_manager)

    assert caught.value.errors == [
        ("objective", "Choose the campaign's objective."),
        ("description", "Describe the campaign: what you want creators to make, and why."),
        ("deliverables", "Deliverable 1 is on Instagram, which is not one of the brief's platforms."),
        ("application_deadline", "The application deadline is in the past."),
        ("content_due_date", "Set a content due date."),
        ("fee_min", "Set the fee per creator: a paid or stipend campaign needs a fixed fee or a range."),
    ]
    assert str(caught.value) == "The brief cannot be published yet: fix 6 problems."
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert campaign.published_at is None


def test_publish_requires_platform_deliverable_and_cause_for_a_cause_campaign(ngo_org, ngo_manager):
    campaign = briefs.campaign_create(
        organization=ngo_org, by_user=ngo_manager, **_complete_fields(platforms=[], deliverables=[])
    )

    problems = brief_checks.campaign_publish_problems(campaign=campaign)

    assert ("platforms", "Choose at least one platform.") in problems
    assert ("deliverables", "Add at least one deliverable, for example 1 Instagram reel.") in problems
    assert ("causes", "Choose the cause this campaign supports.") in problems


def test_publish_refuses_fee_on_a_volunteer_campaign(ngo_org, ngo_manager):
    campaign = CampaignFactory(
        organization=ngo_org,
        status=Campaign.Status.DRAFT,
        kind=Campaign.Kind.CAUSE,
        compensation=Campaign.Compensation.VOLUNTEER,
    )
    campaign.causes.set([Cause.objects.first()])

    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_publish(campaign=campaign, by_user=ngo_manager)

    assert caught.value.errors == [
        ("fee_min", "A volunteer campaign has no fee. Remove the fee or choose paid or stipend.")
    ]


def test_publish_complete_draft_records_the_transition(brand_org, brand_manager):
    campaign = briefs.campaign_create(organization=brand_org, by_user=brand_manager, **_complete_fields())

    briefs.campaign_publish(campaign=campaign, by_user=brand_manager)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED
    assert campaign.published_at is not None
    event = AuditEvent.objects.get(action="campaign.published")
    assert (event.actor, event.from_status, event.to_status) == (brand_manager, "draft", "published")


def test_publishing_twice_is_an_invalid_transition(campaign, brand_owner):
    with pytest.raises(InvalidTransition):
        briefs.campaign_publish(campaign=campaign, by_user=brand_owner)


def test_publish_page_lists_the_problems(client, brand_org, brand_manager):
    campaign = CampaignFactory(
        organization=brand_org, status=Campaign.Status.DRAFT, description="", fee_min=None
    )
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:campaign_publish", args=[campaign.pk]))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Describe the campaign: what you want creators to make, and why." in html
    assert "Set the fee per creator: a paid or stipend campaign needs a fixed fee or a range." in html
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_publish_through_the_page(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:campaign_publish", args=[campaign.pk]))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


def test_viewer_cannot_publish(client, brand_org, brand_viewer):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    client.force_login(brand_viewer)

    response = client.post(reverse("campaigns:campaign_publish", args=[campaign.pk]))

    assert response.status_code == 403
    assert "Only owners and managers of the organization can do this." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_publish_is_post_only(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    client.force_login(brand_manager)

    assert client.get(reverse("campaigns:campaign_publish", args=[campaign.pk])).status_code == 405


def test_manager_of_another_org_gets_404(client, campaign, ngo_manager):
    client.force_login(ngo_manager)

    for name in ("campaign_manage", "campaign_edit", "campaign_cancel"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404
    for name in ("campaign_publish", "campaign_close", "campaign_duplicate"):
        assert client.post(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


# Editing


def test_draft_edit_replaces_deliverables(client, brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    client.force_login(brand_manager)
    data = _form_data(
        **{
            "deliverables-INITIAL_FORMS": "1",
            "deliverables-0-platform": "instagram",
            "deliverables-0-format": "story",
            "deliverables-0-quantity": "3",
            "deliverables-1-platform": "instagram",
            "deliverables-1-format": "feed_post",
        }
    )

    response = client.post(reverse("campaigns:campaign_edit", args=[campaign.pk]), data)

    assert response.status_code == 302
    assert [(s.format, s.quantity) for s in campaign.deliverables.all()] == [("story", 3), ("feed_post", 1)]
    event = AuditEvent.objects.get(action="campaign.updated")
    assert "deliverables" in event.data["fields"]


def test_published_brief_keeps_its_deal(campaign, brand_owner):
    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_update(
            campaign=campaign, by_user=brand_owner, fee_min=Decimal("5"), fee_max=Decimal("5"), currency="USD"
        )

    assert caught.value.errors == [
        ("currency", "This cannot be changed once the campaign is published."),
        ("fee_max", "This cannot be changed once the campaign is published."),
        ("fee_min", "This cannot be changed once the campaign is published."),
    ]
    campaign.refresh_from_db()
    assert (campaign.fee_min, campaign.currency) == (Decimal("1000000"), "IDR")


def test_published_brief_edits_description_slots_and_future_deadline(client, campaign, brand_owner):
    client.force_login(brand_owner)
    new_deadline = in_days(20)

    response = client.post(
        reverse("campaigns:campaign_edit", args=[campaign.pk]),
        {
            "description": "Now with a recipe card.",
            "dos": "Show the beans.",
            "donts": "",
            "required_hashtags": "#iklan",
            "application_deadline": new_deadline.isoformat(),
            "content_due_date": campaign.content_due_date.isoformat(),
            "slots": "5",
        },
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.description == "Now with a recipe card."
    assert (campaign.slots, campaign.application_deadline) == (5, new_deadline)
    assert campaign.fee_min == Decimal("1000000")


def test_published_edit_form_offers_only_editable_fields(client, campaign, brand_owner):
    client.force_login(brand_owner)

    response = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk]))

    assert set(response.context["form"].fields) == set(brief_checks.PUBLISHED_EDITABLE)
    assert response.context["formset"] is None
    assert "close this campaign and publish a duplicate" in response.content.decode()


def test_published_deadline_cannot_move_into_the_past(campaign, brand_owner):
    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_update(campaign=campaign, by_user=brand_owner, application_deadline=in_days(-2))

    assert caught.value.errors == [("application_deadline", "The application deadline is in the past.")]


def test_slots_cannot_drop_below_accepted_creators(campaign, brand_owner):
    _accept(campaign, CreatorProfileFactory(), brand_owner)
    _accept(campaign, CreatorProfileFactory(), brand_owner)

    with pytest.raises(BriefInvalid) as caught:
        briefs.campaign_update(campaign=campaign, by_user=brand_owner, slots=1)

    assert caught.value.errors == [("slots", "2 creators are already accepted; keep at least 2 slots.")]
    campaign.refresh_from_db()
    assert campaign.slots == 2


def test_closed_brief_cannot_be_edited(campaign, brand_owner):
    campaign_closing.campaign_close(campaign=campaign, by_user=brand_owner)

    with pytest.raises(InvalidTransition) as caught:
        briefs.campaign_update(campaign=campaign, by_user=brand_owner, description="Too late")

    assert str(caught.value) == "A closed campaign can no longer be edited."


def test_viewer_gets_403_on_edit(client, campaign, brand_viewer):
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:campaign_edit", args=[campaign.pk]))

    assert response.status_code == 403
    assert "Only owners and managers of the organization can do this." in response.content.decode()


# Closing


def test_close_closes_open_offers_and_tells_the_creators(
    campaign, brand_owner, django_capture_on_commit_callbacks
):
    pending = ApplicationFactory(campaign=campaign)
    shortlisted = ApplicationFactory(campaign=campaign, status=Application.Status.SHORTLISTED)
    declined = ApplicationFactory(campaign=campaign, status=Application.Status.DECLINED)
    invitation = InvitationFactory(campaign=campaign)
    collaboration = _accept(campaign, CreatorProfileFactory(), brand_owner)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_close(campaign=campaign, by_user=brand_owner)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert campaign.closed_at is not None
    for application in (pending, shortlisted):
        application.refresh_from_db()
        assert application.status == Application.Status.CLOSED
    declined.refresh_from_db()
    assert declined.status == Application.Status.DECLINED
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CLOSED
    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.ACTIVE
    assert Notification.objects.filter(kind="application.closed").count() == 2
    notice = Notification.objects.get(kind="invitation.closed")
    assert notice.recipient == invitation.creator.user
    assert {m.to[0] for m in mail.outbox} == {
        pending.creator.user.email,
        shortlisted.creator.user.email,
        invitation.creator.user.email,
    }
    assert AuditEvent.objects.filter(
        action="application.closed", from_status="pending", to_status="closed"
    ).exists()
    event = AuditEvent.objects.get(action="campaign.closed")
    assert (event.from_status, event.to_status) == ("published", "closed")


def test_closing_twice_is_refused_without_new_notifications(client, campaign, brand_owner):
    ApplicationFactory(campaign=campaign)
    campaign_closing.campaign_close(campaign=campaign, by_user=brand_owner)
    client.force_login(brand_owner)

    response = client.post(reverse("campaigns:campaign_close", args=[campaign.pk]), follow=True)

    assert "This cannot be done while the campaign is “Closed”." in response.content.decode()
    assert Notification.objects.filter(kind="application.closed").count() == 1


def test_accepting_after_close_is_refused(campaign, brand_owner):
    campaign_closing.campaign_close(campaign=campaign, by_user=brand_owner)

    with pytest.raises(InvalidTransition):
        _accept(campaign, CreatorProfileFactory(), brand_owner)


# Cancelling


def test_cancel_requires_a_reason(client, campaign, brand_owner):
    client.force_login(brand_owner)

    response = client.post(reverse("campaigns:campaign_cancel", args=[campaign.pk]), {"reason": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Tell the creators why you cancel the campaign."]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


def test_cancel_service_refuses_blank_reason(campaign, brand_owner):
    with pytest.raises(ValidationFailed) as caught:
        campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_owner, reason="")

    assert caught.value.field == "reason"
    assert not AuditEvent.objects.filter(action="campaign.cancelled").exists()


def test_cancel_page_explains_what_happens(client, campaign, brand_owner):
    ApplicationFactory(campaign=campaign)
    _accept(campaign, CreatorProfileFactory(), brand_owner)
    client.force_login(brand_owner)

    response = client.get(reverse("campaigns:campaign_cancel", args=[campaign.pk]))

    html = response.content.decode()
    assert "1 open application is closed." in html
    assert "1 collaboration in progress is cancelled." in html


def test_cancel_closes_offers_cancels_live_collaborations_and_tells_both_sides(
    client, campaign, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(campaign=campaign)
    invitation = InvitationFactory(campaign=campaign)
    worker = CreatorProfileFactory()
    collaboration = _accept(campaign, worker, brand_owner)
    mail.outbox.clear()
    client.force_login(brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:campaign_cancel", args=[campaign.pk]),
            {"reason": "The product launch moved to 2026."},
        )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    assert campaign.cancel_reason == "The product launch moved to 2026."
    application.refresh_from_db()
    invitation.refresh_from_db()
    collaboration.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert invitation.status == Invitation.Status.CLOSED
    assert collaboration.status == Collaboration.Status.CANCELLED
    assert collaboration.cancelled_by == brand_manager
    assert collaboration.cancel_reason == "The product launch moved to 2026."
    assert collaboration.fee == Decimal("1000000")
    notified = set(Notification.objects.filter(kind="campaign.cancelled").values_list("recipient", flat=True))
    assert notified == {
        application.creator.user_id,
        invitation.creator.user_id,
        worker.user_id,
        brand_owner.pk,
        brand_manager.pk,
    }
    assert all("The product launch moved to 2026." in m.body for m in mail.outbox)
    assert len(mail.outbox) == 5
    event = AuditEvent.objects.get(action="collaboration.cancelled")
    assert (event.from_status, event.to_status, event.reason) == (
        "active",
        "cancelled",
        "The product launch moved to 2026.",
    )


def test_cancel_draft_notifies_nobody(brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)

    campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_owner, reason="Budget cut")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CANCELLED
    assert not Notification.objects.exists()


def test_cancelled_campaign_cannot_be_cancelled_again(brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.CANCELLED)

    with pytest.raises(InvalidTransition) as caught:
        campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_owner, reason="Again")

    assert str(caught.value) == "A cancelled campaign cannot be cancelled."


def test_cancel_waits_for_staff_to_resolve_an_open_dispute(campaign, brand_owner):
    collaboration = _accept(campaign, CreatorProfileFactory(), brand_owner)
    Collaboration.objects.filter(pk=collaboration.pk).update(status=Collaboration.Status.DISPUTED)
    Dispute.objects.create(collaboration=collaboration, raised_by=brand_owner, reason="Late drafts")

    with pytest.raises(InvalidTransition):
        campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_owner, reason="Stop")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


def test_viewer_cannot_cancel(client, campaign, brand_viewer):
    client.force_login(brand_viewer)

    response = client.post(reverse("campaigns:campaign_cancel", args=[campaign.pk]), {"reason": "Because"})

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED


# Duplicating


def test_duplicate_copies_the_brief_into_a_dateless_draft(client, campaign, brand_manager):
    campaign.niches.set([Niche.objects.get(slug="food")])
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:campaign_duplicate", args=[campaign.pk]))

    copy = Campaign.objects.exclude(pk=campaign.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("campaigns:campaign_edit", args=[copy.pk])
    assert copy.title == "Kopi at sahur (copy)"
    assert copy.status == Campaign.Status.DRAFT
    assert (copy.application_deadline, copy.content_due_date, copy.published_at) == (None, None, None)
    assert (copy.fee_min, copy.slots, copy.platforms) == (
        campaign.fee_min,
        campaign.slots,
        campaign.platforms,
    )
    assert list(copy.niches.all()) == list(campaign.niches.all())
    assert [(s.platform, s.format, s.quantity) for s in copy.deliverables.all()] == [("instagram", "reel", 1)]
    assert copy.created_by == brand_manager
    assert AuditEvent.objects.get(action="campaign.duplicated").data == {"source": campaign.pk}


def test_duplicate_keeps_long_titles_within_the_limit(brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org, title="x" * 140)

    copy = briefs.campaign_duplicate(campaign=campaign, by_user=brand_owner)

    assert len(copy.title) == 140
    assert copy.title.endswith(" (copy)")


def test_viewer_cannot_duplicate(client, campaign, brand_viewer):
    client.force_login(brand_viewer)

    response = client.post(reverse("campaigns:campaign_duplicate", args=[campaign.pk]))

    assert response.status_code == 403
    assert Campaign.objects.count() == 1


def test_owner_of_two_orgs_only_acts_within_the_campaigns_org(brand_org, brand_owner):
    other = OrganizationFactory()
    MembershipFactory(organization=other, user=brand_owner, role="viewer")
    foreign = CampaignFactory(organization=other, status=Campaign.Status.DRAFT)

    with pytest.raises(PermissionDeniedError):
        briefs.campaign_publish(campaign=foreign, by_user=brand_owner)
    foreign.refresh_from_db()
    assert foreign.status == Campaign.Status.DRAFT
