"""Campaign funding: fee rates, what the escrow still needs, top-ups, Stripe Checkout, offline payments.

In ledger terms (see payments/ledger.py for signs), funding moves Stripe clearing ↑, campaign escrow ↑
(for creators), platform revenue ↑ (the fee).

Escrow is credited only from a verified `checkout.session.completed` webhook, with the Checkout
Session fetched again from Stripe and found paid, once per session (the ledger reference is unique).

A sponsor (a brand with an accepted campaigns.Sponsorship) pays into an NGO campaign's escrow the
same way (`sponsor_funding_start`); its funding posts SPONSOR_FUNDING naming the sponsor.

Commissions (payments.services.commissions) are paid from the same escrow once a window closes. Money
the escrow paid out as commissions is not money held for fees; commissions waiting for funding can be
topped up whatever the campaign's status (`commission_top_up`), and every credited funding pays
waiting commissions at once (`_after_credit`).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brands.permissions import require_org_manager
from campaigns.models import Application, Campaign, Collaboration, Invitation, Sponsorship
from marketplace import permissions as staff_permissions
from marketplace.errors import InvalidTransition, PermissionDeniedError, ValidationFailed
from marketplace.money import format_money
from marketplace.services import absolute_url, audit_record
from payments import gateway
from payments.ledger import ZERO, Leg, campaign_totals, money, post
from payments.models import (
    Account,
    CampaignFunding,
    FeeRate,
    LedgerEntry,
    LedgerTransaction,
    Payout,
)

Kind = LedgerTransaction.Kind
logger = logging.getLogger(__name__)


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


FUNDABLE = (Campaign.Status.DRAFT, Campaign.Status.PUBLISHED)
# How long after it was opened an unpaid Checkout Session is worth asking Stripe about (they expire
# after 24 hours), and at most how many per page view.
CHECKOUT_LOOKUP_WINDOW = timedelta(hours=24)
CHECKOUT_LOOKUP_LIMIT = 3
# funding_start's `offer` for a top-up of the commissions waiting for funding (commission_top_up).
COMMISSIONS_OFFER = "commissions"


@dataclass(frozen=True)
class FundingState:
    """Where a campaign's money stands in its currency, and what it still needs (3 queries)."""

    totals: dict[str, Decimal]  # ledger totals (payments.ledger.campaign_totals) in the campaign currency
    processing: Decimal  # paid at Stripe, waiting for the verified webhook to credit the escrow
    committed: Decimal  # agreed fees of the collaborations that are not cancelled
    open_slots: int
    brief_fee: Decimal
    fundable: bool  # paid, and draft or published: it may still take money
    # Commissions the escrow paid into creator payable, less those returned by a closed payout.
    commissions_out: Decimal = ZERO

    @property
    def held(self) -> Decimal:
        """Money in (or on its way to) the campaign for fees that is not refunded. Owed and paid
        count commissions too, but a commission is never a slot's fee: leave it out."""
        t = self.totals
        return t["available"] + t["reserved"] + t["owed"] + t["paid"] - self.commissions_out + self.processing

    @property
    def needed(self) -> Decimal:
        """What the slots still need in escrow: the accepted fees plus the brief's fee for each open slot."""
        if not self.fundable:
            return ZERO
        return max(ZERO, money(self.committed + self.brief_fee * self.open_slots) - self.held)

    def needed_with(self, fee: Decimal) -> Decimal:
        """What the escrow would need if an offer at `fee` took one of the open slots."""
        if not self.fundable or self.open_slots < 1:
            return ZERO
        need = self.committed + self.brief_fee * (self.open_slots - 1) + fee
        return max(ZERO, money(need) - self.held)


def _empty_totals() -> dict[str, Decimal]:
    return dict.fromkeys(
        ("funded", "available", "reserved", "owed", "paid", "refunded", "fees", "commissions"), ZERO
    )


def _commissions_returned(campaign_id: int, currency: str) -> Decimal:
    """Commission money a closed commission payout put back into the campaign's available escrow
    (PAYABLE_RETURNED payable-returned:<payout>, for payouts of kind commission). One query."""
    commission_payout = Payout.objects.annotate(
        ref=Concat(Value("payable-returned:"), Cast("pk", CharField()), output_field=CharField())
    ).filter(kind=Payout.Kind.COMMISSION, ref=OuterRef("transaction__reference"))
    total = (
        LedgerEntry.objects.filter(
            account=Account.CAMPAIGN_ESCROW,
            campaign_id=campaign_id,
            currency=currency,
            transaction__kind=Kind.PAYABLE_RETURNED,
        )
        .filter(Exists(commission_payout))
        .aggregate(total=Sum("amount"))["total"]
    )
    return -(total or ZERO)


def funding_state(campaign: Campaign) -> FundingState:
    totals = campaign_totals(campaign_id=campaign.pk).get(campaign.currency) or _empty_totals()
    commissions_out = totals["commissions"]
    if commissions_out > 0:  # one more query, only for campaigns that paid commissions
        commissions_out -= _commissions_returned(campaign.pk, campaign.currency)
    live = Collaboration.objects.filter(campaign_id=campaign.pk).exclude(
        status=Collaboration.Status.CANCELLED
    )
    taken = live.aggregate(count=Count("pk"), fees=Sum("fee"))
    processing = CampaignFunding.objects.filter(
        campaign_id=campaign.pk, status=CampaignFunding.Status.OPEN, paid_at__isnull=False
    ).aggregate(total=Sum("escrow_amount"))["total"]
    return FundingState(
        totals=totals,
        processing=processing or ZERO,
        committed=taken["fees"] or ZERO,
        open_slots=max(0, campaign.slots - taken["count"]),
        brief_fee=campaign.brief_fee,
        fundable=campaign.is_paid and campaign.status in FUNDABLE,
        commissions_out=commissions_out,
    )


def funding_needed(campaign: Campaign) -> Decimal:
    """What the slots still need in escrow: each accepted fee and the brief's fee per open slot,
    minus what is funded (net of refunds), spent, or paid at Stripe and being confirmed.
    Nothing for a volunteer campaign, nor for one that is closed, completed or cancelled."""
    return funding_state(campaign).needed


@dataclass(frozen=True)
class TopUp:
    """An open offer above the brief's fee that the escrow cannot cover yet: accepting it needs
    `amount` more in escrow (and the platform fee on it at checkout)."""

    offer: str  # "application:<id>" or "invitation:<id>"
    creator_name: str
    fee: Decimal
    above_brief: Decimal
    amount: Decimal
    fee_amount: Decimal
    url: str

    @property
    def total(self) -> Decimal:
        return self.amount + self.fee_amount


def funding_top_ups(campaign: Campaign, *, state: FundingState | None = None) -> list[TopUp]:
    """Open applications and counter-offers above the brief's fee that need a top-up before they
    can be accepted, largest first (2 queries, plus funding_state's when `state` is not given)."""
    if not campaign.is_paid or campaign.status != Campaign.Status.PUBLISHED:
        return []
    state = state or funding_state(campaign)
    if state.open_slots < 1:
        return []
    rate = fee_rate(campaign)
    offers = [
        (
            f"application:{a.pk}",
            a.creator.display_name,
            a.proposed_fee,
            reverse("campaigns:applicants", args=[campaign.pk]),
        )
        for a in Application.objects.filter(
            campaign_id=campaign.pk, status__in=Application.OPEN, proposed_fee__gt=state.brief_fee
        ).select_related("creator")
    ]
    offers += [
        (
            f"invitation:{i.pk}",
            i.creator.display_name,
            i.counter_fee if i.status == Invitation.Status.COUNTERED else i.offered_fee,
            reverse("campaigns:invitation_detail", args=[i.pk]),
        )
        # A counter-offer above the brief, or an invitation the organization sent above it.
        for i in Invitation.objects.filter(
            Q(status=Invitation.Status.COUNTERED, counter_fee__gt=state.brief_fee)
            | Q(status=Invitation.Status.PENDING, offered_fee__gt=state.brief_fee),
            campaign_id=campaign.pk,
            expires_at__gt=timezone.now(),
        ).select_related("creator")
    ]
    top_ups = []
    for offer, name, fee, url in offers:
        amount = state.needed_with(fee)
        if amount > 0:
            top_ups.append(TopUp(offer, name, fee, fee - state.brief_fee, amount, money(amount * rate), url))
    return sorted(top_ups, key=lambda t: (-t.amount, t.offer))


def commission_top_up(campaign: Campaign, *, state: FundingState | None = None) -> Decimal:
    """What the commissions waiting for funding still need in escrow (0 when none waits): their
    total less the escrow free to pay them. A campaign that takes creators keeps its escrow for its
    slots first; one that no longer does has only commissions left to pay. 1 query, plus
    funding_state's when `state` is not given."""
    from payments.services.commissions import commissions_waiting_total

    waiting = commissions_waiting_total(campaign_id=campaign.pk, currency=campaign.currency)
    if waiting <= 0:
        return ZERO
    state = state or funding_state(campaign)
    free = max(ZERO, state.totals["available"]) + state.processing
    if state.fundable:
        slots_need = state.committed + state.brief_fee * state.open_slots
        free = min(free, max(ZERO, state.held - slots_need))
    return max(ZERO, money(waiting - free))


def funding_start(
    *,
    campaign: Campaign,
    by_user,
    amount: Decimal | None = None,
    offer: str = "",
    site_url: str = "",
) -> CampaignFunding:
    """Open a Stripe Checkout Session for the escrow the campaign still needs, plus the fee.

    `offer` ("application:<id>" or "invitation:<id>", see funding_top_ups) tops the escrow up by
    exactly what accepting that offer needs; COMMISSIONS_OFFER by what the commissions waiting for
    funding need (commission_top_up). A closed, completed or cancelled campaign takes money only
    for those, and does so without an offer too. `site_url` is where Stripe sends the brand back
    (the request's own host; SITE_URL by default).
    """
    require_org_manager(organization=campaign.organization_id, user=by_user)
    state = funding_state(campaign)
    takes_money = campaign.is_paid and campaign.status in FUNDABLE
    if offer == COMMISSIONS_OFFER or (not offer and amount is None and not takes_money):
        amount = commission_top_up(campaign, state=state)
        if amount <= 0 and offer != COMMISSIONS_OFFER:
            _refuse_closed(campaign)
        if amount <= 0 and state.processing <= 0:
            raise ValidationFailed(
                _(
                    "No commission is waiting for funding: the escrow covers every commission creators earned."
                ),
                field="offer",
            )
        return _funding_open(
            campaign=campaign, by_user=by_user, state=state, amount=amount, site_url=site_url
        )
    _refuse_closed(campaign)
    if offer:
        top_up = next((t for t in funding_top_ups(campaign, state=state) if t.offer == offer), None)
        if top_up is None:
            raise ValidationFailed(
                _("This offer needs no top-up: it was answered, or the escrow already covers it."),
                field="offer",
            )
        amount = top_up.amount
    elif amount is None:
        amount = state.needed
    return _funding_open(campaign=campaign, by_user=by_user, state=state, amount=amount, site_url=site_url)


def _refuse_closed(campaign: Campaign) -> None:
    if not campaign.is_paid:
        raise InvalidTransition(_("A volunteer campaign has no fees to fund."))
    if campaign.status not in FUNDABLE:
        raise InvalidTransition(
            _("Only draft and published campaigns can be funded; this one is %(status)s.")
            % {"status": campaign.get_status_display().lower()}
        )


def _refuse_processing(processing: Decimal, currency: str) -> None:
    """Nothing is left to pay because a payment is on its way: say so rather than "fully funded"."""
    if processing > 0:
        raise ValidationFailed(
            _(
                "A payment of %(amount)s is being confirmed by Stripe; the escrow is credited as "
                "soon as it is. Reload the page in a moment."
            )
            % {"amount": format_money(processing, currency)},
            field="amount",
        )


def _new_funding(
    *, campaign: Campaign, amount: Decimal, by_user, sponsorship: Sponsorship | None = None, **fields
) -> CampaignFunding:
    """A CampaignFunding of `amount` escrow plus the campaign's fee on it (the caller audits it)."""
    rate = fee_rate(campaign)
    return CampaignFunding.objects.create(
        campaign=campaign,
        sponsorship=sponsorship,
        created_by=by_user,
        escrow_amount=amount,
        fee_amount=money(amount * rate),
        fee_rate=rate,
        currency=campaign.currency,
        **fields,
    )


def _checkout_open(
    *, campaign: Campaign, by_user, amount: Decimal, site_url: str, sponsorship: Sponsorship | None = None
) -> CampaignFunding:
    """Record the funding, audit it, then open its Checkout Session (outside any transaction)."""
    funding = _new_funding(campaign=campaign, amount=amount, by_user=by_user, sponsorship=sponsorship)
    data = {"escrow": str(amount), "fee": str(funding.fee_amount), "currency": funding.currency}
    if sponsorship is not None:
        data |= {"sponsorship": sponsorship.pk, "sponsor": sponsorship.sponsor_id}
    audit_record(actor=by_user, action="funding.started", target=funding, data=data)
    return funding_checkout(funding=funding, site_url=site_url)


def _funding_open(
    *, campaign: Campaign, by_user, state: FundingState, amount: Decimal, site_url: str
) -> CampaignFunding:
    amount = money(amount)
    if amount <= 0:
        _refuse_processing(state.processing, campaign.currency)
        raise ValidationFailed(
            ngettext(
                "The campaign is fully funded for its %(slots)s slot.",
                "The campaign is fully funded for its %(slots)s slots.",
                campaign.slots,
            )
            % {"slots": campaign.slots},
            field="amount",
        )
    return _checkout_open(campaign=campaign, by_user=by_user, amount=amount, site_url=site_url)


def funding_checkout(*, funding: CampaignFunding, site_url: str = "") -> CampaignFunding:
    """Create (or, with the same idempotency key, find again) the funding's Checkout Session.

    Called outside any transaction: no row stays locked while Stripe answers.
    """
    if funding.checkout_session_id:
        return funding

    def link(path: str) -> str:
        return site_url.rstrip("/") + path if site_url else absolute_url(path)

    if funding.sponsorship_id:
        # The sponsor is not a member of the NGO: it comes back to its own sponsorship page.
        back = reverse("campaigns:sponsorship_detail", args=[funding.sponsorship_id])
    else:
        back = reverse("payments:campaign_spend", args=[funding.campaign_id])
    try:
        session = gateway.checkout_session_create(
            amount=funding.total,
            currency=funding.currency,
            name=_("Kolabo campaign: %(title)s") % {"title": funding.campaign.title},
            success_url=link(reverse("payments:funding_return", args=[funding.pk]))
            + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=link(back),
            reference=f"funding-{funding.pk}",
            metadata={"funding": str(funding.pk), "campaign": str(funding.campaign_id)},
            idempotency_key=f"funding-{funding.pk}",
        )
    except gateway.GatewayError as error:
        # Stripe's own text (a connection error, a parameter name) is for the logs, not for people.
        logger.warning("Checkout Session for funding %s failed: %s", funding.pk, error.message)
        raise gateway.GatewayError(
            _(
                "The payment page could not be opened because Stripe did not answer. Nothing was "
                "charged: try again in a few minutes."
            ),
            code=error.code,
        ) from error
    CampaignFunding.objects.filter(pk=funding.pk).update(
        checkout_session_id=session.id, checkout_url=session.url
    )
    funding.checkout_session_id, funding.checkout_url = session.id, session.url
    return funding


def funding_checkout_check(*, funding: CampaignFunding) -> bool:
    """Ask Stripe whether an open funding's Checkout Session is paid, and if so mark the funding
    "payment processing" (paid_at set, still open), so no page offers to pay it again.

    The escrow is still credited only by the verified webhook (funding_confirm). Returns whether
    the payment is processing. Called outside any transaction; Stripe errors leave it unknown.
    """
    if funding.status != CampaignFunding.Status.OPEN or not funding.checkout_session_id:
        return False
    if funding.paid_at is not None:
        return True
    try:
        session = gateway.checkout_session_retrieve(funding.checkout_session_id)
    except gateway.GatewayError:
        logger.warning("funding %s: Stripe did not say whether the checkout is paid", funding.pk)
        return False
    if session.status != "complete" or session.payment_status != "paid":
        return False
    if session.amount_total != gateway.to_minor(funding.total, funding.currency):
        return False  # funding_confirm records the mismatch when the webhook comes
    marked = CampaignFunding.objects.filter(
        pk=funding.pk, status=CampaignFunding.Status.OPEN, paid_at__isnull=True
    ).update(paid_at=timezone.now())
    if marked:
        audit_record(
            actor=None,
            action="funding.processing",
            target=funding,
            data={"session": funding.checkout_session_id},
        )
    funding.refresh_from_db(fields=["status", "paid_at"])
    return funding.status == CampaignFunding.Status.OPEN


def fundings_check_open(*, campaign: Campaign) -> None:
    """Look up the campaign's recent unpaid Checkout Sessions at Stripe (a few at most), so a
    payment made at Stripe shows as processing even before its webhook arrives."""
    recent = CampaignFunding.objects.filter(
        campaign_id=campaign.pk,
        status=CampaignFunding.Status.OPEN,
        paid_at__isnull=True,
        checkout_session_id__isnull=False,
        created_at__gte=timezone.now() - CHECKOUT_LOOKUP_WINDOW,
    ).order_by("-created_at", "-pk")[:CHECKOUT_LOOKUP_LIMIT]
    for funding in recent:
        funding_checkout_check(funding=funding)


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
        _after_credit(funding)
        if funding.sponsorship_id:
            _notify_sponsor_funding(funding)
    return funding


def _post_funding(funding: CampaignFunding, *, reference: str, memo: str, by_user=None) -> None:
    """Post the funding: FUNDING for the campaign's own organization, SPONSOR_FUNDING (with the
    sponsor named) when a sponsor paid it. Same legs, same reference shape."""
    campaign_id = funding.campaign_id
    sponsor_id = funding.sponsorship.sponsor_id if funding.sponsorship_id else None
    post(
        kind=Kind.SPONSOR_FUNDING if sponsor_id else Kind.FUNDING,
        reference=reference,
        currency=funding.currency,
        campaign_id=campaign_id,
        memo=memo,
        by_user=by_user,
        sponsor_id=sponsor_id,
        legs=[
            Leg(Account.STRIPE_CLEARING, funding.total, campaign_id),
            Leg(Account.CAMPAIGN_ESCROW, -funding.escrow_amount, campaign_id),
            Leg(Account.PLATFORM_REVENUE, -funding.fee_amount, campaign_id),
        ],
    )


def funding_record_offline(*, campaign: Campaign, amount: Decimal, by_user, note: str) -> CampaignFunding:
    """Staff record money that reached Kolabo outside Stripe (a bank transfer), fee included."""
    if not staff_permissions.can_review_payouts(by_user):
        raise PermissionDeniedError(_("Only Kolabo staff can record an offline payment."))
    if money(amount) <= 0:
        raise ValidationFailed(_("Enter an amount above 0."), field="amount")
    if not note.strip():
        raise ValidationFailed(_("Say where the money came from (bank reference)."), field="note")
    return funding_record_paid(campaign=campaign, amount=amount, note=note.strip(), by_user=by_user)


def funding_record_paid(
    *,
    campaign: Campaign,
    amount: Decimal,
    note: str,
    by_user=None,
    sponsorship: Sponsorship | None = None,
) -> CampaignFunding:
    """Book a payment already received (no Stripe session): the escrow part `amount` plus the fee;
    with `sponsorship`, the sponsor paid it (posted as SPONSOR_FUNDING).
    Callers check who may do this (funding_record_offline for staff; demo and test data)."""
    amount = money(amount)
    with transaction.atomic():
        funding = _new_funding(
            campaign=campaign,
            amount=amount,
            by_user=by_user,
            sponsorship=sponsorship,
            status=CampaignFunding.Status.PAID,
            paid_at=timezone.now(),
        )
        _post_funding(funding, reference=f"funding:{funding.pk}", memo=note, by_user=by_user)
        audit_record(actor=by_user, action="funding.recorded", target=funding, reason=note)
        _after_credit(funding)
    return funding


def _after_credit(funding: CampaignFunding) -> None:
    """Once the credit is committed: pay the commissions waiting for funding now, not at the next
    beat sweep; a campaign that no longer takes creators then refunds what nobody needs (which
    pays waiting commissions first, refunds.campaign_refund_unspent). Robust: a failure here is
    logged, the funding stays credited, and the sweep pays the commissions later."""
    campaign_id = funding.campaign_id

    def settle() -> None:
        from payments.services.commissions import commissions_post_funded
        from payments.services.refunds import campaign_refund_unspent

        campaign = Campaign.objects.get(pk=campaign_id)
        if campaign.status in FUNDABLE:
            commissions_post_funded(campaign_id=campaign_id)
        else:
            campaign_refund_unspent(campaign=campaign)

    transaction.on_commit(settle, robust=True)


# Sponsors: an accepted sponsorship lets the brand fund the NGO campaign's escrow


def sponsorship_funding_paid(sponsorship: Sponsorship) -> tuple[Decimal, Decimal]:
    """(credited, processing): escrow the sponsor paid that the ledger holds, and escrow paid at
    Stripe whose webhook has not credited it yet. One query."""
    from campaigns.selectors.sponsorships import fundings_paid

    return fundings_paid([sponsorship.pk]).get(sponsorship.pk, (ZERO, ZERO))


def sponsor_funding_start(
    *, sponsorship: Sponsorship, by_user, amount: Decimal | None = None, site_url: str = ""
) -> CampaignFunding:
    """Open a Checkout Session for the sponsor to pay into the campaign's escrow, plus the fee.

    A sponsor funds up to its accepted amount (by default all that is left of it), whatever the
    campaign still needs: what the campaign does not spend goes back to the sponsor's payment when
    it closes (payments.services.refunds). The money lands in this campaign's escrow, so the NGO
    can spend it on this campaign's creators and nothing else.

    Two checkouts opened at once and both paid can exceed the amount: the payment is still
    credited (Stripe took it), and the excess is refunded with the unspent escrow.
    """
    from campaigns.services.sponsorship import clean_amount

    require_org_manager(organization=sponsorship.sponsor_id, user=by_user)
    campaign = sponsorship.campaign
    if sponsorship.status != Sponsorship.Status.ACCEPTED:
        raise InvalidTransition(
            _("Only an accepted sponsorship can be funded; this one is “%(status)s”.")
            % {"status": sponsorship.get_status_display()}
        )
    _refuse_closed(campaign)
    credited, processing = sponsorship_funding_paid(sponsorship)
    left = max(ZERO, money(sponsorship.amount - credited - processing))
    if left <= 0:
        _refuse_processing(processing, campaign.currency)
        raise ValidationFailed(
            _("%(sponsor)s has paid all of the %(amount)s it agreed to sponsor.")
            % {
                "sponsor": sponsorship.sponsor.name,
                "amount": format_money(sponsorship.amount, campaign.currency),
            },
            field="amount",
        )
    amount = left if amount is None else clean_amount(amount)
    if amount > left:
        raise ValidationFailed(
            _(
                "You can pay at most %(left)s: what is left of the %(amount)s your sponsorship agreed. "
                "Enter a smaller amount."
            )
            % {
                "left": format_money(left, campaign.currency),
                "amount": format_money(sponsorship.amount, campaign.currency),
            },
            field="amount",
        )
    return _checkout_open(
        campaign=campaign, by_user=by_user, amount=amount, site_url=site_url, sponsorship=sponsorship
    )


def _notify_sponsor_funding(funding: CampaignFunding) -> None:
    from campaigns.notifications import notify_org

    sponsorship = Sponsorship.objects.select_related("sponsor", "campaign").get(pk=funding.sponsorship_id)
    notify_org(
        organization=sponsorship.campaign.organization_id,
        kind="sponsorship.funded",
        key=f"sponsorship.funded:{funding.pk}",
        params={
            "other": sponsorship.sponsor.name,
            "campaign": sponsorship.campaign.title,
            "amount": format_money(funding.escrow_amount, funding.currency),
        },
        url=reverse("campaigns:campaign_manage", args=[sponsorship.campaign_id]),
    )
