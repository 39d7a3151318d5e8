"""Acceptance: the single place where an application or invitation becomes a Collaboration."""

from decimal import Decimal

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from campaigns import tasks
from campaigns.models import Campaign, Collaboration, CollaborationDeliverable
from campaigns.notifications import notify_org
from campaigns.services.common import lock_campaign
from creators.models import CreatorProfile
from marketplace.errors import InvalidTransition
from marketplace.models import User
from marketplace.queueing import enqueue_on_commit
from marketplace.services import audit_record, notify_user
from payments import services as payments
from tracking import links as tracked_links
from webhooks import events as webhook_events

D = CollaborationDeliverable.Status
C = Collaboration.Status


def slots_taken(campaign: Campaign) -> int:
    return campaign.collaborations.exclude(status=C.CANCELLED).count()


def acceptance_refusal(campaign: Campaign, *, taken: int) -> str:
    """Why nobody can be accepted on the campaign now ("" when someone can); `taken` is
    slots_taken(campaign). Shared by collaboration_open and the applicant pages."""
    if campaign.status != Campaign.Status.PUBLISHED:
        return _("Creators can only be accepted while the campaign is published.")
    if taken >= campaign.slots:
        return ngettext(
            "The only slot of this campaign is filled. Add a slot or decline the others.",
            "All %(slots)s slots of this campaign are filled. Add a slot or decline the others.",
            campaign.slots,
        ) % {"slots": campaign.slots}
    return ""


def collaboration_open(
    *,
    campaign: Campaign,
    creator: CreatorProfile,
    fee: Decimal,
    source: str,
    by_user: User,
    application=None,
    invitation=None,
) -> Collaboration:
    """Create the collaboration with the fee frozen. Call inside the accepting service's transaction.

    The campaign row is locked first, so two managers accepting the last slot at the same moment
    are serialised: the second one sees the slot taken and is refused.
    """
    assert transaction.get_connection().in_atomic_block, "collaboration_open needs the caller's transaction"
    campaign = lock_campaign(campaign.pk)
    taken = slots_taken(campaign)
    if refusal := acceptance_refusal(campaign, taken=taken):
        raise InvalidTransition(refusal)
    if Collaboration.objects.filter(campaign=campaign, creator=creator).exists():
        raise InvalidTransition(
            _("%(creator)s already works on this campaign.") % {"creator": creator.display_name}
        )
    collaboration = Collaboration.objects.create(
        campaign=campaign,
        creator=creator,
        source=source,
        application=application,
        invitation=invitation,
        fee=fee,
        currency=campaign.currency,
        due_date=campaign.content_due_date,
        accepted_by=by_user,
    )
    CollaborationDeliverable.objects.bulk_create(
        CollaborationDeliverable(collaboration=collaboration, spec=spec, number=number)
        for spec in campaign.deliverables.all()
        for number in range(1, spec.quantity + 1)
    )
    audit_record(
        actor=by_user,
        action="collaboration.started",
        target=collaboration,
        to_status=collaboration.status,
        data={"fee": str(fee), "currency": campaign.currency, "source": source, "slot": taken + 1},
    )
    payments.collaboration_fee_reserve(collaboration=collaboration, by_user=by_user)
    tracked_links.link_for_collaboration(collaboration)
    params = {
        "campaign": campaign.title,
        "creator": creator.display_name,
        "organization": campaign.organization.name,
        "due": formats.date_format(campaign.content_due_date) if campaign.content_due_date else "—",
    }
    url = collaboration.get_absolute_url()
    key = f"collaboration.started:{collaboration.pk}"
    notify_user(user=creator.user, kind="collaboration.started", key=key, params=params, url=url)
    notify_org(
        organization=campaign.organization_id, kind="collaboration.started", key=key, params=params, url=url
    )
    return collaboration


def summary_status(statuses: list[str]) -> str:
    """The collaboration status that its deliverables add up to.

    Whatever needs the creator first (changes, missing drafts), then what needs the organization.
    """
    if not statuses:
        return C.ACTIVE
    for deliverable_status, collaboration_status in (
        (D.CHANGES_REQUESTED, C.CHANGES_REQUESTED),
        (D.PENDING, C.ACTIVE),
        (D.SUBMITTED, C.SUBMITTED),
        (D.APPROVED, C.APPROVED),
        (D.PUBLISHED, C.PUBLISHED),
    ):
        if deliverable_status in statuses:
            return collaboration_status
    return C.COMPLETED


def collaboration_refresh_status(
    *, collaboration: Collaboration, actor: User | None, reason: str = ""
) -> str:
    """Recompute a live collaboration's status from its deliverables (caller holds the lock)."""
    if collaboration.status not in Collaboration.LIVE:
        return collaboration.status
    new_status = summary_status(list(collaboration.deliverables.values_list("status", flat=True)))
    if new_status != collaboration.status:
        from_status = collaboration.status
        collaboration.status = new_status
        fields = ["status"]
        if new_status == C.COMPLETED:
            collaboration.completed_at = timezone.now()
            fields.append("completed_at")
        collaboration.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="collaboration.status_changed",
            target=collaboration,
            from_status=from_status,
            to_status=new_status,
            reason=reason,
        )
        webhook_events.collaboration_status_changed(collaboration, from_status, new_status)
    return new_status


def queue_campaign_completion_check(*, campaign_id: int) -> None:
    """After commit, see whether a closed campaign is now finished.

    Runs as its own task so the campaign row is never locked while a collaboration is held,
    which keeps the lock order (campaign before collaboration) the same everywhere.
    """
    enqueue_on_commit(tasks.campaign_complete_if_finished, campaign_id)
