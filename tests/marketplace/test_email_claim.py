"""Notification email: one sender claims the row with a conditional update, then sends with no
transaction open and no row locked; a sender that dies holding its claim is replaced after the lease.
"""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from marketplace.models import Notification
from marketplace.services import (
    EMAIL_CLAIM_LEASE,
    notification_email_claim,
    notification_email_send,
    notification_emails_requeue,
    notify,
)

PARAMS = {"creator": "Ayu Lestari", "campaign": "Kopi at sahur"}

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


class RecordingBackend(LocmemBackend):
    """Locmem, and notes whether the sending thread was inside a transaction at send time.

    `before_send`, when a test sets it, runs first: to hold a send open, or to refuse it.
    """

    in_atomic_block: list[bool] = []
    before_send = None

    def send_messages(self, messages):
        RecordingBackend.in_atomic_block.append(connection.in_atomic_block)
        if RecordingBackend.before_send is not None:
            RecordingBackend.before_send()
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def recording_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.in_atomic_block = []
    RecordingBackend.before_send = None
    yield RecordingBackend
    RecordingBackend.before_send = None


def stored(user, key="application.created:claim"):
    """A notification whose email nobody has queued yet."""
    return notify(recipient=user, kind="application.created", dedupe_key=key, params=PARAMS, email=False)


@pytest.mark.django_db(transaction=True)
def test_the_email_of_a_committed_notification_is_sent_with_no_transaction_open(user, recording_backend):
    # Given a service that records a notification in its transaction
    with transaction.atomic():
        notification = notify(
            recipient=user, kind="application.created", dedupe_key="application.created:1", params=PARAMS
        )
        assert mail.outbox == []  # nothing goes out before the commit

    # Then the email went once, after commit, outside any transaction
    assert recording_backend.in_atomic_block == [False]
    assert [m.to for m in mail.outbox] == [[user.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.email_claimed_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_sender_refuses_to_run_inside_a_callers_transaction(user):
    notification = stored(user)

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        notification_email_send(notification_id=notification.pk)

    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.email_claimed_at, notification.emailed_at) == (None, None)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_senders_send_exactly_one_email(user):
    notification = stored(user)
    barrier = threading.Barrier(10)
    results = []

    def sender():
        try:
            barrier.wait()
            results.append(notification_email_send(notification_id=notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 9 + [True]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_while_one_sender_is_sending_the_row_is_not_locked_and_a_second_sender_sends_nothing(
    user, recording_backend
):
    notification = stored(user)
    sending, release = threading.Event(), threading.Event()

    def hold_the_send_open():
        sending.set()
        release.wait(timeout=30)  # a safety net only: the test releases it

    recording_backend.before_send = hold_the_send_open
    first = []

    def first_sender():
        try:
            first.append(notification_email_send(notification_id=notification.pk))
        finally:
            connection.close()

    thread = threading.Thread(target=first_sender)
    thread.start()
    try:
        assert sending.wait(timeout=30)
        # While the first sender is inside send_mail: no transaction, and the row can be locked at once.
        assert recording_backend.in_atomic_block == [False]
        with transaction.atomic():
            row = Notification.objects.select_for_update(nowait=True).get(pk=notification.pk)
        assert row.email_claimed_at is not None and row.emailed_at is None
        # A second sender (a retried or redelivered task) sees the live claim and backs off.
        assert notification_email_send(notification_id=notification.pk) is False
    finally:
        release.set()
        thread.join()

    assert first == [True]
    assert len(mail.outbox) == 1


def beat_after_grace(notification):
    """Move the notification's creation past the sweep's grace period, as time would."""
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=30))


@pytest.mark.django_db
def test_a_sender_that_died_after_claiming_is_replaced_by_the_sweep_once_the_lease_has_passed(user):
    notification = stored(user)
    beat_after_grace(notification)
    # A worker claims the email and dies before sending it.
    assert notification_email_claim(notification_id=notification.pk) is not None

    # Within the lease: its redelivered task and the sweep both leave the claim alone.
    assert notification_email_send(notification_id=notification.pk) is False
    assert notification_emails_requeue() == 0
    assert mail.outbox == []

    # Once the lease has passed, the sweep queues it and it is sent, once.
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_at=timezone.now() - EMAIL_CLAIM_LEASE - timedelta(minutes=1)
    )
    assert notification_emails_requeue() == 1
    assert [m.to for m in mail.outbox] == [[user.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification_emails_requeue() == 0
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_send_the_mail_server_refused_gives_the_claim_back_so_the_retry_sends_at_once(
    user, recording_backend
):
    notification = stored(user)

    def refuse():
        raise ConnectionRefusedError("mail server down")

    recording_backend.before_send = refuse
    with pytest.raises(OSError):  # the task retries on OSError
        notification_email_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.email_claimed_at, notification.emailed_at) == (None, None)

    recording_backend.before_send = None
    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_lease_outlasts_any_live_sender(settings):
    # Celery stops a task after CELERY_TASK_TIME_LIMIT, so an older claim belongs to a dead sender.
    assert EMAIL_CLAIM_LEASE.total_seconds() > settings.CELERY_TASK_TIME_LIMIT
