"""Applying to a brief, withdrawing, and the organization's review: shortlist, accept, decline."""

import re
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction

from campaigns.models import Application, Campaign, Collaboration
from campaigns.services.applications import (
    application_accept,
    application_create,
    application_decline,
    application_shortlist,
    application_withdraw,
)
from creators.models import CreatorProfile
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.campaigns.factories import (
    ApplicationFactory,
    CampaignFactory,
    InvitationFactory,
    in_days,
    make_creator,
)

PITCH = "I brew kopi tubruk every sahur and my audience loves it."


def apply(campaign, profile, *, fee=Decimal("1000000"), pitch=PITCH):
    return application_create(
        campaign=campaign, creator=profile, by_user=profile.user, pitch=pitch, proposed_fee=fee
    )


# Applying


def test_creator_applies_and_owners_and_managers_are_notified_once(
    campaign, creator, brand_owner, brand_manager, brand_viewer, django_capture_on_commit_callbacks
):
    profile = creator.creator_profile

    with django_capture_on_commit_callbacks(execute=True):
        application = apply(campaign, profile)

    assert application.status == Application.Status.PENDING
    assert application.proposed_fee == Decimal("1000000")
    assert application.is_counter_offer is False
    notified = Notification.objects.filter(kind="application.created")
    assert {n.recipient_id for n in notified} == {brand_owner.pk, brand_manager.pk}
    assert notified.first().params == {
        "creator": "Ayu Lestari",
        "campaign": "Kopi at sahur",
        "audience": "organization",
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted([brand_owner.email, brand_manager.email])
    assert AuditEvent.objects.filter(action="application.created", target_id=str(application.pk)).exists()


@pytest.mark.parametrize(
    ("fee", "counter"),
    [
        (Decimal("500000"), False),
        (Decimal("800000"), False),
        (Decimal("400000"), True),
        (Decimal("900000"), True),
        (None, False),
    ],
)
def test_fee_outside_the_range_is_marked_as_counter_offer(brand_org, creator, fee, counter):
    campaign = CampaignFactory(organization=brand_org, fee_min=Decimal("500000"), fee_max=Decimal("800000"))

    application = apply(campaign, creator.creator_profile, fee=fee)

    assert application.is_counter_offer is counter
    assert application.proposed_fee == fee


def test_a_volunteer_brief_takes_no_fee_and_refuses_asking_for_money(brand_org, creator):
    campaign = CampaignFactory(
        organization=brand_org, compensation=Campaign.Compensation.VOLUNTEER, fee_min=None, fee_max=None
    )
    # A volunteer brief is open to creators open to pro-bono work (tests/campaigns/test_cause_briefs.py).
    CreatorProfile.objects.update(open_to_pro_bono=True)

    assert apply(campaign, creator.creator_profile, fee=Decimal("0")).is_counter_offer is False
    other = make_creator()
    other.open_to_pro_bono = True
    other.save(update_fields=["open_to_pro_bono"])
    with pytest.raises(ValidationFailed) as refused:
        apply(campaign, other, fee=Decimal("250000"))
    assert refused.value.field == "proposed_fee"
    assert not Application.objects.filter(creator=other).exists()


def test_negative_fee_is_refused_and_nothing_is_written(campaign, creator):
    with pytest.raises(ValidationFailed) as refused:
        apply(campaign, creator.creator_profile, fee=Decimal("-1"))

    assert refused.value.field == "proposed_fee"
    assert str(refused.value.message) == "The fee cannot be negative."
    assert not Application.objects.exists()


def test_empty_pitch_is_refused_and_nothing_is_written(campaign, creator):
    with pytest.raises(ValidationFailed) as refused:
        apply(campaign, creator.creator_profile, pitch="   ")

    assert refused.value.field == "pitch"
    assert str(refused.value.message) == "Tell the organization why you are a good fit."
    assert not Application.objects.exists()


def test_creator_cannot_apply_twice(campaign, creator):
    apply(campaign, creator.creator_profile)

    with pytest.raises(ValidationFailed) as refused:
        apply(campaign, creator.creator_profile, fee=Decimal("2000000"))

    assert str(refused.value.message) == "You already applied to this brief."
    assert Application.objects.count() == 1


def test_creator_cannot_apply_again_after_withdrawing(campaign, creator):
    application = apply(campaign, creator.creator_profile)
    application_withdraw(application=application, by_user=creator)

    with pytest.raises(ValidationFailed, match=re.escape("You already applied to this brief.")):
        apply(campaign, creator.creator_profile)
    assert Application.objects.count() == 1


def test_database_allows_one_application_per_creator_and_campaign(campaign, creator):
    ApplicationFactory(campaign=campaign, creator=creator.creator_profile)

    with (
        pytest.raises(IntegrityError, match=r"campaigns_one_application_per_creator|UNIQUE"),
        transaction.atomic(),
    ):
        Application.objects.create(campaign=campaign, creator=creator.creator_profile, pitch="Again")
    assert Application.objects.count() == 1


def test_applying_while_ineligible_is_refused_with_the_reasons(brand_org):
    campaign = CampaignFactory(organization=brand_org, min_followers=50_000, target_languages=["ms"])
    profile = make_creator(followers=25_000)

    with pytest.raises(ValidationFailed) as refused:
        apply(campaign, profile)

    message = str(refused.value.message)
    assert message.startswith("You do not meet the brief's rules yet:")
    assert "has 25,000 followers; the brief asks for 50,000–100,000 followers." in message
    assert "The brief wants content in Malay" in message
    assert not Application.objects.exists()


def test_applying_without_an_account_on_the_briefs_platform_is_refused(brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, platforms=["tiktok"])

    with pytest.raises(
        ValidationFailed, match=re.escape("The brief is for TikTok, and you have no account there.")
    ):
        apply(campaign, creator.creator_profile)
    assert not Application.objects.exists()


def test_applying_after_the_deadline_is_refused(brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, application_deadline=in_days(-1))

    with pytest.raises(InvalidTransition) as refused:
        apply(campaign, creator.creator_profile)

    assert str(refused.value.message).startswith("The application deadline for this brief was ")
    assert not Application.objects.exists()


def test_applying_on_the_deadline_day_is_still_allowed(brand_org, creator):
    campaign = CampaignFactory(organization=brand_org, application_deadline=in_days(0))

    assert apply(campaign, creator.creator_profile).pk


@pytest.mark.parametrize(
    ("status", "label"),
    [("closed", "closed"), ("cancelled", "cancelled"), ("draft", "draft"), ("completed", "completed")],
)
def test_applying_to_a_brief_that_is_not_published_is_refused(brand_org, creator, status, label):
    campaign = CampaignFactory(organization=brand_org, status=status)

    with pytest.raises(InvalidTransition) as refused:
        apply(campaign, creator.creator_profile)

    assert str(refused.value.message) == f"This brief is not taking applications: it is {label}."
    assert not Application.objects.exists()


def test_applying_while_already_collaborating_is_refused(campaign, creator):
    Collaboration.objects.create(
        campaign=campaign, creator=creator.creator_profile, source="invitation", fee=1, currency="IDR"
    )

    with pytest.raises(ValidationFailed, match=re.escape("You are already collaborating on this brief.")):
        apply(campaign, creator.creator_profile)
    assert not Application.objects.exists()


def test_applying_with_an_open_invitation_asks_to_answer_it_instead(campaign, creator):
    InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with pytest.raises(
        ValidationFailed, match=re.escape("already invited you to this brief. Answer the invitation")
    ):
        apply(campaign, creator.creator_profile)
    assert not Application.objects.exists()


def test_nobody_can_apply_in_someone_elses_name(campaign, creator, brand_manager):
    with pytest.raises(PermissionDeniedError):
        application_create(
            campaign=campaign,
            creator=creator.creator_profile,
            by_user=brand_manager,
            pitch=PITCH,
            proposed_fee=None,
        )
    assert not Application.objects.exists()


# Withdrawing


def test_creator_withdraws_a_pending_or_shortlisted_application(campaign, creator, brand_manager):
    application = apply(campaign, creator.creator_profile)
    application_shortlist(application=application, by_user=brand_manager, shortlisted=True)

    application_withdraw(application=application, by_user=creator)

    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN
    event = AuditEvent.objects.get(action="application.withdrawn")
    assert (event.actor, event.from_status, event.to_status) == (creator, "shortlisted", "withdrawn")


def test_another_creator_cannot_withdraw_an_application(campaign, creator):
    application = apply(campaign, creator.creator_profile)
    other = make_creator()

    with pytest.raises(PermissionDeniedError):
        application_withdraw(application=application, by_user=other.user)
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_an_accepted_application_cannot_be_withdrawn(campaign, creator, brand_manager):
    application = apply(campaign, creator.creator_profile)
    application_accept(application=application, by_user=brand_manager)

    with pytest.raises(InvalidTransition):
        application_withdraw(application=application, by_user=creator)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED


# Reviewing


def test_shortlisting_toggles_and_repeating_it_changes_nothing(campaign, creator, brand_manager):
    application = apply(campaign, creator.creator_profile)

    application_shortlist(application=application, by_user=brand_manager, shortlisted=True)
    application_shortlist(application=application, by_user=brand_manager, shortlisted=True)
    application.refresh_from_db()
    assert application.status == Application.Status.SHORTLISTED
    assert AuditEvent.objects.filter(action="application.shortlisted").count() == 1

    application_shortlist(application=application, by_user=brand_manager, shortlisted=False)
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_viewer_cannot_shortlist(campaign, creator, brand_viewer):
    application = apply(campaign, creator.creator_profile)

    with pytest.raises(PermissionDeniedError):
        application_shortlist(application=application, by_user=brand_viewer, shortlisted=True)
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING


def test_accepting_starts_the_collaboration_with_the_proposed_fee_frozen(
    campaign, creator, brand_manager, django_capture_on_commit_callbacks
):
    application = apply(campaign, creator.creator_profile, fee=Decimal("1250000"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        collaboration = application_accept(application=application, by_user=brand_manager)

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == brand_manager
    assert application.decided_at is not None
    assert (collaboration.fee, collaboration.currency) == (Decimal("1250000"), "IDR")
    assert collaboration.application == application
    assert collaboration.source == Collaboration.Source.APPLICATION
    accepted = Notification.objects.get(kind="application.accepted")
    assert accepted.recipient == creator
    assert accepted.params["fee"] == "Rp 1.250.000"
    assert creator.email in [m.to[0] for m in mail.outbox]
    event = AuditEvent.objects.get(action="application.accepted")
    assert (event.actor, event.from_status, event.to_status) == (brand_manager, "pending", "accepted")


def test_accepting_without_a_proposed_fee_uses_the_briefs_fee(campaign, creator, brand_manager):
    application = apply(campaign, creator.creator_profile, fee=None)

    collaboration = application_accept(application=application, by_user=brand_manager)

    assert collaboration.fee == Decimal("1000000")


def test_viewer_cannot_accept_and_nothing_is_written(campaign, creator, brand_viewer):
    application = apply(campaign, creator.creator_profile)

    with pytest.raises(PermissionDeniedError) as refused:
        application_accept(application=application, by_user=brand_viewer)

    assert str(refused.value.message) == "Only owners and managers of the organization can do this."
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert not Collaboration.objects.exists()
    assert not Notification.objects.filter(kind="application.accepted").exists()


def test_manager_of_another_organization_cannot_accept(campaign, creator, ngo_manager):
    application = apply(campaign, creator.creator_profile)

    with pytest.raises(PermissionDeniedError):
        application_accept(application=application, by_user=ngo_manager)
    assert not Collaboration.objects.exists()


def test_accepting_past_the_slots_is_refused(brand_org, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    first = apply(campaign, make_creator())
    second = apply(campaign, make_creator())
    application_accept(application=first, by_user=brand_manager)

    with pytest.raises(InvalidTransition) as refused:
        application_accept(application=second, by_user=brand_manager)

    assert "slot of this campaign is filled" in str(refused.value.message)
    second.refresh_from_db()
    assert second.status == Application.Status.PENDING
    assert Collaboration.objects.count() == 1


def test_a_declined_application_cannot_be_accepted(campaign, creator, brand_manager):
    application = apply(campaign, creator.creator_profile)
    application_decline(application=application, by_user=brand_manager)

    with pytest.raises(InvalidTransition, match="can no longer be accepted"):
        application_accept(application=application, by_user=brand_manager)
    assert not Collaboration.objects.exists()


def test_declining_with_a_reason_tells_the_creator(
    campaign, creator, brand_manager, django_capture_on_commit_callbacks
):
    application = apply(campaign, creator.creator_profile)

    with django_capture_on_commit_callbacks(execute=True):
        application_decline(
            application=application, by_user=brand_manager, reason="  We went with IG stories.  "
        )

    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED
    assert application.decline_reason == "We went with IG stories."
    declined = Notification.objects.get(kind="application.declined")
    assert declined.recipient == creator
    assert declined.params["reason"] == "We went with IG stories."
    assert AuditEvent.objects.get(action="application.declined").reason == "We went with IG stories."


def test_viewer_cannot_decline(campaign, creator, brand_viewer):
    application = apply(campaign, creator.creator_profile)

    with pytest.raises(PermissionDeniedError):
        application_decline(application=application, by_user=brand_viewer, reason="No")
    application.refresh_from_db()
    assert (application.status, application.decline_reason) == (Application.Status.PENDING, "")


# Concurrency (PostgreSQL: SQLite has no row locks)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as error:  # the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_managers_accepting_the_last_slot_at_once_only_one_wins(brand_org, brand_owner, brand_manager):
    campaign = CampaignFactory(organization=brand_org, slots=1)
    first = apply(campaign, make_creator())
    second = apply(campaign, make_creator())

    outcomes = _race(
        lambda: application_accept(application=first, by_user=brand_owner),
        lambda: application_accept(application=second, by_user=brand_manager),
    )

    assert sum(isinstance(o, Collaboration) for o in outcomes) == 1
    assert sum(isinstance(o, InvalidTransition) for o in outcomes) == 1
    assert Collaboration.objects.filter(campaign=campaign).count() == 1
    assert Application.objects.filter(status=Application.Status.ACCEPTED).count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_double_submitted_application_creates_one_row(campaign, creator):
    profile = creator.creator_profile

    outcomes = _race(lambda: apply(campaign, profile), lambda: apply(campaign, profile))

    assert sum(isinstance(o, Application) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert [str(o.message) for o in refused] == ["You already applied to this brief."]
    assert Application.objects.count() == 1
