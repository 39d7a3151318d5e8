from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AuditEvent, Notification, User
from .notifications import KINDS, render_subject, render_text


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
    sends nothing: the email task itself also checks `emailed_at` under a lock. `email=False`
    only skips queueing now; notification_emails_requeue still emails it if nobody did.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}: register it in the app's notifications module")
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"recipient": recipient, "kind": kind, "params": params or {}, "url": url},
    )
    if created and email:
        from .queueing import enqueue_on_commit
        from .tasks import notification_email_send

        enqueue_on_commit(notification_email_send, notification.pk)
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send the email for one notification unless it went already. Returns whether it sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        recipient = notification.recipient
        if not recipient.is_active or not recipient.email:
            return False
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
        # Sending inside the lock means a concurrent retry waits, then sees emailed_at and stops.
        send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, None, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


# Older unsent notifications are stale news: the in-app list still shows them.
EMAIL_RESEND_WINDOW = timedelta(days=2)


def notification_emails_requeue(*, now=None) -> int:
    """Beat: emails whose task never ran (the broker was down) are queued again; returns how many.

    Safe beside a late delivery of the original task: the sender checks `emailed_at` under a lock.
    """
    from .queueing import enqueue_each
    from .tasks import notification_email_send as task

    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__lt=now - timedelta(seconds=settings.QUEUE_SWEEP_GRACE_SECONDS),
            created_at__gte=now - EMAIL_RESEND_WINDOW,
            recipient__is_active=True,
        )
        .exclude(recipient__email="")
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    return enqueue_each(task, ids)


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
