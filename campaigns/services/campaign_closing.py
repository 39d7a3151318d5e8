"""Ending a campaign: close it, complete it once its collaborations are done, or cancel it.

Lock order, as in every campaign-wide service: the campaign first, then its open applications and
invitations (pk order), then its live collaborations. An accept racing a close or a cancel waits for
the campaign lock, then finds the campaign no longer published.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import (
    Application,
    Campaign,
    Collaboration,
    Dispute,
    Invitation,
)
from campaigns.notifications import notify_org
from campaigns.services.brief_checks import S
from campaigns.services.briefs import queue_recommendations_refresh
from campaigns.services.collaborations import queue_campaign_completion_check
from campaigns.services.common import lock_campaign, transition
from marketplace.errors import InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record, notify_user
from payments import services as payments
from webhooks import events as webhook_events


def _params(campaign: Campaign, **extra: str) -> dict[str, str]:
    return {"campaign": campaign.title, "organization": campaign.organization.name, **extra}


def _lock_open_offers(campaign: Campaign) -> tuple[list[Application], list[Invitation]]:
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("creator__user")
        .filter(campaign=campaign, status__in=Application.OPEN)
        .order_by("pk")
    )
    invitations = list(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("creator__user")
        .filter(campaign=campaign, status__in=Invitation.OPEN)
        .order_by("pk")
    )
    return applications, invitations


def _lock_campaign_and_offers(campaign: Campaign) -> tuple[Campaign, list[Application], list[Invitation]]:
    campaign = lock_campaign(campaign.pk)
    applications, invitations = _lock_open_offers(campaign)
    return campaign, applications, invitations


def _close_offers(
    *,
    applications: list[Application],
    invitations: list[Invitation],
    by_user: User,
    reason: str,
) -> None:
    now = timezone.now()
    for application in applications:
        application.decided_at = now
        application.decided_by = by_user
        transition(
            application,
            Application.Status.CLOSED,
            actor=by_user,
            action="application.closed",
            reason=reason,
            extra_fields=("decided_at", "decided_by"),
        )
    for invitation in invitations:
        invitation.responded_at = now
        transition(
            invitation,
            Invitation.Status.CLOSED,
            actor=by_user,
            action="invitation.closed",
            reason=reason,
            extra_fields=("responded_at",),
        )


def campaign_close(*, campaign: Campaign, by_user: User) -> Campaign:
    """Published → closed: no more applications. Open applications and invitations are closed and
    their creators told; accepted creators carry on with their collaborations."""
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign, applications, invitations = _lock_campaign_and_offers(campaign)
        campaign.closed_at = timezone.now()
        transition(campaign, S.CLOSED, actor=by_user, action="campaign.closed", extra_fields=("closed_at",))
        reason = _("The campaign has closed.")
        _close_offers(applications=applications, invitations=invitations, by_user=by_user, reason=reason)
        url = campaign.get_absolute_url()
        for application in applications:
            notify_user(
                user=application.creator.user,
                kind="application.closed",
                key=f"application.closed:{application.pk}",
                params=_params(campaign),
                url=url,
            )
        for invitation in invitations:
            notify_user(
                user=invitation.creator.user,
                kind="invitation.closed",
                key=f"invitation.closed:{invitation.pk}",
                params=_params(campaign, reason=reason),
                url=url,
            )
        queue_campaign_completion_check(campaign_id=campaign.pk)
        queue_recommendations_refresh(campaign_id=campaign.pk)
        payments.campaign_refund_unspent(campaign=campaign, by_user=by_user)
    return campaign


def campaign_complete_if_finished(*, campaign_id: int) -> bool:
    """Closed → completed once every collaboration has finished and at least one was completed.

    Safe to run any number of times: it only acts on a closed campaign.
    """
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != S.CLOSED:
            return False
        statuses = set(campaign.collaborations.values_list("status", flat=True))
        finished = {Collaboration.Status.COMPLETED, Collaboration.Status.CANCELLED}
        if Collaboration.Status.COMPLETED not in statuses or not statuses <= finished:
            return False
        transition(
            campaign,
            S.COMPLETED,
            actor=None,
            action="campaign.completed",
            reason=_("Every collaboration has finished."),
        )
        return True


def campaign_cancel(*, campaign: Campaign, by_user: User, reason: str) -> Campaign:
    """Draft, published or closed → cancelled, with a reason everyone affected reads.

    Open applications and invitations are closed; live collaborations are cancelled with the same
    reason. Refused while a dispute is open: staff decide that collaboration's outcome first.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Tell the creators why you cancel the campaign."), field="reason")
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign, applications, invitations = _lock_campaign_and_offers(campaign)
        if not campaign.can_transition(S.CANCELLED):
            raise InvalidTransition(
                _("A %(status)s campaign cannot be cancelled.")
                % {"status": campaign.get_status_display().lower()}
            )
        if Dispute.objects.filter(collaboration__campaign=campaign, status=Dispute.Status.OPEN).exists():
            raise InvalidTransition(
                _("A dispute on this campaign is open. Kolabo staff must resolve it before you can cancel.")
            )
        collaborations = list(
            Collaboration.objects.select_for_update(of=("self",))
            .select_related("creator__user")
            .filter(campaign=campaign, status__in=Collaboration.LIVE)
            .order_by("pk")
        )
        now = timezone.now()
        campaign.cancelled_at = now
        campaign.cancel_reason = reason
        transition(
            campaign,
            S.CANCELLED,
            actor=by_user,
            action="campaign.cancelled",
            reason=reason,
            extra_fields=("cancelled_at", "cancel_reason"),
        )
        _close_offers(applications=applications, invitations=invitations, by_user=by_user, reason=reason)
        for collaboration in collaborations:
            from_status = collaboration.status
            collaboration.status = Collaboration.Status.CANCELLED
            collaboration.cancelled_at = now
            collaboration.cancelled_by = by_user
            collaboration.cancel_reason = reason
            collaboration.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
            audit_record(
                actor=by_user,
                action="collaboration.cancelled",
                target=collaboration,
                from_status=from_status,
                to_status=Collaboration.Status.CANCELLED,
                reason=reason,
                data={
                    "fee": str(collaboration.fee),
                    "currency": collaboration.currency,
                    "campaign_cancelled": True,
                },
            )
            webhook_events.collaboration_status_changed(
                collaboration, from_status, Collaboration.Status.CANCELLED
            )
            payments.collaboration_fee_release(collaboration=collaboration, by_user=by_user, refund=False)
        payments.campaign_refund_unspent(campaign=campaign, by_user=by_user)

        # One notice per affected creator, whatever mix of offers and collaboration they had.
        key = f"campaign.cancelled:{campaign.pk}"
        params = _params(campaign, reason=reason)
        creators = {
            row.creator.user_id: row.creator.user for row in [*applications, *invitations, *collaborations]
        }
        for user_id in sorted(creators):
            notify_user(
                user=creators[user_id],
                kind="campaign.cancelled",
                key=key,
                params=params,
                url=campaign.get_absolute_url(),
            )
        if collaborations:
            notify_org(
                organization=campaign.organization_id,
                kind="campaign.cancelled",
                key=key,
                params=params,
                url=campaign.get_absolute_url(),
            )
        queue_recommendations_refresh(campaign_id=campaign.pk)
    return campaign
