"""Social account writes: handles, audience and metrics checks, create, update, delete, verify.

Self-reported never overrides verified: once an account's numbers come from its connected platform
(`metrics_source` verified), what the creator types for them is kept in `self_reported` only, shown
beside the verified numbers and never used for eligibility, matching or discovery.
"""

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from creators.models import (
    CreatorProfile,
    Platform,
    SocialAccount,
    engagement_rate_for,
    tier_for_followers,
)
from creators.services.common import _ensure_owner, _number
from creators.signals import announce_matching_change
from creators.taxonomy import LANGUAGE_NAMES
from marketplace import permissions as staff_permissions
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record

HANDLE_RE = re.compile(r"^[a-z0-9._-]{1,100}$")
COUNT_FIELDS = ("followers", "following", "posts", "avg_likes", "avg_comments", "avg_views")
# Lazy, so cleaning a 100,000-line roster does not translate six labels per line.
COUNT_LABELS = {
    "followers": gettext_lazy("Followers"),
    "following": gettext_lazy("Following"),
    "posts": gettext_lazy("Posts"),
    "avg_likes": gettext_lazy("Average likes"),
    "avg_comments": gettext_lazy("Average comments"),
    "avg_views": gettext_lazy("Average views"),
}
SOCIAL_FIELDS = frozenset(
    {"platform", "handle", *COUNT_FIELDS, "audience_countries", "audience_languages", "metrics_date"}
)
# The numbers a connected account's refresh owns. On a verified account the creator's values for
# these (and the engagement rate and tier computed from them) live in `self_reported`, as JSON:
# the same shape platforms.services.connections keeps there when an account is first connected.
METRIC_FIELDS = (*COUNT_FIELDS, "audience_countries", "audience_languages", "metrics_date")
SELF_REPORTED_FIELDS = (*METRIC_FIELDS, "engagement_rate", "tier")


def normalise_handle(handle: str) -> str:
    """`@Ayu.Cooks`, `ayu.cooks` and `https://instagram.com/ayu.cooks/` all become `ayu.cooks`."""
    handle = str(handle or "").strip().split("?")[0].rstrip("/")
    if "/" in handle:
        handle = handle.rsplit("/", 1)[1]
    return handle.lstrip("@").lower()


def _latest_possible_today() -> date:
    # The date somewhere on Earth (UTC+14) may already be tomorrow in Jakarta; a creator there
    # reading today's insights must not be told the date is in the future.
    return (timezone.now() + timedelta(hours=14)).date()


def _clean_audience(entries: Any, *, field: str, label: str, kind: str) -> list[dict[str, Any]]:
    """Check a list of {"code", "pct"}; codes are ISO countries or our languages; total ≤ 100."""
    if entries in (None, ""):
        return []
    if not isinstance(entries, list | tuple):
        raise ValidationFailed(
            _("%(label)s must be a list of codes with percentages.") % {"label": label}, field=field
        )
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = Decimal(0)
    for entry in entries:
        if not isinstance(entry, dict) or "code" not in entry or "pct" not in entry:
            raise ValidationFailed(
                _("%(label)s: each entry needs a code and a percentage.") % {"label": label}, field=field
            )
        raw_code = str(entry["code"]).strip()
        if kind == "country":
            code = raw_code.upper()
            if code not in countries:
                raise ValidationFailed(
                    _(
                        "%(label)s: “%(code)s” is not a country code we know. "
                        "Use two-letter codes such as ID, MY or US."
                    )
                    % {"label": label, "code": raw_code},
                    field=field,
                )
        else:
            code = raw_code.lower()
            if code not in LANGUAGE_NAMES:
                raise ValidationFailed(
                    _("%(label)s: “%(code)s” is not a language code we know. Use codes such as id, en or jv.")
                    % {"label": label, "code": raw_code},
                    field=field,
                )
        if code in seen:
            raise ValidationFailed(
                _("%(label)s: %(code)s is listed twice. Keep one line per code.")
                % {"label": label, "code": code},
                field=field,
            )
        seen.add(code)
        try:
            pct = Decimal(str(entry["pct"]))
        except (InvalidOperation, ValueError):
            pct = Decimal("NaN")
        if not pct.is_finite() or pct < 0 or pct > 100:
            raise ValidationFailed(
                _("%(label)s: the percentage for %(code)s must be a number between 0 and 100.")
                % {"label": label, "code": code},
                field=field,
            )
        pct = pct.quantize(Decimal("0.1"))
        total += pct
        clean.append({"code": code, "pct": pct})
    if total > 100:
        raise ValidationFailed(
            _(
                "%(label)s add up to %(total)s%%, which is more than 100%%. "
                "Lower the percentages so the total is 100%% or less."
            )
            % {"label": label, "total": formats.number_format(total, 1)},
            field=field,
        )
    clean.sort(key=lambda item: (-item["pct"], item["code"]))
    # JSON has no decimal type; one decimal place is exact enough as a float.
    return [{"code": item["code"], "pct": float(item["pct"])} for item in clean]


def clean_social_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Check a full set of social account fields, including the "absurd metrics" rules."""
    clean: dict[str, Any] = {}
    platform = data.get("platform")
    if platform not in Platform.values:
        raise ValidationFailed(_("Choose the platform from the list."), field="platform")
    clean["platform"] = platform

    handle = normalise_handle(data.get("handle", ""))
    if not handle:
        raise ValidationFailed(_("Enter your handle, for example ayu.cooks (without the @)."), field="handle")
    if not HANDLE_RE.match(handle):
        raise ValidationFailed(
            _("“%(handle)s” is not a valid handle. Use only letters, numbers, dots, dashes and underscores.")
            % {"handle": handle},
            field="handle",
        )
    clean["handle"] = handle

    labels = COUNT_LABELS
    for field in COUNT_FIELDS:
        value = data.get(field)
        if value in (None, "") and field != "followers":
            # Unknown stays unknown (NULL): a 0 would read as "no engagement at all".
            clean[field] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(
                _("%(label)s must be a whole number, for example 5200.") % {"label": labels[field]},
                field=field,
            )
        if value < 0:
            raise ValidationFailed(
                _(
                    "%(label)s cannot be negative (you entered %(value)s). "
                    "Enter 0 or the number from your insights."
                )
                % {"label": labels[field], "value": _number(value)},
                field=field,
            )
        clean[field] = value

    followers, likes, comments = clean["followers"], clean["avg_likes"], clean["avg_comments"]
    if likes is not None and likes > followers * 10:
        raise ValidationFailed(
            _(
                "Average likes (%(likes)s) cannot be more than 10× your followers (%(followers)s). "
                "Check the numbers from your insights."
            )
            % {"likes": _number(likes), "followers": _number(followers)},
            field="avg_likes",
        )
    rate = engagement_rate_for(followers=followers, avg_likes=likes, avg_comments=comments)
    if rate is not None and rate > 100:
        raise ValidationFailed(
            _(
                "These numbers give an engagement rate of %(rate)s%%, more than 100%%: "
                "average likes plus comments (%(interactions)s) "
                "cannot be more than your followers (%(followers)s). "
                "Enter averages per post, not totals."
            )
            % {
                "rate": formats.number_format(rate, 2, force_grouping=True),
                "interactions": _number(likes + comments),
                "followers": _number(followers),
            },
            field="avg_likes",
        )

    metrics_date = data.get("metrics_date")
    if not isinstance(metrics_date, date):
        raise ValidationFailed(
            _("Enter the date you took these numbers from your insights."), field="metrics_date"
        )
    if metrics_date > _latest_possible_today():
        raise ValidationFailed(
            _(
                "The metrics date (%(date)s) is in the future. "
                "Enter the day you read these numbers in your insights: today or earlier."
            )
            % {"date": formats.date_format(metrics_date, "DATE_FORMAT")},
            field="metrics_date",
        )
    clean["metrics_date"] = metrics_date

    clean["audience_countries"] = _clean_audience(
        data.get("audience_countries"),
        field="audience_countries",
        label=_("Audience countries"),
        kind="country",
    )
    clean["audience_languages"] = _clean_audience(
        data.get("audience_languages"),
        field="audience_languages",
        label=_("Audience languages"),
        kind="language",
    )
    clean["engagement_rate"] = rate
    clean["tier"] = tier_for_followers(followers)
    return clean


def verified_on(account: SocialAccount) -> date:
    """The day the account's verified numbers were read (the refresh), else its metrics date."""
    if account.metrics_verified_at is not None:
        return timezone.localdate(account.metrics_verified_at)
    return account.metrics_date


def self_reported_json(values: dict[str, Any]) -> dict[str, Any]:
    """The SELF_REPORTED_FIELDS present in `values` as JSON (dates ISO, decimals as text)."""
    typed: dict[str, Any] = {}
    for field in SELF_REPORTED_FIELDS:
        if field not in values:
            continue
        value = values[field]
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, date):
            value = value.isoformat()
        typed[field] = value
    return typed


def self_reported_of(account: SocialAccount) -> dict[str, Any]:
    """What the creator typed on a verified account, back in Python types; empty when nothing."""
    typed = dict(account.self_reported or {})
    if typed.get("metrics_date"):
        typed["metrics_date"] = date.fromisoformat(typed["metrics_date"])
    if typed.get("engagement_rate") is not None:
        typed["engagement_rate"] = Decimal(str(typed["engagement_rate"]))
    return typed


def self_reported_merge(account: SocialAccount, changes: dict[str, Any]) -> dict[str, Any]:
    """Check the creator's numbers for a verified account and return its new `self_reported`.

    Starts from what they typed before (or, the first time, the verified counts and date, with no
    audience: the platform's audience is not theirs to restate) and applies `changes`.
    """
    base = {field: getattr(account, field) for field in METRIC_FIELDS}
    base["audience_countries"] = base["audience_languages"] = []
    base.update(self_reported_of(account))
    metrics = {field: value for field, value in changes.items() if field in METRIC_FIELDS}
    data = clean_social_fields(
        {field: base.get(field) for field in METRIC_FIELDS}
        | metrics
        | {"platform": account.platform, "handle": account.handle}
    )
    return self_reported_json(data)


def _ensure_handle_free(*, platform: str, handle: str, exclude_pk: int | None = None) -> None:
    taken = SocialAccount.objects.filter(platform=platform, handle=handle).exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(duplicate_handle_message(platform, handle), field="handle")


def duplicate_handle_message(platform: str, handle: str) -> str:
    return _(
        "The %(platform)s account @%(handle)s is already on Kolabo. "
        "Check the handle; if the account is yours, contact support so we can sort it out."
    ) % {"platform": Platform(platform).label, "handle": handle}


@transaction.atomic
def social_account_create(*, profile: CreatorProfile, actor: User, **fields: Any) -> SocialAccount:
    """Add a social account with its metrics. Fields: platform, handle, followers, following, posts,
    avg_likes, avg_comments, avg_views, audience_countries, audience_languages, metrics_date."""
    unknown = set(fields) - SOCIAL_FIELDS
    if unknown:
        raise TypeError(f"social_account_create() got unexpected fields: {sorted(unknown)}")
    profile = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_owner(profile, actor)
    data = clean_social_fields(fields)
    _ensure_handle_free(platform=data["platform"], handle=data["handle"])
    try:
        with transaction.atomic():
            account = SocialAccount.objects.create(profile=profile, **data)
    except IntegrityError as exc:  # someone claimed the same handle a moment ago
        raise ValidationFailed(
            duplicate_handle_message(data["platform"], data["handle"]), field="handle"
        ) from exc
    audit_record(
        actor=actor,
        action="social_account.created",
        target=account,
        data={"platform": account.platform, "handle": account.handle, "followers": account.followers},
    )
    announce_matching_change(profile.pk)
    return account


@transaction.atomic
def social_account_update(*, account: SocialAccount, actor: User, **changes: Any) -> SocialAccount:
    """Change the account's handle or metrics; engagement rate and tier are recomputed.

    A new platform or handle is a different account, so it loses its verified badge. On an account
    whose metrics are verified, the numbers typed go to `self_reported` only (see the module).
    """
    unknown = set(changes) - SOCIAL_FIELDS
    if unknown:
        raise TypeError(f"social_account_update() got unexpected fields: {sorted(unknown)}")
    account = SocialAccount.objects.select_for_update().select_related("profile").get(pk=account.pk)
    _ensure_owner(account.profile, actor)
    if account.is_metrics_verified:
        return _self_reported_update(account, actor=actor, changes=changes)
    current = {field: getattr(account, field) for field in SOCIAL_FIELDS}
    data = clean_social_fields(current | changes)
    if (data["platform"], data["handle"]) != (account.platform, account.handle):
        _ensure_handle_free(platform=data["platform"], handle=data["handle"], exclude_pk=account.pk)
        data["verified"] = False
    changed = sorted(field for field, value in data.items() if getattr(account, field) != value)
    if not changed:
        return account
    for field in changed:
        setattr(account, field, data[field])
    try:
        with transaction.atomic():
            account.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:
        raise ValidationFailed(
            duplicate_handle_message(account.platform, account.handle), field="handle"
        ) from exc
    audit_record(actor=actor, action="social_account.updated", target=account, data={"fields": changed})
    announce_matching_change(account.profile_id)
    return account


def _self_reported_update(account: SocialAccount, *, actor: User, changes: dict[str, Any]) -> SocialAccount:
    """A verified account: platform and handle come from the platform; typed numbers are kept aside."""
    platform = changes.get("platform", account.platform)
    handle = normalise_handle(changes.get("handle", account.handle))
    if (platform, handle) != (account.platform, account.handle):
        raise ValidationFailed(
            _(
                "The handle of a verified account comes from %(platform)s. "
                "To use another account, disconnect this one on your profile first."
            )
            % {"platform": Platform(account.platform).label},
            field="handle" if platform == account.platform else "platform",
        )
    typed = self_reported_merge(account, changes)
    if typed == account.self_reported:
        return account
    changed = sorted(field for field in typed if typed[field] != (account.self_reported or {}).get(field))
    account.self_reported = typed
    account.save(update_fields=["self_reported", "updated_at"])
    audit_record(actor=actor, action="social_account.self_reported", target=account, data={"fields": changed})
    # Nothing matching reads has changed: verified values stay, so no matching_inputs_changed.
    return account


@transaction.atomic
def social_account_delete(*, account: SocialAccount, actor: User) -> None:
    account = SocialAccount.objects.select_for_update().select_related("profile").get(pk=account.pk)
    _ensure_owner(account.profile, actor)
    # Recorded first: the audit row needs the primary key the delete takes away.
    audit_record(
        actor=actor,
        action="social_account.deleted",
        target=account,
        data={"platform": account.platform, "handle": account.handle, "profile": account.profile_id},
    )
    announce_matching_change(account.profile_id)
    account.delete()


@transaction.atomic
def social_account_set_verified(
    *, account: SocialAccount, actor: User, verified: bool, reason: str = ""
) -> SocialAccount:
    """Staff only: mark that Kolabo checked the account belongs to the creator and its numbers hold up."""
    if not staff_permissions.is_staff_member(actor):
        raise PermissionDeniedError(_("Only Kolabo staff can verify social accounts."))
    account = SocialAccount.objects.select_for_update().get(pk=account.pk)
    if account.verified == verified:
        return account
    account.verified = verified
    account.save(update_fields=["verified", "updated_at"])
    audit_record(
        actor=actor,
        action="social_account.verified" if verified else "social_account.unverified",
        target=account,
        from_status=str(not verified).lower(),
        to_status=str(verified).lower(),
        reason=reason,
    )
    return account
