"""Invitations: an organization offers a creator a place on a brief (one creator, or many at once).

The creator's answers are in invitation_answers, expiry and reminders in invitation_expiry.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.permissions import require_org_manager
from brands.verification_limits import INVITE, unverified_limits_refusal
from campaigns import tasks
from campaigns.eligibility import check_eligibility
from campaigns.models import Application, Campaign, Collaboration, Invitation
from campaigns.services.applications import volunteer_fee_refusal
from campaigns.services.common import lock_campaign
from campaigns.services.invitation_answers import (
    invitation_accept,
    invitation_counter,
    invitation_counter_accept,
    invitation_counter_decline,
    invitation_decline,
    invitation_revoke,
)
from campaigns.services.invitation_expiry import (
    expire_locked,
    invitations_expire_due,
    invitations_remind_expiring,
)
from campaigns.services.invitation_notices import notice_for
from campaigns.services.invitation_terms import INVITATION_TTL_DAYS, clean_fee, clean_message
from creators.models import CreatorProfile
from creators.selectors import creators_listed_for
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import AuditEvent, Notification, User
from marketplace.notifications import CREATOR, for_audience
from marketplace.queueing import enqueue_on_commit

# The answer and expiry services are re-exported for the old import path, which tests still use;
# app code imports them from their own module.
__all__ = [
    "ALREADY_APPLIED",
    "ALREADY_INVITED",
    "AT_CAPACITY",
    "COLLABORATING",
    "INELIGIBLE",
    "INVITATION_TTL_DAYS",
    "INVITED",
    "NOT_FOUND",
    "InviteResult",
    "invitation_accept",
    "invitation_counter",
    "invitation_counter_accept",
    "invitation_counter_decline",
    "invitation_create",
    "invitation_create_many",
    "invitation_decline",
    "invitation_revoke",
    "invitation_terms_clean",
    "invitations_expire_due",
    "invitations_remind_expiring",
    "require_published",
]

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


def invitation_terms_clean(
    *, campaign: Campaign, offered_fee: Decimal | None, message: str
) -> tuple[Decimal, str]:
    """The fee (the brief's own when None) and message of an invitation, checked before any write."""
    if offered_fee is None:
        offered_fee = campaign.brief_fee
    clean_fee(offered_fee, field="offered_fee")
    refusal = volunteer_fee_refusal(campaign=campaign, fee=offered_fee, field="offered_fee")
    if refusal is not None:
        raise refusal
    return offered_fee, clean_message(message, field="message")


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
        notice = notice_for(invitation, "invitation.created", "", "", {})
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

    An organization that is not verified sends at most UNVERIFIED_MAX_INVITATIONS_PER_BRIEF per
    brief (brands.verification_limits): when the new invitations would go past it, none is sent
    and the refusal says how many still can be.
    """
    require_org_manager(organization=campaign.organization_id, user=by_user)
    offered_fee, message = invitation_terms_clean(campaign=campaign, offered_fee=offered_fee, message=message)
    wanted_ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in creators))
    now = timezone.now()
    limit = settings.MAX_OPEN_INVITATIONS_PER_CREATOR

    with transaction.atomic():
        campaign = lock_campaign(campaign.pk)
        require_published(campaign)
        profiles = CreatorProfile.objects.prefetch_related("social_accounts").in_bulk(wanted_ids)
        # Another organization's unclaimed roster creators are private to it: to this brief they
        # do not exist (reported as not found, so an id reveals nothing).
        hidden = set(wanted_ids) - set(
            creators_listed_for(organization_id=campaign.organization_id)
            .filter(pk__in=wanted_ids)
            .values_list("pk", flat=True)
        )
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
                expire_locked(inv)
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
            creator = None if creator_id in hidden else profiles.get(creator_id)
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

        # Counted under the campaign lock, so two invites at once cannot both fit the last places.
        if to_create and (
            refusal := unverified_limits_refusal(
                campaign.organization, action=INVITE, campaign=campaign, count=len(to_create)
            )
        ):
            raise refusal
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
