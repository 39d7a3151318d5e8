from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import tasks
from .models import AuditEvent, Notification, User
from .notifications import CREATOR, KINDS, for_audience, render_subject, render_text
from .queueing import enqueue_each, enqueue_on_commit, sweep_grace_cutoff


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Call inside the service's transaction so the audit row commits with the change."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def notify(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    params: dict[str, Any] | None = None,
    url: str = "",
    email: bool = True,
) -> Notification:
    """Record a notification once per `dedupe_key` and email it after commit.

    Calling it again with the same key (a retried task, a double submit) changes nothing and
    sends nothing: the email task itself claims the row before sending. `email=False` only skips
    queueing now; notification_emails_requeue still emails it if nobody did.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}: register it in the app's notifications module")
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"recipient": recipient, "kind": kind, "params": params or {}, "url": url},
    )
    if created and email:
        enqueue_on_commit(tasks.notification_email_send, notification.pk)
    return notification


def notify_user(
    *, user: User, kind: str, key: str, params: dict, url: str = "", audience: str = CREATOR
) -> None:
    """Notify one person: the creator unless `audience` says otherwise (staff)."""
    params = for_audience(params, audience)
    notify(recipient=user, kind=kind, dedupe_key=f"{key}:u{user.pk}", params=params, url=url)


def notification_email_send(*, notification_id: int) -> bool:
    """Send the email for one notification unless it went already. Returns whether it sent.

    Claim, then send (healthchecks' `Flip`): a conditional update lets one sender win and commits
    at once, and the mail goes out with no transaction open and no row locked, so a slow mail server
    never holds up the writers of this row. The trade (docs/operations.md): a sender that dies after
    its claim and before `emailed_at` is written is retried once the lease has passed, so the email
    may go twice only if that sender died after the mail server accepted it.
    """
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email_deliverable:
        return False
    claimed_at = notification_email_claim(notification_id=notification_id)
    if claimed_at is None:
        return False  # sent already, or another sender holds a live claim
    try:
        with translation.override(recipient.preferred_language):
            subject = render_subject(notification)
            body = render_to_string(
                "marketplace/email/notification.txt",
                {
                    "notification": notification,
                    "text": render_text(notification),
                    "url": absolute_url(notification.url) if notification.url else "",
                    "recipient": recipient,
                },
            )
        send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, None, [recipient.email])
    except BaseException:
        # Not sent (the mail server refused, or the task was stopped): give the claim back so the
        # task's retry can send now rather than after the lease.
        Notification.objects.filter(
            pk=notification_id, email_claimed_at=claimed_at, emailed_at__isnull=True
        ).update(email_claimed_at=None)
        raise
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    return True


# Longer than any live sender can hold a claim: Celery stops a task after CELERY_TASK_TIME_LIMIT.
EMAIL_CLAIM_LEASE = timedelta(minutes=10)


def notification_email_claim(*, notification_id: int, now=None) -> datetime | None:
    """Claim the right to email one notification; returns the claim's time, or None if not won.

    Won when nobody emailed it and no other sender holds a claim younger than EMAIL_CLAIM_LEASE.
    The claim commits on its own (a durable block: never inside a caller's transaction), so the
    email that follows is sent after commit, whoever calls this.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        won = (
            Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
            .filter(_claim_free(now))
            .update(email_claimed_at=now)
        )
    return now if won == 1 else None


def _claim_free(now) -> models.Q:
    """Nobody holds a live claim: never claimed, or claimed by a sender gone longer than the lease."""
    return models.Q(email_claimed_at__isnull=True) | models.Q(email_claimed_at__lt=now - EMAIL_CLAIM_LEASE)


# Older unsent notifications are stale news: the in-app list still shows them.
EMAIL_RESEND_WINDOW = timedelta(days=2)


def notification_emails_requeue(*, now=None) -> int:
    """Beat: emails whose task never ran (the broker was down), or whose sender died holding its
    claim, are queued again; returns how many.

    Safe beside a late delivery of the original task: only one sender wins the claim.
    """
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            _claim_free(now),
            emailed_at__isnull=True,
            created_at__lt=sweep_grace_cutoff(now),
            created_at__gte=now - EMAIL_RESEND_WINDOW,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    return enqueue_each(tasks.notification_email_send, ids)


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def absolute_url(path: str) -> str:
    """A link for emails and tasks, which have no request to build it from."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path
