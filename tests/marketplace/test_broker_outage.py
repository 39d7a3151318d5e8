"""The broker is down when committed work is queued: the user still gets a normal answer, nothing
is lost, and once the broker is back the beat sweeps do the work exactly once.

"Down" is a Celery app whose broker is a port nobody listens on, made current for the test, with
eager mode off (tests/conftest.py runs tasks inline otherwise). "Back" is the project's app again,
running tasks inline as the default run does, and the sweep that beat would run.
"""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import Celery
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.models import InvitationBatch
from campaigns.services.invitation_batches import invitation_batch_start
from campaigns.tasks import invitation_batches_requeue_stuck
from marketplace.celery import app as project_app
from marketplace.models import Notification
from marketplace.queueing import broker_pause_reset, enqueue
from marketplace.services import notify
from marketplace.tasks import notification_emails_requeue, ping
from payments.models import CampaignRefund, Payout
from payments.services import accounts, escrow
from payments.tasks import payouts_requeue_approved, refunds_requeue_pending
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)
from tests.marketplace.mfa_helpers import login_with_mfa
from tests.payments.test_stripe_flows import onboarded, transfers

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """Make every task send go to a dead broker until the test ends."""
    outage = Celery("kolabo-outage", set_as_current=False)
    outage.config_from_object("django.conf:settings", namespace="CELERY")
    outage.conf.update(broker_url=DEAD_BROKER, result_backend="cache+memory://", task_always_eager=False)
    outage.set_current()
    broker_pause_reset()
    try:
        yield outage
    finally:
        project_app.set_current()
        broker_pause_reset()


def funded_at_stripe(emulator, organization, by_user, **campaign):
    """A campaign paid through Checkout at the emulator, so Stripe holds its money."""
    created = CampaignFactory(organization=organization, funded=False, **campaign)
    funding = escrow.funding_start(campaign=created, by_user=by_user)
    emulator.complete_checkout(funding.checkout_session_id)
    escrow.funding_confirm(session_id=funding.checkout_session_id)
    funding.refresh_from_db()
    return created, funding


@pytest.fixture
def owed(emulator, brand_org, brand_manager):
    """A completed collaboration's payout waiting for review; its creator can take payouts."""
    campaign, _ = funded_at_stripe(emulator, brand_org, brand_manager)
    creator = make_creator()
    emulator.complete_onboarding(onboarded(creator).stripe_id)
    accounts.connected_account_sync(stripe_id=creator.stripe_account.stripe_id)
    collaboration = start_collaboration(campaign, creator, by_user=brand_manager)
    complete_collaboration(collaboration, brand_manager)
    return Payout.objects.get(collaboration=collaboration)


def broker_back(outage):
    project_app.set_current()
    broker_pause_reset()
    assert project_app.conf.task_always_eager  # the conftest's inline mode, as in the default run


def beat_later():
    """What beat finds once the sweeps' grace period has passed."""
    return timezone.now() + timedelta(hours=1)


def test_a_payout_approved_while_the_broker_is_down_answers_normally_and_is_paid_once_it_is_back(
    broker_down, owed, staff_user, client, emulator, django_capture_on_commit_callbacks, caplog
):
    login_with_mfa(client, staff_user)

    with (
        caplog.at_level(logging.WARNING, logger="marketplace.queueing"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("payments:payout_review", args=[owed.pk, "approve"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("payments:payout_detail", args=[owed.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Approved:" in page
    owed.refresh_from_db()
    assert owed.status == Payout.Status.APPROVED  # committed, waiting for its send
    assert transfers(emulator, owed) == []
    assert "payments.payout_send" in caplog.text and "not queued" in caplog.text

    # A sweep while the broker is still down queues nothing and raises nothing.
    from payments.services.sweeps import payouts_requeue_approved as sweep

    broker_pause_reset()
    assert sweep(now=beat_later()) == 0
    owed.refresh_from_db()
    assert owed.status == Payout.Status.APPROVED

    broker_back(broker_down)

    assert sweep(now=timezone.now()) == 0  # within the grace period a queued send may still be on its way
    assert sweep(now=beat_later()) == 1

    owed.refresh_from_db()
    assert owed.status == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1
    # The next sweep, and the original message delivered late after all, send nothing more.
    assert sweep(now=beat_later()) == 0
    assert payouts_requeue_approved.apply().get() == 0  # the beat task itself
    from payments.services.payouts import payout_send

    assert payout_send(payout_id=owed.pk) == Payout.Status.PAID
    assert len(transfers(emulator, owed)) == 1


def test_a_notification_email_lost_to_the_outage_is_sent_once_when_the_broker_is_back(
    broker_down, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=user,
            kind="application.created",
            dedupe_key="application.created:outage",
            params={"creator": "Ayu Lestari", "campaign": "Kopi at sahur"},
            url="/dashboard/",
        )

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None

    broker_back(broker_down)
    from marketplace.services import notification_emails_requeue as sweep

    assert sweep(now=beat_later()) == 1
    assert sweep(now=beat_later()) == 0
    assert notification_emails_requeue.apply().get() == 0  # the beat task itself finds nothing left
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_sweep_leaves_old_news_and_people_who_cannot_receive_it(user, outsider):
    old = notify(recipient=user, kind="application.created", dedupe_key="old", params={}, email=False)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    outsider.is_active = False
    outsider.save(update_fields=["is_active"])
    notify(recipient=outsider, kind="application.created", dedupe_key="inactive", params={}, email=False)
    from marketplace.services import notification_emails_requeue as sweep

    assert sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_a_refund_started_while_the_broker_is_down_is_refunded_once_when_it_is_back(
    broker_down, emulator, brand_org, brand_manager, django_capture_on_commit_callbacks
):
    campaign, funding = funded_at_stripe(emulator, brand_org, brand_manager, slots=2)

    with django_capture_on_commit_callbacks(execute=True):
        (refund,) = escrow.campaign_refund_unspent(campaign=campaign, by_user=brand_manager)

    refund.refresh_from_db()
    assert refund.status == CampaignRefund.Status.PENDING
    assert stripe_refunds(emulator, funding) == []

    broker_back(broker_down)
    from payments.services.sweeps import refunds_requeue_pending as sweep

    assert sweep(now=beat_later()) == 1
    assert sweep(now=beat_later()) == 0
    assert refunds_requeue_pending.apply().get() == 0
    refund.refresh_from_db()
    assert refund.status == CampaignRefund.Status.PAID
    (at_stripe,) = stripe_refunds(emulator, funding)
    assert at_stripe["id"] == refund.stripe_refund_id


def stripe_refunds(emulator, funding):
    every = emulator.state()["objects"].get("refund", [])
    return [r for r in every if r.get("payment_intent") == funding.payment_intent_id]


def test_a_refund_too_old_to_resend_safely_is_left_to_staff(
    broker_down, emulator, brand_org, brand_manager, django_capture_on_commit_callbacks, caplog
):
    campaign, _ = funded_at_stripe(emulator, brand_org, brand_manager, slots=1)
    with django_capture_on_commit_callbacks(execute=True):
        (refund,) = escrow.campaign_refund_unspent(campaign=campaign, by_user=brand_manager)
    broker_back(broker_down)
    from payments.services.sweeps import refunds_requeue_pending as sweep

    # Stripe forgets idempotency keys after a day: resending then could refund twice.
    with caplog.at_level(logging.ERROR, logger="payments.services.sweeps"):
        assert sweep(now=timezone.now() + timedelta(days=2)) == 0

    assert f"[{refund.pk}]" in caplog.text
    refund.refresh_from_db()
    assert refund.status == CampaignRefund.Status.PENDING


def test_a_bulk_invitation_queued_while_the_broker_is_down_runs_once_it_is_back(
    broker_down, campaign, brand_manager, django_capture_on_commit_callbacks
):
    creators = [make_creator() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = invitation_batch_start(
            campaign=campaign,
            by_user=brand_manager,
            creator_ids=[c.pk for c in creators],
            offered_fee=Decimal("1000000"),
            message="",
        )
    batch.refresh_from_db()
    assert batch.status == InvitationBatch.Status.QUEUED

    broker_back(broker_down)
    from campaigns.services.sweeps import invitation_batches_requeue_stuck as sweep

    assert sweep(now=beat_later()) == 1
    batch.refresh_from_db()
    assert batch.status == InvitationBatch.Status.DONE
    assert batch.invited == 3
    assert campaign.invitations.count() == 3
    assert sweep(now=beat_later()) == 0
    assert invitation_batches_requeue_stuck.apply().get() == 0


def test_after_one_failed_send_the_broker_is_not_tried_again_for_a_while(broker_down, caplog):
    with caplog.at_level(logging.WARNING, logger="marketplace.queueing"):
        assert enqueue(ping, "first") is False
        assert enqueue(ping, "second") is False

    first, second = (r.getMessage() for r in caplog.records if r.name == "marketplace.queueing")
    assert first.startswith("Broker unavailable (")  # tried, with the broker's error
    assert first.endswith("marketplace.ping('first',) not queued; the sweep queues it later")
    assert second.startswith("Broker unavailable: marketplace.ping('second',) not queued now")


def test_a_roster_import_queued_while_the_broker_is_down_runs_once_it_is_back(
    broker_down, brand_org, brand_owner, django_capture_on_commit_callbacks
):
    from creators.models import RosterImportJob
    from creators.roster.jobs import roster_import_job_start
    from creators.sweeps import roster_import_jobs_requeue as sweep
    from tests.creators.test_roster import GOOD

    with django_capture_on_commit_callbacks(execute=True):
        job = roster_import_job_start(organization=brand_org, by_user=brand_owner, content=GOOD)
    job.refresh_from_db()
    assert job.status == RosterImportJob.Status.QUEUED

    broker_back(broker_down)

    assert sweep(now=beat_later()) == 1
    job.refresh_from_db()
    assert job.status == RosterImportJob.Status.DONE
    assert sweep(now=beat_later()) == 0
