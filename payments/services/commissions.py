"""Commissions: what a collaboration's conversions earned, made payable once its attribution window
has closed, and paid through the same staff-reviewed payouts as fees (docs/money.md, "Commissions").

The window: tracking ends when the collaboration is completed or cancelled, or its campaign is
cancelled, whichever comes first (a campaign completes only once all its collaborations have
finished, so its completion never comes earlier). The window closes `attribution_window_days`
(TrackingSettings) after that. From then on no conversion is attributed to the collaboration
(tracking.conversions checks for its CommissionAccrual).

The accrual, once per collaboration (CommissionAccrual is 1:1, written under the campaign and
collaboration row locks):
- adds up Conversion.commission (frozen when each conversion was recorded) over the conversions
  that happened before the window closed, rounded half up to the currency's smallest unit in use;
- a zero total is recorded with no ledger posting and no payout;
- when the campaign's available escrow covers it: ledger COMMISSION_PAYABLE commission:<collaboration>
  (escrow → creator payable) and a Payout of kind commission that waits for staff review;
- otherwise it waits for funding: nothing is posted (the ledger stays balanced), the organization is
  told what to add (a top-up is allowed whatever the campaign's status: funding.commission_top_up),
  and it is posted as soon as a funding is credited, before any refund of unspent escrow, or by
  the beat sweep.

Each conversion's commission is frozen already rounded by commission_round (tracking.conversions
.commission_for), so the accrual is exactly the sum of its conversions' commissions.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Collaboration
from campaigns.notifications import notify_org
from campaigns.services.common import lock_campaign
from marketplace.errors import DomainError, InvalidTransition
from marketplace.money import format_money
from marketplace.services import audit_record, notify_user
from payments.ledger import CENT, ZERO, Leg, escrow_available, post
from payments.models import Account, CommissionAccrual, LedgerTransaction, Payout
from payments.services.payouts import payout_request
from tracking.models import Conversion, TrackingSettings

logger = logging.getLogger(__name__)

Kind = LedgerTransaction.Kind
C = Collaboration.Status
CK = TrackingSettings.CommissionKind
# The unit Kolabo pays in, which is not Stripe's minor unit (payments.gateway.exponent says 2 for
# IDR): rupiah are paid in whole units in practice (marketplace.money shows no sen); others in cents.
SMALLEST_UNIT = {"IDR": Decimal("1")}
# The shortest attribution window TrackingSettings allows: nothing ended later can be due.
SHORTEST_WINDOW = timedelta(days=1)
SWEEP_BATCH = 500


def commission_round(amount: Decimal, currency: str) -> Decimal:
    """Half up to the currency's smallest unit in use: IDR 12,499.50 → 12,500.00; USD 1.005 → 1.01."""
    unit = SMALLEST_UNIT.get(currency, CENT)
    return Decimal(amount).quantize(unit, rounding=ROUND_HALF_UP).quantize(CENT)


@dataclass(frozen=True)
class CommissionWindow:
    """When a collaboration's tracking ended (None: still running) and its window's length."""

    tracking_ended_at: datetime | None
    days: int

    @property
    def closes_at(self) -> datetime | None:
        if self.tracking_ended_at is None:
            return None
        return self.tracking_ended_at + timedelta(days=self.days)

    def is_closed(self, now: datetime | None = None) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and closes_at <= (now or timezone.now())


def _tracking_of(campaign: Campaign) -> TrackingSettings | None:
    try:
        return campaign.tracking
    except TrackingSettings.DoesNotExist:
        return None


def commission_window(collaboration: Collaboration) -> CommissionWindow:
    """The collaboration's attribution window (reads its campaign and the campaign's tracking)."""
    campaign = collaboration.campaign
    tracking = _tracking_of(campaign)
    days = (
        tracking.attribution_window_days
        if tracking
        else TrackingSettings._meta.get_field("attribution_window_days").default
    )
    ends = []
    if collaboration.status == C.COMPLETED and collaboration.completed_at:
        ends.append(collaboration.completed_at)
    if collaboration.status == C.CANCELLED and collaboration.cancelled_at:
        ends.append(collaboration.cancelled_at)
    if campaign.status == Campaign.Status.CANCELLED and campaign.cancelled_at:
        ends.append(campaign.cancelled_at)
    return CommissionWindow(tracking_ended_at=min(ends) if ends else None, days=days)


def has_commission(campaign: Campaign) -> bool:
    tracking = _tracking_of(campaign)
    return tracking is not None and tracking.has_commission


def commission_accrue(*, collaboration: Collaboration, now: datetime | None = None) -> CommissionAccrual:
    """Accrue the collaboration's commissions once its window has closed; the existing accrual when
    it already has one (safe to call twice, or from two workers at once)."""
    accrual, _created = _accrue(collaboration_id=collaboration.pk, now=now or timezone.now())
    return accrual


def _accrue(*, collaboration_id: int, now: datetime) -> tuple[CommissionAccrual, bool]:
    with transaction.atomic():
        # Campaign first, as every campaign-wide money service: the escrow it spends is the campaign's.
        campaign_id = Collaboration.objects.values_list("campaign_id", flat=True).get(pk=collaboration_id)
        campaign = lock_campaign(campaign_id)
        collaboration = (
            Collaboration.objects.select_for_update(of=("self",))
            .select_related("creator__user")
            .get(pk=collaboration_id)
        )
        collaboration.campaign = campaign
        existing = CommissionAccrual.objects.filter(collaboration_id=collaboration_id).first()
        if existing is not None:
            return existing, False
        window = commission_window(collaboration)
        if not window.is_closed(now):
            if window.closes_at is None:
                raise InvalidTransition(
                    _("This collaboration is still running: its commissions are counted once it has ended.")
                )
            raise InvalidTransition(
                _("The attribution window is open until %(date)s; commissions are counted after that.")
                % {"date": date_format(timezone.localtime(window.closes_at), "DATETIME_FORMAT")}
            )
        counted = Conversion.objects.filter(
            collaboration_id=collaboration_id,
            occurred_at__lte=window.closes_at,
            commission__isnull=False,
        ).aggregate(total=Sum("commission"), count=Count("pk"))
        amount = commission_round(counted["total"] or ZERO, collaboration.currency)
        try:
            with transaction.atomic():
                accrual = CommissionAccrual.objects.create(
                    collaboration=collaboration,
                    amount=amount,
                    currency=collaboration.currency,
                    conversions=counted["count"],
                    window_closed_at=window.closes_at,
                )
        except IntegrityError:
            # Written a moment ago by a concurrent run (SQLite has no row locks).
            return CommissionAccrual.objects.get(collaboration_id=collaboration_id), False
        audit_record(
            actor=None,
            action="commission.accrued",
            target=accrual,
            data={
                "amount": str(amount),
                "currency": accrual.currency,
                "conversions": accrual.conversions,
                "window_closed_at": window.closes_at.isoformat(),
            },
        )
        if amount > 0:
            _make_payable(accrual, collaboration=collaboration, campaign=campaign)
    return accrual, True


def _params(accrual: CommissionAccrual, collaboration: Collaboration, campaign: Campaign) -> dict[str, str]:
    return {
        "amount": format_money(accrual.amount, accrual.currency),
        "conversions": str(accrual.conversions),
        "campaign": campaign.title,
        "creator": collaboration.creator.display_name,
        "organization": campaign.organization.name,
    }


def _notify_both(
    *, kind: str, key: str, collaboration: Collaboration, campaign: Campaign, params: dict, org_params: dict
) -> None:
    """After commit: the creator (earnings page) and the organization's managers (spend page)."""
    creator_user = collaboration.creator.user
    organization_id = campaign.organization_id
    earnings_url = reverse("payments:earnings")
    spend_url = reverse("payments:campaign_spend", args=[campaign.pk])

    def send() -> None:
        notify_user(user=creator_user, kind=kind, key=key, params=params, url=earnings_url)
        notify_org(organization=organization_id, kind=kind, key=key, params=org_params, url=spend_url)

    transaction.on_commit(send)


def _make_payable(
    accrual: CommissionAccrual, *, collaboration: Collaboration, campaign: Campaign
) -> Payout | None:
    """Post the accrual and open its payout when the escrow covers it (the caller holds the campaign
    lock, so two accruals cannot spend the same money). Returns the payout, or None while it waits."""
    available = escrow_available(campaign_id=campaign.pk, currency=accrual.currency)
    params = _params(accrual, collaboration, campaign)
    if available < accrual.amount:
        shortfall = accrual.amount - max(available, ZERO)
        org_params = {
            **params,
            "available": format_money(max(available, ZERO), accrual.currency),
            "shortfall": format_money(shortfall, accrual.currency),
        }
        _notify_both(
            kind="commission.unfunded",
            key=f"commission.unfunded:{accrual.pk}",  # told once, however often the sweep looks again
            collaboration=collaboration,
            campaign=campaign,
            params=params,
            org_params=org_params,
        )
        return None
    posted = post(
        kind=Kind.COMMISSION_PAYABLE,
        reference=f"commission:{collaboration.pk}",
        currency=accrual.currency,
        campaign_id=campaign.pk,
        collaboration_id=collaboration.pk,
        memo=f"{accrual.conversions} conversions",
        legs=[
            Leg(Account.CAMPAIGN_ESCROW, accrual.amount, campaign.pk),
            Leg(
                Account.CREATOR_PAYABLE,
                -accrual.amount,
                campaign.pk,
                collaboration.pk,
                collaboration.creator_id,
            ),
        ],
    )
    if posted is None:
        return None  # posted already
    payout = payout_request(
        collaboration=collaboration, amount=accrual.amount, kind=Payout.Kind.COMMISSION, notify=False
    )
    audit_record(
        actor=None,
        action="commission.payable",
        target=accrual,
        data={"payout": payout.pk, "amount": str(accrual.amount), "currency": accrual.currency},
    )
    _notify_both(
        kind="commission.payable",
        key=f"commission.payable:{accrual.pk}",
        collaboration=collaboration,
        campaign=campaign,
        params=params,
        org_params=params,
    )
    return payout


def _waiting() -> Q:
    """Accruals owed but not posted yet: waiting for the escrow to cover them."""
    posted = LedgerTransaction.objects.filter(
        kind=Kind.COMMISSION_PAYABLE, collaboration_id=OuterRef("collaboration_id")
    )
    return Q(amount__gt=0) & ~Q(Exists(posted))


def commissions_waiting_total(*, campaign_id: int, currency: str) -> Decimal:
    """What the campaign's accruals waiting for funding add up to. One query."""
    total = CommissionAccrual.objects.filter(
        _waiting(), collaboration__campaign_id=campaign_id, currency=currency
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def commissions_post_funded(*, campaign_id: int) -> int:
    """Post the campaign's accruals that were waiting for funding, oldest first, as far as its
    available escrow covers each in full. Returns how many became payable."""
    made = 0
    with transaction.atomic():
        campaign = lock_campaign(campaign_id)
        waiting = (
            CommissionAccrual.objects.filter(_waiting(), collaboration__campaign_id=campaign_id)
            .select_related("collaboration__creator__user")
            .order_by("pk")
        )
        for accrual in waiting:
            if _make_payable(accrual, collaboration=accrual.collaboration, campaign=campaign) is not None:
                made += 1
    return made


def _due(now: datetime) -> list[Collaboration]:
    """Collaborations with commissions whose window has closed and that have no accrual yet."""
    earliest = now - SHORTEST_WINDOW
    frozen = Conversion.objects.filter(collaboration_id=OuterRef("pk"), commission__gt=0)
    candidates = (
        Collaboration.objects.filter(
            Q(campaign__tracking__commission_kind__in=[CK.FIXED, CK.PERCENT])
            | Q(Exists(frozen)),  # a commission frozen on a conversion is owed, even if since turned off
            Q(status=C.COMPLETED, completed_at__lte=earliest)
            | Q(status=C.CANCELLED, cancelled_at__lte=earliest)
            | Q(campaign__status=Campaign.Status.CANCELLED, campaign__cancelled_at__lte=earliest),
            commission_accrual__isnull=True,
        )
        .select_related("campaign__tracking")
        .order_by("pk")
    )
    return [c for c in candidates[:SWEEP_BATCH] if commission_window(c).is_closed(now)]


def commissions_accrue_due(*, now: datetime | None = None) -> int:
    """Beat (and safe beside itself): accrue every collaboration whose window has closed, then post
    accruals that were waiting for funding where the escrow now covers them. Returns how many
    accruals this run wrote."""
    now = now or timezone.now()
    written = 0
    for collaboration in _due(now):
        try:
            _accrual, created = _accrue(collaboration_id=collaboration.pk, now=now)
        except DomainError as error:
            logger.warning("commission for collaboration %s not accrued: %s", collaboration.pk, error.message)
            continue
        written += created
    campaigns = (
        CommissionAccrual.objects.filter(_waiting())
        .order_by()
        .values_list("collaboration__campaign_id", flat=True)
        .distinct()
    )
    for campaign_id in sorted(set(campaigns)):
        commissions_post_funded(campaign_id=campaign_id)
    return written
