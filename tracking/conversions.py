"""Recording conversions: one service for the three ways they arrive (postback, pixel, CSV).

`conversion_record` validates the goal and the amount, attributes the conversion (last touch within
the campaign's window, tracking.attribution), freezes the commission and writes it once: a
conversion id already recorded for the campaign answers the existing row with status "duplicate"
(the unique constraint decides, so two concurrent reports of the same id still count once).

Statuses: "recorded" (attributed to a collaboration), "unattributed" (recorded without a creator:
no touch, an unknown click id or promo code, a touch outside the window, or the collaboration's
commissions already accrued) and "duplicate" (nothing written).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, Collaboration
from marketplace.errors import ValidationFailed
from payments.models import CommissionAccrual
from tracking.attribution import Reason, attribute
from tracking.models import Conversion, ConversionGoal, TrackingSettings

RECORDED = "recorded"
UNATTRIBUTED = "unattributed"
DUPLICATE = "duplicate"

# Clocks of the reporting systems drift: a conversion "in the future" by less than this is accepted.
FUTURE_SKEW = timedelta(minutes=5)
DEFAULT_WINDOW_DAYS = 30
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")  # Conversion.amount: 16 digits, 2 decimals
EXTERNAL_ID_MAX = 100


@dataclass(frozen=True)
class RecordResult:
    conversion: Conversion | None
    status: str
    reason: str = ""  # an attribution.Reason when status is "unattributed"


def commission_for(
    settings: TrackingSettings | None, amount, *, currency: str | None = None
) -> Decimal | None:
    """The commission one conversion earns, or None: no commission, or a percentage of a
    conversion without an amount (a sign-up under a % commission earns nothing).

    Rounded half up to the unit Kolabo pays in `currency` (the campaign's by default): whole rupiah
    for IDR, cents for USD (payments.services.commissions.commission_round), so the accrual is
    exactly the sum of the frozen commissions: 12.5% of IDR 99,999 freezes IDR 12,500."""
    from payments.services.commissions import commission_round

    if settings is None or not settings.has_commission:
        return None
    if settings.commission_kind == TrackingSettings.CommissionKind.FIXED:
        value = settings.commission_amount
    elif amount is None or settings.commission_percent is None:
        return None
    else:
        value = Decimal(amount) * settings.commission_percent / 100
    return commission_round(value, currency or settings.campaign.currency)


def goal_kind_normalized(value: str) -> str:
    """Sign-up, sign_up and SIGNUP all name the signup goal."""
    return (value or "").strip().lower().replace("-", "").replace("_", "").replace(" ", "")


def goals_text(goals) -> str:
    return ", ".join(str(goal.get_kind_display()) for goal in goals)


def conversion_goal_for(*, campaign: Campaign, goal_kind: str, goals=None) -> ConversionGoal:
    goals = list(goals if goals is not None else campaign.conversion_goals.all())
    if not goals:
        raise ValidationFailed(
            _("This campaign counts no goals yet. Its organization sets them on the tracking settings page."),
            field="goal",
        )
    kind = goal_kind_normalized(goal_kind)
    for goal in goals:
        if goal.kind == kind:
            return goal
    if not kind:
        message = _("The goal is missing. Send one of this campaign's goals: %(goals)s.")
    else:
        message = _("“%(value)s” is not one of this campaign's goals. It counts: %(goals)s.")
    raise ValidationFailed(
        message % {"value": goal_kind, "goals": ", ".join(goal.kind for goal in goals)}, field="goal"
    )


def conversion_amount_clean(*, goal: ConversionGoal, amount) -> Decimal | None:
    """Donations and sales carry an amount above 0; other goals carry none."""
    if isinstance(amount, str):
        amount = amount.strip().replace(",", "") or None
    if not goal.has_amount:
        if amount is not None:
            raise ValidationFailed(
                _("A %(goal)s has no amount: leave the amount empty (only donations and sales carry one).")
                % {"goal": goal.get_kind_display().lower()},
                field="amount",
            )
        return None
    if amount is None:
        raise ValidationFailed(
            _("The amount is missing: every %(goal)s needs its amount, for example 150000.")
            % {"goal": goal.get_kind_display().lower()},
            field="amount",
        )
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValidationFailed(
            _("The amount “%(value)s” is not a number. Write it like 150000 or 12.50.") % {"value": amount},
            field="amount",
        )
    if value < 0:
        raise ValidationFailed(_("The amount cannot be negative."), field="amount")
    if value == 0:
        raise ValidationFailed(_("The amount must be more than 0."), field="amount")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed(_("The amount has more than 2 decimals."), field="amount")
    if value > MAX_AMOUNT:
        raise ValidationFailed(_("The amount is too large."), field="amount")
    return value.quantize(CENT)


def _occurred_at_clean(occurred_at: datetime | None) -> datetime:
    now = timezone.now()
    if occurred_at is None:
        return now
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > now + FUTURE_SKEW:
        raise ValidationFailed(
            _(
                "The conversion time is in the future. Send the time it happened (ISO 8601, with its time zone)."
            ),
            field="occurred_at",
        )
    return occurred_at


def _external_id_clean(external_id: str) -> str:
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationFailed(
            _("The conversion id is missing. Send your own id of the order, donation or sign-up."),
            field="conversion_id",
        )
    if len(external_id) > EXTERNAL_ID_MAX:
        raise ValidationFailed(
            _("The conversion id is longer than %(max)s characters.") % {"max": EXTERNAL_ID_MAX},
            field="conversion_id",
        )
    return external_id


def _duplicate(campaign: Campaign, external_id: str) -> RecordResult | None:
    existing = Conversion.objects.filter(campaign=campaign, external_id=external_id).first()
    return RecordResult(existing, DUPLICATE) if existing is not None else None


def conversion_record_result(
    *,
    campaign: Campaign,
    goal_kind: str,
    external_id: str,
    occurred_at: datetime | None,
    amount=None,
    click_token: str = "",
    promo_code: str = "",
    source: str,
    refuse_unknown_touch: bool = False,
    goals=None,
    tracking_settings: TrackingSettings | None = None,
) -> RecordResult:
    """conversion_record with the reason a conversion went unattributed.

    `refuse_unknown_touch` (the CSV upload) raises instead of recording a conversion whose click id
    or promo code matches nothing, so the uploader can correct the row and upload it again.
    `goals` and `tracking_settings` let a caller recording many rows load them once.
    """
    external_id = _external_id_clean(external_id)
    goal = conversion_goal_for(campaign=campaign, goal_kind=goal_kind, goals=goals)
    amount = conversion_amount_clean(goal=goal, amount=amount)
    occurred_at = _occurred_at_clean(occurred_at)
    click_token = (click_token or "").strip()
    promo_code = (promo_code or "").strip()

    duplicate = _duplicate(campaign, external_id)
    if duplicate is not None:
        return duplicate

    if tracking_settings is None:
        tracking_settings = TrackingSettings.objects.filter(campaign=campaign).first()
    window = tracking_settings.attribution_window_days if tracking_settings else DEFAULT_WINDOW_DAYS
    attribution = attribute(
        campaign_id=campaign.pk,
        window_days=window,
        occurred_at=occurred_at,
        click_token=click_token,
        promo_code=promo_code,
    )
    if refuse_unknown_touch and attribution.unknown_promo:
        raise ValidationFailed(
            _(
                "Unknown promo code “%(code)s” for this campaign. Correct it and upload the row again, "
                "or leave promo_code empty to record the conversion without a creator."
            )
            % {"code": promo_code},
            field="promo_code",
        )
    if refuse_unknown_touch and attribution.unknown_click:
        raise ValidationFailed(
            _(
                "Unknown click id “%(token)s” for this campaign. Correct it and upload the row again, "
                "or leave click_id empty to record the conversion without a creator."
            )
            % {"token": click_token},
            field="click_id",
        )

    touch, reason = attribution.touch, attribution.reason
    with transaction.atomic():
        if touch is not None:
            # Lock the collaboration: the commission accrual locks it too, so a conversion is either
            # counted in the accrual or, once the accrual exists, left unattributed; never lost.
            Collaboration.objects.select_for_update().filter(pk=touch.collaboration_id).first()
            if CommissionAccrual.objects.filter(collaboration_id=touch.collaboration_id).exists():
                touch, reason = None, Reason.WINDOW_CLOSED
        try:
            with transaction.atomic():
                conversion = Conversion.objects.create(
                    campaign=campaign,
                    goal=goal,
                    collaboration_id=touch.collaboration_id if touch else None,
                    external_id=external_id,
                    amount=amount,
                    currency=campaign.currency,
                    occurred_at=occurred_at,
                    source=source,
                    touch=touch.kind if touch else "",
                    click_id=touch.click_id if touch else None,
                    # A pixel is an unsigned URL anyone can load, so it never earns a commission:
                    # only signed postbacks and the organization's own CSV uploads do.
                    commission=commission_for(tracking_settings, amount, currency=campaign.currency)
                    if touch and source != Conversion.Source.PIXEL
                    else None,
                )
        except IntegrityError:
            # Reported twice at the same moment: the other request won, this one counts once.
            duplicate = _duplicate(campaign, external_id)
            if duplicate is None:
                raise
            return duplicate
    if touch is None:
        return RecordResult(conversion, UNATTRIBUTED, reason)
    return RecordResult(conversion, RECORDED)


def conversion_record(
    *,
    campaign: Campaign,
    goal_kind: str,
    external_id: str,
    occurred_at: datetime | None,
    amount=None,
    click_token: str = "",
    promo_code: str = "",
    source: str,
) -> tuple[Conversion | None, str]:
    """Record one conversion; (conversion, "recorded" | "unattributed" | "duplicate").

    Raises ValidationFailed (with the field) for an unknown goal, a missing/negative/unexpected
    amount, a missing conversion id or a time in the future.
    """
    result = conversion_record_result(
        campaign=campaign,
        goal_kind=goal_kind,
        external_id=external_id,
        occurred_at=occurred_at,
        amount=amount,
        click_token=click_token,
        promo_code=promo_code,
        source=source,
    )
    return result.conversion, result.status


def reason_message(reason: str) -> str:
    """Why a conversion has no creator, in Kolabo's words."""
    messages = {
        Reason.NO_TOUCH: _("No click id or promo code was sent, so no creator gets this conversion."),
        Reason.UNKNOWN_CLICK: _("The click id matches no click on this campaign's links."),
        Reason.UNKNOWN_PROMO: _("The promo code matches no creator of this campaign."),
        Reason.CLICK_AFTER: _("The click happened after the conversion, so it did not lead to it."),
        Reason.OUTSIDE_WINDOW: _("The click or code is older than the campaign's attribution window."),
        Reason.WINDOW_CLOSED: _(
            "The creator's attribution window had closed and their commissions were settled."
        ),
    }
    return str(messages.get(reason, ""))
