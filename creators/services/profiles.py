"""Creator profile writes: checking the fields, creating the profile, changing it."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_countries import countries

from creators.models import Cause, CreatorProfile, Niche
from creators.services.common import _ensure_owner, _number
from creators.signals import announce_matching_change
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.errors import ValidationFailed
from marketplace.models import User
from marketplace.services import audit_record
from marketplace.slugs import unique_slug

MAX_NICHES = 5
# Paths under /creators/ that a profile slug must never shadow.
RESERVED_SLUGS = frozenset({"onboarding", "me", "new", "edit", "search", "discover", "api", "admin"})
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
