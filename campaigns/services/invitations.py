"""Invitations: an organization offers a creator a place on a brief; the creator answers.

Creator: accept, decline, or counter-offer (from PENDING). Organization: accept or decline the
counter (declining puts the original offer back), or revoke. Open invitations expire after
INVITATION_TTL_DAYS; beat runs invitations_expire_due and invitations_remind_expiring.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.permissions import require_org_manager
from campaigns import tasks
from campaigns.eligibility import check_eligibility
from campaigns.models import Application, Campaign, Collaboration, Invitation
from campaigns.notifications import notify_org
from campaigns.services.applications import volunteer_fee_refusal
from campaigns.services.collaborations import collaboration_open
from campaigns.services.common import require_creator, transition
from creators.models import CreatorProfile
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import AuditEvent, Notification, User
from marketplace.money import format_money
from marketplace.notifications import CREATOR, for_audience
from marketplace.queueing import enqueue_on_commit
from marketplace.services import notify_user
from webhooks import events as webhook_events

Status = Invitation.Status
INVITATION_TTL_DAYS = 7
REMIND_BEFORE = timedelta(hours=48)
MESSAGE_MAX_LENGTH = Invitation._meta.get_field("message").max_length
# Notification emails per Celery task: far fewer broker messages than one per email, and a retried
# chunk repeats little (each email still goes at most once).
EMAIL_CHUNK_SIZE = 100


class InviteResult(NamedTuple):
    """One line of a (bulk) invite: what happened for this creator, and why.

    `creator` is None only when no profile has the id any more (NOT_FOUND).
    """

    creator: CreatorProfile | None
    status: str
    invitation: Invitation | None
    message: str
    creator_id: int


# InviteResult.status values
INVITED = "invited"
ALREADY_INVITED = "already_invited"
ALREADY_APPLIED = "already_applied"
COLLABORATING = "collaborating"
AT_CAPACITY = "at_capacity"
INELIGIBLE = "ineligible"
NOT_FOUND = "not_found"


def _date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value))


def _params(invitation: Invitation, **extra) -> dict:
    campaign = invitation.campaign
    return {
        "organization": campaign.organization.name,
        "campaign": campaign.title,
        "creator": invitation.creator.display_name,
        "fee": format_money(invitation.offered_fee, campaign.currency),
        "expires": _date(invitation.expires_at),
        **extra,
    }


def _url(invitation: Invitation) -> str:
    return reverse("campaigns:invitation_detail", args=[invitation.pk])


def _notice(invitation: Invitation, kind: str, key: str, url: str, extra: dict) -> dict:
    """A notification about `invitation`: the key defaults to `<kind>:<pk>`, the link to the invitation page."""
    return {
        "kind": kind,
        "key": key or f"{kind}:{invitation.pk}",
        "params": _params(invitation, **extra),
        "url": url or _url(invitation),
    }


def _tell_creator(invitation: Invitation, kind: str, *, key: str = "", url: str = "", **extra) -> None:
    notify_user(user=invitation.creator.user, **_notice(invitation, kind, key, url, extra))


def _tell_org(invitation: Invitation, kind: str, *, key: str = "", url: str = "", **extra) -> None:
    notify_org(organization=invitation.campaign.organization_id, **_notice(invitation, kind, key, url, extra))


def _clean_fee(fee: Decimal | None, *, field: str) -> None:
    if fee is None:
        raise ValidationFailed(_("Enter a fee (0 for unpaid work)."), field=field)
    if fee < 0:
        raise ValidationFailed(_("The fee cannot be negative."), field=field)


def _clean_message(message: str, *, field: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the message under %(limit)s characters.") % {"limit": MESSAGE_MAX_LENGTH}, field=field
        )
    return message


def invitation_terms_clean(
    *, campaign: Campaign, offered_fee: Decimal | None, message: str
) -> tuple[Decimal, str]:
    """The fee (the brief's own when None) and message of an invitation, checked before any write."""
    if offered_fee is None:
        offered_fee = campaign.brief_fee
    _clean_fee(offered_fee, field="offered_fee")
    refusal = volunteer_fee_refusal(campaign=campaign, fee=offered_fee, field="offered_fee")
    if refusal is not None:
        raise refusal
    return offered_fee, _clean_message(message, field="message")


def require_published(campaign: Campaign) -> None:
    if campaign.status != Campaign.Status.PUBLISHED:
        raise InvalidTransition(
            _("Invitations can only be sent while the brief is published; it is %(status)s.")
            % {"status": campaign.get_status_display().lower()}
        )


def _open_invitation_counts(creator_ids: list[int], *, now: datetime) -> dict[int, int]:
    """How many open, unexpired invitations each creator holds across every campaign (one query)."""
    return dict(
        Invitation.objects.filter(creator_id__in=creator_ids, status__in=Invitation.OPEN, expires_at__gt=now)
        .order_by()
        .values("creator_id")
        .annotate(held=Count("pk"))
        .values_list("creator_id", "held")
    )


def _at_capacity(held: int, limit: int) -> str:
    return ngettext(
        "Already holds %(held)s open invitation; a creator can hold at most %(limit)s at once. "
        "Try again when it is answered.",
        "Already holds %(held)s open invitations; a creator can hold at most %(limit)s at once. "
        "Try again when some are answered.",
        held,
    ) % {"held": held, "limit": limit}


def _record_created(invitations: list[Invitation], *, by_user: User, campaign: Campaign) -> None:
    """Audit and notify new invitations with bulk inserts; emails go out in chunks after commit.

    The same rows as audit_record and notify_user would write, dedupe keys included, so nothing
    downstream can tell a bulk invite from a single one.
    """
    if not invitations:
        return
    target_type = ContentType.objects.get_for_model(Invitation)
    actor = by_user if by_user.is_authenticated else None
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action="invitation.created",
            target_type=target_type,
            target_id=str(invitation.pk),
            to_status=invitation.status,
            data={"offered_fee": str(invitation.offered_fee), "currency": campaign.currency},
        )
        for invitation in invitations
    )
    notifications = []
    for invitation in invitations:
        notice = _notice(invitation, "invitation.created", "", "", {})
        recipient_id = invitation.creator.user_id
        notifications.append(
            Notification(
                recipient_id=recipient_id,
                kind=notice["kind"],
                dedupe_key=f"{notice['key']}:u{recipient_id}",
                params=for_audience(notice["params"], CREATOR),
                url=notice["url"],
            )
        )
    # The invitations are new rows, so their keys cannot exist yet; filtering anyway keeps the
    # "once per dedupe_key" promise even if the key scheme ever changes.
    known = set(
        Notification.objects.filter(dedupe_key__in=[n.dedupe_key for n in notifications]).values_list(
            "dedupe_key", flat=True
        )
    )
    created = Notification.objects.bulk_create(n for n in notifications if n.dedupe_key not in known)
    ids = [notification.pk for notification in created]
    for start in range(0, len(ids), EMAIL_CHUNK_SIZE):
        enqueue_on_commit(tasks.notification_emails_send, ids[start : start + EMAIL_CHUNK_SIZE])


def _expire(invitation: Invitation) -> None:
    """Expire a locked open invitation and tell both sides (once each)."""
    transition(
        invitation,
        Status.EXPIRED,
        actor=None,
        action="invitation.expired",
        reason=_("No answer before %(date)s.") % {"date": _date(invitation.expires_at)},
    )
    _tell_org(invitation, "invitation.expired")
    _tell_creator(invitation, "invitation.expired")


def invitation_create_many(
    *,
    campaign: Campaign,
    by_user: User,
    creators: Iterable[CreatorProfile | int],
    offered_fee: Decimal | None,
    message: str = "",
) -> list[InviteResult]:
    """Invite each creator once, in one transaction; report per creator. Re-running never duplicates.

    `creators` are profiles or their ids. Creators who already have an open invitation, an
    application or a collaboration on the brief, who hold MAX_OPEN_INVITATIONS_PER_CREATOR open
    invitations across all campaigns, or who do not meet the brief's hard rules, are reported and
    skipped. The number of queries does not grow with the number of creators.
    """
    require_org_manager(organization=campaign.organization_id, user=by_user)
    offered_fee, message = invitation_terms_clean(campaign=campaign, offered_fee=offered_fee, message=message)
    wanted_ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in creators))
    now = timezone.now()
    limit = settings.MAX_OPEN_INVITATIONS_PER_CREATOR

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("organization").get(pk=campaign.pk)
        require_published(campaign)
        profiles = CreatorProfile.objects.prefetch_related("social_accounts").in_bulk(wanted_ids)
        open_invitations = {
            inv.creator_id: inv
            for inv in Invitation.objects.select_for_update()
            .filter(campaign=campaign, creator_id__in=wanted_ids, status__in=Invitation.OPEN)
            .order_by("pk")
        }
        for inv in open_invitations.values():
            # Rows already loaded above; joining them again would cost a batch thousands of objects.
            inv.campaign, inv.creator = campaign, profiles[inv.creator_id]
        for creator_id, inv in list(open_invitations.items()):
            if inv.expires_at <= now:
                # Beat has not got to it yet; expire it now so a fresh invitation can go out.
                _expire(inv)
                del open_invitations[creator_id]
        applied = set(
            Application.objects.filter(
                campaign=campaign,
                creator_id__in=wanted_ids,
                status__in=[*Application.OPEN, Application.Status.ACCEPTED],
            ).values_list("creator_id", flat=True)
        )
        collaborating = set(
            Collaboration.objects.filter(campaign=campaign, creator_id__in=wanted_ids).values_list(
                "creator_id", flat=True
            )
        )
        held = _open_invitation_counts(wanted_ids, now=now)

        results: list[InviteResult] = []
        to_create: list[Invitation] = []
        expires_at = now + timedelta(days=INVITATION_TTL_DAYS)
        for creator_id in wanted_ids:
            creator = profiles.get(creator_id)
            if creator is None:
                # Only ids can miss: a batch may run after a creator deleted their profile.
                results.append(
                    InviteResult(None, NOT_FOUND, None, _("This creator is no longer on Kolabo."), creator_id)
                )
            elif creator_id in collaborating:
                results.append(
                    InviteResult(
                        creator, COLLABORATING, None, _("Already collaborating on this brief."), creator_id
                    )
                )
            elif creator_id in open_invitations:
                results.append(
                    InviteResult(
                        creator,
                        ALREADY_INVITED,
                        open_invitations[creator_id],
                        _("Already invited; the invitation is still open."),
                        creator_id,
                    )
                )
            elif creator_id in applied:
                results.append(
                    InviteResult(
                        creator,
                        ALREADY_APPLIED,
                        None,
                        _("Already applied; review the application instead."),
                        creator_id,
                    )
                )
            elif held.get(creator_id, 0) >= limit:
                results.append(
                    InviteResult(
                        creator, AT_CAPACITY, None, _at_capacity(held[creator_id], limit), creator_id
                    )
                )
            elif not (eligibility := check_eligibility(campaign=campaign, creator=creator)).eligible:
                results.append(
                    InviteResult(creator, INELIGIBLE, None, " ".join(eligibility.problems), creator_id)
                )
            else:
                invitation = Invitation(
                    campaign=campaign,
                    creator=creator,
                    invited_by=by_user,
                    offered_fee=offered_fee,
                    message=message,
                    expires_at=expires_at,
                )
                to_create.append(invitation)
                results.append(InviteResult(creator, INVITED, invitation, _("Invited."), creator_id))

        try:
            with transaction.atomic():
                Invitation.objects.bulk_create(to_create)
        except IntegrityError as error:
            raise ValidationFailed(
                _("Someone else invited some of these creators at the same moment. Please try again.")
            ) from error

        _record_created(to_create, by_user=by_user, campaign=campaign)
    return results


def invitation_create(
    *,
    campaign: Campaign,
    by_user: User,
    creator: CreatorProfile,
    offered_fee: Decimal | None,
    message: str = "",
) -> Invitation:
    """Invite one creator; any reason not to is a ValidationFailed with the explanation."""
    (result,) = invitation_create_many(
        campaign=campaign, by_user=by_user, creators=[creator], offered_fee=offered_fee, message=message
    )
    if result.status != INVITED:
        raise ValidationFailed(
            _("%(creator)s: %(reason)s") % {"creator": creator.display_name, "reason": result.message}
        )
    return result.invitation


def _locked(invitation: Invitation) -> Invitation:
    """Lock the campaign, then the invitation: the same order as every campaign-wide service."""
    Campaign.objects.select_for_update().filter(pk=invitation.campaign_id).first()
    return (
        Invitation.objects.select_for_update()
        .select_related("campaign__organization", "creator__user")
        .get(pk=invitation.pk)
    )


def _require_answerable(invitation: Invitation, *, now: datetime | None = None) -> None:
    """The creator can answer a pending, unexpired invitation; say plainly why not otherwise."""
    now = now or timezone.now()
    if invitation.status == Status.REVOKED:
        raise InvalidTransition(_("The organization withdrew this invitation."))
    if invitation.status == Status.EXPIRED or (invitation.is_open and invitation.expires_at <= now):
        raise InvalidTransition(
            _("This invitation expired on %(date)s.") % {"date": _date(invitation.expires_at)}
        )
    if invitation.status == Status.COUNTERED:
        raise InvalidTransition(_("You sent a counter-offer. Wait for the organization's answer to it."))
    if invitation.status != Status.PENDING:
        raise InvalidTransition(
            _("This invitation is “%(status)s” and can no longer be answered.")
            % {"status": invitation.get_status_display()}
        )


def _accept(invitation: Invitation, *, by_user: User, fee: Decimal, action: str) -> Collaboration:
    collaboration = collaboration_open(
        campaign=invitation.campaign,
        creator=invitation.creator,
        fee=fee,
        source=Collaboration.Source.INVITATION,
        by_user=by_user,
        invitation=invitation,
    )
    invitation.responded_at = timezone.now()
    transition(
        invitation,
        Status.ACCEPTED,
        actor=by_user,
        action=action,
        data={"fee": str(fee), "currency": invitation.campaign.currency, "collaboration": collaboration.pk},
        extra_fields=("responded_at",),
    )
    webhook_events.invitation_accepted(invitation, collaboration, fee)
    return collaboration


def invitation_accept(*, invitation: Invitation, by_user: User) -> Collaboration:
    """The creator takes the offer as it stands; the collaboration starts with the offered fee."""
    require_creator(creator=invitation.creator, user=by_user)
    with transaction.atomic():
        invitation = _locked(invitation)
        _require_answerable(invitation)
        fee = invitation.offered_fee if invitation.offered_fee is not None else Decimal("0")
        collaboration = _accept(invitation, by_user=by_user, fee=fee, action="invitation.accepted")
        _tell_org(invitation, "invitation.accepted", url=collaboration.get_absolute_url())
    return collaboration


def invitation_decline(*, invitation: Invitation, by_user: User, reason: str = "") -> Invitation:
    """The creator says no, to the offer or to the whole exchange after a counter."""
    require_creator(creator=invitation.creator, user=by_user)
    reason = (reason or "").strip()
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.DECLINED:
            return invitation
        if invitation.status == Status.REVOKED:
            raise InvalidTransition(_("The organization withdrew this invitation."))
        invitation.responded_at = timezone.now()
        transition(
            invitation,
            Status.DECLINED,
            actor=by_user,
            action="invitation.declined",
            reason=reason,
            extra_fields=("responded_at",),
        )
        _tell_org(invitation, "invitation.declined")
    return invitation


def invitation_counter(
    *, invitation: Invitation, by_user: User, fee: Decimal | None, message: str = ""
) -> Invitation:
    """The creator proposes another fee. The organization gets a fresh week to answer."""
    require_creator(creator=invitation.creator, user=by_user)
    _clean_fee(fee, field="fee")
    message = _clean_message(message, field="message")
    with transaction.atomic():
        invitation = _locked(invitation)
        _require_answerable(invitation)
        refusal = volunteer_fee_refusal(campaign=invitation.campaign, fee=fee, field="fee")
        if refusal is not None:
            raise refusal
        if invitation.offered_fee is not None and fee == invitation.offered_fee:
            raise ValidationFailed(
                _("That is the fee already offered. Accept the invitation instead."), field="fee"
            )
        previous_expiry = invitation.expires_at
        invitation.counter_fee = fee
        invitation.counter_message = message
        invitation.expires_at = timezone.now() + timedelta(days=INVITATION_TTL_DAYS)
        transition(
            invitation,
            Status.COUNTERED,
            actor=by_user,
            action="invitation.countered",
            data={
                "counter_fee": str(fee),
                "currency": invitation.campaign.currency,
                "previous_expiry": previous_expiry.isoformat(),
            },
            extra_fields=("counter_fee", "counter_message", "expires_at"),
        )
        # One key per counter round: a declined counter followed by a new one is a new event.
        _tell_org(
            invitation,
            "invitation.countered",
            key=f"invitation.countered:{invitation.pk}:{int(invitation.expires_at.timestamp())}",
            fee=format_money(fee, invitation.campaign.currency),
        )
    return invitation


def _require_counter(invitation: Invitation) -> None:
    if invitation.status != Status.COUNTERED:
        raise InvalidTransition(
            _("There is no counter-offer to answer: the invitation is “%(status)s”.")
            % {"status": invitation.get_status_display()}
        )
    if invitation.expires_at <= timezone.now():
        raise InvalidTransition(
            _("This invitation expired on %(date)s.") % {"date": _date(invitation.expires_at)}
        )


def invitation_counter_accept(*, invitation: Invitation, by_user: User) -> Collaboration:
    """The organization agrees to the creator's fee; the collaboration starts with it frozen."""
    require_org_manager(organization=invitation.campaign.organization_id, user=by_user)
    with transaction.atomic():
        invitation = _locked(invitation)
        _require_counter(invitation)
        campaign = invitation.campaign
        if not campaign.is_paid and invitation.counter_fee > 0:
            # Sent before volunteer briefs refused fees: the organization can only decline it.
            raise InvalidTransition(
                _(
                    "This is a volunteer brief: it cannot pay the %(fee)s of this counter-offer. "
                    "Decline it to keep the original offer."
                )
                % {"fee": format_money(invitation.counter_fee, campaign.currency)}
            )
        collaboration = _accept(
            invitation, by_user=by_user, fee=invitation.counter_fee, action="invitation.counter_accepted"
        )
        _tell_creator(
            invitation,
            "invitation.counter_accepted",
            url=collaboration.get_absolute_url(),
            fee=format_money(invitation.counter_fee, invitation.campaign.currency),
        )
    return collaboration


def invitation_counter_decline(*, invitation: Invitation, by_user: User) -> Invitation:
    """The organization keeps its original offer; the creator gets a fresh week to take it or not."""
    require_org_manager(organization=invitation.campaign.organization_id, user=by_user)
    with transaction.atomic():
        invitation = _locked(invitation)
        _require_counter(invitation)
        declined_fee = invitation.counter_fee
        invitation.counter_fee = None
        invitation.counter_message = ""
        invitation.expires_at = timezone.now() + timedelta(days=INVITATION_TTL_DAYS)
        transition(
            invitation,
            Status.PENDING,
            actor=by_user,
            action="invitation.counter_declined",
            data={"declined_counter_fee": str(declined_fee), "currency": invitation.campaign.currency},
            extra_fields=("counter_fee", "counter_message", "expires_at"),
        )
        _tell_creator(
            invitation,
            "invitation.counter_declined",
            key=f"invitation.counter_declined:{invitation.pk}:{int(invitation.expires_at.timestamp())}",
        )
    return invitation


def invitation_revoke(*, invitation: Invitation, by_user: User, reason: str = "") -> Invitation:
    require_org_manager(organization=invitation.campaign.organization_id, user=by_user)
    reason = (reason or "").strip()
    with transaction.atomic():
        invitation = _locked(invitation)
        if invitation.status == Status.REVOKED:
            return invitation
        transition(invitation, Status.REVOKED, actor=by_user, action="invitation.revoked", reason=reason)
        _tell_creator(invitation, "invitation.revoked", reason=reason)
    return invitation


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
            _expire(invitation)
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
            _tell_creator(invitation, "invitation.expiring", key=key)
        sent += 1
    return sent
