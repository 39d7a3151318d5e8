"""Workspace services: draft rounds and review, publishing, confirmation, completion, cancellation."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from campaigns import collaboration_selectors
from campaigns.models import Collaboration, CollaborationDeliverable, Submission
from campaigns.services import drafts, publishing, workspace
from campaigns.services.collaborations import slots_taken
from campaigns.services.conversation import dispute_raise, dispute_refusal
from creators.models import DeliverableFormat, Platform
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.campaigns.factories import (
    CampaignFactory,
    in_days,
    latest_submission,
    publish_deliverable,
    start_collaboration,
    submit_and_approve,
)

pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status
C = Collaboration.Status

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
DRAFT = "https://drive.example.com/draft-1"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


@pytest.fixture
def deliverable(collaboration):
    return collaboration.deliverables.get()


def submit(deliverable, creator, **content):
    content.setdefault("link", DRAFT)
    return drafts.submission_create(deliverable=deliverable, by_user=creator, **content)


def notifications(kind):
    return Notification.objects.filter(kind=kind)


# Submitting drafts


def test_submitting_a_draft_opens_round_one_and_tells_the_organization(
    collaboration, deliverable, creator, brand_owner, brand_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(deliverable, creator, caption="Kopi tubruk at 3am #iklan")

    assert submission.round == 1
    assert submission.submitted_by == creator
    deliverable.refresh_from_db()
    collaboration.refresh_from_db()
    assert deliverable.status == D.SUBMITTED
    assert collaboration.status == C.SUBMITTED
    assert {n.recipient for n in notifications("submission.created")} == {brand_owner, brand_manager}
    assert sorted(m.to[0] for m in mail.outbox if "Draft to review" in m.subject) == sorted(
        [brand_owner.email, brand_manager.email]
    )
    event = AuditEvent.objects.get(action="deliverable.submitted")
    assert (event.actor, event.from_status, event.to_status, event.data) == (
        creator,
        "pending",
        "submitted",
        {"round": 1},
    )


def test_double_submitting_a_draft_is_idempotent(
    deliverable, creator, brand_owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(deliverable, creator, caption="Same caption")
        second = submit(deliverable, creator, caption="Same caption")

    assert second.pk == first.pk
    assert Submission.objects.count() == 1
    assert notifications("submission.created").filter(recipient=brand_owner).count() == 1
    assert len([m for m in mail.outbox if brand_owner.email in m.to]) == 1
    assert AuditEvent.objects.filter(action="deliverable.submitted").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_two_identical_drafts_at_the_same_moment_make_one_round(campaign, creator, brand_owner):
    deliverable = start_collaboration(
        campaign, creator.creator_profile, by_user=brand_owner
    ).deliverables.get()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(submit(deliverable, creator, caption="Same").pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(results) == 2
    assert len(set(results)) == 1
    assert Submission.objects.filter(deliverable=deliverable).count() == 1
    assert notifications("submission.created").filter(recipient=brand_owner).count() == 1


def test_double_submitting_the_same_file_is_idempotent(deliverable, creator):
    first = submit(deliverable, creator, link="", file=SimpleUploadedFile("reel.mp4", MP4))
    second = submit(deliverable, creator, link="", file=SimpleUploadedFile("reel.mp4", MP4))

    assert second.pk == first.pk
    assert Submission.objects.count() == 1


def test_different_draft_while_one_waits_for_review_is_refused(deliverable, creator):
    submit(deliverable, creator)

    with pytest.raises(InvalidTransition) as excinfo:
        submit(deliverable, creator, link="https://drive.example.com/other")

    assert str(excinfo.value.message) == "Your draft is already waiting for review."

    assert Submission.objects.count() == 1


def test_a_draft_needs_a_link_or_a_file(deliverable, creator):
    with pytest.raises(ValidationFailed) as excinfo:
        submit(deliverable, creator, link="")

    assert excinfo.value.field == "link"
    assert str(excinfo.value.message) == "Add a link to your draft or upload the file."
    assert not Submission.objects.exists()
    deliverable.refresh_from_db()
    assert deliverable.status == D.PENDING


def test_a_draft_link_must_be_a_web_address(deliverable, creator):
    with pytest.raises(ValidationFailed) as excinfo:
        submit(deliverable, creator, link="ftp://files.example.com/draft")

    assert excinfo.value.field == "link"
    assert str(excinfo.value.message) == "Enter a link to your draft that starts with https://."
    assert not Submission.objects.exists()


def test_only_the_creator_submits_drafts(deliverable, brand_owner, outsider):
    for user in (brand_owner, outsider):
        with pytest.raises(PermissionDeniedError):
            submit(deliverable, user)
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.png", PNG), ("photo.JPG", JPEG), ("reel.mp4", MP4), ("reel.mov", MP4), ("brief.pdf", PDF)],
)
def test_allowed_uploads_are_stored(deliverable, creator, name, content):
    submission = submit(deliverable, creator, link="", file=SimpleUploadedFile(name, content))

    assert submission.file.name.startswith("submissions/")
    with submission.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "clip.gif",
            b"GIF89a" + b"\x00" * 32,
            "Upload a JPEG, PNG or WebP image, an MP4, MOV or WebM video, or a PDF.",
        ),
        (
            "setup.exe",
            b"MZ" + b"\x00" * 32,
            "Upload a JPEG, PNG or WebP image, an MP4, MOV or WebM video, or a PDF.",
        ),
        (
            "photo.png",
            PDF,
            "This file's content is not what its .png name says. Export it again and upload that.",
        ),
        (
            "reel.mp4",
            b"MZ\x90\x00" + b"\x00" * 32,
            "This file's content is not what its .mp4 name says. Export it again and upload that.",
        ),
    ],
)
def test_uploads_of_the_wrong_type_are_refused(deliverable, creator, name, content, message):
    with pytest.raises(ValidationFailed) as excinfo:
        submit(deliverable, creator, link="", file=SimpleUploadedFile(name, content))

    assert excinfo.value.field == "file"
    assert str(excinfo.value.message) == message
    assert not Submission.objects.exists()


def test_uploads_over_the_size_limit_are_refused(deliverable, creator, settings):
    settings.SUBMISSION_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("reel.mp4", MP4 + b"\x00" * (1024 * 1024))

    with pytest.raises(ValidationFailed) as excinfo:
        submit(deliverable, creator, link="", file=big)

    assert excinfo.value.field == "file"
    assert str(excinfo.value.message) == "This file is 1.0\xa0MB; files can be at most 1 MB."
    assert not Submission.objects.exists()


# Review rounds


def test_every_round_is_kept_with_its_feedback(deliverable, creator, brand_manager):
    submit(deliverable, creator, link="https://drive.example.com/v1")
    drafts.submission_request_changes(
        submission=latest_submission(deliverable), by_user=brand_manager, feedback="Brighter light"
    )
    submit(deliverable, creator, link="https://drive.example.com/v2")
    drafts.submission_request_changes(
        submission=latest_submission(deliverable), by_user=brand_manager, feedback="Show the pack"
    )
    submit(deliverable, creator, link="https://drive.example.com/v3")
    drafts.submission_approve(submission=latest_submission(deliverable), by_user=brand_manager)

    rounds = list(
        deliverable.submissions.order_by("round").values_list("round", "link", "decision", "feedback")
    )
    assert rounds == [
        (1, "https://drive.example.com/v1", "changes_requested", "Brighter light"),
        (2, "https://drive.example.com/v2", "changes_requested", "Show the pack"),
        (3, "https://drive.example.com/v3", "approved", ""),
    ]
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.rounds_used) == (D.APPROVED, 2)


def test_requesting_changes_notifies_the_creator_and_uses_a_round(
    collaboration, deliverable, creator, brand_manager, django_capture_on_commit_callbacks
):
    submit(deliverable, creator)

    with django_capture_on_commit_callbacks(execute=True):
        drafts.submission_request_changes(
            submission=latest_submission(deliverable),
            by_user=brand_manager,
            feedback="Say 'kopi' in the hook",
        )

    deliverable.refresh_from_db()
    collaboration.refresh_from_db()
    assert (deliverable.status, deliverable.rounds_used) == (D.CHANGES_REQUESTED, 1)
    assert collaboration.status == C.CHANGES_REQUESTED
    [notification] = notifications("submission.changes_requested")
    assert notification.recipient == creator
    assert "Say 'kopi' in the hook" in notification.text
    assert [m.to for m in mail.outbox] == [[creator.email]]


def test_requesting_changes_needs_feedback(deliverable, creator, brand_manager):
    submit(deliverable, creator)

    with pytest.raises(ValidationFailed) as excinfo:
        drafts.submission_request_changes(
            submission=latest_submission(deliverable), by_user=brand_manager, feedback="  "
        )

    assert excinfo.value.field == "feedback"
    assert str(excinfo.value.message) == "Tell the creator what to change."
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.rounds_used) == (D.SUBMITTED, 0)
    assert latest_submission(deliverable).decision == Submission.Decision.PENDING


def test_revision_rounds_are_capped_then_a_dispute_is_allowed(
    collaboration, deliverable, creator, brand_manager
):
    for n in range(2):
        submit(deliverable, creator, link=f"https://drive.example.com/v{n}")
        drafts.submission_request_changes(
            submission=latest_submission(deliverable), by_user=brand_manager, feedback="Again"
        )
    submit(deliverable, creator, link="https://drive.example.com/final")
    assert (
        dispute_refusal(collaboration=collaboration, deliverables=list(collaboration.deliverables.all()))
        is None
    )

    with pytest.raises(InvalidTransition) as excinfo:
        drafts.submission_request_changes(
            submission=latest_submission(deliverable), by_user=brand_manager, feedback="More"
        )

    assert (
        str(excinfo.value.message)
        == "You have used all 2 revision rounds. Approve the draft or raise a dispute."
    )
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.rounds_used) == (D.SUBMITTED, 2)
    assert latest_submission(deliverable).decision == Submission.Decision.PENDING
    dispute = dispute_raise(
        collaboration=collaboration, by_user=brand_manager, reason="We keep disagreeing on the hook"
    )
    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.status_before_dispute) == (C.DISPUTED, C.SUBMITTED)
    assert dispute.raised_by == brand_manager


def test_a_dispute_is_not_possible_before_the_cap_or_the_due_date(
    collaboration, deliverable, creator, brand_manager
):
    submit(deliverable, creator)

    with pytest.raises(InvalidTransition, match="once a draft has used all its revision rounds"):
        dispute_raise(collaboration=collaboration, by_user=creator, reason="They are slow")

    collaboration.refresh_from_db()
    assert collaboration.status == C.SUBMITTED


def test_only_the_latest_pending_round_can_be_reviewed(deliverable, creator, brand_manager):
    submit(deliverable, creator)
    first = latest_submission(deliverable)
    drafts.submission_request_changes(submission=first, by_user=brand_manager, feedback="Shorter")
    submit(deliverable, creator, link="https://drive.example.com/v2")

    with pytest.raises(InvalidTransition, match="A newer draft replaced this one"):
        drafts.submission_approve(submission=first, by_user=brand_manager)
    drafts.submission_approve(submission=latest_submission(deliverable), by_user=brand_manager)
    with pytest.raises(InvalidTransition, match="already been reviewed"):
        drafts.submission_approve(submission=latest_submission(deliverable), by_user=brand_manager)


def test_a_viewer_cannot_approve(deliverable, creator, brand_viewer):
    submit(deliverable, creator)
    audit_before = AuditEvent.objects.count()

    with pytest.raises(PermissionDeniedError):
        drafts.submission_approve(submission=latest_submission(deliverable), by_user=brand_viewer)

    deliverable.refresh_from_db()
    assert deliverable.status == D.SUBMITTED
    assert latest_submission(deliverable).decision == Submission.Decision.PENDING
    assert AuditEvent.objects.count() == audit_before


def test_the_creator_cannot_approve_their_own_draft(deliverable, creator):
    submit(deliverable, creator)

    with pytest.raises(PermissionDeniedError):
        drafts.submission_approve(submission=latest_submission(deliverable), by_user=creator)


# Publishing and confirming


def test_publishing_records_the_link_and_metrics(
    collaboration, deliverable, creator, brand_manager, django_capture_on_commit_callbacks
):
    submit_and_approve(deliverable, creator, brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        publishing.deliverable_publish(
            deliverable=deliverable,
            by_user=creator,
            post_url="https://instagram.com/p/kopi",
            views="12000",
            likes=800,
            comments=45,
            shares=0,
        )

    deliverable.refresh_from_db()
    collaboration.refresh_from_db()
    assert deliverable.status == D.PUBLISHED
    assert (
        deliverable.views,
        deliverable.likes,
        deliverable.comments,
        deliverable.shares,
        deliverable.saves,
    ) == (
        12000,
        800,
        45,
        0,
        None,
    )
    assert deliverable.published_at is not None
    assert collaboration.status == C.PUBLISHED
    assert notifications("deliverable.published").count() == 2  # owner and manager


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"post_url": "not a link"}, "post_url", "Enter the link to the published post (http or https)."),
        (
            {"post_url": "javascript:alert(1)"},
            "post_url",
            "Enter the link to the published post (http or https).",
        ),
        ({"likes": -3}, "likes", "Enter a whole number of 0 or more."),
        ({"views": "12k"}, "views", "Enter a whole number of 0 or more."),
    ],
)
def test_publishing_validates_the_link_and_metrics(
    deliverable, creator, brand_manager, fields, field, message
):
    submit_and_approve(deliverable, creator, brand_manager)
    kwargs = {"post_url": "https://instagram.com/p/kopi"} | fields

    with pytest.raises(ValidationFailed) as excinfo:
        publishing.deliverable_publish(deliverable=deliverable, by_user=creator, **kwargs)

    assert (excinfo.value.field, str(excinfo.value.message)) == (field, message)
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.post_url, deliverable.likes) == (D.APPROVED, "", None)


def test_publishing_needs_an_approved_draft(deliverable, creator):
    submit(deliverable, creator)

    with pytest.raises(InvalidTransition, match=r"Only an approved draft can be published\."):
        publishing.deliverable_publish(
            deliverable=deliverable, by_user=creator, post_url="https://instagram.com/p/x"
        )


def test_completion_only_when_every_deliverable_is_confirmed(
    brand_org, brand_owner, brand_manager, creator, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org,
        deliverables=[
            (Platform.INSTAGRAM, DeliverableFormat.REEL, 2),
            (Platform.TIKTOK, DeliverableFormat.SHORT_VIDEO, 2),
        ],
    )
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    deliverables = list(collaboration.deliverables.all())
    assert len(deliverables) == 4
    for deliverable in deliverables:
        publish_deliverable(deliverable, creator, brand_manager)

    for deliverable in deliverables[:3]:
        publishing.deliverable_confirm(deliverable=deliverable, by_user=brand_manager)
        collaboration.refresh_from_db()
        assert collaboration.status == C.PUBLISHED
        assert collaboration.completed_at is None
    assert not notifications("collaboration.completed").exists()

    with django_capture_on_commit_callbacks(execute=True):
        publishing.deliverable_confirm(deliverable=deliverables[3], by_user=brand_manager)

    collaboration.refresh_from_db()
    assert collaboration.status == C.COMPLETED
    assert collaboration.completed_at is not None
    assert set(collaboration.deliverables.values_list("status", flat=True)) == {D.CONFIRMED}
    assert {n.recipient for n in notifications("collaboration.completed")} == {
        creator,
        brand_owner,
        brand_manager,
    }
    assert sum("Collaboration complete" in m.subject for m in mail.outbox) == 3


def test_confirming_is_for_owners_and_managers(deliverable, creator, brand_manager, brand_viewer):
    publish_deliverable(deliverable, creator, brand_manager)

    for user in (brand_viewer, creator):
        with pytest.raises(PermissionDeniedError):
            publishing.deliverable_confirm(deliverable=deliverable, by_user=user)
    deliverable.refresh_from_db()
    assert deliverable.status == D.PUBLISHED


def test_published_posts_are_confirmed_automatically_after_five_days(
    collaboration, deliverable, creator, brand_owner, brand_manager
):
    publish_deliverable(deliverable, creator, brand_manager)
    published_at = timezone.now()
    CollaborationDeliverable.objects.filter(pk=deliverable.pk).update(published_at=published_at)

    assert (
        publishing.deliverables_auto_confirm_due(now=published_at + datetime.timedelta(days=4, hours=23)) == 0
    )
    assert publishing.deliverables_auto_confirm_due(now=published_at + datetime.timedelta(days=5)) == 1
    assert publishing.deliverables_auto_confirm_due(now=published_at + datetime.timedelta(days=6)) == 0

    deliverable.refresh_from_db()
    collaboration.refresh_from_db()
    assert (deliverable.status, deliverable.auto_confirmed) == (D.CONFIRMED, True)
    assert collaboration.status == C.COMPLETED
    event = AuditEvent.objects.get(action="deliverable.auto_confirmed")
    assert (event.actor, event.from_status, event.to_status) == (None, "published", "confirmed")
    assert {n.recipient for n in notifications("deliverable.auto_confirmed")} == {
        creator,
        brand_owner,
        brand_manager,
    }
    assert "confirmed automatically after 5 days" in notifications("deliverable.auto_confirmed").first().text


def test_auto_confirmation_waits_while_a_dispute_is_open(collaboration, deliverable, creator, brand_manager):
    publish_deliverable(deliverable, creator, brand_manager)
    Collaboration.objects.filter(pk=collaboration.pk).update(
        status=C.DISPUTED, status_before_dispute=C.PUBLISHED
    )

    assert publishing.deliverables_auto_confirm_due(now=timezone.now() + datetime.timedelta(days=10)) == 0
    deliverable.refresh_from_db()
    assert deliverable.status == D.PUBLISHED


def test_nothing_moves_while_a_dispute_is_open(collaboration, deliverable, creator):
    Collaboration.objects.filter(pk=collaboration.pk).update(
        status=C.DISPUTED, status_before_dispute=C.ACTIVE
    )

    with pytest.raises(InvalidTransition, match="in dispute"):
        submit(deliverable, creator)
    assert not Submission.objects.exists()


# Content due reminders


def test_content_due_reminder_is_sent_once_within_48_hours(
    collaboration, creator, django_capture_on_commit_callbacks
):
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(1))

    with django_capture_on_commit_callbacks(execute=True):
        assert publishing.collaborations_remind_content_due() == 1
        assert publishing.collaborations_remind_content_due() == 0

    [notification] = notifications("deadline.content_due")
    assert notification.recipient == creator
    assert [m.to for m in mail.outbox] == [[creator.email]]


def test_no_reminder_when_the_due_date_is_far_or_the_drafts_are_in(collaboration, deliverable, creator):
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(5))
    assert publishing.collaborations_remind_content_due() == 0

    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=in_days(1))
    submit(deliverable, creator)
    assert publishing.collaborations_remind_content_due() == 0
    assert not notifications("deadline.content_due").exists()


# Cancellation


def test_the_organization_cancels_before_anything_is_approved(
    campaign, collaboration, deliverable, creator, brand_manager, django_capture_on_commit_callbacks
):
    submit(deliverable, creator)
    assert slots_taken(campaign) == 1

    with django_capture_on_commit_callbacks(execute=True):
        workspace.collaboration_cancel(
            collaboration=collaboration, by_user=brand_manager, reason="Budget cut"
        )

    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.cancelled_by, collaboration.cancel_reason) == (
        C.CANCELLED,
        brand_manager,
        "Budget cut",
    )
    assert collaboration.cancelled_at is not None
    assert slots_taken(campaign) == 0
    [notification] = notifications("collaboration.cancelled")
    assert notification.recipient == creator
    assert "Budget cut" in notification.text
    event = AuditEvent.objects.get(action="collaboration.cancelled")
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        brand_manager,
        "submitted",
        "cancelled",
        "Budget cut",
    )


def test_the_organization_cannot_cancel_once_a_draft_is_approved(
    collaboration, deliverable, creator, brand_manager
):
    submit_and_approve(deliverable, creator, brand_manager)

    with pytest.raises(InvalidTransition, match="the organization can no longer cancel"):
        workspace.collaboration_cancel(
            collaboration=collaboration, by_user=brand_manager, reason="Changed our mind"
        )

    collaboration.refresh_from_db()
    assert collaboration.status == C.APPROVED


def test_the_creator_cancels_until_something_is_published(
    collaboration, deliverable, creator, brand_owner, brand_manager
):
    submit_and_approve(deliverable, creator, brand_manager)

    workspace.collaboration_cancel(collaboration=collaboration, by_user=creator, reason="I fell ill")

    collaboration.refresh_from_db()
    assert collaboration.status == C.CANCELLED
    assert {n.recipient for n in notifications("collaboration.cancelled")} == {brand_owner, brand_manager}


def test_nobody_but_staff_cancels_after_publication(collaboration, deliverable, creator, brand_manager):
    publish_deliverable(deliverable, creator, brand_manager)

    for user in (creator, brand_manager):
        with pytest.raises(InvalidTransition, match="no longer"):
            workspace.collaboration_cancel(collaboration=collaboration, by_user=user, reason="Stop")
    collaboration.refresh_from_db()
    assert collaboration.status == C.PUBLISHED


def test_a_viewer_cannot_cancel(collaboration, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        workspace.collaboration_cancel(collaboration=collaboration, by_user=brand_viewer, reason="No")
    collaboration.refresh_from_db()
    assert collaboration.status == C.ACTIVE


def test_cancelling_needs_a_reason_and_happens_once(collaboration, creator):
    with pytest.raises(ValidationFailed) as excinfo:
        workspace.collaboration_cancel(collaboration=collaboration, by_user=creator, reason=" ")
    assert (excinfo.value.field, str(excinfo.value.message)) == (
        "reason",
        "Tell the other side why you cancel.",
    )
    collaboration.refresh_from_db()
    assert collaboration.status == C.ACTIVE

    workspace.collaboration_cancel(collaboration=collaboration, by_user=creator, reason="Moving abroad")
    with pytest.raises(InvalidTransition, match="already cancelled"):
        workspace.collaboration_cancel(collaboration=collaboration, by_user=creator, reason="Again")
    assert AuditEvent.objects.filter(action="collaboration.cancelled").count() == 1


# Next action


def test_next_action_says_what_each_side_does(collaboration, deliverable, creator, brand_manager):
    def action(side):
        collaboration.refresh_from_db()
        return collaboration_selectors.next_action(
            collaboration=collaboration,
            side=side,
            deliverables=list(collaboration.deliverables.all()),
            rated=set(),
        ).text

    assert action("creator") == "Submit your draft of Instagram reel #1"
    assert action("organization") == "Waiting for the creator's draft"
    submit(deliverable, creator)
    assert action("creator") == "Waiting for the brand's review"
    assert action("organization") == "Review the draft of Instagram reel #1"
    drafts.submission_request_changes(
        submission=latest_submission(deliverable), by_user=brand_manager, feedback="Closer"
    )
    assert action("creator") == "Make the changes requested on Instagram reel #1"
    submit(deliverable, creator, link="https://drive.example.com/v2")
    drafts.submission_approve(submission=latest_submission(deliverable), by_user=brand_manager)
    assert action("creator") == "Publish the approved post and add its link"
    publishing.deliverable_publish(
        deliverable=deliverable, by_user=creator, post_url="https://instagram.com/p/1"
    )
    assert action("creator") == "Waiting for the brand to confirm"
    assert action("organization") == "Confirm the published Instagram reel #1"
    publishing.deliverable_confirm(deliverable=deliverable, by_user=brand_manager)
    assert action("creator") == "Rate the brand"
    assert action("organization") == "Rate the creator"
