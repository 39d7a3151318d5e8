"""The services emit each catalogue event once, inside their transaction, to the organization's URLs."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from campaigns.models import Collaboration
from campaigns.services import applications, drafts, invitations, workspace
from payments.models import Payout
from payments.services import payouts
from tests.campaigns.factories import InvitationFactory, start_collaboration
from tests.webhooks.receiver import body_of
from webhooks import services
from webhooks.models import EventType, WebhookDelivery


@pytest.fixture
def listening(brand_org, brand_owner, receiver):
    return services.subscription_create(
        organization=brand_org, by_user=brand_owner, url=receiver.url, event_types=EventType.values
    )


def events():
    return Counter(WebhookDelivery.objects.values_list("event_type", flat=True))


def test_applying_emits_application_created_once(
    listening, receiver, campaign, creator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.application_create(
            campaign=campaign,
            creator=creator.creator_profile,
            by_user=creator,
            pitch="Kopi!",
            proposed_fee=None,
        )

    assert events() == {"application.created": 1}
    [request] = receiver.requests
    data = body_of(request)["data"]["application"]
    assert (data["id"], data["campaign"], data["creator"]["slug"]) == (
        application.pk,
        campaign.pk,
        "ayu-lestari",
    )


def test_accepting_an_invitation_emits_invitation_accepted_once(
    listening, receiver, campaign, creator, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)

    with django_capture_on_commit_callbacks(execute=True):
        collaboration = invitations.invitation_accept(invitation=invitation, by_user=creator)

    assert events()["invitation.accepted"] == 1
    sent = [body_of(r) for r in receiver.requests if body_of(r)["type"] == "invitation.accepted"]
    assert sent[0]["data"]["collaboration"] == collaboration.pk
    assert Decimal(sent[0]["data"]["fee"]) == invitation.offered_fee


def test_submitting_a_draft_emits_submission_created_and_the_status_change_once(
    listening, receiver, campaign, creator, brand_owner, django_capture_on_commit_callbacks
):
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    deliverable = collaboration.deliverables.get()

    with django_capture_on_commit_callbacks(execute=True):
        submission = drafts.submission_create(
            deliverable=deliverable, by_user=creator, link="https://drive.example.com/draft"
        )
    # The same draft again (a double click) is no new event.
    with django_capture_on_commit_callbacks(execute=True):
        drafts.submission_create(
            deliverable=deliverable, by_user=creator, link="https://drive.example.com/draft"
        )

    assert events() == {"submission.created": 1, "collaboration.status_changed": 1}
    by_type = {body_of(r)["type"]: body_of(r)["data"] for r in receiver.requests}
    assert by_type["submission.created"]["submission"]["id"] == submission.pk
    assert (
        by_type["collaboration.status_changed"]["from_status"],
        by_type["collaboration.status_changed"]["to_status"],
    ) == (
        Collaboration.Status.ACTIVE,
        Collaboration.Status.SUBMITTED,
    )


def test_cancelling_a_collaboration_emits_the_status_change_once(
    listening, campaign, creator, brand_owner, django_capture_on_commit_callbacks
):
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)

    with django_capture_on_commit_callbacks(execute=True):
        workspace.collaboration_cancel(collaboration=collaboration, by_user=brand_owner, reason="Budget cut")

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.payload["data"]["to_status"] == Collaboration.Status.CANCELLED


def test_a_dispute_and_its_settlement_emit_the_status_changes(
    listening, campaign, creator, brand_owner, staff_user, django_capture_on_commit_callbacks
):
    from campaigns.models import Dispute
    from campaigns.services import conversation

    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    # Overdue content: a dispute may be raised.
    Collaboration.objects.filter(pk=collaboration.pk).update(due_date=date.today() - timedelta(days=1))
    collaboration.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        dispute = conversation.dispute_raise(
            collaboration=collaboration, by_user=brand_owner, reason="No reply"
        )
        conversation.dispute_resolve(
            dispute=dispute, by_user=staff_user, outcome=Dispute.Outcome.RESUME, resolution="Talk again"
        )

    moves = [
        (d.payload["data"]["from_status"], d.payload["data"]["to_status"])
        for d in WebhookDelivery.objects.order_by("pk")
    ]
    assert moves == [("active", "disputed"), ("disputed", "active")]


def test_cancelling_a_campaign_emits_a_status_change_per_collaboration(
    listening, campaign, creator, brand_owner, django_capture_on_commit_callbacks
):
    from campaigns.services import campaign_closing

    start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)

    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_cancel(campaign=campaign, by_user=brand_owner, reason="Product recall")

    assert events() == Counter({EventType.COLLABORATION_STATUS_CHANGED: 1})


@pytest.mark.parametrize(
    ("outcome", "event"),
    [({"transfer_id": "tr_123"}, "payout.paid"), ({"failed": "No account"}, "payout.failed")],
)
def test_settling_a_payout_emits_paid_or_failed_once(
    listening, campaign, creator, brand_owner, outcome, event, django_capture_on_commit_callbacks
):
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    payout = Payout.objects.create(
        collaboration=collaboration,
        creator=creator.creator_profile,
        amount=Decimal("900000"),
        reserved_amount=Decimal("900000"),
        currency="IDR",
        status=Payout.Status.PROCESSING,
        attempt=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        payouts._settle(payout.pk, **outcome)
    payouts._settle(payout.pk, **outcome)  # settled already: nothing new

    assert events() == {event: 1}
    assert WebhookDelivery.objects.get().payload["data"]["payout"]["id"] == payout.pk


def test_nothing_is_recorded_for_an_organization_without_subscriptions(
    campaign, creator, django_assert_num_queries
):
    from webhooks import events as webhook_events

    application = applications.application_create(
        campaign=campaign, creator=creator.creator_profile, by_user=creator, pitch="Kopi!", proposed_fee=None
    )
    with django_assert_num_queries(1):
        webhook_events.application_created(application)
    assert not WebhookDelivery.objects.exists()


def test_a_failed_payout_tells_partners_kolabos_reason_code_never_stripes_message(
    listening, campaign, creator, brand_owner, django_capture_on_commit_callbacks
):
    collaboration = start_collaboration(campaign, creator.creator_profile, by_user=brand_owner)
    payout = Payout.objects.create(
        collaboration=collaboration,
        creator=creator.creator_profile,
        amount=Decimal("900000"),
        reserved_amount=Decimal("900000"),
        currency="IDR",
        status=Payout.Status.PROCESSING,
        attempt=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        payouts._settle(
            payout.pk, failed="Stripe raw: acct_123 has no capabilities", failure_code="account_not_ready"
        )

    sent = WebhookDelivery.objects.get().payload["data"]["payout"]
    assert sent["failure_code"] == "account_not_ready"
    assert "Stripe raw" not in str(WebhookDelivery.objects.get().payload)
