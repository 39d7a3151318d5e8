"""A campaign's tracking set-up: destination, UTM, window, goals, commission and postback secret.

Owners and managers of the campaign's organization change it; every change is audited. A
commission is frozen on each conversion when it is recorded, so a change applies to conversions
recorded afterwards only.
"""

import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brands.permissions import require_org_manager
from campaigns.models import Campaign
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record
from platforms.crypto import decrypt_token, encrypt_token
from tracking.clicks import link_targets_forget
from tracking.models import ConversionGoal, TrackingSettings

SECRET_PREFIX = "kps_"  # noqa: S105 (a recognisable prefix, not a secret)
EDITABLE = (
    "target_url",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "attribution_window_days",
    "commission_kind",
    "commission_amount",
    "commission_percent",
)


def tracking_settings_of(campaign: Campaign) -> TrackingSettings:
    """The saved settings, or unsaved defaults (nothing is written by reading)."""
    found = TrackingSettings.objects.filter(campaign=campaign).first()
    return found if found is not None else TrackingSettings(campaign=campaign)


def _locked_settings(campaign: Campaign) -> TrackingSettings:
    TrackingSettings.objects.get_or_create(campaign=campaign)
    return TrackingSettings.objects.select_for_update().get(campaign=campaign)


def _require_percent_has_amount_goal(kind: str, goal_kinds) -> None:
    if kind == TrackingSettings.CommissionKind.PERCENT and not set(goal_kinds) & set(
        ConversionGoal.WITH_AMOUNT
    ):
        raise ValidationFailed(
            _(
                "A percentage commission needs a goal with an amount: choose Donation or Sale, "
                "or pay a fixed amount per conversion instead."
            ),
            field="commission_kind",
        )


def _commission_clean(kind: str, amount, percent) -> tuple[Decimal | None, Decimal | None]:
    if kind == TrackingSettings.CommissionKind.FIXED:
        if amount is None or amount <= 0:
            raise ValidationFailed(
                _("Enter the fixed commission per conversion, more than 0."), field="commission_amount"
            )
        return amount, None
    if kind == TrackingSettings.CommissionKind.PERCENT:
        if percent is None or not (Decimal("0.01") <= percent <= Decimal("100")):
            raise ValidationFailed(
                _("Enter the commission percentage, between 0.01 and 100."), field="commission_percent"
            )
        return None, percent
    if kind:
        raise ValidationFailed(_("Choose a kind of commission from the list."), field="commission_kind")
    return None, None


def _goals_write(*, campaign: Campaign, by_user: User, goals: dict[str, str]) -> None:
    unknown = set(goals) - set(ConversionGoal.Kind.values)
    if unknown:
        raise ValidationFailed(
            _("Unknown goal: %(goals)s.") % {"goals": ", ".join(sorted(unknown))}, field="goals"
        )
    current = {goal.kind: goal for goal in ConversionGoal.objects.filter(campaign=campaign)}
    removed = [goal for kind, goal in current.items() if kind not in goals]
    used = [goal for goal in removed if goal.conversions.exists()]
    if used:
        raise ValidationFailed(
            _("%(goals)s already counted conversions and cannot be removed.")
            % {"goals": ", ".join(str(goal.get_kind_display()) for goal in used)},
            field="goals",
        )
    for goal in removed:
        goal.delete()
    changed_labels = []
    for kind, label in goals.items():
        label = (label or "").strip()
        if kind not in current:
            ConversionGoal.objects.create(campaign=campaign, kind=kind, label=label)
        elif current[kind].label != label:
            current[kind].label = label
            current[kind].save(update_fields=["label"])
            changed_labels.append(kind)
    before, after = sorted(current), sorted(goals)
    if before != after or changed_labels:
        audit_record(
            actor=by_user,
            action="tracking.goals_set",
            target=campaign,
            data={"before": before, "after": after, "labels": {kind: goals[kind] for kind in after}},
        )


def conversion_goals_set(*, campaign: Campaign, by_user: User, goals: dict[str, str]) -> list[ConversionGoal]:
    """Make the campaign's goals exactly `goals` ({kind: label}). A goal that already has
    conversions cannot be removed (they would lose their meaning), nor the last goal with an amount
    while the commission is a percentage."""
    require_org_manager(by_user, campaign.organization_id)
    with transaction.atomic():
        settings = _locked_settings(campaign)
        _require_percent_has_amount_goal(settings.commission_kind, goals)
        _goals_write(campaign=campaign, by_user=by_user, goals=goals)
    return list(ConversionGoal.objects.filter(campaign=campaign))


def tracking_settings_update(
    *, campaign: Campaign, by_user: User, goals: dict[str, str] | None = None, **fields
) -> TrackingSettings:
    """Save the tracking settings (and the goals, when given, in the same transaction)."""
    require_org_manager(by_user, campaign.organization_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    window = fields.get("attribution_window_days")
    if window is not None and not 1 <= window <= 90:
        raise ValidationFailed(
            _("The attribution window is between 1 and 90 days."), field="attribution_window_days"
        )
    for name in ("target_url", "utm_source", "utm_medium", "utm_campaign"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    with transaction.atomic():
        settings = _locked_settings(campaign)
        kind = fields.get("commission_kind", settings.commission_kind) or ""
        amount, percent = _commission_clean(
            kind,
            fields.get("commission_amount", settings.commission_amount),
            fields.get("commission_percent", settings.commission_percent),
        )
        goal_kinds = (
            list(goals)
            if goals is not None
            else list(ConversionGoal.objects.filter(campaign=campaign).values_list("kind", flat=True))
        )
        _require_percent_has_amount_goal(kind, goal_kinds)
        if goals is not None:
            _goals_write(campaign=campaign, by_user=by_user, goals=goals)
        fields.update(commission_kind=kind, commission_amount=amount, commission_percent=percent)
        changed = {}
        for name, value in fields.items():
            if getattr(settings, name) != value:
                changed[name] = [_plain(getattr(settings, name)), _plain(value)]
                setattr(settings, name, value)
        if changed:
            settings.save()
            audit_record(actor=by_user, action="tracking.settings_updated", target=settings, data=changed)
            if changed.keys() & {"target_url", "utm_source", "utm_medium", "utm_campaign"}:
                # /r/<code> caches each link's destination: the new one applies from the next click.
                transaction.on_commit(lambda: link_targets_forget(campaign.pk))
    return settings


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def postback_secret_rotate(*, campaign: Campaign, by_user: User) -> str:
    """A new postback secret; the old one stops working at once. Returns the secret in clear: the
    page shows it once and Kolabo keeps it encrypted."""
    require_org_manager(by_user, campaign.organization_id)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        settings = _locked_settings(campaign)
        rotated = bool(settings.postback_secret)
        settings.postback_secret = encrypt_token(secret)
        settings.postback_secret_rotated_at = timezone.now()
        settings.save(update_fields=["postback_secret", "postback_secret_rotated_at", "updated_at"])
        audit_record(
            actor=by_user,
            action="tracking.postback_secret_rotated" if rotated else "tracking.postback_secret_created",
            target=settings,
        )
    return secret


def postback_secret_of(settings: TrackingSettings | None) -> str:
    """The secret in clear, for checking a signature; "" when none was created."""
    if settings is None or not settings.postback_secret:
        return ""
    return decrypt_token(settings.postback_secret)
