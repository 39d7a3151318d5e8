"""Messages, disputes settled by staff, and ratings."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Message, Rating, Submission
from campaigns.services import conversation, drafts
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from marketplace.permissions import DISPUTE_HANDLERS, grant_staff_roles
from tests.brands.factories import OrganizationFactory
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    in_days,
    latest_submission,
    publish_deliverable,
    start_collaboration,
)
from tests.creators.factories import CreatorProfileFactory

pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status
C = Collaboration.Status


def start(campaign, creator_user, *, by_user):
    return start_collaboration(
        campaign, creator_user.creator_profile, by_user=by_user, source=Collaboration.Source.INVITATION
    )


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start(campaign, creator, by_user=brand_owner)


@pytest.fixture
def deliverable(collaboration):
    return collaboration.deliverables.get()


def use_all_rounds(deliverable, creator, reviewer):
    """Two change requests (the campaign's cap), then a third draft waiting for review."""
    for n in range(2):
        drafts.submission_create(
            deliverable=deliverable, by_user=creator, link=f"https://drive.example.com/v{n}"
        )
        drafts.submission_request_changes(
            submission=latest_submission(deliverable), by_user=reviewer, feedback=f"Fix {n}"
        )
    drafts.submission_create(deliverable=deliverable, by_user=creator, link="https://drive.example.com/final")


@pytest.fixture
def disputed(collaboration, deliverable, creator, brand_manager):
    use_all_rounds(deliverable, creator, brand_manager)
    return conversation.dispute_raise(
        collaboration=collaboration, by_user=creator, reason="They want a 4th round"
    )


# Messages


def test_the_creator_writes_and_the_organization_is_emailed_an_excerpt(
    collaboration, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    body = "Boleh saya pakai lagu sendiri? " + "x" * 300

    with django_capture_on_commit_callbacks(execute=True):
        message = conversation.message_create(
            collaboration=collaboration, by_user=creator, body=f"  {body}  "
        )

    assert (message.author, message.body) == (creator, body)
    sent = Notification.objects.filter(kind="message.created")
    assert {n.recipient for n in sent} == {brand_owner, brand_manager}
    excerpt = sent[0].params["excerpt"]
    assert excerpt.startswith("Boleh saya pakai lagu sendiri?")
    assert len(excerpt) == 140
    assert excerpt.endswith("…")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([brand_owner.email, brand_manager.email])


def test_a_manager_writes_and_the_creator_is_notified_once_per_message(collaboration, creator, brand_manager):
    conversation.message_create(collaboration=collaboration, by_user=brand_manager, body="Welcome aboard!")
    conversation.message_create(collaboration=collaboration, by_user=brand_manager, body="Welcome aboard!")

    assert Notification.objects.filter(kind="message.created", recipient=creator).count() == 2
    assert not Notification.objects.filter(kind="message.created").exclude(recipient=creator).exists()


def test_viewers_and_outsiders_cannot_write(collaboration, brand_viewer, outsider):
    for user in (brand_viewer, outsider):
        with pytest.raises(PermissionDeniedError):
            conversation.message_create(collaboration=collaboration, by_user=user, body="Hello")
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write a message first."), ("x" * 5001, "Messages can be at most 5,000 characters.")],
)
def test_a_message_must_have_a_body_within_the_limit(collaboration, creator, body, message):
    with pytest.raises(ValidationFailed) as excinfo:
        conversation.message_create(collaboration=collaboration, by_user=creator, body=body)

    assert (excinfo.value.field, str(excinfo.value.message)) == ("body", message)
    assert not Message.objects.exists()
    assert not Notification.objects.filter(kind="message.created").exists()


# Disputes


def test_raising_a_dispute_pauses_and_tells_the_other_side_and_staff(
    collaboration,
    deliverable,
    creator,
    brand_owner,
    brand_manager,
    staff_user,
    django_capture_on_commit_callbacks,
):
    use_all_rounds(deliverable, creator, brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        dispute = conversation.dispute_raise(
            collaboration=collaboration, by_user=creator, reason="Endless changes"
        )

    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.status_before_dispute) == (C.DISPUTED, C.SUBMITTED)
    assert (dispute.status, dispute.reason) == (Dispute.Status.OPEN, "Endless changes")
    recipients = {n.recipient for n in Notification.objects.filter(kind="dispute.raised")}
    assert recipients == {brand_owner, brand_manager, staff_user}
    assert len([m for m in mail.outbox if "Dispute raised" in m.subject]) == 3
    event = AuditEvent.objects.get(action="collaboration.disputed")
    assert (event.actor, event.from_status, event.to_status) == (creator, "submitted", "disputed")


def test_a_collaboration_past_its_due_date_can_be_disputed(collaboration, brand_manager):
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(-1))

    conversation.dispute_raise(
        collaboration=collaboration, by_user=brand_manager, reason="No draft after the deadline"
    )

    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.status_before_dispute) == (C.DISPUTED, C.ACTIVE)


def test_one_open_dispute_at_a_time_and_a_reason_is_needed(
    collaboration, deliverable, creator, brand_manager
):
    use_all_rounds(deliverable, creator, brand_manager)
    with pytest.raises(ValidationFailed) as excinfo:
        conversation.dispute_raise(collaboration=collaboration, by_user=creator, reason="")
    assert (excinfo.value.field, str(excinfo.value.message)) == (
        "reason",
        "Explain what went wrong so staff can help.",
    )
    assert not Dispute.objects.exists()

    conversation.dispute_raise(collaboration=collaboration, by_user=creator, reason="Stuck")
    with pytest.raises(InvalidTransition, match="A dispute is already open"):
        conversation.dispute_raise(collaboration=collaboration, by_user=brand_manager, reason="Stuck too")
    assert Dispute.objects.count() == 1


def test_a_viewer_cannot_raise_a_dispute(collaboration, deliverable, creator, brand_manager, brand_viewer):
    use_all_rounds(deliverable, creator, brand_manager)

    with pytest.raises(PermissionDeniedError):
        conversation.dispute_raise(collaboration=collaboration, by_user=brand_viewer, reason="Hmm")
    assert not Dispute.objects.exists()


def test_staff_resume_with_one_more_revision_round(
    disputed,
    collaboration,
    deliverable,
    creator,
    brand_manager,
    staff_user,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        conversation.dispute_resolve(
            dispute=disputed, by_user=staff_user, outcome="resume", resolution="One last round, be specific."
        )

    collaboration.refresh_from_db()
    deliverable.refresh_from_db()
    disputed.refresh_from_db()
    assert (collaboration.status, collaboration.status_before_dispute) == (C.SUBMITTED, "")
    assert deliverable.rounds_used == 1
    assert (disputed.status, disputed.outcome, disputed.resolved_by) == ("resolved", "resume", staff_user)
    recipients = {n.recipient for n in Notification.objects.filter(kind="dispute.resolved")}
    assert creator in recipients and brand_manager in recipients
    # The organization can ask for changes once more, and then the cap applies again.
    drafts.submission_request_changes(
        submission=latest_submission(deliverable), by_user=brand_manager, feedback="Last fix"
    )
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.rounds_used) == (D.CHANGES_REQUESTED, 2)


def test_staff_approve_the_latest_drafts(brand_org, brand_owner, brand_manager, creator, staff_user):
    from creators.models import DeliverableFormat, Platform

    campaign = CampaignFactory(
        organization=brand_org,
        review_rounds=1,
        deliverables=[
            (Platform.INSTAGRAM, DeliverableFormat.REEL, 1),
            (Platform.INSTAGRAM, DeliverableFormat.STORY, 1),
        ],
    )
    collaboration = start(campaign, creator, by_user=brand_owner)
    waiting, sent_back = collaboration.deliverables.all()
    for deliverable in (waiting, sent_back):
        drafts.submission_create(deliverable=deliverable, by_user=creator, link="https://drive.example.com/a")
    drafts.submission_request_changes(
        submission=latest_submission(sent_back), by_user=brand_manager, feedback="No"
    )
    dispute = conversation.dispute_raise(collaboration=collaboration, by_user=creator, reason="Both are fine")

    conversation.dispute_resolve(
        dispute=dispute, by_user=staff_user, outcome="approve", resolution="Both meet the brief."
    )

    waiting.refresh_from_db()
    sent_back.refresh_from_db()
    collaboration.refresh_from_db()
    assert (waiting.status, sent_back.status) == (D.APPROVED, D.APPROVED)
    assert collaboration.status == C.APPROVED
    assert latest_submission(sent_back).decision == Submission.Decision.APPROVED
    assert latest_submission(sent_back).feedback == "No"
    steps = list(
        AuditEvent.objects.filter(target_id=str(sent_back.pk), actor=staff_user)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert steps == [("changes_requested", "submitted"), ("submitted", "approved")]


def test_staff_cancel_after_publication(
    collaboration, deliverable, creator, brand_manager, staff_user, campaign
):
    publish_deliverable(deliverable, creator, brand_manager)
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(-1))
    dispute = conversation.dispute_raise(
        collaboration=collaboration, by_user=brand_manager, reason="Wrong product"
    )

    conversation.dispute_resolve(
        dispute=dispute, by_user=staff_user, outcome="cancel", resolution="Wrong product shown."
    )

    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.cancelled_by, collaboration.cancel_reason) == (
        C.CANCELLED,
        staff_user,
        "Wrong product shown.",
    )


def test_only_uninvolved_staff_settle_disputes_with_a_note(disputed, brand_manager, staff_user, brand_org):
    with pytest.raises(PermissionDeniedError):
        conversation.dispute_resolve(
            dispute=disputed, by_user=brand_manager, outcome="approve", resolution="Mine"
        )
    with pytest.raises(ValidationFailed) as excinfo:
        conversation.dispute_resolve(dispute=disputed, by_user=staff_user, outcome="approve", resolution=" ")
    assert (excinfo.value.field, str(excinfo.value.message)) == (
        "resolution",
        "Write a note that explains the decision to both sides.",
    )
    with pytest.raises(ValidationFailed) as excinfo:
        conversation.dispute_resolve(dispute=disputed, by_user=staff_user, outcome="refund", resolution="x")
    assert excinfo.value.field == "outcome"
    grant_staff_roles(brand_manager, DISPUTE_HANDLERS)  # staff who handle disputes, but involved
    with pytest.raises(PermissionDeniedError, match="you are part of"):
        conversation.dispute_resolve(
            dispute=disputed, by_user=brand_manager, outcome="approve", resolution="Mine"
        )
    disputed.refresh_from_db()
    assert disputed.status == Dispute.Status.OPEN

    conversation.dispute_resolve(dispute=disputed, by_user=staff_user, outcome="approve", resolution="Fine.")
    with pytest.raises(InvalidTransition, match="already been settled"):
        conversation.dispute_resolve(
            dispute=disputed, by_user=staff_user, outcome="cancel", resolution="Again"
        )


# Ratings


def test_ratings_wait_for_completion(collaboration, creator):
    with pytest.raises(InvalidTransition, match="once the collaboration is complete"):
        conversation.rating_create(collaboration=collaboration, by_user=creator, score=5)
    assert not Rating.objects.exists()


def test_each_side_rates_once(
    collaboration, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    complete_collaboration(collaboration, brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        by_creator = conversation.rating_create(
            collaboration=collaboration, by_user=creator, score=5, comment="Clear brief, paid on time"
        )
        by_brand = conversation.rating_create(collaboration=collaboration, by_user=brand_manager, score="4")

    assert (by_creator.rated_side, by_creator.score) == (Rating.Side.ORGANIZATION, 5)
    assert (by_brand.rated_side, by_brand.score) == (Rating.Side.CREATOR, 4)
    received = Notification.objects.filter(kind="rating.received")
    assert {n.recipient for n in received} == {brand_owner, brand_manager, creator}
    with pytest.raises(InvalidTransition, match="already rated"):
        conversation.rating_create(collaboration=collaboration, by_user=brand_owner, score=1)
    with pytest.raises(InvalidTransition, match="already rated"):
        conversation.rating_create(collaboration=collaboration, by_user=creator, score=1)
    assert Rating.objects.count() == 2


def test_the_database_allows_one_rating_per_side(collaboration, creator, brand_manager):
    complete_collaboration(collaboration, brand_manager)
    conversation.rating_create(collaboration=collaboration, by_user=creator, score=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(
            collaboration=collaboration, rated_side=Rating.Side.ORGANIZATION, rated_by=creator, score=1
        )


@pytest.mark.parametrize("score", [0, 6, "five", None, True])
def test_a_score_is_1_to_5(collaboration, creator, brand_manager, score):
    complete_collaboration(collaboration, brand_manager)

    with pytest.raises(ValidationFailed) as excinfo:
        conversation.rating_create(collaboration=collaboration, by_user=creator, score=score)

    assert (excinfo.value.field, str(excinfo.value.message)) == ("score", "Choose a score from 1 to 5.")
    assert not Rating.objects.exists()


def test_a_viewer_cannot_rate(collaboration, creator, brand_manager, brand_viewer):
    complete_collaboration(collaboration, brand_manager)

    with pytest.raises(PermissionDeniedError):
        conversation.rating_create(collaboration=collaboration, by_user=brand_viewer, score=3)
    assert not Rating.objects.exists()


def test_rating_summaries_average_each_side(brand_org, brand_owner, creator):
    assert conversation.creator_rating_summary(creator.creator_profile) == (None, 0)
    assert conversation.organization_rating_summary(brand_org) == (None, 0)
    other_org = OrganizationFactory()
    for score, org in ((5, brand_org), (4, brand_org), (2, other_org)):
        collaboration = start(CampaignFactory(organization=org), creator, by_user=brand_owner)
        Collaboration.objects.filter(pk=collaboration.pk).update(status=C.COMPLETED)
        Rating.objects.create(
            collaboration=collaboration, rated_side=Rating.Side.CREATOR, rated_by=brand_owner, score=score
        )
        Rating.objects.create(
            collaboration=collaboration,
            rated_side=Rating.Side.ORGANIZATION,
            rated_by=creator,
            score=score - 1,
        )
    other_creator = CreatorProfileFactory()
    other = start(CampaignFactory(organization=brand_org), other_creator.user, by_user=brand_owner)
    Rating.objects.create(collaboration=other, rated_side=Rating.Side.CREATOR, rated_by=brand_owner, score=1)

    assert conversation.creator_rating_summary(creator.creator_profile) == (Decimal("3.7"), 3)
    assert conversation.organization_rating_summary(brand_org) == (Decimal("3.5"), 2)
    assert conversation.creator_rating_summary(other_creator) == (Decimal("1.0"), 1)
