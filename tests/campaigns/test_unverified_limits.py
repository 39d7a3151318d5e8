"""An organization staff have not verified publishes under stated limits: one published brief at a
time, ten invitations per brief (any status; single, bulk, batch and API alike), no sponsorships.
Verified organizations have none; losing the verification brings the limits back for new actions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from brands.models import Organization
from brands.verification_limits import (
    limits_text,
    unverified_limits_notice,
    unverified_limits_refusal,
)
from campaigns.models import Campaign, Invitation, InvitationBatch
from campaigns.services import briefs
from campaigns.services.invitation_batches import invitation_batch_start
from campaigns.services.invitations import INVITED, invitation_create, invitation_create_many
from marketplace.errors import InvalidTransition, ValidationFailed
from tests.api.conftest import bearer, make_key
from tests.campaigns.factories import CampaignFactory, InvitationFactory, make_creator
from tests.campaigns.test_applications import _race

pytestmark = pytest.mark.django_db

FEE = Decimal("1000000")
LIMITS_TEXT = (
    "Your organization is not verified yet: you can publish 1 brief and invite up to 10 creators per "
    "brief. Verify to lift the limits."
)


def draft(org):
    return CampaignFactory(organization=org, status=Campaign.Status.DRAFT)


def verify(org):
    org.verification_status = Organization.VerificationStatus.VERIFIED
    org.save(update_fields=["verification_status"])


def invite(campaign, by_user, creators):
    return invitation_create_many(campaign=campaign, by_user=by_user, creators=creators, offered_fee=FEE)


def fill(campaign, count):
    """`count` invitations already sent on the brief, in every status: each counts against the limit."""
    statuses = [Invitation.Status.PENDING, Invitation.Status.DECLINED, Invitation.Status.EXPIRED]
    for number in range(count):
        InvitationFactory(campaign=campaign, status=statuses[number % len(statuses)])


# Publishing


def test_the_second_published_brief_is_refused_and_stays_a_draft(brand_org, brand_manager):
    first, second = draft(brand_org), draft(brand_org)
    briefs.campaign_publish(campaign=first, by_user=brand_manager)

    with pytest.raises(InvalidTransition) as caught:
        briefs.campaign_publish(campaign=second, by_user=brand_manager)

    assert str(caught.value.message) == (
        "Kopi Nusantara is not verified yet, so it can have 1 published brief at a time, and it already "
        "has 1. Close that brief first, or verify your organization to lift the limit."
    )
    second.refresh_from_db()
    assert second.status == Campaign.Status.DRAFT
    assert second.published_at is None


def test_closing_the_published_brief_frees_the_place(brand_org, brand_manager):
    from campaigns.services.campaign_closing import campaign_close

    first, second = draft(brand_org), draft(brand_org)
    briefs.campaign_publish(campaign=first, by_user=brand_manager)
    campaign_close(campaign=first, by_user=brand_manager)

    briefs.campaign_publish(campaign=second, by_user=brand_manager)

    second.refresh_from_db()
    assert second.status == Campaign.Status.PUBLISHED


def test_a_pending_verification_still_has_the_limits(brand_org, brand_manager):
    brand_org.verification_status = Organization.VerificationStatus.PENDING
    brand_org.save()
    CampaignFactory(organization=brand_org)

    with pytest.raises(InvalidTransition, match="not verified yet"):
        briefs.campaign_publish(campaign=draft(brand_org), by_user=brand_manager)


def test_publishing_on_the_web_shows_the_refusal_on_the_manage_page(client, brand_org, brand_manager):
    CampaignFactory(organization=brand_org)
    second = draft(brand_org)
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:campaign_publish", args=[second.pk]), follow=True)

    page = response.content.decode()
    assert "it can have 1 published brief at a time, and it already has 1" in page
    assert LIMITS_TEXT in page
    assert reverse("brands:verification_request", args=[brand_org.slug]) in page
    second.refresh_from_db()
    assert second.status == Campaign.Status.DRAFT


def test_publishing_through_the_api_is_refused_with_409(brand_org, brand_owner):
    CampaignFactory(organization=brand_org)
    second = draft(brand_org)

    response = bearer(make_key(brand_org, brand_owner)).post(f"/api/v1/campaigns/{second.pk}/publish/")

    assert response.status_code == 409
    assert "not verified yet" in response.json()["detail"]
    second.refresh_from_db()
    assert second.status == Campaign.Status.DRAFT


def test_a_verified_organization_publishes_as_many_briefs_as_it_likes(brand_org, brand_manager):
    verify(brand_org)
    for campaign in (draft(brand_org), draft(brand_org), draft(brand_org)):
        briefs.campaign_publish(campaign=campaign, by_user=brand_manager)

    assert brand_org.campaigns.filter(status=Campaign.Status.PUBLISHED).count() == 3


def test_a_revoked_verification_falls_back_to_the_limits_for_new_briefs(brand_org, brand_manager):
    # Given a verified organization with two published briefs
    verify(brand_org)
    kept = [draft(brand_org), draft(brand_org)]
    for campaign in kept:
        briefs.campaign_publish(campaign=campaign, by_user=brand_manager)

    # When staff withdraw the verification
    Organization.objects.filter(pk=brand_org.pk).update(
        verification_status=Organization.VerificationStatus.REJECTED, verified_at=None
    )

    # Then what is published stays published, and a new brief waits
    with pytest.raises(InvalidTransition, match="already has 2"):
        briefs.campaign_publish(campaign=draft(brand_org), by_user=brand_manager)
    assert {c.status for c in Campaign.objects.filter(pk__in=[c.pk for c in kept])} == {"published"}


# Invitations


def test_the_eleventh_invitation_is_refused(campaign, brand_manager):
    fill(campaign, 10)

    with pytest.raises(ValidationFailed) as caught:
        invitation_create(campaign=campaign, by_user=brand_manager, creator=make_creator(), offered_fee=FEE)

    assert caught.value.field == "creators"
    assert "This brief has sent its 10 invitations" in str(caught.value.message)
    assert campaign.invitations.count() == 10


def test_a_bulk_invite_over_the_limit_sends_none_and_says_how_many_remain(campaign, brand_manager):
    fill(campaign, 7)
    creators = [make_creator() for _ in range(4)]

    with pytest.raises(ValidationFailed) as caught:
        invite(campaign, brand_manager, creators)

    assert str(caught.value.message) == (
        "Your organization is not verified yet, so this brief can send 3 more invitations (at most 10 per "
        "brief); these would be 4. Nothing was sent: choose at most 3 creators, or verify your "
        "organization to lift the limit."
    )
    assert campaign.invitations.count() == 7

    results = invite(campaign, brand_manager, creators[:3])
    assert [r.status for r in results] == [INVITED] * 3
    assert campaign.invitations.count() == 10


def test_skipped_creators_do_not_count_against_the_limit(campaign, brand_manager):
    fill(campaign, 9)
    already = Invitation.objects.filter(campaign=campaign, status=Invitation.Status.PENDING).first()

    results = invite(campaign, brand_manager, [already.creator, make_creator()])

    assert [r.status for r in results] == ["already_invited", INVITED]
    assert campaign.invitations.count() == 10


def test_the_web_invite_page_states_the_limits_and_refuses_the_eleventh(client, campaign, brand_manager):
    fill(campaign, 9)
    first, second = make_creator(), make_creator()
    client.force_login(brand_manager)
    url = reverse("campaigns:invite", args=[campaign.pk])

    page = client.get(url).content.decode()
    assert LIMITS_TEXT in page
    assert "This brief can send 1 more invitation." in page

    refused = client.post(url, {"creators": f"{first.slug}\n{second.slug}", "offered_fee": "1000000"})

    assert refused.status_code == 400
    assert refused.context["form"].errors["creators"] == [
        "Your organization is not verified yet, so this brief can send 1 more invitation (at most 10 per "
        "brief); these would be 2. Nothing was sent: choose at most 1 creator, or verify your "
        "organization to lift the limit."
    ]
    assert campaign.invitations.count() == 9
    sent = client.post(url, {"creators": first.slug, "offered_fee": "1000000"})
    assert sent.status_code == 200
    assert campaign.invitations.count() == 10
    assert "This brief has sent its 10 invitations" in client.post(
        url, {"creators": second.slug, "offered_fee": "1000000"}
    ).content.decode().replace("\n", " ")


def test_a_long_web_list_goes_to_no_batch_when_it_exceeds_the_limit(client, campaign, brand_manager):
    creators = [make_creator() for _ in range(21)]  # more than the inline limit: a background batch
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:invite", args=[campaign.pk]),
        {"creators": "\n".join(c.slug for c in creators), "offered_fee": "1000000"},
    )

    assert response.status_code == 400
    assert "this brief can send 10 more invitations" in response.content.decode()
    assert not InvitationBatch.objects.exists()
    assert not campaign.invitations.exists()


def test_a_batch_over_the_limit_is_refused_before_it_is_queued(campaign, brand_manager):
    fill(campaign, 5)

    with pytest.raises(ValidationFailed, match="can send 5 more invitations") as caught:
        invitation_batch_start(
            campaign=campaign,
            by_user=brand_manager,
            creator_ids=[make_creator().pk for _ in range(6)],
            offered_fee=FEE,
        )

    assert caught.value.field == "creators"
    assert not InvitationBatch.objects.exists()


def test_a_batch_that_runs_after_the_verification_is_lost_fails_and_sends_none(
    campaign, brand_org, brand_manager
):
    # Started while verified (no limit), run after the verification was withdrawn.
    verify(brand_org)
    batch = invitation_batch_start(
        campaign=campaign,
        by_user=brand_manager,
        creator_ids=[make_creator().pk for _ in range(11)],
        offered_fee=FEE,
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(status=InvitationBatch.Status.QUEUED)
    Invitation.objects.filter(campaign=campaign).delete()
    Organization.objects.filter(pk=brand_org.pk).update(
        verification_status=Organization.VerificationStatus.REJECTED
    )

    from campaigns.services.invitation_batches import invitation_batch_process

    assert invitation_batch_process(batch_id=batch.pk) == InvitationBatch.Status.FAILED
    batch.refresh_from_db()
    assert "can send 10 more invitations" in batch.error
    assert not campaign.invitations.exists()


def test_the_api_refuses_the_eleventh_single_and_an_oversized_bulk_invite(campaign, brand_org, brand_owner):
    fill(campaign, 10)
    api = bearer(make_key(brand_org, brand_owner))
    creator = make_creator()

    single = api.post(
        f"/api/v1/campaigns/{campaign.pk}/invitations/",
        {"creator": creator.slug, "offered_fee": "1000000"},
        format="json",
    )
    bulk = api.post(
        f"/api/v1/campaigns/{campaign.pk}/invitations/bulk/",
        {"creators": [creator.slug, make_creator().slug], "offered_fee": "1000000"},
        format="json",
    )

    assert single.status_code == 400
    assert "This brief has sent its 10 invitations" in single.json()["fields"]["creators"][0]
    assert bulk.status_code == 400
    assert "This brief has sent its 10 invitations" in bulk.json()["detail"]
    assert campaign.invitations.count() == 10
    assert not InvitationBatch.objects.exists()


def test_a_verified_organization_invites_without_a_limit(campaign, brand_org, brand_manager):
    verify(brand_org)
    fill(campaign, 10)

    results = invite(campaign, brand_manager, [make_creator() for _ in range(5)])

    assert [r.status for r in results] == [INVITED] * 5
    assert campaign.invitations.count() == 15


def test_a_revoked_verification_stops_new_invitations_past_the_limit(campaign, brand_org, brand_manager):
    verify(brand_org)
    invite(campaign, brand_manager, [make_creator() for _ in range(12)])
    Organization.objects.filter(pk=brand_org.pk).update(
        verification_status=Organization.VerificationStatus.UNVERIFIED
    )
    campaign.refresh_from_db()

    with pytest.raises(ValidationFailed, match="This brief has sent its 10 invitations"):
        invite(campaign, brand_manager, [make_creator()])
    assert campaign.invitations.count() == 12


# Pages and the one function


def test_the_manage_page_states_the_limits_only_for_an_unverified_organization(
    client, campaign, brand_manager
):
    client.force_login(brand_manager)
    url = reverse("campaigns:campaign_manage", args=[campaign.pk])

    assert LIMITS_TEXT in client.get(url).content.decode()
    verify(campaign.organization)
    assert LIMITS_TEXT not in client.get(url).content.decode()


def test_the_new_brief_form_states_the_limits(client, ngo_org, ngo_manager):
    client.force_login(ngo_manager)

    page = client.get(reverse("campaigns:campaign_create", args=[ngo_org.slug])).content.decode()

    assert LIMITS_TEXT in page


def test_sponsorships_are_refused_to_an_unverified_organization(ngo_org):
    refusal = unverified_limits_refusal(ngo_org, action="sponsorship")

    assert isinstance(refusal, InvalidTransition)
    assert "sponsorships are open to verified organizations only" in str(refusal.message)
    verify(ngo_org)
    assert unverified_limits_refusal(ngo_org, action="sponsorship") is None


def test_the_limits_follow_the_settings(settings, campaign):
    settings.UNVERIFIED_MAX_PUBLISHED_BRIEFS = 2
    settings.UNVERIFIED_MAX_INVITATIONS_PER_BRIEF = 1

    assert limits_text() == (
        "Your organization is not verified yet: you can publish 2 briefs and invite up to 1 creator per "
        "brief. Verify to lift the limits."
    )
    assert unverified_limits_notice(campaign.organization, campaign=campaign).invitations_remaining == 1
    with pytest.raises(ValueError, match="Unknown action"):
        unverified_limits_refusal(campaign.organization, action="fly")


# Concurrency (PostgreSQL: SQLite has no row locks)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_drafts_published_at_once_leave_one_published(brand_org, brand_owner, brand_manager):
    first, second = draft(brand_org), draft(brand_org)

    outcomes = _race(
        lambda: briefs.campaign_publish(campaign=first, by_user=brand_owner),
        lambda: briefs.campaign_publish(campaign=second, by_user=brand_manager),
    )

    assert sum(isinstance(o, Campaign) for o in outcomes) == 1
    assert sum(isinstance(o, InvalidTransition) for o in outcomes) == 1
    assert brand_org.campaigns.filter(status=Campaign.Status.PUBLISHED).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_invites_at_once_cannot_both_take_the_last_places(campaign, brand_owner, brand_manager):
    fill(campaign, 8)

    outcomes = _race(
        lambda: invite(campaign, brand_owner, [make_creator(), make_creator()]),
        lambda: invite(campaign, brand_manager, [make_creator(), make_creator()]),
    )

    assert sum(isinstance(o, list) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationFailed) for o in outcomes) == 1
    assert campaign.invitations.count() == 10
