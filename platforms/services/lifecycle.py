"""What happens when a platform stops accepting a connection's token.

The connection is marked disconnected and its tokens wiped; the creator's SocialAccount keeps the
last verified values with their date (`metrics_source` stays verified, `metrics_verified_at` says
when), so briefs and matching go on using numbers that were true on that date. The creator is told
once per disconnection: the notification claims `disconnect_notified_at` with a conditional update,
so a retried task, a second worker or Meta's callback arriving too never tell them twice.
"""

from datetime import timedelta

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from creators.models import Platform
from marketplace.services import audit_record, notify_user
from platforms.models import PlatformConnection

Reason = PlatformConnection.Reason
# The creator did not do these themselves, so they need telling (and a way back).
NOTIFY_KINDS = {
    Reason.EXPIRED: "platform.connection_expired",
    Reason.REVOKED: "platform.connection_revoked",
    Reason.DEAUTHORIZED: "platform.connection_revoked",
}
# A notice queued on commit but never sent (the process died) is sent by the sweep after this.
NOTICE_GRACE = timedelta(minutes=5)


def _connections_url() -> str:
    try:
        return reverse("platforms:connections")
    except NoReverseMatch:  # the connections page is not mounted (a trimmed URLconf)
        return ""


def connection_mark_disconnected(connection: PlatformConnection, reason: str, *, now=None) -> bool:
    """Disconnect a connected row because its token stopped working (or the app was removed).

    Returns whether this call disconnected it (False: it was disconnected already). Safe inside
    or outside a transaction; the creator is told after commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        changed = PlatformConnection.objects.filter(
            pk=connection.pk, status=PlatformConnection.Status.CONNECTED
        ).update(
            status=PlatformConnection.Status.DISCONNECTED,
            disconnect_reason=reason,
            disconnected_at=now,
            access_token_encrypted="",
            refresh_token_encrypted="",
            refresh_claimed_until=None,
            updated_at=now,
        )
        if changed:
            audit_record(
                actor=None,
                action="platform_connection.lost",
                target=connection,
                from_status=PlatformConnection.Status.CONNECTED,
                to_status=PlatformConnection.Status.DISCONNECTED,
                reason=reason,
                data={"platform": connection.platform, "username": connection.username},
            )
            if reason in NOTIFY_KINDS:
                pk = connection.pk
                transaction.on_commit(lambda: connection_notify_disconnected(pk))
    # Keep the caller's object in step with the row.
    if changed:
        connection.status = PlatformConnection.Status.DISCONNECTED
        connection.disconnect_reason = reason
        connection.disconnected_at = now
        connection.access_token_encrypted = connection.refresh_token_encrypted = ""
        connection.refresh_claimed_until = None
    return bool(changed)


def connection_notify_disconnected(connection_id: int) -> bool:
    """Tell the creator their account was disconnected, exactly once. Returns whether this call told them."""
    now = timezone.now()
    with transaction.atomic():
        won = PlatformConnection.objects.filter(
            pk=connection_id,
            status=PlatformConnection.Status.DISCONNECTED,
            disconnect_reason__in=list(NOTIFY_KINDS),
            disconnect_notified_at__isnull=True,
        ).update(disconnect_notified_at=now)
        if not won:
            return False
        connection = PlatformConnection.objects.select_related("profile__user").get(pk=connection_id)
        disconnected = connection.disconnected_at or now
        notify_user(
            user=connection.profile.user,
            kind=NOTIFY_KINDS[connection.disconnect_reason],
            key=f"platform.disconnected:{connection.pk}:{disconnected.timestamp():.0f}",
            params={"platform": str(Platform(connection.platform).label), "username": connection.username},
            url=_connections_url(),
        )
    return True


def disconnect_notices_send_missed(*, now=None, limit: int = 2000) -> int:
    """Beat: tell creators of disconnections whose notice was queued on commit but never sent
    (the process died in between). Recent ones are left to their own on-commit notice."""
    now = now or timezone.now()
    ids = PlatformConnection.objects.filter(
        status=PlatformConnection.Status.DISCONNECTED,
        disconnect_reason__in=list(NOTIFY_KINDS),
        disconnect_notified_at__isnull=True,
        disconnected_at__lte=now - NOTICE_GRACE,
    ).values_list("pk", flat=True)[:limit]
    return sum(connection_notify_disconnected(pk) for pk in list(ids))
