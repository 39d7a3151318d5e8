"""Answering an invitation.

Creator: accept, decline, or counter-offer (from PENDING). Organization: accept or decline the
counter (declining puts the original offer back), or revoke.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import Collaboration, Invitation
from campaigns.services.applications import volunteer_fee_refusal
from campaigns.services.collaborations import collaboration_open
from campaigns.services.common import lock_campaign, require_creator, transition
from campaigns.services.invitation_notices import format_date, tell_creator, tell_org
from campaigns.services.invitation_terms import INVITATION_TTL_DAYS, clean_fee, clean_message
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.money import format_money
from webhooks import events as webhook_events

Status = Invitation.Status


def _locked(invitation: Invitation) -> Invitation:
    """Lock the campaign, then the invitation: the same order as every campaign-wide service."""
    lock_campaign(invitation.campaign_id)
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
            _("This invitation expired on %(date)s.") % {"date": format_date(invitation.expires_at)}
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
        tell_org(invitation, "invitation.accepted", url=collaboration.get_absolute_url())
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
        tell_org(invitation, "invitation.declined")
    return invitation


def invitation_counter(
    *, invitation: Invitation, by_user: User, fee: Decimal | None, message: str = ""
) -> Invitation:
    """The creator proposes another fee. The organization gets a fresh week to answer."""
    require_creator(creator=invitation.creator, user=by_user)
    clean_fee(fee, field="fee")
    message = clean_message(message, field="message")
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
        tell_org(
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
            _("This invitation expired on %(date)s.") % {"date": format_date(invitation.expires_at)}
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
        tell_creator(
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
        tell_creator(
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
        tell_creator(invitation, "invitation.revoked", reason=reason)
    return invitation
