"""The workspace pages: who sees what, forms with field errors, and the whole journey through the web."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Collaboration, CollaborationDeliverable, Dispute, Message, Rating, Submission
from campaigns.services import conversation, drafts
from marketplace.models import AuditEvent, Notification
from tests.campaigns.factories import CampaignFactory, in_days, start_collaboration, submit_and_approve
from tests.creators.factories import CreatorProfileFactory
from tests.marketplace.mfa_helpers import login_with_mfa

pytestmark = pytest.mark.django_db

D = CollaborationDeliverable.Status
C = Collaboration.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def start(campaign, creator_user, *, by_user):
    return start_collaboration(
        campaign, creator_user.creator_profile, by_user=by_user, fee=Decimal("1500000")
    )


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start(campaign, creator, by_user=brand_owner)


@pytest.fixture
def deliverable(collaboration):
    return collaboration.deliverables.get()


def detail_url(collaboration):
    return reverse("campaigns:collaboration_detail", args=[collaboration.pk])


def submitted(deliverable, creator):
    return drafts.submission_create(
        deliverable=deliverable, by_user=creator, link="https://drive.example.com/v1"
    )


# Who sees what


def test_anonymous_visitors_are_sent_to_log_in(client, collaboration):
    for url in (reverse("campaigns:my_collaborations"), detail_url(collaboration)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_creator_and_the_organization_see_the_workspace(client, collaboration, creator, brand_viewer):
    for user in (creator, brand_viewer):
        client.force_login(user)
        response = client.get(detail_url(collaboration))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Kopi at sahur" in page
        assert "Rp 1.500.000" in page
        assert "Instagram reel #1" in page


def test_outsiders_and_other_creators_get_404(
    client, collaboration, deliverable, outsider, ngo_manager, staff_user
):
    other_creator = CreatorProfileFactory().user
    submission = submitted(deliverable, collaboration.creator.user)
    urls = [
        ("get", detail_url(collaboration)),
        ("get", reverse("campaigns:collaboration_cancel", args=[collaboration.pk])),
        ("get", reverse("campaigns:dispute_raise", args=[collaboration.pk])),
        ("get", reverse("campaigns:rate", args=[collaboration.pk])),
        ("get", reverse("campaigns:submission_file", args=[submission.pk])),
        ("post", reverse("campaigns:message_create", args=[collaboration.pk])),
        ("post", reverse("campaigns:submission_create", args=[deliverable.pk])),
        ("post", reverse("campaigns:submission_review", args=[submission.pk])),
        ("post", reverse("campaigns:deliverable_publish", args=[deliverable.pk])),
        ("post", reverse("campaigns:deliverable_confirm", args=[deliverable.pk])),
    ]
    for user in (outsider, other_creator, ngo_manager, staff_user):
        client.force_login(user)
        for method, url in urls:
            response = getattr(client, method)(
                url, {"body": "hi", "action": "approve", "link": "https://x.example"}
            )
            assert response.status_code == 404, (user, url)
    assert Submission.objects.count() == 1
    assert not Message.objects.exists()


def test_a_viewer_sees_but_cannot_approve(client, deliverable, creator, brand_viewer):
    submission = submitted(deliverable, creator)
    audit_before = AuditEvent.objects.count()
    client.force_login(brand_viewer)

    page = client.get(detail_url(deliverable.collaboration)).content.decode()
    response = client.post(
        reverse("campaigns:submission_review", args=[submission.pk]), {"action": "approve"}
    )

    assert "only owners and managers of the organization can act" in page
    assert reverse("campaigns:submission_review", args=[submission.pk]) not in page
    assert response.status_code == 403
    assert "Only owners and managers of the organization can do this." in response.content.decode()
    submission.refresh_from_db()
    deliverable.refresh_from_db()
    assert (submission.decision, deliverable.status) == (Submission.Decision.PENDING, D.SUBMITTED)
    assert AuditEvent.objects.count() == audit_before


def test_a_viewer_cannot_open_the_cancel_page(client, collaboration, brand_viewer):
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:collaboration_cancel", args=[collaboration.pk]))

    assert response.status_code == 403


def test_submission_files_are_served_only_to_the_workspace(
    client, deliverable, creator, brand_viewer, outsider
):
    submission = drafts.submission_create(
        deliverable=deliverable, by_user=creator, file=SimpleUploadedFile("look.png", PNG)
    )
    url = reverse("campaigns:submission_file", args=[submission.pk])

    client.force_login(brand_viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    client.force_login(outsider)
    assert client.get(url).status_code == 404


# Forms and their errors


def test_creator_submits_a_draft_through_the_page(client, deliverable, creator):
    client.force_login(creator)

    response = client.post(
        reverse("campaigns:submission_create", args=[deliverable.pk]),
        {"link": "https://drive.example.com/reel", "caption": "Kopi pagi #iklan"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(deliverable.collaboration)}#deliverable-{deliverable.pk}"
    submission = Submission.objects.get()
    assert (submission.round, submission.caption) == (1, "Kopi pagi #iklan")


def test_a_draft_without_link_or_file_shows_a_field_error(client, deliverable, creator):
    client.force_login(creator)

    response = client.post(
        reverse("campaigns:submission_create", args=[deliverable.pk]), {"caption": "Only words"}
    )

    assert response.status_code == 400
    form = response.context["rows"][0]["submit_form"]
    assert form.errors == {"link": ["Add a link to your draft or upload the file."]}
    assert not Submission.objects.exists()


def test_an_upload_of_the_wrong_type_shows_a_field_error(client, deliverable, creator):
    client.force_login(creator)

    response = client.post(
        reverse("campaigns:submission_create", args=[deliverable.pk]),
        {"file": SimpleUploadedFile("reel.mp4", b"MZ\x90\x00" + b"\x00" * 40)},
    )

    assert response.status_code == 400
    form = response.context["rows"][0]["submit_form"]
    assert form.errors == {
        "file": ["This file's content is not what its .mp4 name says. Export it again and upload that."]
    }
    assert not Submission.objects.exists()


def test_an_upload_through_the_page_is_kept(client, deliverable, creator):
    client.force_login(creator)

    response = client.post(
        reverse("campaigns:submission_create", args=[deliverable.pk]),
        {"file": SimpleUploadedFile("look.png", PNG)},
    )

    assert response.status_code == 302
    assert Submission.objects.get().file.name.endswith(".png")


def test_requesting_changes_without_feedback_shows_a_field_error(client, deliverable, creator, brand_manager):
    submission = submitted(deliverable, creator)
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:submission_review", args=[submission.pk]), {"action": "changes"}
    )

    assert response.status_code == 400
    form = response.context["rows"][0]["review_form"]
    assert form.errors == {"feedback": ["Tell the creator what to change."]}
    submission.refresh_from_db()
    assert submission.decision == Submission.Decision.PENDING


def test_publishing_with_a_negative_metric_shows_a_field_error(client, deliverable, creator, brand_manager):
    submit_and_approve(deliverable, creator, brand_manager)
    client.force_login(creator)

    response = client.post(
        reverse("campaigns:deliverable_publish", args=[deliverable.pk]),
        {"post_url": "https://instagram.com/p/1", "likes": "-1"},
    )

    assert response.status_code == 400
    assert "likes" in response.context["rows"][0]["publish_form"].errors
    deliverable.refresh_from_db()
    assert deliverable.status == D.APPROVED


def test_an_empty_message_shows_a_field_error(client, collaboration, creator):
    client.force_login(creator)

    response = client.post(reverse("campaigns:message_create", args=[collaboration.pk]), {"body": ""})

    assert response.status_code == 400
    assert response.context["message_form"].errors == {"body": ["This field is required."]}
    assert not Message.objects.exists()


def test_an_illegal_move_is_shown_as_a_message(client, deliverable, creator, brand_manager):
    submission = submit_and_approve(deliverable, creator, brand_manager)
    client.force_login(brand_manager)

    response = client.post(
        reverse("campaigns:submission_review", args=[submission.pk]), {"action": "approve"}, follow=True
    )

    assert "This draft has already been reviewed." in response.content.decode()


def test_the_cancel_page_explains_the_rules_and_needs_a_reason(client, collaboration, creator, brand_manager):
    url = reverse("campaigns:collaboration_cancel", args=[collaboration.pk])
    client.force_login(brand_manager)

    page = client.get(url).content.decode()
    refused = client.post(url, {"reason": ""})

    assert "while no draft has been approved yet" in page
    assert "while nothing has been published yet" in page
    assert refused.status_code == 400
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    collaboration.refresh_from_db()
    assert collaboration.status == C.ACTIVE

    response = client.post(url, {"reason": "The product launch moved to next year."})
    assert response.status_code == 302
    collaboration.refresh_from_db()
    assert (collaboration.status, collaboration.cancel_reason) == (
        C.CANCELLED,
        "The product launch moved to next year.",
    )


def test_the_cancel_page_refuses_once_content_is_approved(client, deliverable, creator, brand_manager):
    submit_and_approve(deliverable, creator, brand_manager)
    client.force_login(brand_manager)

    response = client.get(
        reverse("campaigns:collaboration_cancel", args=[deliverable.collaboration_id]), follow=True
    )

    assert "the organization can no longer cancel" in response.content.decode()


def test_the_dispute_queue_is_for_staff_only(client, staff_user, brand_manager):
    client.force_login(brand_manager)
    assert client.get(reverse("campaigns:dispute_queue")).status_code == 404
    login_with_mfa(client, staff_user)
    assert client.get(reverse("campaigns:dispute_queue")).status_code == 200


def test_a_creator_rates_once_through_the_page(client, collaboration, creator):
    Collaboration.objects.filter(pk=collaboration.pk).update(status=C.COMPLETED)
    url = reverse("campaigns:rate", args=[collaboration.pk])
    client.force_login(creator)

    assert client.post(url, {"score": "5", "comment": "Great team"}).status_code == 302
    again = client.get(url, follow=True)

    assert "You have already rated this collaboration." in again.content.decode()
    assert Rating.objects.get().score == 5


# My collaborations


def test_my_collaborations_shows_status_next_action_and_deadline(client, collaboration, creator):
    client.force_login(creator)

    response = client.get(reverse("campaigns:my_collaborations"))

    page = response.content.decode()
    assert "Kopi at sahur" in page
    assert "Submit your draft of Instagram reel #1" in page
    assert "In progress" in page
    assert f'datetime="{collaboration.due_date:%Y-%m-%d}"' in page


def test_my_collaborations_sorts_by_urgency(client, brand_org, brand_owner, creator):
    late = start(
        CampaignFactory(organization=brand_org, title="Later", content_due_date=in_days(40)),
        creator,
        by_user=brand_owner,
    )
    soon = start(
        CampaignFactory(organization=brand_org, title="Sooner", content_due_date=in_days(3)),
        creator,
        by_user=brand_owner,
    )
    done = start(
        CampaignFactory(organization=brand_org, title="Done", content_due_date=in_days(1)),
        creator,
        by_user=brand_owner,
    )
    Collaboration.objects.filter(pk=done.pk).update(status=C.COMPLETED)
    client.force_login(creator)

    rows = client.get(reverse("campaigns:my_collaborations")).context["rows"]

    assert [row["collaboration"].pk for row in rows] == [soon.pk, late.pk, done.pk]
    assert rows[2]["action"].text == "Rate the brand"


def test_organization_members_filter_by_organization(client, brand_org, brand_owner, ngo_org, creator):
    from brands.models import Membership
    from tests.brands.factories import MembershipFactory

    MembershipFactory(organization=ngo_org, user=brand_owner, role=Membership.Role.VIEWER)
    ours = start(CampaignFactory(organization=brand_org), creator, by_user=brand_owner)
    theirs = start(CampaignFactory(organization=ngo_org, kind="cause"), creator, by_user=brand_owner)
    hidden = start(CampaignFactory(), CreatorProfileFactory().user, by_user=brand_owner)
    client.force_login(brand_owner)
    url = reverse("campaigns:my_collaborations")

    everything = [row["collaboration"].pk for row in client.get(url).context["rows"]]
    filtered = [row["collaboration"].pk for row in client.get(url, {"org": ngo_org.slug}).context["rows"]]

    assert sorted(everything) == sorted([ours.pk, theirs.pk])
    assert hidden.pk not in everything
    assert filtered == [theirs.pk]
    assert client.get(url, {"org": "someone-else"}).context["selected"] == ""


def test_my_collaborations_query_count_does_not_grow_with_rows(
    client, brand_org, brand_owner, creator, django_assert_max_num_queries
):
    def add_collaboration(n):
        collaboration = start(
            CampaignFactory(organization=brand_org, title=f"Brief {n}"), creator, by_user=brand_owner
        )
        Rating.objects.create(
            collaboration=collaboration, rated_side=Rating.Side.CREATOR, rated_by=brand_owner, score=4
        )

    add_collaboration(0)
    client.force_login(creator)
    url = reverse("campaigns:my_collaborations")
    client.get(url)  # warm the session and content type caches
    from django.db import connection

    with CaptureQueriesContext(connection) as one_row:
        assert len(client.get(url).context["rows"]) == 1
    for n in range(1, 10):
        add_collaboration(n)

    with django_assert_max_num_queries(len(one_row.captured_queries)):
        assert len(client.get(url).context["rows"]) == 10


# The whole workspace through the web


def test_from_start_to_completion_and_ratings_through_the_pages(
    client,
    brand_manager,
    collaboration,
    deliverable,
    creator,
    brand_owner,
    django_capture_on_commit_callbacks,
):
    workspace_url = detail_url(collaboration)

    with django_capture_on_commit_callbacks(execute=True):
        # The creator sends a draft; the manager asks for a change; the creator sends round 2.
        client.force_login(creator)
        client.post(
            reverse("campaigns:submission_create", args=[deliverable.pk]),
            {"link": "https://drive.example.com/1"},
        )
        client.post(reverse("campaigns:message_create", args=[collaboration.pk]), {"body": "Draft is up!"})
        client.force_login(brand_manager)
        first = Submission.objects.get(round=1)
        client.post(
            reverse("campaigns:submission_review", args=[first.pk]),
            {"action": "changes", "feedback": "Show the cup earlier"},
        )
        client.force_login(creator)
        client.post(
            reverse("campaigns:submission_create", args=[deliverable.pk]),
            {"link": "https://drive.example.com/2"},
        )
        # The manager approves, the creator publishes, the manager confirms.
        client.force_login(brand_manager)
        second = Submission.objects.get(round=2)
        client.post(reverse("campaigns:submission_review", args=[second.pk]), {"action": "approve"})
        client.force_login(creator)
        client.post(
            reverse("campaigns:deliverable_publish", args=[deliverable.pk]),
            {"post_url": "https://instagram.com/p/kopi", "views": "15000", "likes": "900"},
        )
        client.force_login(brand_manager)
        client.post(reverse("campaigns:deliverable_confirm", args=[deliverable.pk]))
        # Both rate each other.
        client.post(
            reverse("campaigns:rate", args=[collaboration.pk]), {"score": "5", "comment": "Lovely reel"}
        )
        client.force_login(creator)
        client.post(reverse("campaigns:rate", args=[collaboration.pk]), {"score": "4"})

    collaboration.refresh_from_db()
    assert collaboration.status == C.COMPLETED
    assert Rating.objects.count() == 2
    creator_kinds = set(Notification.objects.filter(recipient=creator).values_list("kind", flat=True))
    manager_kinds = set(Notification.objects.filter(recipient=brand_manager).values_list("kind", flat=True))
    assert {
        "collaboration.started",
        "submission.changes_requested",
        "submission.approved",
        "deliverable.confirmed",
        "collaboration.completed",
        "rating.received",
    } <= creator_kinds
    assert {
        "collaboration.started",
        "submission.created",
        "message.created",
        "deliverable.published",
        "collaboration.completed",
        "rating.received",
    } <= manager_kinds
    assert not Notification.objects.filter(
        recipient=creator, kind__in=["submission.created", "deliverable.published"]
    ).exists()
    assert {brand_owner.email, brand_manager.email, creator.email} <= {m.to[0] for m in mail.outbox}

    page = client.get(workspace_url).content.decode()
    assert "Show the cup earlier" in page  # round 1's feedback is kept
    assert "https://drive.example.com/1" in page and "https://drive.example.com/2" in page
    assert "Draft is up!" in page
    assert "Changes requested" in page and "Post confirmed" in page  # the history
    assert "5/5" in page and "4/5" in page


def test_staff_settle_a_dispute_from_the_queue(client, deliverable, creator, brand_manager, staff_user):
    submission = submitted(deliverable, creator)
    drafts.submission_request_changes(submission=submission, by_user=brand_manager, feedback="One")
    drafts.submission_create(deliverable=deliverable, by_user=creator, link="https://drive.example.com/v2")
    drafts.submission_request_changes(
        submission=deliverable.submissions.get(round=2), by_user=brand_manager, feedback="Two"
    )
    drafts.submission_create(deliverable=deliverable, by_user=creator, link="https://drive.example.com/v3")
    client.force_login(creator)
    raised = client.post(
        reverse("campaigns:dispute_raise", args=[deliverable.collaboration_id]), {"reason": "Stuck"}
    )
    assert raised.status_code == 302
    dispute = Dispute.objects.get()

    login_with_mfa(client, staff_user)
    queue = client.get(reverse("campaigns:dispute_queue")).content.decode()
    assert "Stuck" in queue
    assert client.get(detail_url(deliverable.collaboration)).status_code == 200
    missing = client.post(reverse("campaigns:dispute_resolve", args=[dispute.pk]), {"outcome": "approve"})
    assert missing.status_code == 400
    response = client.post(
        reverse("campaigns:dispute_resolve", args=[dispute.pk]),
        {"outcome": "approve", "resolution": "Round 3 meets the brief."},
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    deliverable.refresh_from_db()
    assert (dispute.status, deliverable.status) == (Dispute.Status.RESOLVED, D.APPROVED)
    assert conversation.disputes_open().count() == 0
