"""Applications: a creator asks to join a published brief; the organization reviews and decides."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.eligibility import check_eligibility
from campaigns.models import Application, Campaign, Collaboration, Invitation
from campaigns.notifications import notify_org
from campaigns.services.collaborations import collaboration_open
from campaigns.services.common import lock_campaign, require_creator, transition
from creators.models import CreatorProfile
from marketplace.errors import DomainError, InvalidTransition, ValidationFailed
from marketplace.models import User
from marketplace.money import format_money
from marketplace.services import audit_record, notify_user
from webhooks import events as webhook_events

A = Application.Status
PITCH_MAX_LENGTH = Application._meta.get_field("pitch").max_length


def fee_bounds(campaign: Campaign) -> tuple[Decimal, Decimal | None]:
    """The fee range a proposal may fall in without being a counter-offer.

    A brief without any fee (volunteer) offers 0, so asking for money there is a counter-offer.
    """
    low, high = campaign.fee_min, campaign.fee_max
    if low is None and high is None:
        return Decimal("0"), Decimal("0")
    return (low if low is not None else Decimal("0")), high


def is_counter_offer(*, campaign: Campaign, fee: Decimal | None) -> bool:
    if fee is None:
        return False
    low, high = fee_bounds(campaign)
    return fee < low or (high is not None and fee > high)


def volunteer_fee_refusal(*, campaign: Campaign, fee: Decimal | None, field: str) -> ValidationFailed | None:
    """A volunteer brief pays no fee: any fee above 0 asked or offered on it is refused."""
    if campaign.is_paid or fee is None or fee <= 0:
        return None
    return ValidationFailed(
        _(
            "This is a volunteer brief: it pays no fee, so %(fee)s cannot be asked or offered. "
            "Leave the fee empty or enter 0."
        )
        % {"fee": format_money(fee, campaign.currency)},
        field=field,
    )


def application_refusal(*, campaign: Campaign, creator: CreatorProfile, today=None) -> DomainError | None:
    """Why this creator cannot apply to this brief right now, or None.

    Views call it to explain the refusal before the creator types a pitch; application_create
    calls it again under the campaign lock.
    """
    today = today or timezone.localdate()
    if campaign.status != Campaign.Status.PUBLISHED:
        return InvalidTransition(
            _("This brief is not taking applications: it is %(status)s.")
            % {"status": campaign.get_status_display().lower()}
        )
    if campaign.application_deadline is not None and campaign.application_deadline < today:
        return InvalidTransition(
            _("The application deadline for this brief was %(date)s.")
            % {"date": formats.date_format(campaign.application_deadline)}
        )
    if Collaboration.objects.filter(campaign=campaign, creator=creator).exists():
        return ValidationFailed(_("You are already collaborating on this brief."))
    if Application.objects.filter(campaign=campaign, creator=creator).exists():
        return ValidationFailed(_("You already applied to this brief."))
    if Invitation.objects.filter(campaign=campaign, creator=creator, status__in=Invitation.OPEN).exists():
        return ValidationFailed(
            _("%(organization)s already invited you to this brief. Answer the invitation instead.")
            % {"organization": campaign.organization.name}
        )
    eligibility = check_eligibility(campaign=campaign, creator=creator)
    if not eligibility.eligible:
        return ValidationFailed(
            _("You do not meet the brief's rules yet: %(problems)s")
            % {"problems": " ".join(eligibility.problems)}
        )
    return None


def _clean_proposal(*, pitch: str, proposed_fee: Decimal | None) -> str:
    pitch = (pitch or "").strip()
    if not pitch:
        raise ValidationFailed(_("Tell the organization why you are a good fit."), field="pitch")
    if len(pitch) > PITCH_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the pitch under %(limit)s characters.") % {"limit": PITCH_MAX_LENGTH}, field="pitch"
        )
    if proposed_fee is not None and proposed_fee < 0:
        raise ValidationFailed(_("The fee cannot be negative."), field="proposed_fee")
    return pitch


def _already_applied() -> ValidationFailed:
    return ValidationFailed(_("You already applied to this brief."))


def application_create(
    *,
    campaign: Campaign,
    creator: CreatorProfile,
    by_user: User,
    pitch: str,
    proposed_fee: Decimal | None,
) -> Application:
    """Apply to a published brief before its deadline. A fee outside the brief's range is a counter-offer."""
    require_creator(creator=creator, user=by_user)
    pitch = _clean_proposal(pitch=pitch, proposed_fee=proposed_fee)
    with transaction.atomic():
        # The campaign lock serialises applying with invitations, closing and cancelling.
        campaign = lock_campaign(campaign.pk)
        creator = CreatorProfile.objects.prefetch_related("social_accounts").get(pk=creator.pk)
        refusal = application_refusal(campaign=campaign, creator=creator) or volunteer_fee_refusal(
            campaign=campaign, fee=proposed_fee, field="proposed_fee"
        )
        if refusal is not None:
            raise refusal
        counter = is_counter_offer(campaign=campaign, fee=proposed_fee)
        try:
            # A savepoint, so a lost race on the unique constraint leaves the outer transaction usable.
            with transaction.atomic():
                application = Application.objects.create(
                    campaign=campaign,
                    creator=creator,
                    pitch=pitch,
                    proposed_fee=proposed_fee,
                    is_counter_offer=counter,
                )
        except IntegrityError as error:
            raise _already_applied() from error
        audit_record(
            actor=by_user,
            action="application.created",
            target=application,
            to_status=application.status,
            data={
                "proposed_fee": None if proposed_fee is None else str(proposed_fee),
                "currency": campaign.currency,
                "counter_offer": counter,
            },
        )
        notify_org(
            organization=campaign.organization_id,
            kind="application.created",
            key=f"application.created:{application.pk}",
            params={"creator": creator.display_name, "campaign": campaign.title},
            url=reverse("campaigns:applicants", args=[campaign.pk]),
        )
        webhook_events.application_created(application)
    return application


def _locked(application: Application) -> Application:
    """Lock the campaign, then the application: the same order as every campaign-wide service."""
    lock_campaign(application.campaign_id)
    return (
        Application.objects.select_for_update()
        .select_related("campaign__organization", "creator__user")
        .get(pk=application.pk)
    )


def application_withdraw(*, application: Application, by_user: User) -> Application:
    require_creator(creator=application.creator, user=by_user)
    with transaction.atomic():
        application = _locked(application)
        if application.status == A.WITHDRAWN:
            return application
        transition(application, A.WITHDRAWN, actor=by_user, action="application.withdrawn")
    return application


def application_shortlist(*, application: Application, by_user: User, shortlisted: bool) -> Application:
    """Mark an open application as shortlisted, or put it back to pending. Repeating it is harmless."""
    require_org_manager(organization=application.campaign.organization_id, user=by_user)
    wanted = A.SHORTLISTED if shortlisted else A.PENDING
    with transaction.atomic():
        application = _locked(application)
        if application.status == wanted:
            return application
        transition(
            application,
            wanted,
            actor=by_user,
            action="application.shortlisted" if shortlisted else "application.unshortlisted",
        )
    return application


def application_accept(*, application: Application, by_user: User) -> Collaboration:
    """Accept an open application: the collaboration starts with the proposed (or brief's) fee frozen."""
    require_org_manager(organization=application.campaign.organization_id, user=by_user)
    with transaction.atomic():
        application = _locked(application)
        if not application.is_open:
            raise InvalidTransition(
                _("This application is “%(status)s” and can no longer be accepted.")
                % {"status": application.get_status_display()}
            )
        campaign = application.campaign
        fee = application.proposed_fee if application.proposed_fee is not None else campaign.brief_fee
        if not campaign.is_paid and fee > 0:
            # Asked before volunteer briefs refused fees: the organization can only decline it.
            raise InvalidTransition(
                _(
                    "This is a volunteer brief: it cannot pay the %(fee)s this application asks. "
                    "Decline it; the creator can apply again without a fee."
                )
                % {"fee": format_money(fee, campaign.currency)}
            )
        collaboration = collaboration_open(
            campaign=campaign,
            creator=application.creator,
            fee=fee,
            source=Collaboration.Source.APPLICATION,
            by_user=by_user,
            application=application,
        )
        application.decided_at = timezone.now()
        application.decided_by = by_user
        transition(
            application,
            A.ACCEPTED,
            actor=by_user,
            action="application.accepted",
            data={"fee": str(fee), "currency": campaign.currency, "collaboration": collaboration.pk},
            extra_fields=("decided_at", "decided_by"),
        )
        notify_user(
            user=application.creator.user,
            kind="application.accepted",
            key=f"application.accepted:{application.pk}",
            params={
                "organization": campaign.organization.name,
                "campaign": campaign.title,
                "fee": format_money(fee, campaign.currency),
            },
            url=collaboration.get_absolute_url(),
        )
    return collaboration


def application_decline(*, application: Application, by_user: User, reason: str = "") -> Application:
    require_org_manager(organization=application.campaign.organization_id, user=by_user)
    reason = (reason or "").strip()
    with transaction.atomic():
        application = _locked(application)
        application.decline_reason = reason
        application.decided_at = timezone.now()
        application.decided_by = by_user
        transition(
            application,
            A.DECLINED,
            actor=by_user,
            action="application.declined",
            reason=reason,
            extra_fields=("decline_reason", "decided_at", "decided_by"),
        )
        campaign = application.campaign
        notify_user(
            user=application.creator.user,
            kind="application.declined",
            key=f"application.declined:{application.pk}",
            params={"organization": campaign.organization.name, "campaign": campaign.title, "reason": reason},
            url=reverse("campaigns:my_offers"),
        )
    return application
