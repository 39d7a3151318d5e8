"""Campaign money: funding through Stripe Checkout, reserving fees, paying creators' dues, refunds.

The flow, in ledger terms (see payments/ledger.py for signs):
- funding: Stripe clearing ↑, campaign escrow ↑ (for creators), platform revenue ↑ (the fee);
- accepting a paid collaboration reserves its fee inside the escrow (refused when not funded);
- a cancelled collaboration releases it; a completed one makes it owed to the creator and opens
  a payout request for staff review (payments.services.payouts);
- closing or cancelling a campaign refunds the unspent escrow, with its share of the fee.

Escrow is credited only from a verified `checkout.session.completed` webhook, with the Checkout
Session fetched again from Stripe and found paid, once per session (the ledger reference is unique).
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Collaboration
from marketplace.errors import DomainError, InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.money import format_money
from marketplace.services import absolute_url, audit_record
from payments import gateway
from payments.ledger import ZERO, Leg, campaign_totals, escrow_available, escrow_reserved, money, post
from payments.models import Account, CampaignFunding, CampaignRefund, FeeRate, LedgerTransaction, Payout

Kind = LedgerTransaction.Kind


class FundingRequired(DomainError):
    code = "funding_required"


def fee_rate_kind(campaign: Campaign) -> str:
    if not campaign.is_paid:
        return FeeRate.VOLUNTEER
    return FeeRate.NGO if campaign.organization.is_ngo else FeeRate.BRAND


def fee_rate(campaign: Campaign) -> Decimal:
    """The platform fee on top of what creators receive: configurable, lower for NGOs, 0 for volunteers."""
    return {
        FeeRate.BRAND: settings.PLATFORM_FEE_RATE_BRAND,
        FeeRate.NGO: settings.PLATFORM_FEE_RATE_NGO,
        FeeRate.VOLUNTEER: Decimal("0"),
    }[fee_rate_kind(campaign)]


def funding_needed(campaign: Campaign) -> Decimal:
    """What the slots still need in escrow: fee × slots, minus what is funded (net of refunds)
    and not spent on cancelled work."""
    from campaigns.services.applications import campaign_fee

    if not campaign.is_paid:
        return ZERO
    totals = campaign_totals(campaign_id=campaign.pk).get(campaign.currency, {})
    held = totals.get("available", ZERO) + totals.get("reserved", ZERO) + totals.get("owed", ZERO)
    held += totals.get("paid", ZERO)
    return max(ZERO, money(campaign_fee(campaign) * campaign.slots) - held)


def _require_manager(campaign: Campaign, user) -> None:
    from campaigns.services.common import require_org_manager

    require_org_manager(organization=campaign.organization_id, user=user)


def funding_start(
    *, campaign: Campaign, by_user, amount: Decimal | None = None, site_url: str = ""
) -> CampaignFunding:
    """Open a Stripe Checkout Session for the escrow the campaign still needs, plus the fee.

    `site_url` is where Stripe sends the brand back (the request's own host; SITE_URL by default).
    """
    _require_manager(campaign, by_user)
    if not campaign.is_paid:
        raise InvalidTransition(_("A volunteer campaign has no fees to fund."))
    if campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
        raise InvalidTransition(
            _("Only draft and published campaigns can be funded; this one is %(status)s.")
            % {"status": campaign.get_status_display().lower()}
        )
    needed = funding_needed(campaign)
    amount = needed if amount is None else money(amount)
    if amount <= 0:
        raise ValidationFailed(
            _("The campaign is fully funded for its %(slots)s slots.") % {"slots": campaign.slots},
            field="amount",
        )
    rate = fee_rate(campaign)
    funding = CampaignFunding.objects.create(
        campaign=campaign,
        created_by=by_user,
        escrow_amount=amount,
        fee_amount=money(amount * rate),
        fee_rate=rate,
        currency=campaign.currency,
    )
    audit_record(
        actor=by_user,
        action="funding.started",
        target=funding,
        data={"escrow": str(amount), "fee": str(funding.fee_amount), "currency": funding.currency},
    )
    return funding_checkout(funding=funding, site_url=site_url)


def funding_checkout(*, funding: CampaignFunding, site_url: str = "") -> CampaignFunding:
    """Create (or, with the same idempotency key, find again) the funding's Checkout Session.

    Called outside any transaction: no row stays locked while Stripe answers.
    """
    if funding.checkout_session_id:
        return funding

    def link(path: str) -> str:
        return site_url.rstrip("/") + path if site_url else absolute_url(path)

    spend = reverse("payments:campaign_spend", args=[funding.campaign_id])
    session = gateway.checkout_session_create(
        amount=funding.total,
        currency=funding.currency,
        name=_("Kolabo campaign: %(title)s") % {"title": funding.campaign.title},
        success_url=link(reverse("payments:funding_return", args=[funding.pk]))
        + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=link(spend),
        reference=f"funding-{funding.pk}",
        metadata={"funding": str(funding.pk), "campaign": str(funding.campaign_id)},
        idempotency_key=f"funding-{funding.pk}",
    )
    CampaignFunding.objects.filter(pk=funding.pk).update(
        checkout_session_id=session.id, checkout_url=session.url
    )
    funding.checkout_session_id, funding.checkout_url = session.id, session.url
    return funding


def funding_confirm(*, session_id: str) -> CampaignFunding | None:
    """Credit the escrow once Stripe says the session is paid. Safe to call any number of times."""
    funding = CampaignFunding.objects.filter(checkout_session_id=session_id).first()
    if funding is None:
        return None
    session = gateway.checkout_session_retrieve(session_id)
    if session.status != "complete" or session.payment_status != "paid":
        return funding
    if (
        session.amount_total != gateway.to_minor(funding.total, funding.currency)
        or session.currency != funding.currency
    ):
        audit_record(
            actor=None,
            action="funding.amount_mismatch",
            target=funding,
            data={"stripe_amount": session.amount_total, "stripe_currency": session.currency},
        )
        return funding
    with transaction.atomic():
        funding = CampaignFunding.objects.select_for_update().get(pk=funding.pk)
        if funding.status == CampaignFunding.Status.PAID:
            return funding
        funding.status = CampaignFunding.Status.PAID
        funding.paid_at = timezone.now()
        funding.payment_intent_id = session.payment_intent or ""
        funding.save(update_fields=["status", "paid_at", "payment_intent_id"])
        _post_funding(funding, reference=f"funding:{funding.pk}", memo=f"checkout {session_id}")
        audit_record(actor=None, action="funding.paid", target=funding, data={"session": session_id})
    return funding


def _post_funding(funding: CampaignFunding, *, reference: str, memo: str, by_user=None) -> None:
    campaign_id = funding.campaign_id
    post(
        kind=Kind.FUNDING,
        reference=reference,
        currency=funding.currency,
        campaign_id=campaign_id,
        memo=memo,
        by_user=by_user,
        legs=[
            Leg(Account.STRIPE_CLEARING, funding.total, campaign_id),
            Leg(Account.CAMPAIGN_ESCROW, -funding.escrow_amount, campaign_id),
            Leg(Account.PLATFORM_REVENUE, -funding.fee_amount, campaign_id),
        ],
    )


def funding_record_offline(*, campaign: Campaign, amount: Decimal, by_user, note: str) -> CampaignFunding:
    """Staff record money that reached Kolabo outside Stripe (a bank transfer), fee included."""
    if not by_user.is_staff:
        raise PermissionDeniedError(_("Only Kolabo staff can record an offline payment."))
    if money(amount) <= 0:
        raise ValidationFailed(_("Enter an amount above 0."), field="amount")
    if not note.strip():
        raise ValidationFailed(_("Say where the money came from (bank reference)."), field="note")
    return funding_record_paid(campaign=campaign, amount=amount, note=note.strip(), by_user=by_user)


def funding_record_paid(*, campaign: Campaign, amount: Decimal, note: str, by_user=None) -> CampaignFunding:
    """Book a payment already received (no Stripe session): the escrow part `amount` plus the fee.
    Callers check who may do this (funding_record_offline for staff; demo and test data)."""
    amount = money(amount)
    rate = fee_rate(campaign)
    with transaction.atomic():
        funding = CampaignFunding.objects.create(
            campaign=campaign,
            created_by=by_user,
            status=CampaignFunding.Status.PAID,
            escrow_amount=amount,
            fee_amount=money(amount * rate),
            fee_rate=rate,
            currency=campaign.currency,
            paid_at=timezone.now(),
        )
        _post_funding(funding, reference=f"funding:{funding.pk}", memo=note, by_user=by_user)
        audit_record(actor=by_user, action="funding.recorded", target=funding, reason=note)
    return funding


# Collaborations


def collaboration_fee_reserve(*, collaboration: Collaboration, by_user) -> None:
    """Reserve the agreed fee for a just-accepted collaboration, inside the acceptance transaction
    (which holds the campaign row lock, so two acceptances cannot spend the same money)."""
    if collaboration.fee <= 0:
        return
    campaign = collaboration.campaign
    available = escrow_available(campaign_id=campaign.pk, currency=collaboration.currency)
    if available < collaboration.fee:
        raise FundingRequired(
            _(
                "Fund this campaign first: accepting needs %(fee)s in escrow and %(available)s is "
                "available. Use “Fund this campaign” on the campaign page."
            )
            % {
                "fee": format_money(collaboration.fee, collaboration.currency),
                "available": format_money(available, collaboration.currency),
            }
        )
    post(
        kind=Kind.RESERVE,
        reference=f"reserve:{collaboration.pk}",
        currency=collaboration.currency,
        campaign_id=campaign.pk,
        collaboration_id=collaboration.pk,
        by_user=by_user,
        legs=[
            Leg(Account.CAMPAIGN_ESCROW, collaboration.fee, campaign.pk),
            Leg(Account.CAMPAIGN_ESCROW, -collaboration.fee, campaign.pk, collaboration.pk),
        ],
    )


def collaboration_fee_release(*, collaboration: Collaboration, by_user, refund: bool = True) -> None:
    """A cancelled collaboration's reserved fee goes back to the campaign's available escrow, and
    to the brand (`refund`) when the campaign no longer takes creators."""
    reserved = escrow_reserved(collaboration_id=collaboration.pk)
    if reserved <= 0:
        return
    campaign_id = collaboration.campaign_id
    post(
        kind=Kind.RELEASE,
        reference=f"release:{collaboration.pk}",
        currency=collaboration.currency,
        campaign_id=campaign_id,
        collaboration_id=collaboration.pk,
        by_user=by_user,
        legs=[
            Leg(Account.CAMPAIGN_ESCROW, reserved, campaign_id, collaboration.pk),
            Leg(Account.CAMPAIGN_ESCROW, -reserved, campaign_id),
        ],
    )
    campaign = Campaign.objects.get(pk=campaign_id)
    if refund and campaign.status not in (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED):
        campaign_refund_unspent(campaign=campaign, by_user=by_user)


def collaboration_payable(*, collaboration: Collaboration) -> Payout | None:
    """A completed collaboration: its reserved fee becomes owed to the creator, and a payout
    request waits for staff review. Idempotent (the ledger reference and the live-payout rule)."""
    reserved = escrow_reserved(collaboration_id=collaboration.pk)
    if reserved <= 0:
        return None
    campaign_id = collaboration.campaign_id
    with transaction.atomic():
        posted = post(
            kind=Kind.PAYABLE,
            reference=f"payable:{collaboration.pk}",
            currency=collaboration.currency,
            campaign_id=campaign_id,
            collaboration_id=collaboration.pk,
            legs=[
                Leg(Account.CAMPAIGN_ESCROW, reserved, campaign_id, collaboration.pk),
                Leg(
                    Account.CREATOR_PAYABLE,
                    -reserved,
                    campaign_id,
                    collaboration.pk,
                    collaboration.creator_id,
                ),
            ],
        )
        if posted is None:
            return None
        from payments.services.payouts import payout_request

        return payout_request(collaboration=collaboration, amount=reserved)


# Refunds


def campaign_refund_unspent(*, campaign: Campaign, by_user=None) -> list[CampaignRefund]:
    """Refund what the campaign funded and will not spend, with the matching share of the fee.

    Split over the campaign's Stripe payments, newest first, never above what each can still give
    back. The ledger moves the money to "refunds due" now; each Stripe refund settles its part.
    """
    refunds: list[CampaignRefund] = []
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").get()
        unspent = escrow_available(campaign_id=campaign.pk, currency=campaign.currency)
        if unspent <= 0:
            return refunds
        fundings = list(
            CampaignFunding.objects.filter(campaign=campaign, status=CampaignFunding.Status.PAID).order_by(
                "-paid_at", "-pk"
            )
        )
        left = unspent
        for funding in fundings:
            if left <= 0:
                break
            escrow_part = min(left, funding.escrow_amount - funding.escrow_refunded)
            if escrow_part <= 0:
                continue
            refund = CampaignRefund.objects.create(
                campaign=campaign,
                funding=funding,
                escrow_amount=escrow_part,
                fee_amount=money(escrow_part * funding.fee_rate),
                currency=funding.currency,
            )
            post(
                kind=Kind.REFUND_DUE,
                reference=f"refund-due:{refund.pk}",
                currency=refund.currency,
                campaign_id=campaign.pk,
                by_user=by_user,
                legs=[
                    Leg(Account.CAMPAIGN_ESCROW, refund.escrow_amount, campaign.pk),
                    Leg(Account.PLATFORM_REVENUE, refund.fee_amount, campaign.pk),
                    Leg(Account.REFUNDS, -refund.total, campaign.pk),
                ],
            )
            refunds.append(refund)
            left -= escrow_part
        for refund in refunds:
            transaction.on_commit(lambda pk=refund.pk: _queue_refund(pk))
    return refunds


def _queue_refund(refund_id: int) -> None:
    from payments.tasks import refund_send

    refund_send.delay(refund_id)


def refund_send(*, refund_id: int) -> str:
    """Send one refund to Stripe (idempotency key refund-<id>); offline fundings settle at once."""
    refund = CampaignRefund.objects.select_related("funding").get(pk=refund_id)
    if refund.status == CampaignRefund.Status.PAID:
        return refund.status
    if refund.funding.payment_intent_id:
        result = gateway.refund_create(
            payment_intent=refund.funding.payment_intent_id,
            amount=refund.total,
            currency=refund.currency,
            metadata={"refund": str(refund.pk), "campaign": str(refund.campaign_id)},
            idempotency_key=f"refund-{refund.pk}",
        )
        stripe_id = result["id"]
    else:
        stripe_id = ""  # recorded offline: staff return it the way it came
    with transaction.atomic():
        refund = CampaignRefund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == CampaignRefund.Status.PAID:
            return refund.status
        refund.status = CampaignRefund.Status.PAID
        refund.stripe_refund_id = stripe_id
        refund.paid_at = timezone.now()
        refund.save(update_fields=["status", "stripe_refund_id", "paid_at"])
        post(
            kind=Kind.REFUND_PAID,
            reference=f"refund-paid:{refund.pk}",
            currency=refund.currency,
            campaign_id=refund.campaign_id,
            legs=[
                Leg(Account.REFUNDS, refund.total, refund.campaign_id),
                Leg(Account.STRIPE_CLEARING, -refund.total, refund.campaign_id),
            ],
        )
    return refund.status
