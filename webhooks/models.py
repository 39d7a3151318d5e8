"""Outbound webhooks: an organization's subscriptions and one delivery row per event and subscription."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 - the visible prefix, not a secret


class EventType(models.TextChoices):
    """The fixed catalogue partners may subscribe to (payload shapes: docs/webhooks.md)."""

    APPLICATION_CREATED = "application.created", _("A creator applied to a campaign")
    INVITATION_ACCEPTED = "invitation.accepted", _("A creator accepted an invitation")
    COLLABORATION_STATUS_CHANGED = "collaboration.status_changed", _("A collaboration changed status")
    SUBMISSION_CREATED = "submission.created", _("A creator submitted a draft")
    PAYOUT_PAID = "payout.paid", _("A creator's payout was paid")
    PAYOUT_FAILED = "payout.failed", _("A creator's payout failed")


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


class WebhookSubscription(models.Model):
    """Where an organization wants events sent. The secret signs every delivery; it is stored as
    is (signing needs it) and shown to people only once, when the subscription is created."""

    organization = models.ForeignKey(
        "brands.Organization",
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        verbose_name=_("organization"),
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    secret = models.CharField(_("signing secret"), max_length=80, default=new_secret, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.url

    @property
    def secret_hint(self) -> str:
        """Enough to tell secrets apart, never enough to sign."""
        return f"{self.secret[: len(SECRET_PREFIX) + 4]}…"


class WebhookDelivery(models.Model):
    """One event for one subscription, and how sending it went.

    pending → delivered | failed. While an attempt runs, `leased_until` is in the future: a second
    worker (a duplicate task, the sweeper, a manual redelivery) cannot claim the row until then.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event_id = models.UUIDField(_("event id"))
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
