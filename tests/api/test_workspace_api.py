"""Collaborations over the API: drafts and review, publish and confirm, cancel, dispute, messages,
ratings and notifications; the same services as the workspace pages, tenants apart."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Collaboration, CollaborationDeliverable, Message, Rating
from campaigns.services import drafts
from marketplace.models import Notification
from tests.api.conftest import bearer, make_token
from tests.campaigns.factories import (
    DRAFT_LINK,
    POST_URL,
    CampaignFactory,
    complete_collaboration,
    latest_submission,
    make_creator,
    start_collaboration,
    submit_and_approve,
)
from tests.platform_fixtures import platform_emulator, platforms

# The emulator's fixtures, used here by name (tests/conftest.py does not load them).
__all__ = ["platform_emulator", "platforms"]

D = CollaborationDeliverable.Status


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def collaboration(campaign, creator, brand_owner):
    return start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)


@pytest.fixture
def deliverable(collaboration):
    return collaboration.deliverables.get()


@pytest.fixture
def creator_client(creator):
    return bearer(make_token(creator))


def test_both_sides_read_the_collaboration(creator_client, write_key, collaboration):
    for client in (creator_client, write_key):
        response = client.get(url("collaboration", collaboration.pk))
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "active"
        assert [d["status"] for d in body["deliverables"]] == ["pending"]


def test_other_tenants_get_404(ngo_manager, collaboration, deliverable):
    outsider = bearer(make_token(ngo_manager))

    assert outsider.get(url("collaboration", collaboration.pk)).status_code == 404
    assert outsider.get(url("collaboration_messages", collaboration.pk)).status_code == 404
    assert outsider.post(url("deliverable_confirm", deliverable.pk)).status_code == 404
    assert outsider.post(url("collaboration_cancel", collaboration.pk), {"reason": "x"}).status_code == 404


def test_the_full_review_loop(creator_client, write_key, collaboration, deliverable):
    # Given a draft from the creator
    submitted = creator_client.post(
        url("deliverable_submissions", deliverable.pk), {"link": DRAFT_LINK, "caption": "v1"}, format="json"
    )
    assert submitted.status_code == 201
    first = submitted.json()
    assert first["round"] == 1

    # When the organization asks for changes, then approves round 2
    changes = write_key.post(
        url("submission_request_changes", first["id"]), {"feedback": "Brighter light"}, format="json"
    )
    assert changes.status_code == 200
    assert changes.json()["decision"] == "changes_requested"
    second = creator_client.post(
        url("deliverable_submissions", deliverable.pk),
        {"link": DRAFT_LINK + "-2", "caption": "v2"},
        format="json",
    ).json()
    assert write_key.post(url("submission_approve", first["id"])).status_code == 409
    assert write_key.post(url("submission_approve", second["id"])).json()["decision"] == "approved"

    # Then the creator publishes and the organization confirms
    published = creator_client.post(
        url("deliverable_publish", deliverable.pk), {"post_url": POST_URL, "views": 1200}, format="json"
    )
    assert published.status_code == 200
    assert published.json()["status"] == D.PUBLISHED
    confirmed = write_key.post(url("deliverable_confirm", deliverable.pk))
    assert confirmed.status_code == 200
    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.COMPLETED
    rounds = write_key.get(url("collaboration_submissions", collaboration.pk)).json()["results"]
    assert [r["round"] for r in rounds] == [1, 2]


def test_the_organization_cannot_submit_and_a_read_key_cannot_review(
    write_key, read_key, creator, deliverable
):
    assert (
        write_key.post(url("deliverable_submissions", deliverable.pk), {"link": DRAFT_LINK}).status_code
        == 403
    )
    submission = drafts.submission_create(deliverable=deliverable, by_user=creator, link=DRAFT_LINK)

    assert read_key.post(url("submission_approve", submission.pk)).status_code == 403
    assert latest_submission(deliverable).decision == "pending"


@pytest.mark.parametrize("field", ["round", "decision", "submitted_by", "deliverable"])
def test_a_submission_body_cannot_set_protected_fields(creator_client, deliverable, field):
    response = creator_client.post(
        url("deliverable_submissions", deliverable.pk), {"link": DRAFT_LINK, field: "1"}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_cancel_needs_a_reason_and_frees_the_slot(write_key, collaboration):
    assert write_key.post(url("collaboration_cancel", collaboration.pk), {}, format="json").status_code == 400

    response = write_key.post(
        url("collaboration_cancel", collaboration.pk), {"reason": "Budget cut"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    again = write_key.post(url("collaboration_cancel", collaboration.pk), {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_a_dispute_waits_for_a_deadlock(creator_client, collaboration):
    body = {"reason": "No answer from the brand"}
    assert (
        creator_client.post(url("collaboration_dispute", collaboration.pk), body, format="json").status_code
        == 409
    )
    Collaboration.objects.filter(pk=collaboration.pk).update(
        due_date=timezone.localdate() - timedelta(days=1)
    )

    response = creator_client.post(url("collaboration_dispute", collaboration.pk), body, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "disputed"


def test_messages_go_both_ways_and_viewers_only_read(creator_client, write_key, brand_viewer, collaboration):
    sent = creator_client.post(
        url("collaboration_messages", collaboration.pk), {"body": "Halo!"}, format="json"
    )
    assert sent.status_code == 201
    write_key.post(url("collaboration_messages", collaboration.pk), {"body": "Hi Ayu"}, format="json")
    viewer = bearer(make_token(brand_viewer))

    assert viewer.post(url("collaboration_messages", collaboration.pk), {"body": "me too"}).status_code == 403
    thread = viewer.get(url("collaboration_messages", collaboration.pk)).json()["results"]
    assert [m["body"] for m in thread] == ["Halo!", "Hi Ayu"]
    assert Message.objects.count() == 2


def test_ratings_only_after_completion(creator_client, brand_owner, collaboration):
    assert (
        creator_client.post(
            url("collaboration_ratings", collaboration.pk), {"score": 5}, format="json"
        ).status_code
        == 409
    )
    complete_collaboration(collaboration, brand_owner)

    response = creator_client.post(
        url("collaboration_ratings", collaboration.pk), {"score": 5, "comment": "Lovely"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["rated_side"] == Rating.Side.ORGANIZATION
    listed = creator_client.get(url("collaboration_ratings", collaboration.pk)).json()["results"]
    assert [r["score"] for r in listed] == [5]


def test_collaboration_lists_by_side(
    creator_client, write_key, brand_owner, ngo_org, ngo_manager, collaboration
):
    elsewhere = start_collaboration(
        CampaignFactory(organization=ngo_org), make_creator(), by_user=ngo_manager
    )

    mine = creator_client.get(url("collaborations"), {"side": "creator"}).json()["results"]
    org = write_key.get(url("collaborations")).json()["results"]
    per_campaign = write_key.get(url("campaign_collaborations", collaboration.campaign_id)).json()["results"]

    assert [c["id"] for c in mine] == [collaboration.pk]
    assert [c["id"] for c in org] == [collaboration.pk] == [c["id"] for c in per_campaign]
    assert elsewhere.pk not in {c["id"] for c in org}


@pytest.mark.parametrize("page_size", [1, 100])
def test_lists_run_a_constant_number_of_queries(
    write_key, creator_client, brand_owner, campaign, collaboration, django_assert_max_num_queries, page_size
):
    big = CampaignFactory(organization=campaign.organization, slots=3)
    for _ in range(3):
        start_collaboration(big, make_creator(), by_user=brand_owner)
    for body in ("a", "b", "c"):
        Message.objects.create(collaboration=collaboration, author=brand_owner, body=body)
    with django_assert_max_num_queries(10):
        assert write_key.get(url("collaborations"), {"page_size": page_size}).status_code == 200
    with django_assert_max_num_queries(10):
        assert (
            write_key.get(url("campaign_collaborations", big.pk), {"page_size": page_size}).status_code == 200
        )
    with django_assert_max_num_queries(10):
        response = creator_client.get(
            url("collaboration_messages", collaboration.pk), {"page_size": page_size}
        )
    assert len(response.json()["results"]) == min(page_size, 3)
    with django_assert_max_num_queries(10):
        assert creator_client.get(url("notifications"), {"page_size": page_size}).status_code == 200


def test_notifications_are_personal(creator_client, write_key, creator, brand_owner, collaboration):
    write_key.post(url("collaboration_messages", collaboration.pk), {"body": "Hi"}, format="json")
    notification = Notification.objects.get(recipient=creator, kind="message.created")

    listed = creator_client.get(url("notifications"), {"unread": "true"}).json()["results"]
    assert notification.pk in [n["id"] for n in listed]
    assert {n["id"] for n in listed} == set(creator.notifications.values_list("pk", flat=True))
    read = creator_client.post(url("notification_read", notification.pk))

    assert read.status_code == 200
    assert read.json()["unread"] is False
    assert write_key.get(url("notifications")).status_code == 403
    assert bearer(make_token(brand_owner)).post(url("notification_read", notification.pk)).status_code == 404


# Post capture (platforms.services.post_capture): the API publishes through the same service.


def test_the_api_refuses_a_foreign_post_and_verifies_an_own_one(
    platforms, creator, creator_client, brand_owner, deliverable, django_capture_on_commit_callbacks
):
    from platforms.models import PostSnapshot
    from tests.platforms.test_post_capture import GOOD_CAPTION, connect

    submit_and_approve(deliverable, creator, brand_owner)
    connect(platforms, creator.creator_profile, "instagram", "kopi.creator")
    foreign = platforms.add_post("instagram", "nano.rina", caption=GOOD_CAPTION, media_product_type="REELS")
    own = platforms.add_post("instagram", "kopi.creator", caption=GOOD_CAPTION, media_product_type="REELS")

    refused = creator_client.post(
        url("deliverable_publish", deliverable.pk), {"post_url": foreign["permalink"]}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["fields"]["post_url"] == [
        "This post isn't on your connected Instagram account @kopi.creator. Paste the link of your own post."
    ]
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.verified_post_id) == (D.APPROVED, None)

    with django_capture_on_commit_callbacks(execute=True):
        published = creator_client.post(
            url("deliverable_publish", deliverable.pk), {"post_url": own["permalink"]}, format="json"
        )

    assert published.status_code == 200
    assert published.json()["status"] == D.PUBLISHED
    deliverable.refresh_from_db()
    assert deliverable.verified_post.external_id == own["id"]
    assert PostSnapshot.objects.filter(deliverable=deliverable, taken_at__isnull=False).count() == 1
