"""One function per event in the catalogue: what the services call, one line each, after the change.

Each builds its `data` lazily, so an organization without subscriptions costs one query.
Payload shapes are documented in docs/webhooks.md.
"""

from webhooks.models import EventType
from webhooks.services import emit


def _creator(profile) -> dict:
    return {"slug": profile.slug, "display_name": profile.display_name}


def application_created(application) -> None:
    campaign = application.campaign
    emit(
        campaign.organization_id,
        EventType.APPLICATION_CREATED,
        lambda: {
            "application": {
                "id": application.pk,
                "campaign": campaign.pk,
                "campaign_title": campaign.title,
                "creator": _creator(application.creator),
                "status": application.status,
                "proposed_fee": application.proposed_fee,
                "currency": campaign.currency,
                "is_counter_offer": application.is_counter_offer,
                "created_at": application.created_at,
            }
        },
    )


def invitation_accepted(invitation, collaboration, fee) -> None:
    campaign = invitation.campaign
    emit(
        campaign.organization_id,
        EventType.INVITATION_ACCEPTED,
        lambda: {
            "invitation": {
                "id": invitation.pk,
                "campaign": campaign.pk,
                "campaign_title": campaign.title,
                "creator": _creator(invitation.creator),
                "status": invitation.status,
                "responded_at": invitation.responded_at,
            },
            "collaboration": collaboration.pk,
            "fee": fee,
            "currency": campaign.currency,
        },
    )


def collaboration_status_changed(collaboration, from_status: str, to_status: str) -> None:
    campaign = collaboration.campaign
    emit(
        campaign.organization_id,
        EventType.COLLABORATION_STATUS_CHANGED,
        lambda: {
            "collaboration": {
                "id": collaboration.pk,
                "campaign": campaign.pk,
                "campaign_title": campaign.title,
                "creator": _creator(collaboration.creator),
            },
            "from_status": from_status,
            "to_status": to_status,
        },
    )


def submission_created(submission, collaboration) -> None:
    emit(
        collaboration.campaign.organization_id,
        EventType.SUBMISSION_CREATED,
        lambda: {
            "submission": {
                "id": submission.pk,
                "round": submission.round,
                "deliverable": submission.deliverable_id,
                "collaboration": collaboration.pk,
                "campaign": collaboration.campaign_id,
                "creator": _creator(collaboration.creator),
                "link": submission.link,
                "has_file": bool(submission.file),
                "created_at": submission.created_at,
            }
        },
    )


def payout_settled(payout) -> None:
    """payout.paid or payout.failed; other outcomes (unknown, still checking) send nothing."""
    kinds = {"paid": EventType.PAYOUT_PAID, "failed": EventType.PAYOUT_FAILED}
    if payout.status not in kinds:
        return
    collaboration = payout.collaboration
    emit(
        collaboration.campaign.organization_id,
        kinds[payout.status],
        lambda: {
            "payout": {
                "id": payout.pk,
                "collaboration": collaboration.pk,
                "campaign": collaboration.campaign_id,
                "creator": _creator(payout.creator),
                "amount": payout.amount,
                "currency": payout.currency,
                "status": payout.status,
                "paid_at": payout.paid_at,
                "failure_code": payout.failure_code,  # ours, never Stripe's raw message
            }
        },
    )
