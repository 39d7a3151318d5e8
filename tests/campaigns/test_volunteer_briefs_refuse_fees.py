"""A volunteer brief pays no fee: asking for one (applying, countering) or offering one (inviting)
is refused with a field error, on the web and through the API, and nothing is written. Paid
counter-offers left from before can only be declined, and the page says so."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Application, Campaign, Invitation
from tests.campaigns.factories import CampaignFactory, InvitationFactory

VOLUNTEER_ERROR = "This is a volunteer brief: it pays no fee, so Rp 250.000 cannot be asked or offered."


@pytest.fixture(autouse=True)
def _creator_open_to_pro_bono(creator):
    """A volunteer brief is open to creators open to pro-bono work (test_cause_briefs.py)."""
    creator.creator_profile.open_to_pro_bono = True
    creator.creator_profile.save(update_fields=["open_to_pro_bono"])


@pytest.fixture
def volunteer(ngo_org):
    return CampaignFactory(
        organization=ngo_org,
        kind=Campaign.Kind.CAUSE,
        compensation=Campaign.Compensation.VOLUNTEER,
        fee_min=None,
        fee_max=None,
    )


@pytest.fixture
def invitation(volunteer, ngo_manager, creator):
    return InvitationFactory(
        campaign=volunteer, creator=creator.creator_profile, offered_fee=Decimal("0"), invited_by=ngo_manager
    )


def test_applying_with_a_fee_on_the_web_shows_the_error_next_to_the_fee(client, volunteer, creator):
    client.force_login(creator)
    url = reverse("campaigns:apply", args=[volunteer.pk])

    page = client.get(url).content.decode()
    assert "This is a volunteer brief: it pays no fee. Leave this empty." in page
    refused = client.post(url, {"pitch": "I run beach clean-ups.", "proposed_fee": "250000"})

    assert refused.status_code == 400
    assert refused.context["form"].errors["proposed_fee"] == [
        VOLUNTEER_ERROR + " Leave the fee empty or enter 0."
    ]
    assert VOLUNTEER_ERROR in refused.content.decode()
    assert not Application.objects.exists()
    accepted = client.post(url, {"pitch": "I run beach clean-ups.", "proposed_fee": ""})
    assert accepted.status_code == 302
    assert Application.objects.get().proposed_fee is None


def test_applying_with_a_fee_through_the_api_is_a_field_error(client, volunteer, creator):
    client.force_login(creator)

    response = client.post(
        f"/api/v1/campaigns/{volunteer.pk}/applications/",
        {"pitch": "I run beach clean-ups.", "proposed_fee": "250000"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["fields"]["proposed_fee"][0].startswith(VOLUNTEER_ERROR)
    assert not Application.objects.exists()


def test_countering_a_volunteer_invitation_with_a_fee_is_refused_through_the_api(client, invitation, creator):
    client.force_login(creator)

    response = client.post(
        f"/api/v1/invitations/{invitation.pk}/counter/", {"fee": "250000"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["fields"]["fee"][0].startswith(VOLUNTEER_ERROR)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.counter_fee is None


def test_countering_on_the_web_is_not_offered_and_refused_if_posted(client, invitation, creator):
    client.force_login(creator)
    url = reverse("campaigns:invitation_detail", args=[invitation.pk])

    page = client.get(url).content.decode()
    assert "Propose another fee" not in page
    assert "there is no fee to counter" in page
    refused = client.post(reverse("campaigns:invitation_counter", args=[invitation.pk]), {"fee": "250000"})

    assert refused.status_code == 400
    assert VOLUNTEER_ERROR in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_inviting_with_a_fee_is_refused_on_the_web_and_through_the_api(
    client, volunteer, ngo_manager, creator
):
    client.force_login(ngo_manager)

    web = client.post(
        reverse("campaigns:invite", args=[volunteer.pk]), {"creators": "ayu-lestari", "offered_fee": "250000"}
    )
    api = client.post(
        f"/api/v1/campaigns/{volunteer.pk}/invitations/",
        {"creator": "ayu-lestari", "offered_fee": "250000"},
        content_type="application/json",
    )

    assert web.status_code == 400
    assert web.context["form"].errors["offered_fee"][0].startswith(VOLUNTEER_ERROR)
    assert api.status_code == 400
    assert api.json()["fields"]["offered_fee"][0].startswith(VOLUNTEER_ERROR)
    assert not Invitation.objects.exists()


def test_a_paid_counter_offer_left_on_a_volunteer_brief_can_only_be_declined(
    client, volunteer, ngo_manager, creator
):
    # Written before volunteer briefs refused fees.
    left = InvitationFactory(
        campaign=volunteer,
        creator=creator.creator_profile,
        offered_fee=Decimal("0"),
        status=Invitation.Status.COUNTERED,
        counter_fee=Decimal("250000"),
    )
    client.force_login(ngo_manager)

    page = client.get(reverse("campaigns:invitation_detail", args=[left.pk])).content.decode()
    api = client.post(f"/api/v1/invitations/{left.pk}/counter-accept/")

    assert "A volunteer brief pays no fee: decline this offer." in page
    assert reverse("campaigns:invitation_counter_accept", args=[left.pk]) not in page
    assert api.status_code == 409
    assert "it cannot pay the Rp 250.000 of this counter-offer" in api.json()["detail"]
