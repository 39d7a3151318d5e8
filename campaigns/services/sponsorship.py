"""Brand sponsorship of NGO cause campaigns: invited by the NGO or offered by the brand, answered by
the other side, withdrawn by the side that sent it while nobody has answered.

    invited (by the NGO)  ─┬─ accepted (by the brand)
    offered (by the brand) ┤─ declined (by the other side)
                           └─ withdrawn (by the side that sent it)

An accepted sponsorship lets the sponsor's managers fund the campaign's escrow through Stripe
Checkout (payments.services.funding.sponsor_funding_start); unspent escrow is refunded to whoever
paid it (payments.services.refunds). The NGO keeps running the campaign.

Every service locks the campaign row first, then the sponsorship, like the other campaign services.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.models import Organization
from brands.permissions import can_manage_org, require_org_manager
from brands.verification_limits import SPONSORSHIP, unverified_limits_refusal
from campaigns.models import Campaign, Sponsorship
from campaigns.notifications import notify_org
from campaigns.services.common import lock_campaign
from marketplace.errors import DomainError, InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.money import format_money
from marketplace.services import audit_record
from payments.ledger import money

S = Sponsorship.Status

SPONSORABLE = (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED)
MESSAGE_MAX_LENGTH = 2000
# Far above any real sponsorship, well inside the amount column (16 digits, 2 decimals).
AMOUNT_MAX = Decimal("999999999999.99")


def verification_refusal(organization: Organization) -> DomainError | None:
    """Sponsorships are for verified organizations only, on both sides (brands.verification_limits)."""
    return unverified_limits_refusal(organization, action=SPONSORSHIP)


def campaign_refusal(campaign: Campaign) -> DomainError | None:
    """Why `campaign` takes no sponsors now, whoever the brand, or None."""
    ngo = campaign.organization
    if campaign.kind != Campaign.Kind.CAUSE or not ngo.is_ngo:
        return ValidationFailed(
            _("Only NGOs' cause campaigns take sponsors; “%(campaign)s” is a commercial brief.")
            % {"campaign": campaign.title}
        )
    if not campaign.is_paid:
        return ValidationFailed(
            _(
                "“%(campaign)s” is a volunteer campaign: it pays no fees, so there is nothing for a sponsor to fund."
            )
            % {"campaign": campaign.title}
        )
    if campaign.status not in SPONSORABLE:
        return InvalidTransition(
            _("Only draft and published campaigns take sponsors; “%(campaign)s” is %(status)s.")
            % {"campaign": campaign.title, "status": campaign.get_status_display().lower()}
        )
    return verification_refusal(ngo)


def sponsorship_refusal(*, campaign: Campaign, sponsor: Organization) -> DomainError | None:
    """Why `sponsor` cannot be invited to, or offer to, sponsor `campaign` now, or None.

    Pages call it to explain before anyone types an amount; the services call it again under the
    campaign lock."""
    refusal = campaign_refusal(campaign)
    if refusal is not None:
        return refusal
    if sponsor.pk == campaign.organization_id or sponsor.kind != Organization.Kind.BRAND:
        return ValidationFailed(
            _("Only brands sponsor campaigns, and %(org)s is not a brand.") % {"org": sponsor.name},
            field="sponsor",
        )
    refusal = verification_refusal(sponsor)
    if refusal is not None:
        return refusal
    existing = Sponsorship.objects.filter(
        campaign_id=campaign.pk, sponsor_id=sponsor.pk, status__in=Sponsorship.LIVE
    ).first()
    if existing is not None:
        return ValidationFailed(
            _(
                "%(sponsor)s already has a sponsorship of this campaign (%(status)s). Answer or withdraw it first."
            )
            % {"sponsor": sponsor.name, "status": existing.get_status_display().lower()},
            field="sponsor",
        )
    return None


def clean_amount(amount) -> Decimal:
    """The amount as money, or a ValidationFailed naming the field."""
    try:
        value = Decimal(str(amount)) if amount not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationFailed(_("Enter the amount as a number, for example 5000000."), field="amount")
    if value <= 0:
        raise ValidationFailed(_("Enter an amount above 0."), field="amount")
    if value > AMOUNT_MAX:
        raise ValidationFailed(
            _("Enter an amount of at most %(max)s.") % {"max": f"{AMOUNT_MAX:,.2f}"}, field="amount"
        )
    return money(value)


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(
            _("Keep the message under %(max)s characters; it has %(count)s.")
            % {"max": MESSAGE_MAX_LENGTH, "count": len(message)},
            field="message",
        )
    return message


def sponsorship_url(sponsorship: Sponsorship) -> str:
    return reverse("campaigns:sponsorship_detail", args=[sponsorship.pk])


def _params(sponsorship: Sponsorship, campaign: Campaign, *, other: str) -> dict:
    return {
        "other": other,
        "campaign": campaign.title,
        "amount": format_money(sponsorship.amount, sponsorship.currency),
    }


def _create(
    *, campaign: Campaign, sponsor: Organization, amount, message: str, by_user: User, status: str
) -> Sponsorship:
    amount = clean_amount(amount)
    message = _clean_message(message)
    with transaction.atomic():
        campaign = lock_campaign(campaign.pk)
        sponsor = Organization.objects.get(pk=sponsor.pk)
        refusal = sponsorship_refusal(campaign=campaign, sponsor=sponsor)
        if refusal is not None:
            raise refusal
        sponsorship = Sponsorship.objects.create(
            campaign=campaign,
            sponsor=sponsor,
            status=status,
            amount=amount,
            currency=campaign.currency,
            message=message,
            created_by=by_user,
        )
        action = "sponsorship.invited" if status == S.INVITED else "sponsorship.offered"
        audit_record(
            actor=by_user,
            action=action,
            target=sponsorship,
            to_status=status,
            data={"amount": str(amount), "currency": campaign.currency, "campaign": campaign.pk},
        )
        if status == S.INVITED:
            notify_org(
                organization=sponsor,
                kind=action,
                key=f"{action}:{sponsorship.pk}",
                params=_params(sponsorship, campaign, other=campaign.organization.name),
                url=sponsorship_url(sponsorship),
            )
        else:
            notify_org(
                organization=campaign.organization_id,
                kind=action,
                key=f"{action}:{sponsorship.pk}",
                params=_params(sponsorship, campaign, other=sponsor.name),
                url=sponsorship_url(sponsorship),
            )
    return sponsorship


def sponsorship_invite(
    *, campaign: Campaign, sponsor: Organization, amount, message: str, by_user: User
) -> Sponsorship:
    """The NGO invites a brand to sponsor its cause campaign with `amount` (the campaign currency)."""
    require_org_manager(organization=campaign.organization_id, user=by_user)
    return _create(
        campaign=campaign, sponsor=sponsor, amount=amount, message=message, by_user=by_user, status=S.INVITED
    )


def sponsorship_offer(
    *, campaign: Campaign, sponsor: Organization, amount, message: str, by_user: User
) -> Sponsorship:
    """A brand offers to sponsor an NGO's cause campaign with `amount` (the campaign currency)."""
    require_org_manager(organization=sponsor.pk, user=by_user)
    return _create(
        campaign=campaign, sponsor=sponsor, amount=amount, message=message, by_user=by_user, status=S.OFFERED
    )


def _locked(sponsorship: Sponsorship) -> tuple[Campaign, Sponsorship]:
    campaign = lock_campaign(sponsorship.campaign_id)
    locked = (
        Sponsorship.objects.select_for_update(of=("self",)).select_related("sponsor").get(pk=sponsorship.pk)
    )
    locked.campaign = campaign
    return campaign, locked


def _require_open(sponsorship: Sponsorship) -> None:
    if sponsorship.status not in Sponsorship.OPEN:
        raise InvalidTransition(
            _("This sponsorship is “%(status)s”: nobody can answer or withdraw it any more.")
            % {"status": sponsorship.get_status_display()}
        )


def _require_answerer(sponsorship: Sponsorship, by_user: User) -> None:
    if sponsorship.status == S.INVITED:
        if not can_manage_org(by_user, sponsorship.sponsor_id):
            raise PermissionDeniedError(
                _(
                    "%(sponsor)s answers this invitation: owners and managers of that brand accept or decline it."
                )
                % {"sponsor": sponsorship.sponsor.name}
            )
    elif not can_manage_org(by_user, sponsorship.campaign.organization_id):
        raise PermissionDeniedError(
            _("%(ngo)s answers this offer: owners and managers of that NGO accept or decline it.")
            % {"ngo": sponsorship.campaign.organization.name}
        )


def _answer(*, sponsorship: Sponsorship, by_user: User, to_status: str) -> Sponsorship:
    with transaction.atomic():
        campaign, sponsorship = _locked(sponsorship)
        _require_open(sponsorship)
        _require_answerer(sponsorship, by_user)
        if to_status == S.ACCEPTED:
            if campaign.status not in SPONSORABLE:
                raise InvalidTransition(
                    _("“%(campaign)s” is %(status)s: it no longer takes sponsors. Decline instead.")
                    % {"campaign": campaign.title, "status": campaign.get_status_display().lower()}
                )
            for organization in (campaign.organization, sponsorship.sponsor):
                refusal = verification_refusal(organization)
                if refusal is not None:
                    raise refusal
        sent_by_ngo = sponsorship.status == S.INVITED
        from_status = sponsorship.status
        sponsorship.status = to_status
        sponsorship.decided_by = by_user
        sponsorship.decided_at = timezone.now()
        sponsorship.save(update_fields=["status", "decided_by", "decided_at"])
        action = f"sponsorship.{to_status}"
        audit_record(
            actor=by_user,
            action=action,
            target=sponsorship,
            from_status=from_status,
            to_status=to_status,
            data={"amount": str(sponsorship.amount), "currency": sponsorship.currency},
        )
        # The side that sent it hears the answer, worded with the answering side's name.
        sender = campaign.organization_id if sent_by_ngo else sponsorship.sponsor_id
        answerer = sponsorship.sponsor.name if sent_by_ngo else campaign.organization.name
        notify_org(
            organization=sender,
            kind=action,
            key=f"{action}:{sponsorship.pk}",
            params=_params(sponsorship, campaign, other=answerer),
            url=sponsorship_url(sponsorship),
        )
    return sponsorship


def sponsorship_accept(*, sponsorship: Sponsorship, by_user: User) -> Sponsorship:
    """The other side accepts: the brand an invitation, the NGO an offer. The sponsor may then fund."""
    return _answer(sponsorship=sponsorship, by_user=by_user, to_status=S.ACCEPTED)


def sponsorship_decline(*, sponsorship: Sponsorship, by_user: User) -> Sponsorship:
    """The other side declines: the brand an invitation, the NGO an offer."""
    return _answer(sponsorship=sponsorship, by_user=by_user, to_status=S.DECLINED)


def sponsorship_withdraw(*, sponsorship: Sponsorship, by_user: User) -> Sponsorship:
    """The side that sent it takes it back while it is still open."""
    with transaction.atomic():
        campaign, sponsorship = _locked(sponsorship)
        _require_open(sponsorship)
        sent_by_ngo = sponsorship.status == S.INVITED
        sender = campaign.organization if sent_by_ngo else sponsorship.sponsor
        if not can_manage_org(by_user, sender.pk):
            raise PermissionDeniedError(
                _("Only owners and managers of %(org)s, which sent it, can withdraw this sponsorship.")
                % {"org": sender.name}
            )
        from_status = sponsorship.status
        sponsorship.status = S.WITHDRAWN
        sponsorship.decided_by = by_user
        sponsorship.decided_at = timezone.now()
        sponsorship.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=by_user,
            action="sponsorship.withdrawn",
            target=sponsorship,
            from_status=from_status,
            to_status=S.WITHDRAWN,
        )
        other = sponsorship.sponsor_id if sent_by_ngo else campaign.organization_id
        notify_org(
            organization=other,
            kind="sponsorship.withdrawn",
            key=f"sponsorship.withdrawn:{sponsorship.pk}",
            params=_params(sponsorship, campaign, other=sender.name),
            url=sponsorship_url(sponsorship),
        )
    return sponsorship
