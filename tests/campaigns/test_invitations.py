"""Invitations: bulk invite, the creator's answers, counter-offers both ways, expiry and reminders."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.models import Application, Collaboration, Invitation
from campaigns.services.invitations import (
    ALREADY_APPLIED,
    ALREADY_INVITED,
    AT_CAPACITY,
    COLLABORATING,
    INELIGIBLE,
    INVITATION_TTL_DAYS,
    INVITED,
    NOT_FOUND,
    invitation_accept,
    invitation_counter,
    invitation_counter_accept,
    invitation_counter_decline,
    invitation_create,
    invitation_create_many,
    invitation_decline,
    invitation_revoke,
    invitations_expire_due,
    invitations_remind_expiring,
)
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.campaigns.factories import ApplicationFactory, CampaignFactory, InvitationFactory, make_creator

Status = Invitation.Status


def invite(campaign, by_user, *creators, fee=Decimal("1000000"), message="We love your videos."):
    return invitation_create_many(
        campaign=campaign, by_user=by_user, creators=list(creators), offered_fee=fee, message=message
    )


def past(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def future(**delta):
    return timezone.now() + datetime.timedelta(**delta)


# Inviting


def test_inviting_many_creators_creates_one_invitation_each_and_notifies_them(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    ayu, budi = make_creator(), make_creator()
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        results = invite(campaign, brand_manager, ayu, budi, ayu)

    assert [(r.creator, r.status) for r in results] == [(ayu, INVITED), (budi, INVITED)]
    invitations = Invitation.objects.filter(campaign=campaign).order_by("pk")
    assert [i.creator for i in invitations] == [ayu, budi]
    for invitation in invitations:
        assert invitation.status == Status.PENDING
        assert invitation.invited_by == brand_manager
        assert invitation.offered_fee == Decimal("1000000")
        ttl = invitation.expires_at - before
        assert datetime.timedelta(days=INVITATION_TTL_DAYS) <= ttl < datetime.timedelta(days=7, minutes=1)
    notification = Notification.objects.get(kind="invitation.created", recipient=ayu.user)
    assert notification.params["fee"] == "Rp 1.000.000"
    assert notification.params["organization"] == "Kopi Nusantara"
    assert notification.params["expires"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ayu.user.email, budi.user.email])
    assert AuditEvent.objects.filter(action="invitation.created").count() == 2


def test_bulk_invite_rerun_creates_no_duplicates(campaign, brand_manager):
    ayu, budi = make_creator(), make_creator()
    invite(campaign, brand_manager, ayu)

    results = invite(campaign, brand_manager, ayu, budi)

    assert [(r.creator, r.status) for r in results] == [(ayu, ALREADY_INVITED), (budi, INVITED)]
    assert Invitation.objects.filter(creator=ayu).count() == 1
    assert Notification.objects.filter(kind="invitation.created", recipient=ayu.user).count() == 1


def test_database_allows_one_open_invitation_per_creator_and_campaign(campaign, creator):
    InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(campaign=campaign, creator=creator.creator_profile, status=Status.COUNTERED)
    # An answered invitation does not block a new one.
    Invitation.objects.update(status=Status.DECLINED)
    InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    assert Invitation.objects.count() == 2


def test_creators_who_applied_collaborate_or_do_not_fit_are_skipped_with_reasons(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=3)
    applied, collaborating, too_small = (
        make_creator(),
        make_creator(),
        make_creator(followers=200, avg_likes=10, avg_comments=2),
    )
    ApplicationFactory(campaign=campaign, creator=applied)
    Collaboration.objects.create(
        campaign=campaign, creator=collaborating, source="application", fee=1, currency="IDR"
    )

    results = invite(campaign, brand_manager, applied, collaborating, too_small)

    assert [r.status for r in results] == [ALREADY_APPLIED, COLLABORATING, INELIGIBLE]
    assert results[0].message == "Already applied; review the application instead."
    assert results[1].message == "Already collaborating on this brief."
    assert "has 200 followers; the brief asks for 1,000–100,000 followers." in results[2].message
    assert not Invitation.objects.exists()


def test_a_withdrawn_applicant_can_be_invited(campaign, brand_manager):
    profile = make_creator()
    ApplicationFactory(campaign=campaign, creator=profile, status=Application.Status.WITHDRAWN)

    (result,) = invite(campaign, brand_manager, profile)

    assert result.status == INVITED


def test_viewer_cannot_invite(campaign, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        invite(campaign, brand_viewer, make_creator())
    assert not Invitation.objects.exists()


def test_inviting_to_a_closed_brief_is_refused(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, status="closed")

    with pytest.raises(InvalidTransition, match="only be sent while the brief is published; it is closed"):
        invite(campaign, brand_manager, make_creator())
    assert not Invitation.objects.exists()


def test_negative_offered_fee_is_refused(campaign, brand_manager):
    with pytest.raises(ValidationFailed) as refused:
        invite(campaign, brand_manager, make_creator(), fee=Decimal("-5"))

    assert (refused.value.field, str(refused.value.message)) == ("offered_fee", "The fee cannot be negative.")
    assert not Invitation.objects.exists()


def test_without_a_fee_the_briefs_fee_is_offered_and_a_different_fee_is_allowed(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, fee_min=Decimal("500000"), fee_max=Decimal("800000"))

    (default,) = invite(campaign, brand_manager, make_creator(), fee=None)
    (higher,) = invite(campaign, brand_manager, make_creator(), fee=Decimal("950000"))

    assert default.invitation.offered_fee == Decimal("800000")
    assert higher.invitation.offered_fee == Decimal("950000")


def test_inviting_one_creator_who_is_already_invited_explains_why(campaign, brand_manager):
    profile = make_creator()
    invitation_create(campaign=campaign, by_user=brand_manager, creator=profile, offered_fee=None)

    with pytest.raises(ValidationFailed) as refused:
        invitation_create(campaign=campaign, by_user=brand_manager, creator=profile, offered_fee=None)

    assert (
        str(refused.value.message)
        == f"{profile.display_name}: Already invited; the invitation is still open."
    )
    assert Invitation.objects.count() == 1


def test_an_overdue_open_invitation_is_expired_before_a_fresh_one_goes_out(campaign, brand_manager):
    profile = make_creator()
    stale = InvitationFactory(campaign=campaign, creator=profile, expires_at=past(hours=1))

    (result,) = invite(campaign, brand_manager, profile)

    stale.refresh_from_db()
    assert stale.status == Status.EXPIRED
    assert result.status == INVITED
    assert Notification.objects.filter(kind="invitation.expired", recipient=profile.user).count() == 1


# The creator answers


def test_creator_accepts_and_the_collaboration_starts_with_the_offered_fee(
    campaign, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        campaign=campaign, creator=creator.creator_profile, offered_fee=Decimal("1200000")
    )

    with django_capture_on_commit_callbacks(execute=True):
        collaboration = invitation_accept(invitation=invitation, by_user=creator)

    invitation.refresh_from_db()
    assert invitation.status == Status.ACCEPTED
    assert invitation.responded_at is not None
    assert (collaboration.fee, collaboration.invitation, collaboration.source) == (
        Decimal("1200000"),
        invitation,
        Collaboration.Source.INVITATION,
    )
    accepted = Notification.objects.filter(kind="invitation.accepted")
    assert {n.recipient_id for n in accepted} == {brand_owner.pk, brand_manager.pk}


def test_an_expired_invitation_cannot_be_accepted(campaign, creator):
    expires = past(minutes=1)
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile, expires_at=expires)

    with pytest.raises(InvalidTransition) as refused:
        invitation_accept(invitation=invitation, by_user=creator)

    assert str(refused.value.message).startswith("This invitation expired on ")
    invitation.refresh_from_db()
    assert invitation.status == Status.PENDING
    assert not Collaboration.objects.exists()


def test_an_invitation_marked_expired_cannot_be_accepted(campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile, status=Status.EXPIRED)

    with pytest.raises(InvalidTransition, match="This invitation expired on "):
        invitation_accept(invitation=invitation, by_user=creator)
    assert not Collaboration.objects.exists()


def test_a_revoked_invitation_cannot_be_accepted(campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_revoke(invitation=invitation, by_user=brand_manager)

    with pytest.raises(InvalidTransition, match=re.escape("The organization withdrew this invitation.")):
        invitation_accept(invitation=invitation, by_user=creator)
    invitation.refresh_from_db()
    assert invitation.status == Status.REVOKED
    assert not Collaboration.objects.exists()


def test_another_creator_cannot_accept(campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(PermissionDeniedError):
        invitation_accept(invitation=invitation, by_user=make_creator().user)
    assert not Collaboration.objects.exists()


def test_accepting_when_all_slots_are_filled_is_refused(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    first, second = make_creator(), make_creator()
    invitations = {r.creator: r.invitation for r in invite(campaign, brand_manager, first, second)}
    invitation_accept(invitation=invitations[first], by_user=first.user)

    with pytest.raises(InvalidTransition, match="slot of this campaign is filled"):
        invitation_accept(invitation=invitations[second], by_user=second.user)
    invitations[second].refresh_from_db()
    assert invitations[second].status == Status.PENDING


def test_creator_declines_and_the_organization_is_told(campaign, creator, brand_owner):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    invitation_decline(invitation=invitation, by_user=creator)
    invitation_decline(invitation=invitation, by_user=creator)

    invitation.refresh_from_db()
    assert invitation.status == Status.DECLINED
    assert Notification.objects.filter(kind="invitation.declined", recipient=brand_owner).count() == 1
    with pytest.raises(InvalidTransition):
        invitation_accept(invitation=invitation, by_user=creator)


# Counter-offers


def test_counter_offer_accepted_by_the_organization_freezes_the_counter_fee(
    campaign, creator, brand_manager, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        campaign=campaign, creator=creator.creator_profile, expires_at=future(days=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        invitation_counter(
            invitation=invitation, by_user=creator, fee=Decimal("1500000"), message="Two reels?"
        )

    invitation.refresh_from_db()
    assert (invitation.status, invitation.counter_fee, invitation.counter_message) == (
        Status.COUNTERED,
        Decimal("1500000"),
        "Two reels?",
    )
    # The organization gets a fresh week to answer the counter.
    assert invitation.expires_at > future(days=6)
    countered = Notification.objects.get(kind="invitation.countered", recipient=brand_manager)
    assert countered.params["fee"] == "Rp 1.500.000"

    with django_capture_on_commit_callbacks(execute=True):
        collaboration = invitation_counter_accept(invitation=invitation, by_user=brand_manager)

    invitation.refresh_from_db()
    assert invitation.status == Status.ACCEPTED
    assert collaboration.fee == Decimal("1500000")
    assert Notification.objects.get(kind="invitation.counter_accepted").recipient == creator
    assert AuditEvent.objects.filter(action="invitation.counter_accepted", from_status="countered").exists()


def test_counter_offer_declined_puts_the_original_offer_back(campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1500000"))

    invitation_counter_decline(invitation=invitation, by_user=brand_manager)

    invitation.refresh_from_db()
    assert (invitation.status, invitation.counter_fee, invitation.counter_message) == (
        Status.PENDING,
        None,
        "",
    )
    declined = Notification.objects.get(kind="invitation.counter_declined")
    assert (declined.recipient, declined.params["fee"]) == (creator, "Rp 1.000.000")

    collaboration = invitation_accept(invitation=invitation, by_user=creator)
    assert collaboration.fee == Decimal("1000000")


def test_creator_cannot_accept_the_original_offer_while_the_counter_is_open(campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1500000"))

    with pytest.raises(InvalidTransition, match="You sent a counter-offer"):
        invitation_accept(invitation=invitation, by_user=creator)
    with pytest.raises(InvalidTransition, match="You sent a counter-offer"):
        invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1400000"))


def test_creator_cannot_answer_their_own_counter(campaign, creator):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1500000"))

    with pytest.raises(PermissionDeniedError):
        invitation_counter_accept(invitation=invitation, by_user=creator)
    assert not Collaboration.objects.exists()


def test_viewer_cannot_answer_a_counter(campaign, creator, brand_viewer):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("1500000"))

    with pytest.raises(PermissionDeniedError):
        invitation_counter_accept(invitation=invitation, by_user=brand_viewer)
    invitation.refresh_from_db()
    assert invitation.status == Status.COUNTERED


def test_answering_a_counter_that_does_not_exist_is_refused(campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(InvalidTransition, match="There is no counter-offer to answer"):
        invitation_counter_accept(invitation=invitation, by_user=brand_manager)


@pytest.mark.parametrize(
    ("fee", "message"),
    [
        (Decimal("-1"), "The fee cannot be negative."),
        (None, "Enter a fee (0 for unpaid work)."),
        (Decimal("1000000"), "That is the fee already offered. Accept the invitation instead."),
    ],
)
def test_bad_counter_fees_are_refused_on_the_fee_field(campaign, creator, fee, message):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(ValidationFailed) as refused:
        invitation_counter(invitation=invitation, by_user=creator, fee=fee)

    assert (refused.value.field, str(refused.value.message)) == ("fee", message)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.counter_fee) == (Status.PENDING, None)


# Revoking


def test_manager_revokes_an_open_invitation_and_the_creator_is_told(campaign, creator, brand_manager):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    invitation_counter(invitation=invitation, by_user=creator, fee=Decimal("2000000"))

    invitation_revoke(invitation=invitation, by_user=brand_manager, reason="Budget moved to Q3.")

    invitation.refresh_from_db()
    assert invitation.status == Status.REVOKED
    revoked = Notification.objects.get(kind="invitation.revoked")
    assert (revoked.recipient, revoked.params["reason"]) == (creator, "Budget moved to Q3.")


def test_viewer_cannot_revoke(campaign, creator, brand_viewer):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(PermissionDeniedError):
        invitation_revoke(invitation=invitation, by_user=brand_viewer)
    invitation.refresh_from_db()
    assert invitation.status == Status.PENDING


# Beat: expiry and reminders


def test_expiring_due_invitations_is_idempotent_and_notifies_each_side_once(
    campaign, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    due = InvitationFactory(campaign=campaign, creator=creator.creator_profile, expires_at=past(minutes=5))
    countered_due = InvitationFactory(
        campaign=campaign,
        creator=make_creator(),
        status=Status.COUNTERED,
        counter_fee=2,
        expires_at=past(days=1),
    )
    not_yet = InvitationFactory(campaign=campaign, creator=make_creator(), expires_at=future(hours=1))
    answered = InvitationFactory(
        campaign=campaign, creator=make_creator(), status=Status.DECLINED, expires_at=past(days=3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = invitations_expire_due()
    emails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = invitations_expire_due()

    assert (first, second) == (2, 0)
    statuses = {i.pk: i.status for i in Invitation.objects.all()}
    assert statuses == {
        due.pk: Status.EXPIRED,
        countered_due.pk: Status.EXPIRED,
        not_yet.pk: Status.PENDING,
        answered.pk: Status.DECLINED,
    }
    expired = Notification.objects.filter(
        kind="invitation.expired", dedupe_key__startswith=f"invitation.expired:{due.pk}:"
    )
    assert sorted(n.recipient_id for n in expired) == sorted([creator.pk, brand_owner.pk, brand_manager.pk])
    assert len(mail.outbox) == emails
    event = AuditEvent.objects.get(action="invitation.expired", target_id=str(due.pk))
    assert (event.actor, event.from_status, event.to_status) == (None, "pending", "expired")


def test_expiry_uses_the_given_time(campaign, creator):
    invitation = InvitationFactory(
        campaign=campaign, creator=creator.creator_profile, expires_at=future(days=2)
    )

    assert invitations_expire_due(now=future(days=1)) == 0
    assert invitations_expire_due(now=future(days=3)) == 1
    invitation.refresh_from_db()
    assert invitation.status == Status.EXPIRED


def test_reminders_go_once_for_pending_invitations_expiring_within_48_hours(
    campaign, creator, django_capture_on_commit_callbacks
):
    soon = InvitationFactory(campaign=campaign, creator=creator.creator_profile, expires_at=future(hours=30))
    later = InvitationFactory(campaign=campaign, creator=make_creator(), expires_at=future(days=4))
    countered = InvitationFactory(
        campaign=campaign,
        creator=make_creator(),
        status=Status.COUNTERED,
        counter_fee=2,
        expires_at=future(hours=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = invitations_remind_expiring()
    with django_capture_on_commit_callbacks(execute=True):
        second = invitations_remind_expiring()

    assert (first, second) == (1, 0)
    reminders = Notification.objects.filter(kind="invitation.expiring")
    assert [(n.recipient, n.url) for n in reminders] == [(creator, f"/campaigns/invitations/{soon.pk}/")]
    assert [m.to for m in mail.outbox] == [[creator.email]]
    assert later.pk and countered.pk


# Fair exposure: a cap on open invitations per creator


def test_a_creator_holding_the_most_open_invitations_is_skipped_until_some_are_answered(
    brand_org, brand_manager, settings
):
    settings.MAX_OPEN_INVITATIONS_PER_CREATOR = 2
    busy, free = make_creator(), make_creator()
    first, second, third = (CampaignFactory(organization=brand_org) for _ in range(3))
    invite(first, brand_manager, busy)
    InvitationFactory(campaign=second, creator=busy, status=Status.COUNTERED)

    results = invite(third, brand_manager, busy, free)

    assert [(r.creator, r.status) for r in results] == [(busy, AT_CAPACITY), (free, INVITED)]
    assert results[0].message == (
        "Already holds 2 open invitations; a creator can hold at most 2 at once. "
        "Try again when some are answered."
    )
    assert not Invitation.objects.filter(campaign=third, creator=busy).exists()

    # Once the creator answers one, there is room again.
    Invitation.objects.filter(campaign=first, creator=busy).update(status=Status.DECLINED)
    (result,) = invite(third, brand_manager, busy)
    assert result.status == INVITED


def test_expired_and_answered_invitations_do_not_count_towards_the_cap(brand_org, brand_manager, settings):
    settings.MAX_OPEN_INVITATIONS_PER_CREATOR = 1
    profile = make_creator()
    InvitationFactory(
        campaign=CampaignFactory(organization=brand_org), creator=profile, expires_at=past(hours=1)
    )
    InvitationFactory(
        campaign=CampaignFactory(organization=brand_org), creator=profile, status=Status.ACCEPTED
    )

    (result,) = invite(CampaignFactory(organization=brand_org), brand_manager, profile)

    assert result.status == INVITED


def test_the_cap_defaults_to_ten_open_invitations(brand_org, brand_manager):
    profile = make_creator()
    for _ in range(10):
        InvitationFactory(campaign=CampaignFactory(organization=brand_org), creator=profile)

    (result,) = invite(CampaignFactory(organization=brand_org), brand_manager, profile)

    assert result.status == AT_CAPACITY
    assert result.message.startswith("Already holds 10 open invitations;")


def test_inviting_by_id_reports_a_creator_who_is_gone(campaign, brand_manager):
    profile = make_creator()
    gone_id = make_creator().pk + 1000

    results = invite(campaign, brand_manager, profile.pk, gone_id)

    assert [(r.creator_id, r.status) for r in results] == [(profile.pk, INVITED), (gone_id, NOT_FOUND)]
    assert results[1].creator is None


# Bulk writes


def test_bulk_invite_writes_the_same_audit_and_notification_rows_as_a_single_invite(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        results = invite(campaign, brand_manager, *creators)
    with django_capture_on_commit_callbacks(execute=True):
        again = invite(campaign, brand_manager, *creators)

    assert len(callbacks) == 1  # one email task for the chunk, not one per creator
    assert {r.status for r in again} == {ALREADY_INVITED}
    for result in results:
        invitation, user = result.invitation, result.creator.user
        notification = Notification.objects.get(recipient=user, kind="invitation.created")
        assert notification.dedupe_key == f"invitation.created:{invitation.pk}:u{user.pk}"
        assert notification.url == f"/campaigns/invitations/{invitation.pk}/"
        assert notification.emailed_at is not None
        event = AuditEvent.objects.get(action="invitation.created", target_id=str(invitation.pk))
        assert (event.actor, event.to_status) == (brand_manager, "pending")
        assert event.data == {"offered_fee": "1000000", "currency": "IDR"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.user.email for c in creators)


def test_bulk_invite_query_count_does_not_grow_with_the_number_of_creators(
    brand_org, brand_manager, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    few, many = [make_creator() for _ in range(5)], [make_creator() for _ in range(50)]
    # Verified: an unverified organization sends at most 10 invitations per brief (test_unverified_limits.py).
    brand_org.verification_status = brand_org.VerificationStatus.VERIFIED
    brand_org.save(update_fields=["verification_status"])
    invite(CampaignFactory(organization=brand_org), brand_manager, make_creator())  # warm caches

    counts = []
    for creators in (few, many):
        campaign = CampaignFactory(organization=brand_org)
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
            results = invite(campaign, brand_manager, *creators)
        assert {r.status for r in results} == {INVITED}
        assert len(callbacks) == 1  # one email task per 100 notifications
        counts.append(len(queries))

    assert counts[0] == counts[1]
    # Permission, campaign lock, profiles + accounts, other organizations' unclaimed roster
    # creators among them, open invitations, applications, collaborations, open-invitation counts,
    # then one insert each for invitations, audit events and notifications (plus the dedupe
    # check), and the savepoints.
    campaign = CampaignFactory(organization=brand_org)
    with django_assert_max_num_queries(17):
        invite(campaign, brand_manager, *many)


def test_another_organizations_unclaimed_roster_creator_cannot_be_invited(campaign, brand_manager):
    from creators.models import CreatorProfile
    from tests.brands.factories import OrganizationFactory

    theirs, ours = make_creator(), make_creator()
    other = OrganizationFactory()
    CreatorProfile.objects.filter(pk=theirs.pk).update(
        roster_status=CreatorProfile.RosterStatus.UNCLAIMED, roster_organization=other
    )
    CreatorProfile.objects.filter(pk=ours.pk).update(
        roster_status=CreatorProfile.RosterStatus.UNCLAIMED, roster_organization=campaign.organization
    )

    results = invite(campaign, brand_manager, theirs.pk, ours.pk)

    # Private to the importer: reported exactly as an id that does not exist.
    assert [(r.creator_id, r.status) for r in results] == [(theirs.pk, NOT_FOUND), (ours.pk, INVITED)]
    assert results[0].creator is None
    assert not Invitation.objects.filter(creator=theirs).exists()
