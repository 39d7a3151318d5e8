"""Each notification is worded for the person who reads it: the creator reads the organization's
name, the organization's members read the creator's, staff read both. Nobody reads their own name
as if it were the other side."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.models import Collaboration
from campaigns.services import conversation, publishing, workspace
from campaigns.services.invitations import invitations_expire_due
from marketplace.models import Notification
from tests.campaigns.factories import InvitationFactory, complete_collaboration, start_collaboration

pytestmark = pytest.mark.django_db

CREATOR_NAME = "Ayu Lestari"  # the `creator` fixture's display name
ORG_NAME = "Kopi Nusantara"  # the `brand_org` fixture's name


def read(kind, recipient):
    """(text, subject) of the one notification of `kind` that `recipient` got."""
    from marketplace.notifications import render_subject

    notification = Notification.objects.get(kind=kind, recipient=recipient)
    return notification.text, render_subject(notification)


def assert_creator_reads_the_organization(kind, creator):
    text, subject = read(kind, creator)
    assert ORG_NAME in text
    assert CREATOR_NAME not in text + subject


def assert_organization_reads_the_creator(kind, *members):
    for member in members:
        text, subject = read(kind, member)
        assert CREATOR_NAME in text
        assert ORG_NAME not in text + subject


@pytest.fixture
def collaboration(campaign, creator, brand_owner, brand_manager):
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


def test_collaboration_started_names_the_other_side_for_each_recipient(
    campaign, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)

    text, _subject = read("collaboration.started", creator)
    assert text.startswith(f"Your collaboration with {ORG_NAME} on “Kopi at sahur” has started.")
    assert_creator_reads_the_organization("collaboration.started", creator)
    assert_organization_reads_the_creator("collaboration.started", brand_owner, brand_manager)
    # The email carries the same wording.
    (to_creator,) = [m for m in mail.outbox if m.to == [creator.email]]
    assert f"Your collaboration with {ORG_NAME} on “Kopi at sahur” has started." in to_creator.body
    assert f"with {CREATOR_NAME}" not in to_creator.body


def test_completion_names_the_other_side_for_each_recipient(
    collaboration, creator, brand_owner, brand_manager
):
    complete_collaboration(collaboration, brand_manager)

    assert_creator_reads_the_organization("collaboration.completed", creator)
    assert_organization_reads_the_creator("collaboration.completed", brand_owner, brand_manager)


def test_the_creator_reads_that_the_organization_cancelled(collaboration, creator, brand_owner):
    workspace.collaboration_cancel(collaboration=collaboration, by_user=brand_owner, reason="Budget cut.")

    text, _subject = read("collaboration.cancelled", creator)
    assert text == f"{ORG_NAME} cancelled the collaboration on “Kopi at sahur”: Budget cut."
    assert_creator_reads_the_organization("collaboration.cancelled", creator)


def test_the_organization_reads_that_the_creator_cancelled(
    collaboration, creator, brand_owner, brand_manager
):
    workspace.collaboration_cancel(collaboration=collaboration, by_user=creator, reason="I fell ill.")

    text, _subject = read("collaboration.cancelled", brand_owner)
    assert text == f"{CREATOR_NAME} cancelled the collaboration on “Kopi at sahur”: I fell ill."
    assert_organization_reads_the_creator("collaboration.cancelled", brand_owner, brand_manager)


def test_a_dispute_names_who_raised_it_and_staff_read_both_sides(
    collaboration, creator, brand_owner, brand_manager, staff_user
):
    # Overdue content lets either side raise a dispute.
    Collaboration.objects.filter(pk=collaboration.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    conversation.dispute_raise(collaboration=collaboration, by_user=brand_manager, reason="No draft yet.")

    assert_creator_reads_the_organization("dispute.raised", creator)
    staff_text, _subject = read("dispute.raised", staff_user)
    assert ORG_NAME in staff_text and CREATOR_NAME in staff_text


def test_messages_name_the_writer_side(collaboration, creator, brand_owner, brand_manager):
    conversation.message_create(collaboration=collaboration, by_user=brand_manager, body="Any news?")
    conversation.message_create(collaboration=collaboration, by_user=creator, body="Draft tomorrow.")

    text, subject = read("message.created", creator)
    assert text == f"Maya Manager of {ORG_NAME} wrote on “Kopi at sahur”: Any news?"
    assert subject == f"New message from {ORG_NAME}: Kopi at sahur"
    assert_organization_reads_the_creator("message.created", brand_owner)


def test_ratings_name_who_rated(collaboration, creator, brand_owner, brand_manager):
    complete_collaboration(collaboration, brand_manager)
    conversation.rating_create(collaboration=collaboration, by_user=brand_manager, score=5)
    conversation.rating_create(collaboration=collaboration, by_user=creator, score=4)

    assert read("rating.received", creator)[0] == f"{ORG_NAME} rated your work on “Kopi at sahur” 5 out of 5."
    assert_organization_reads_the_creator("rating.received", brand_owner, brand_manager)


def test_an_expired_invitation_names_the_other_side_for_each_recipient(
    campaign, creator, brand_owner, brand_manager
):
    InvitationFactory(
        campaign=campaign,
        creator=creator.creator_profile,
        expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )

    assert invitations_expire_due() == 1

    assert_creator_reads_the_organization("invitation.expired", creator)
    assert_organization_reads_the_creator("invitation.expired", brand_owner, brand_manager)


def test_rows_written_without_an_audience_still_read_well(collaboration, creator):
    # Notifications stored before wordings per audience existed show the first wording.
    notification = Notification.objects.get(kind="collaboration.started", recipient=creator)
    notification.params.pop("audience")
    notification.save()

    notification.refresh_from_db()
    assert "has started" in notification.text
    assert "%(" not in notification.text


def test_auto_confirmation_tells_the_creator_the_organization_did_not_answer(
    collaboration, creator, brand_owner, brand_manager
):
    from tests.campaigns.factories import publish_deliverable

    deliverable = collaboration.deliverables.get()
    publish_deliverable(deliverable, creator, brand_manager)

    assert publishing.deliverables_auto_confirm_due(now=timezone.now() + datetime.timedelta(days=30)) == 1

    assert_creator_reads_the_organization("deliverable.auto_confirmed", creator)
    assert_organization_reads_the_creator("deliverable.auto_confirmed", brand_owner, brand_manager)
    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.COMPLETED
