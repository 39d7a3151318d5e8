"""Bulk invitations run as a Celery job in chunks: starting, running, re-running, and the progress
on the campaign page."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from brands.models import Membership, Organization
from campaigns.models import Invitation, InvitationBatch
from campaigns.services import invitation_batches
from campaigns.services.invitation_batches import (
    invitation_batch_process_chunk,
    invitation_batch_start,
)
from campaigns.services.invitations import ALREADY_APPLIED, ALREADY_INVITED, INELIGIBLE, INVITED
from campaigns.tasks import invitation_batch_run
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent, Notification
from tests.campaigns.factories import ApplicationFactory, CampaignFactory, InvitationFactory, make_creator

BatchStatus = InvitationBatch.Status
FEE = Decimal("1000000")


def start(campaign, by_user, creators, *, fee=FEE, message="We love your videos."):
    return invitation_batch_start(
        campaign=campaign,
        by_user=by_user,
        creator_ids=[c if isinstance(c, int) else c.pk for c in creators],
        offered_fee=fee,
        message=message,
    )


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 3, so a handful of creators exercises the chunking and resuming."""
    monkeypatch.setattr(invitation_batches, "CHUNK_SIZE", 3)


# Starting


@pytest.mark.parametrize(
    ("fee", "message", "creators", "field"),
    [
        (Decimal("-1"), "", 1, "offered_fee"),
        (FEE, "x" * 3001, 1, "message"),
        (FEE, "", 0, "creators"),
    ],
)
def test_starting_a_batch_checks_the_request_before_queuing_anything(
    campaign, brand_manager, fee, message, creators, field
):
    profiles = [make_creator() for _ in range(creators)]

    with pytest.raises(ValidationFailed) as error:
        start(campaign, brand_manager, profiles, fee=fee, message=message)

    assert error.value.field == field
    assert not InvitationBatch.objects.exists()


def test_a_batch_cannot_start_on_a_draft_brief(brand_org, brand_manager):
    draft = CampaignFactory(organization=brand_org, status="draft")

    with pytest.raises(InvalidTransition, match="only be sent while the brief is published; it is draft"):
        start(draft, brand_manager, [make_creator()])


def test_a_viewer_cannot_start_a_batch(campaign, brand_viewer):
    with pytest.raises(PermissionDeniedError):
        start(campaign, brand_viewer, [make_creator()])

    assert not InvitationBatch.objects.exists()


def test_sending_the_same_request_twice_reuses_the_batch(
    campaign, brand_manager, django_capture_on_commit_callbacks
):
    ayu, budi = make_creator(), make_creator()

    with django_capture_on_commit_callbacks(execute=True):
        first = start(campaign, brand_manager, [ayu, budi])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = start(campaign, brand_manager, [budi, ayu])  # same creators, another order

    assert second == first
    assert callbacks == []  # nothing queued the second time
    assert InvitationBatch.objects.count() == 1
    assert Invitation.objects.filter(campaign=campaign).count() == 2
    # A different message is a different request.
    assert start(campaign, brand_manager, [ayu, budi], message="Another note.") != first


# Running


def test_a_batch_invites_everyone_eligible_and_reports_who_was_skipped(
    brand_org, brand_manager, small_chunks, django_capture_on_commit_callbacks
):
    # Verified: an unverified organization sends at most 10 invitations per brief (test_unverified_limits.py).
    brand_org.verification_status = Organization.VerificationStatus.VERIFIED
    brand_org.save(update_fields=["verification_status"])
    campaign = CampaignFactory(organization=brand_org)
    eligible = [make_creator() for _ in range(7)]
    too_small = make_creator(followers=200, avg_likes=10, avg_comments=2)
    applied = make_creator()
    ApplicationFactory(campaign=campaign, creator=applied)
    invited_before = make_creator()
    InvitationFactory(campaign=campaign, creator=invited_before)
    requested = [eligible[0], too_small, *eligible[1:4], applied, invited_before, *eligible[4:]]

    with django_capture_on_commit_callbacks(execute=True):
        batch = start(campaign, brand_manager, requested)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert (batch.total, batch.processed, batch.invited, batch.skipped) == (10, 10, 7, 3)
    assert batch.results["counts"] == {INVITED: 7, INELIGIBLE: 1, ALREADY_APPLIED: 1, ALREADY_INVITED: 1}
    assert [(line["creator_id"], line["status"]) for line in batch.results["skipped"]] == [
        (too_small.pk, INELIGIBLE),
        (applied.pk, ALREADY_APPLIED),
        (invited_before.pk, ALREADY_INVITED),
    ]
    assert "has 200 followers" in batch.results["skipped"][0]["message"]
    assert batch.started_at <= batch.finished_at
    new = Invitation.objects.filter(campaign=campaign).exclude(creator=invited_before)
    assert sorted(new.values_list("creator_id", flat=True)) == sorted(c.pk for c in eligible)
    assert {(i.offered_fee, i.message, i.invited_by) for i in new} == {
        (FEE, "We love your videos.", brand_manager)
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.user.email for c in eligible)
    assert AuditEvent.objects.filter(action="invitation_batch.done", target_id=str(batch.pk)).count() == 1


def test_running_the_task_again_after_a_crash_invites_and_counts_nobody_twice(
    campaign, brand_manager, small_chunks, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(8)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = start(campaign, brand_manager, creators)  # queued, the task not run yet
    # A worker handles the first chunk and dies; the message is delivered again, twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_batch_process_chunk(batch_id=batch.pk) is True
    batch.refresh_from_db()
    assert (batch.status, batch.processed, batch.invited) == (BatchStatus.RUNNING, 3, 3)

    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_batch_run(batch.pk) == BatchStatus.DONE
        assert invitation_batch_run(batch.pk) == BatchStatus.DONE

    batch.refresh_from_db()
    assert (batch.processed, batch.invited, batch.skipped) == (8, 8, 0)
    assert batch.results["counts"] == {INVITED: 8}
    assert Invitation.objects.filter(campaign=campaign).count() == 8
    assert Notification.objects.filter(kind="invitation.created").count() == 8
    assert len(mail.outbox) == 8


def test_a_refused_batch_fails_with_the_reason_and_resumes_when_sent_again(
    campaign, brand_org, brand_manager, brand_owner, small_chunks, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = start(campaign, brand_manager, creators)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_batch_process_chunk(batch_id=batch.pk)
    # The manager who started it becomes a viewer before the rest runs.
    Membership.objects.filter(organization=brand_org, user=brand_manager).update(role=Membership.Role.VIEWER)

    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_batch_run(batch.pk) == BatchStatus.FAILED
    batch.refresh_from_db()
    assert batch.error == "Only owners and managers of the organization can do this."
    assert (batch.processed, batch.invited) == (3, 3)

    with django_capture_on_commit_callbacks(execute=True):
        again = start(campaign, brand_owner, creators)

    batch.refresh_from_db()
    assert again == batch
    assert (batch.status, batch.error, batch.created_by) == (BatchStatus.DONE, "", brand_owner)
    assert (batch.processed, batch.invited, batch.skipped) == (5, 5, 0)
    assert Invitation.objects.filter(campaign=campaign).count() == 5


# Web pages


def test_inviting_more_than_the_inline_limit_starts_a_batch_and_shows_its_progress(
    client, campaign, brand_manager, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(invitation_batches.INLINE_INVITE_LIMIT + 1)]
    lines = "\n".join([c.slug for c in creators] + ["nobody-by-this-name"])
    # More than an unverified organization may send on one brief (test_unverified_limits.py).
    Organization.objects.filter(pk=campaign.organization_id).update(verification_status="verified")
    client.force_login(brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:invite", args=[campaign.pk]),
            {"creators": lines, "offered_fee": "1000000", "message": "Hi!"},
        )

    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("campaigns:campaign_manage", args=[campaign.pk]) + "#invitation-batches"
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Inviting 21 creators in the background; follow the progress below.",
        "These lines match no creator and were left out: nobody-by-this-name",
    ]
    batch = InvitationBatch.objects.get()
    assert (batch.status, batch.invited) == (BatchStatus.DONE, 21)
    assert batch.creator_ids == [c.pk for c in creators]

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'data-testid="invitation-batch" data-status="done"' in page.content
    assert b'<progress value="21" max="21"' in page.content


def test_a_small_list_is_still_answered_inline(client, campaign, brand_manager):
    creators = [make_creator() for _ in range(3)]

    client.force_login(brand_manager)
    response = client.post(
        reverse("campaigns:invite", args=[campaign.pk]),
        {"creators": "\n".join(c.slug for c in creators), "offered_fee": "1000000"},
    )

    assert response.status_code == 200
    assert response.content.count(b'data-testid="invite-result" data-status="invited"') == 3
    assert not InvitationBatch.objects.exists()


def test_campaign_page_shows_a_running_batch_with_its_skipped_reasons(client, campaign, brand_viewer):
    skipped = make_creator()
    InvitationBatch.objects.create(
        campaign=campaign,
        status=BatchStatus.RUNNING,
        creator_ids=list(range(1, 1001)),
        total=1000,
        processed=500,
        invited=480,
        skipped=20,
        results={
            "counts": {INVITED: 480, INELIGIBLE: 20},
            "skipped": [
                {
                    "creator_id": skipped.pk,
                    "name": skipped.display_name,
                    "url": skipped.get_absolute_url(),
                    "status": INELIGIBLE,
                    "message": "Instagram @x has 200 followers; the brief asks for 1,000–100,000 followers.",
                }
            ],
        },
        idempotency_key="k",
    )

    client.force_login(brand_viewer)
    response = client.get(reverse("campaigns:campaign_manage", args=[campaign.pk]))

    content = response.content.decode()
    assert '<progress value="500" max="1000"' in content
    assert "500</span> of 1000 creators processed." in content
    assert 'Skipped: <strong data-field="skipped">20</strong>' in content
    assert "has 200 followers; the brief asks for 1,000–100,000 followers." in content
    assert "The first 1 of 20 skipped creators are listed." in content
    assert "data-poll=" in content


def test_batch_status_is_json_for_members_and_404_for_other_organizations(
    client, campaign, brand_viewer, ngo_manager, outsider
):
    batch = InvitationBatch.objects.create(
        campaign=campaign, creator_ids=[1, 2], total=2, processed=1, invited=1, idempotency_key="k"
    )
    url = reverse("campaigns:invitation_batch_status", args=[batch.pk])

    client.force_login(brand_viewer)
    data = client.get(url).json()

    assert data | {"counts": None} == {
        "id": batch.pk,
        "status": "queued",
        "status_display": "Queued",
        "active": True,
        "total": 2,
        "processed": 1,
        "invited": 1,
        "skipped": 0,
        "counts": None,
        "error": "",
    }
    for other in (ngo_manager, outsider):
        client.force_login(other)
        assert client.get(url).status_code == 404
