"""Connecting and disconnecting a creator's platform account, and Meta's removal callbacks.

Only the creator who owns the profile connects or disconnects (creators' owner rule). One live
connection per platform account across Kolabo, one per platform per creator: connecting again
replaces the creator's previous one. The connected account is the creator's `SocialAccount` with
the platform username as handle; what the creator had typed there is kept in `self_reported`, so
"disconnect and delete my data" can put it back.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creators.models import CreatorProfile, MetricsSource, Platform, SocialAccount, tier_for_followers
from creators.services import HANDLE_RE, normalise_handle
from creators.services.common import _ensure_owner
from creators.services.social_accounts import SELF_REPORTED_FIELDS, self_reported_json, self_reported_of
from creators.signals import announce_matching_change
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.queueing import enqueue_on_commit
from marketplace.services import audit_record
from platforms import oauth, tasks
from platforms.models import CONNECTABLE, PlatformConnection, PlatformPost
from platforms.services.lifecycle import connection_mark_disconnected

logger = logging.getLogger(__name__)

DELETION_SALT = "platforms.data_deletion"


def personal_account_message() -> str:
    return _(
        "Kolabo can read numbers only from professional accounts (Business or Creator); "
        "switch in the Instagram app, or keep entering your numbers yourself."
    )


# Connecting


@transaction.atomic
def connection_create(
    *,
    profile: CreatorProfile,
    by_user: User,
    platform: str,
    token_bundle: oauth.TokenBundle,
    platform_profile: oauth.PlatformProfile,
) -> PlatformConnection:
    """Connect (or reconnect) the platform account the creator just authorised; the first refresh
    is queued on commit."""
    if platform not in CONNECTABLE:
        raise ValidationFailed(_("Kolabo cannot connect this platform yet."), field="platform")
    profile = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_owner(profile, by_user)
    label = Platform(platform).label
    if (
        platform == Platform.INSTAGRAM
        and platform_profile.account_type not in oauth.PROFESSIONAL_ACCOUNT_TYPES
    ):
        raise ValidationFailed(personal_account_message())
    handle = normalise_handle(platform_profile.username)
    if not HANDLE_RE.match(handle):
        raise ValidationFailed(
            _("%(platform)s gave a username Kolabo cannot use (@%(handle)s). Please contact Kolabo support.")
            % {"platform": label, "handle": platform_profile.username}
        )
    external_id = platform_profile.external_id
    if (
        PlatformConnection.objects.filter(
            platform=platform, external_id=external_id, status=PlatformConnection.Status.CONNECTED
        )
        .exclude(profile=profile)
        .exists()
    ):
        raise InvalidTransition(_connected_elsewhere_message(platform, handle))
    if SocialAccount.objects.filter(platform=platform, handle=handle).exclude(profile=profile).exists():
        raise InvalidTransition(_handle_taken_message(platform, handle))

    now = timezone.now()
    previous = list(
        PlatformConnection.objects.select_for_update()
        .filter(profile=profile, platform=platform)
        .order_by("pk")
    )
    connection = next((c for c in reversed(previous) if c.external_id == external_id), None)
    replaced = [c for c in previous if c is not connection and c.is_connected]
    for old in replaced:
        old_token = old.access_token if platform == Platform.TIKTOK else ""
        _disconnect_row(old, reason=PlatformConnection.Reason.BY_CREATOR, now=now)
        if old_token:
            transaction.on_commit(lambda token=old_token: oauth.token_revoke(platform, token))

    account, created_account = _link_account(
        profile=profile,
        platform=platform,
        handle=handle,
        platform_profile=platform_profile,
        connection=connection,
    )
    if connection is None:
        connection = PlatformConnection(profile=profile, platform=platform, external_id=external_id)
    # An account is linked to one connection row: a row of another platform account lets go of it.
    PlatformConnection.objects.filter(account=account).exclude(pk=connection.pk).update(account=None)
    connection.account = account
    connection.username = platform_profile.username
    connection.account_type = platform_profile.account_type
    connection.scopes = token_bundle.scopes
    connection.access_token = token_bundle.access_token
    connection.refresh_token = token_bundle.refresh_token
    connection.token_issued_at = now
    connection.token_expires_at = _after(now, token_bundle.expires_in)
    connection.refresh_token_expires_at = _after(now, token_bundle.refresh_expires_in)
    connection.status = PlatformConnection.Status.CONNECTED
    connection.disconnect_reason = PlatformConnection.Reason.NONE
    connection.connected_at = now
    connection.disconnected_at = None
    connection.disconnect_notified_at = None
    connection.next_refresh_at = now
    connection.refresh_claimed_until = None
    connection.refresh_failures = 0
    connection.last_error = ""
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError as exc:  # another creator connected the same account a moment ago
        raise InvalidTransition(_connected_elsewhere_message(platform, handle)) from exc
    audit_record(
        actor=by_user,
        action="platform_connection.connected",
        target=connection,
        to_status=connection.status,
        data={
            "platform": platform,
            "username": connection.username,
            "account": account.pk,
            "account_created": created_account,
            "replaced": [old.pk for old in replaced],
        },
    )
    announce_matching_change(profile.pk)
    enqueue_on_commit(tasks.connection_refresh, connection.pk)
    return connection


def _connected_elsewhere_message(platform: str, handle: str) -> str:
    return _(
        "The %(platform)s account @%(handle)s is already connected to another Kolabo creator. "
        "If the account is yours, contact Kolabo support so we can sort it out."
    ) % {"platform": Platform(platform).label, "handle": handle}


def _handle_taken_message(platform: str, handle: str) -> str:
    return _(
        "The %(platform)s account @%(handle)s is already on another Kolabo creator's profile, "
        "so it cannot be connected here. If the account is yours, contact Kolabo support "
        "so we can sort it out."
    ) % {"platform": Platform(platform).label, "handle": handle}


def _after(now: datetime, seconds: int | None) -> datetime | None:
    return now + timedelta(seconds=seconds) if seconds else None


def _link_account(
    *,
    profile: CreatorProfile,
    platform: str,
    handle: str,
    platform_profile: oauth.PlatformProfile,
    connection: PlatformConnection | None,
) -> tuple[SocialAccount, bool]:
    """The creator's account for this platform and handle: found, renamed, or created."""
    account = (
        SocialAccount.objects.select_for_update()
        .filter(profile=profile, platform=platform, handle=handle)
        .first()
    )
    if account is None and connection is not None and connection.account_id:
        # The same platform account under a new username: the creator renamed it there.
        account = SocialAccount.objects.select_for_update().get(pk=connection.account_id)
        account.handle = handle
        account.save(update_fields=["handle", "updated_at"])
    if account is not None:
        if account.metrics_source == MetricsSource.SELF_REPORTED:
            account.self_reported = self_reported_values(account)
            account.save(update_fields=["self_reported", "updated_at"])
        return account, False
    # Nothing typed by the creator: the numbers are the platform's, read a moment ago. The first
    # refresh fills in the engagement rate and audience.
    followers = platform_profile.followers
    try:
        with transaction.atomic():
            account = SocialAccount.objects.create(
                profile=profile,
                platform=platform,
                handle=handle,
                followers=followers,
                following=platform_profile.following or 0,
                posts=platform_profile.media_count or 0,
                metrics_date=timezone.localdate(),
                metrics_source=MetricsSource.VERIFIED,
                metrics_verified_at=timezone.now(),
                self_reported={},
                tier=tier_for_followers(followers),
            )
    except IntegrityError as exc:  # another creator added the same handle a moment ago
        raise InvalidTransition(_handle_taken_message(platform, handle)) from exc
    return account, True


def self_reported_values(account: SocialAccount) -> dict[str, Any]:
    """The account's current values as JSON, to keep in `self_reported` while verified values are
    shown (put back by "disconnect and delete data")."""
    return self_reported_json({field: getattr(account, field) for field in SELF_REPORTED_FIELDS})


# Disconnecting


def _disconnect_row(connection: PlatformConnection, *, reason: str, now: datetime) -> None:
    """Tokens wiped, status disconnected; the verified values stay on the account with their date."""
    connection.status = PlatformConnection.Status.DISCONNECTED
    connection.disconnect_reason = reason
    connection.disconnected_at = now
    connection.access_token_encrypted = ""
    connection.refresh_token_encrypted = ""
    connection.refresh_claimed_until = None
    connection.save(
        update_fields=[
            "status",
            "disconnect_reason",
            "disconnected_at",
            "access_token_encrypted",
            "refresh_token_encrypted",
            "refresh_claimed_until",
            "updated_at",
        ]
    )


@transaction.atomic
def connection_disconnect(
    *, connection: PlatformConnection, by_user: User, delete_data: bool
) -> PlatformConnection:
    """The creator disconnects; with `delete_data`, what Kolabo pulled goes too and the account shows
    the creator's own numbers again. Deleting data of an already disconnected account is allowed."""
    connection = (
        PlatformConnection.objects.select_for_update().select_related("profile").get(pk=connection.pk)
    )
    _ensure_owner(connection.profile, by_user)
    if not connection.is_connected and not delete_data:
        raise InvalidTransition(_("This account is already disconnected."))
    from_status = connection.status
    if connection.is_connected:
        token = connection.access_token if connection.platform == Platform.TIKTOK else ""
        _disconnect_row(connection, reason=PlatformConnection.Reason.BY_CREATOR, now=timezone.now())
        if token:
            # Best effort, after commit: the disconnect stands whatever TikTok answers.
            transaction.on_commit(lambda: oauth.token_revoke(Platform.TIKTOK, token))
    deleted = _delete_pulled_data(connection) if delete_data else {}
    audit_record(
        actor=by_user,
        action="platform_connection.data_deleted" if delete_data else "platform_connection.disconnected",
        target=connection,
        from_status=from_status,
        to_status=connection.status,
        reason=connection.disconnect_reason,
        data={"platform": connection.platform, "username": connection.username, **deleted},
    )
    announce_matching_change(connection.profile_id)
    return connection


def _delete_pulled_data(connection: PlatformConnection) -> dict[str, int]:
    """Snapshots, posts, thumbnails and picture deleted; the account back to what the creator typed
    (or gone, when the connection created it and the creator typed nothing)."""
    # Posts delivered under a collaboration stay: they are the evidence the payout rests on (the
    # contract is their lawful basis). Everything else the platform gave us goes.
    pulled = PlatformPost.objects.filter(connection=connection, deliverables__isnull=True)
    files = list(pulled.exclude(thumbnail="").values_list("thumbnail", flat=True))
    if connection.picture:
        files.append(connection.picture.name)
        connection.picture = ""
        connection.save(update_fields=["picture", "updated_at"])
    snapshots, _detail = connection.snapshots.all().delete()
    posts, _detail = pulled.delete()
    transaction.on_commit(lambda: _delete_files(files))
    restored = ""
    if connection.account_id:
        account = SocialAccount.objects.select_for_update().get(pk=connection.account_id)
        if account.self_reported:
            _restore_self_reported(account)
            restored = "restored"
        else:
            connection.account = None
            connection.save(update_fields=["account", "updated_at"])
            account.delete()
            restored = "deleted"
    return {"snapshots_deleted": snapshots, "posts_deleted": posts, "account": restored}


def _restore_self_reported(account: SocialAccount) -> None:
    values = self_reported_of(account)
    fields = []
    for field in SELF_REPORTED_FIELDS:
        if field in values:
            setattr(account, field, values[field])
            fields.append(field)
    if "followers" in values and "tier" not in values:
        account.tier = tier_for_followers(account.followers)
        fields.append("tier")
    account.metrics_source = MetricsSource.SELF_REPORTED
    account.metrics_verified_at = None
    account.save(update_fields=[*fields, "metrics_source", "metrics_verified_at", "updated_at"])


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete %s; it is no longer referenced", name)


# Meta's callbacks: the creator removed the app, or asked for their data to be deleted


class SignedRequestInvalid(Exception):
    """Not a signed_request from Meta (bad shape, bad signature, unknown algorithm)."""


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def signed_request_parse(signed_request: str) -> dict[str, Any]:
    """Meta's `<signature>.<payload>`: HMAC-SHA256 of the payload with the app secret, checked in
    constant time before the payload is read."""
    try:
        encoded_signature, payload = str(signed_request or "").split(".", 1)
        signature = _b64decode(encoded_signature)
    except (ValueError, binascii.Error) as exc:
        raise SignedRequestInvalid from exc
    expected = hmac.new(settings.INSTAGRAM_CLIENT_SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise SignedRequestInvalid
    try:
        data = json.loads(_b64decode(payload))
    except (ValueError, binascii.Error) as exc:
        raise SignedRequestInvalid from exc
    if (
        not isinstance(data, dict)
        or str(data.get("algorithm", "")).upper() != "HMAC-SHA256"
        or not data.get("user_id")
    ):
        raise SignedRequestInvalid
    return data


@transaction.atomic
def deauthorize(signed_request: str) -> int:
    """The creator removed Kolabo in Instagram: the connection is disconnected (they are told once),
    the last verified values stay. Returns how many connections it closed."""
    user_id = str(signed_request_parse(signed_request)["user_id"])
    closed = 0
    for connection in PlatformConnection.objects.filter(
        platform=Platform.INSTAGRAM, external_id=user_id, status=PlatformConnection.Status.CONNECTED
    ).order_by("pk"):
        # Audited and told to the creator (once) by the lifecycle.
        closed += connection_mark_disconnected(connection, PlatformConnection.Reason.DEAUTHORIZED)
    return closed


@dataclass(frozen=True)
class DeletionReceipt:
    confirmation_code: str
    connections: int


@transaction.atomic
def data_deletion(signed_request: str) -> DeletionReceipt:
    """The creator asked Meta for their data to be deleted: every connection of that Instagram
    account is disconnected and what Kolabo pulled from it is deleted now. The confirmation code is
    signed (no table needed) and opens the public status page."""
    user_id = str(signed_request_parse(signed_request)["user_id"])
    connections = list(
        PlatformConnection.objects.select_for_update()
        .filter(platform=Platform.INSTAGRAM, external_id=user_id)
        .order_by("pk")
    )
    for connection in connections:
        if connection.is_connected:
            connection_mark_disconnected(connection, PlatformConnection.Reason.DATA_DELETED)
        deleted = _delete_pulled_data(connection)
        audit_record(
            actor=None,
            action="platform_connection.data_deleted",
            target=connection,
            reason=PlatformConnection.Reason.DATA_DELETED,
            data={"platform": connection.platform, "username": connection.username, **deleted},
        )
        announce_matching_change(connection.profile_id)
    code = signing.dumps(
        {"at": int(time.time()), "n": len(connections), "r": secrets.token_hex(4)},
        salt=DELETION_SALT,
        compress=True,
    )
    return DeletionReceipt(confirmation_code=code, connections=len(connections))


def deletion_status(code: str) -> dict[str, Any] | None:
    """What a confirmation code says (when the deletion ran, how many connections), or None."""
    try:
        data = signing.loads(code, salt=DELETION_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    return {
        "deleted_at": datetime.fromtimestamp(data["at"], tz=timezone.get_current_timezone()),
        "connections": int(data.get("n", 0)),
    }
