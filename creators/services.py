"""Every write to creator profiles, social accounts and rate cards goes through here.

The web forms and the future API call the same functions, so the "absurd metrics" rules live here,
not in the forms.
"""

import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_countries import countries

from marketplace import permissions as staff_permissions
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record
from marketplace.slugs import unique_slug

from .models import (
    Cause,
    CreatorProfile,
    DeliverableFormat,
    Niche,
    Platform,
    RateCardItem,
    SocialAccount,
    engagement_rate_for,
    tier_for_followers,
)
from .signals import announce_matching_change
from .taxonomy import LANGUAGE_NAMES

MAX_NICHES = 5
MAX_PRICE = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
# Paths under /creators/ that a profile slug must never shadow.
RESERVED_SLUGS = frozenset({"onboarding", "me", "new", "edit", "search", "discover", "api", "admin"})
HANDLE_RE = re.compile(r"^[a-z0-9._-]{1,100}$")
COUNT_FIELDS = ("followers", "following", "posts", "avg_likes", "avg_comments", "avg_views")
PROFILE_FIELDS = frozenset(
    {
        "display_name",
        "bio",
        "country",
        "city",
        "languages",
        "niches",
        "causes",
        "open_to_pro_bono",
        "currency",
    }
)
SOCIAL_FIELDS = frozenset(
    {"platform", "handle", *COUNT_FIELDS, "audience_countries", "audience_languages", "metrics_date"}
)


def _number(value: int | Decimal) -> str:
    """A number grouped the way the reader's language groups thousands (5,000 / 5.000)."""
    return formats.number_format(value, force_grouping=True)


def _ensure_owner(profile: CreatorProfile, actor: User) -> None:
    if actor.pk != profile.user_id:
        raise PermissionDeniedError(_("You can only change your own creator profile."))


# --- Creator profile ---------------------------------------------------------------------------


def clean_profile_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise profile fields; only the keys present in `data` are checked."""
    clean: dict[str, Any] = {}
    if "display_name" in data:
        name = " ".join(str(data["display_name"] or "").split())
        if not name:
            raise ValidationFailed(
                _("Enter the name brands will see, for example your creator name."), field="display_name"
            )
        if len(name) > 80:
            raise ValidationFailed(
                _("Keep your display name to 80 characters or fewer."), field="display_name"
            )
        clean["display_name"] = name
    if "bio" in data:
        bio = str(data["bio"] or "").strip()
        if len(bio) > 1500:
            raise ValidationFailed(
                _("Your bio has %(count)s characters; shorten it to 1,500 or fewer.")
                % {"count": _number(len(bio))},
                field="bio",
            )
        clean["bio"] = bio
    if "country" in data:
        country = str(data["country"] or "").strip().upper()
        if country not in countries:
            raise ValidationFailed(_("Choose the country you live in from the list."), field="country")
        clean["country"] = country
    if "city" in data:
        city = " ".join(str(data["city"] or "").split())
        if len(city) > 80:
            raise ValidationFailed(_("Keep the city name to 80 characters or fewer."), field="city")
        clean["city"] = city
    if "languages" in data:
        languages = list(dict.fromkeys(str(code).strip().lower() for code in data["languages"] or []))
        unknown = [code for code in languages if code not in LANGUAGE_NAMES]
        if unknown:
            raise ValidationFailed(
                _("“%(code)s” is not a language we know. Choose your languages from the list.")
                % {"code": unknown[0]},
                field="languages",
            )
        if not languages:
            raise ValidationFailed(
                _("Choose at least one language you create content in."), field="languages"
            )
        clean["languages"] = languages
    if "niches" in data:
        niches = list(dict.fromkeys(data["niches"] or []))
        if not all(isinstance(niche, Niche) and niche.pk for niche in niches):
            raise ValidationFailed(
                _("That niche is unknown. Choose your niches from the list."), field="niches"
            )
        if not niches:
            raise ValidationFailed(_("Choose at least one niche so brands can find you."), field="niches")
        if len(niches) > MAX_NICHES:
            raise ValidationFailed(
                _("Choose at most %(max)s niches; you chose %(count)s. Keep the ones you post about most.")
                % {"max": MAX_NICHES, "count": len(niches)},
                field="niches",
            )
        clean["niches"] = niches
    if "causes" in data:
        causes = list(dict.fromkeys(data["causes"] or []))
        if not all(isinstance(cause, Cause) and cause.pk for cause in causes):
            raise ValidationFailed(_("That cause is unknown. Choose causes from the list."), field="causes")
        clean["causes"] = causes
    if "open_to_pro_bono" in data:
        clean["open_to_pro_bono"] = bool(data["open_to_pro_bono"])
    if "currency" in data:
        currency = str(data["currency"] or "").upper()
        if currency not in {code for code, _label in settings.CURRENCIES}:
            raise ValidationFailed(_("Choose the currency you want to be paid in."), field="currency")
        clean["currency"] = currency
    return clean


@transaction.atomic
def creator_profile_create(
    *,
    user: User,
    display_name: str,
    country: str,
    languages: Iterable[str],
    niches: Iterable[Niche],
    currency: str,
    bio: str = "",
    city: str = "",
    causes: Iterable[Cause] = (),
    open_to_pro_bono: bool = False,
) -> CreatorProfile:
    """Create the user's creator profile with a unique public slug. One profile per user.

    A member of an organization may also be a creator: the two roles are independent.
    """
    # Lock the user so a double-submitted onboarding form cannot create two profiles.
    User.objects.select_for_update().get(pk=user.pk)
    if CreatorProfile.objects.filter(user=user).exists():
        raise ValidationFailed(_("You already have a creator profile. Edit it instead."))
    data = clean_profile_fields(
        {
            "display_name": display_name,
            "bio": bio,
            "country": country,
            "city": city,
            "languages": languages,
            "niches": niches,
            "causes": causes,
            "open_to_pro_bono": open_to_pro_bono,
            "currency": currency,
        }
    )
    niche_list, cause_list = data.pop("niches"), data.pop("causes")
    for _attempt in range(5):
        slug = unique_slug(
            model=CreatorProfile,
            value=data["display_name"],
            fallback="creator",
            reserved=RESERVED_SLUGS,
            max_length=60,
        )
        try:
            # A savepoint, so losing a race for the same slug only retries this insert.
            with transaction.atomic():
                profile = CreatorProfile.objects.create(user=user, slug=slug, **data)
            break
        except IntegrityError:
            continue
    else:
        raise ValidationFailed(_("We could not reserve a profile address. Please try again."))
    profile.niches.set(niche_list)
    profile.causes.set(cause_list)
    audit_record(
        actor=user,
        action="creator_profile.created",
        target=profile,
        data={"slug": profile.slug, "niches": [n.slug for n in niche_list]},
    )
    return profile


@transaction.atomic
def creator_profile_update(*, profile: CreatorProfile, actor: User, **changes: Any) -> CreatorProfile:
    """Change any of: display_name, bio, country, city, languages, niches, causes, open_to_pro_bono, currency.

    The slug never changes, so shared profile links keep working after a rename.
    """
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"creator_profile_update() got unexpected fields: {sorted(unknown)}")
    profile = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_owner(profile, actor)
    data = clean_profile_fields(changes)
    niche_list, cause_list = data.pop("niches", None), data.pop("causes", None)
    changed = sorted(field for field, value in data.items() if getattr(profile, field) != value)
    for field in changed:
        setattr(profile, field, data[field])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    if niche_list is not None and {n.pk for n in niche_list} != set(
        profile.niches.values_list("pk", flat=True)
    ):
        profile.niches.set(niche_list)
        changed.append("niches")
    if cause_list is not None and {c.pk for c in cause_list} != set(
        profile.causes.values_list("pk", flat=True)
    ):
        profile.causes.set(cause_list)
        changed.append("causes")
    if changed:
        audit_record(actor=actor, action="creator_profile.updated", target=profile, data={"fields": changed})
        announce_matching_change(profile.pk)
    return profile


# --- Social accounts ---------------------------------------------------------------------------


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

    labels = {
        "followers": _("Followers"),
        "following": _("Following"),
        "posts": _("Posts"),
        "avg_likes": _("Average likes"),
        "avg_comments": _("Average comments"),
        "avg_views": _("Average views"),
    }
    for field in COUNT_FIELDS:
        value = data.get(field)
        value = 0 if value in (None, "") and field != "followers" else value
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
    if likes > followers * 10:
        raise ValidationFailed(
            _(
                "Average likes (%(likes)s) cannot be more than 10× your followers (%(followers)s). "
                "Check the numbers from your insights."
            )
            % {"likes": _number(likes), "followers": _number(followers)},
            field="avg_likes",
        )
    rate = engagement_rate_for(followers=followers, avg_likes=likes, avg_comments=comments)
    if rate > 100:
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

    A new platform or handle is a different account, so it loses its verified badge.
    """
    unknown = set(changes) - SOCIAL_FIELDS
    if unknown:
        raise TypeError(f"social_account_update() got unexpected fields: {sorted(unknown)}")
    account = SocialAccount.objects.select_for_update().select_related("profile").get(pk=account.pk)
    _ensure_owner(account.profile, actor)
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


# --- Rate card ---------------------------------------------------------------------------------


@transaction.atomic
def rate_card_item_set(
    *,
    profile: CreatorProfile,
    actor: User,
    platform: str,
    format: str,
    price: Decimal,
    notes: str = "",
) -> RateCardItem:
    """Create or update the price for one platform + format; the currency is the profile's, now."""
    # Lock the profile: it serialises rate card writes and gives the currency to copy.
    profile = CreatorProfile.objects.select_for_update().get(pk=profile.pk)
    _ensure_owner(profile, actor)
    if platform not in Platform.values:
        raise ValidationFailed(_("Choose the platform from the list."), field="platform")
    if format not in DeliverableFormat.values:
        raise ValidationFailed(_("Choose the format from the list."), field="format")
    try:
        price = Decimal(str(price))
    except (InvalidOperation, ValueError):
        price = Decimal("NaN")
    if not price.is_finite() or price <= 0:
        raise ValidationFailed(_("Enter a price above 0, for example 1500000."), field="price")
    if price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(
            _("Enter a price with at most 2 decimals and below 1,000,000,000,000."), field="price"
        )
    notes = " ".join(str(notes or "").split())
    if len(notes) > 300:
        raise ValidationFailed(_("Keep the notes to 300 characters or fewer."), field="notes")

    item = RateCardItem.objects.filter(profile=profile, platform=platform, format=format).first()
    values = {"price": price, "currency": profile.currency, "notes": notes}
    if item is None:
        item = RateCardItem.objects.create(profile=profile, platform=platform, format=format, **values)
        action, previous = "rate_card_item.created", {}
    else:
        previous = {"price": str(item.price), "currency": item.currency}
        for field, value in values.items():
            setattr(item, field, value)
        item.save(update_fields=[*values, "updated_at"])
        action = "rate_card_item.updated"
    audit_record(
        actor=actor,
        action=action,
        target=item,
        data={"price": str(price), "currency": item.currency, "previous": previous},
    )
    announce_matching_change(profile.pk)
    return item


@transaction.atomic
def rate_card_item_delete(*, item: RateCardItem, actor: User) -> None:
    item = RateCardItem.objects.select_for_update().select_related("profile").get(pk=item.pk)
    _ensure_owner(item.profile, actor)
    audit_record(
        actor=actor,
        action="rate_card_item.deleted",
        target=item,
        data={
            "platform": item.platform,
            "format": item.format,
            "price": str(item.price),
            "currency": item.currency,
        },
    )
    announce_matching_change(item.profile_id)
    item.delete()
