"""Applications and invitations over the API: the same services as the web pages, tenants apart."""

from decimal import Decimal

import pytest
from django.urls import reverse

from api.models import ApiKey
from campaigns.models import Application, Collaboration, Invitation, InvitationBatch
from tests.api.conftest import bearer, make_key, make_token
from tests.campaigns.factories import ApplicationFactory, CampaignFactory, InvitationFactory, make_creator

PITCH = {"pitch": "I brew kopi tubruk every sahur.", "proposed_fee": "1000000"}


@pytest.fixture
def creator_client(creator):
    return bearer(make_token(creator))


def url(name, *args):
    return reverse(f"api:{name}", args=args)


# Applications


def test_a_creator_applies_with_a_personal_token(creator_client, campaign, creator):
    response = creator_client.post(url("campaign_applications", campaign.pk), PITCH, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["creator"]["slug"] == creator.creator_profile.slug
    assert body["campaign"]["id"] == campaign.pk
    assert Application.objects.filter(campaign=campaign, creator=creator.creator_profile).count() == 1


def test_a_fee_outside_the_range_is_a_counter_offer(creator_client, campaign):
    response = creator_client.post(
        url("campaign_applications", campaign.pk), {**PITCH, "proposed_fee": "2500000"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["is_counter_offer"] is True


def test_applying_twice_is_refused_with_the_field(creator_client, campaign):
    creator_client.post(url("campaign_applications", campaign.pk), PITCH, format="json")

    response = creator_client.post(url("campaign_applications", campaign.pk), PITCH, format="json")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert Application.objects.count() == 1


@pytest.mark.parametrize("field", ["status", "is_counter_offer", "campaign", "creator", "decided_by"])
def test_an_application_body_cannot_set_protected_fields(creator_client, campaign, field):
    response = creator_client.post(
        url("campaign_applications", campaign.pk), {**PITCH, field: "accepted"}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Application.objects.exists()


def test_an_organization_key_cannot_apply_as_a_creator(creator, campaign, ngo_org):
    from brands.models import Membership

    # The key's maker is also a creator: the key still acts for the organization only.
    Membership.objects.create(organization=ngo_org, user=creator, role=Membership.Role.OWNER)
    key = bearer(make_key(ngo_org, creator))

    response = key.post(url("campaign_applications", campaign.pk), PITCH, format="json")

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_applications_are_rate_limited(creator_client, campaign, settings):
    settings.API_SENSITIVE_LIMITS = {**settings.API_SENSITIVE_LIMITS, "applications": (1, 3600)}
    other = CampaignFactory(organization=campaign.organization)
    creator_client.post(url("campaign_applications", campaign.pk), PITCH, format="json")

    response = creator_client.post(url("campaign_applications", other.pk), PITCH, format="json")

    assert response.status_code == 429
    assert response.json()["type"] == "rate_limited"


def test_the_organization_accepts_and_the_collaboration_starts(write_key, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    response = write_key.post(url("application_accept", application.pk))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "active"
    assert Decimal(body["fee"]) == Decimal("1000000")
    assert Collaboration.objects.get(pk=body["id"]).application_id == application.pk
    again = write_key.post(url("application_accept", application.pk))
    assert again.status_code == 409
    assert again.json()["type"] == "conflict"


def test_the_organization_declines_with_a_reason(write_key, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    response = write_key.post(url("application_decline", application.pk), {"reason": "Full"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "Full"


def test_a_read_key_and_a_viewer_cannot_decide(read_key, brand_viewer, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    assert read_key.post(url("application_accept", application.pk)).status_code == 403
    assert bearer(make_token(brand_viewer)).post(url("application_accept", application.pk)).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_the_creator_withdraws_but_the_organization_cannot(creator_client, write_key, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    assert write_key.post(url("application_withdraw", application.pk)).status_code == 403
    response = creator_client.post(url("application_withdraw", application.pk))

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_another_organizations_applications_are_404(write_key, ngo_org, creator):
    other = ApplicationFactory(
        campaign=CampaignFactory(organization=ngo_org), creator=creator.creator_profile
    )

    assert write_key.get(url("application", other.pk)).status_code == 404
    assert write_key.post(url("application_accept", other.pk)).status_code == 404
    assert write_key.get(url("campaign_applications", other.campaign_id)).status_code == 404


def test_a_creator_sees_only_their_own_applications(creator_client, campaign, creator):
    mine = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)
    someone_else = ApplicationFactory(campaign=campaign)

    response = creator_client.get(url("applications"))

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
    assert creator_client.get(url("application", someone_else.pk)).status_code == 404


@pytest.mark.parametrize("page_size", [1, 100])
def test_application_lists_run_a_constant_number_of_queries(
    write_key, campaign, django_assert_max_num_queries, page_size
):
    for _ in range(3):
        ApplicationFactory(campaign=campaign)
    with django_assert_max_num_queries(9):
        response = write_key.get(url("campaign_applications", campaign.pk), {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, 3)


# Invitations


def test_the_organization_invites_one_creator_by_slug(write_key, campaign, creator):
    response = write_key.post(
        url("campaign_invitations", campaign.pk),
        {"creator": creator.creator_profile.slug, "offered_fee": "1000000", "message": "Join us"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert Invitation.objects.get().creator == creator.creator_profile


def test_inviting_an_unknown_slug_names_the_field(write_key, campaign):
    response = write_key.post(url("campaign_invitations", campaign.pk), {"creator": "nobody"}, format="json")

    assert response.status_code == 400
    assert "creator" in response.json()["fields"]


def test_a_read_key_cannot_invite(read_key, campaign, creator):
    response = read_key.post(
        url("campaign_invitations", campaign.pk), {"creator": creator.creator_profile.slug}, format="json"
    )

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitations_are_rate_limited(write_key, campaign, settings):
    settings.API_SENSITIVE_LIMITS = {**settings.API_SENSITIVE_LIMITS, "invitations": (1, 3600)}
    first, second = make_creator(), make_creator()
    write_key.post(url("campaign_invitations", campaign.pk), {"creator": first.slug}, format="json")

    response = write_key.post(
        url("campaign_invitations", campaign.pk), {"creator": second.slug}, format="json"
    )

    assert response.status_code == 429


def test_bulk_invitations_run_as_a_batch_with_a_status(
    write_key, campaign, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(3)]
    body = {"creators": [c.slug for c in creators] + ["nobody"], "offered_fee": "1000000"}

    with django_capture_on_commit_callbacks(execute=True):
        response = write_key.post(url("campaign_invitations_bulk", campaign.pk), body, format="json")

    assert response.status_code == 202
    started = response.json()
    assert started["total"] == 3
    assert started["unknown_creators"] == ["nobody"]
    status = write_key.get(url("invitation_batch", started["id"]))
    assert status.status_code == 200
    assert status.json()["status"] == InvitationBatch.Status.DONE
    assert status.json()["invited"] == 3
    assert Invitation.objects.filter(campaign=campaign).count() == 3


def test_another_organizations_batch_is_404(write_key, ngo_org, ngo_manager):
    from campaigns.services.invitation_batches import invitation_batch_start

    other = CampaignFactory(organization=ngo_org)
    batch = invitation_batch_start(
        campaign=other, by_user=ngo_manager, creator_ids=[make_creator().pk], offered_fee=None
    )

    assert write_key.get(url("invitation_batch", batch.pk)).status_code == 404


def test_the_creator_accepts_an_invitation(creator_client, campaign, creator):
    invitation = InvitationFactory(
        campaign=campaign, creator=creator.creator_profile, invited_by=campaign.organization.created_by
    )

    response = creator_client.post(url("invitation_accept", invitation.pk))

    assert response.status_code == 201
    assert response.json()["status"] == "active"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED


def test_an_organization_key_cannot_answer_for_the_creator(write_key, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    response = write_key.post(url("invitation_accept", invitation.pk))

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_counter_then_the_organization_accepts_at_the_creators_fee(
    creator_client, write_key, campaign, creator
):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    countered = creator_client.post(
        url("invitation_counter", invitation.pk), {"fee": "1200000", "message": "Two reels?"}, format="json"
    )
    assert countered.status_code == 200
    assert countered.json()["status"] == "countered"

    response = write_key.post(url("invitation_counter_accept", invitation.pk))

    assert response.status_code == 201
    assert Decimal(response.json()["fee"]) == Decimal("1200000")


def test_the_organization_declines_a_counter(creator_client, write_key, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    creator_client.post(url("invitation_counter", invitation.pk), {"fee": "1200000"}, format="json")

    response = write_key.post(url("invitation_counter_decline", invitation.pk))

    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_the_creator_declines(creator_client, campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    response = creator_client.post(
        url("invitation_decline", invitation.pk), {"reason": "Busy"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert creator_client.post(url("invitation_accept", invitation.pk)).status_code == 409


def test_invitation_lists_are_per_side_and_tenant(creator_client, write_key, campaign, ngo_org, creator):
    mine = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    elsewhere = InvitationFactory(campaign=CampaignFactory(organization=ngo_org))

    assert [r["id"] for r in creator_client.get(url("invitations")).json()["results"]] == [mine.pk]
    org_rows = write_key.get(url("campaign_invitations", campaign.pk)).json()["results"]
    assert [r["id"] for r in org_rows] == [mine.pk]
    assert write_key.get(url("invitation", elsewhere.pk)).status_code == 404
    assert write_key.get(url("invitations")).status_code == 403


@pytest.mark.parametrize("page_size", [1, 100])
def test_invitation_lists_run_a_constant_number_of_queries(
    creator_client, write_key, campaign, creator, django_assert_max_num_queries, page_size
):
    InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    for _ in range(2):
        InvitationFactory(campaign=campaign)
    for other in CampaignFactory.create_batch(2, organization=campaign.organization):
        InvitationFactory(campaign=other, creator=creator.creator_profile)
    with django_assert_max_num_queries(9):
        assert (
            write_key.get(url("campaign_invitations", campaign.pk), {"page_size": page_size}).status_code
            == 200
        )
    with django_assert_max_num_queries(9):
        assert creator_client.get(url("invitations"), {"page_size": page_size}).status_code == 200


def test_an_idempotent_retry_of_accept_replays_the_answer(write_key, campaign, creator):
    application = ApplicationFactory(campaign=campaign, creator=creator.creator_profile)
    headers = {"HTTP_IDEMPOTENCY_KEY": "accept-1"}

    first = write_key.post(url("application_accept", application.pk), **headers)
    second = write_key.post(url("application_accept", application.pk), **headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert ApiKey.objects.count() == 1
