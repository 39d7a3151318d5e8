"""Open invitations expire after INVITATION_TTL_DAYS; beat runs invitations_expire_due and
invitations_remind_expiring."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Invitation
from campaigns.services.common import transition
from campaigns.services.invitation_notices import format_date, tell_creator, tell_org
from marketplace.models import Notification

Status = Invitation.Status
REMIND_BEFORE = timedelta(hours=48)


def expire_locked(invitation: Invitation) -> None:
    """Expire a locked open invitation and tell both sides (once each)."""
    transition(
        invitation,
        Status.EXPIRED,
        actor=None,
        action="invitation.expired",
        reason=_("No answer before %(date)s.") % {"date": format_date(invitation.expires_at)},
    )
    tell_org(invitation, "invitation.expired")
    tell_creator(invitation, "invitation.expired")


def invitations_expire_due(*, now: datetime | None = None) -> int:
    """Expire every open invitation past its date. Safe to run twice: each row is rechecked under lock."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.filter(status__in=Invitation.OPEN, expires_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in due:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("campaign__organization", "creator__user")
                .filter(pk=pk, status__in=Invitation.OPEN, expires_at__lte=now)
                .first()
            )
            if invitation is None:
                continue
            expire_locked(invitation)
            expired += 1
    return expired


def invitations_remind_expiring(*, now: datetime | None = None) -> int:
    """Remind creators of pending invitations expiring within 48 hours, once per deadline.

    A countered invitation waits for the organization, so the creator is not reminded of it.

    Returns how many reminders were sent this run (0 on a repeat).
    """
    now = now or timezone.now()
    invitations = (
        Invitation.objects.filter(
            status=Status.PENDING, expires_at__gt=now, expires_at__lte=now + REMIND_BEFORE
        )
        .select_related("campaign__organization", "creator__user")
        .order_by("pk")
    )
    sent = 0
    for invitation in invitations:
        # The deadline is in the key: a counter round resets it, and that new deadline earns a reminder.
        key = f"invitation.expiring:{invitation.pk}:{int(invitation.expires_at.timestamp())}"
        user = invitation.creator.user
        if Notification.objects.filter(dedupe_key=f"{key}:u{user.pk}").exists():
            continue
        with transaction.atomic():
            tell_creator(invitation, "invitation.expiring", key=key)
        sent += 1
    return sent
