"""Reads for briefs as creators find them: browsing, one brief, and where a creator stands on it.
Each function runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_countries import countries

from creators.models import CreatorProfile, Platform, SocialAccount
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.models import User

from .. import visibility
from ..models import Application, Campaign, Collaboration, Invitation


def creator_for_browsing(*, user: User) -> CreatorProfile | None:
    """The user's creator profile with its social accounts loaded once, for eligibility checks."""
    if user is None or not user.is_authenticated:
        return None
    return (
        CreatorProfile.objects.filter(user=user)
        .prefetch_related(Prefetch("social_accounts", queryset=SocialAccount.objects.order_by("-followers")))
        .first()
    )


def brief_for_viewer(*, user: User, pk: int) -> Campaign:
    """A brief as the user may see it (the rules: campaigns.visibility.campaigns_visible_to)."""
    return get_object_or_404(
        visibility.campaigns_visible_to(user)
        .select_related("organization")
        .prefetch_related("deliverables", "niches", "causes"),
        pk=pk,
    )


@dataclass
class CreatorStanding:
    """Where a creator already stands on a brief: their application, invitation and collaboration."""

    application: Application | None = None
    invitation: Invitation | None = None
    collaboration: Collaboration | None = None

    @property
    def any(self) -> bool:
        return bool(self.application or self.invitation or self.collaboration)


def creator_standing(*, campaign: Campaign, creator: CreatorProfile) -> CreatorStanding:
    return CreatorStanding(
        application=Application.objects.filter(campaign=campaign, creator=creator).first(),
        # The latest invitation: an open one if any, otherwise the last answered one.
        invitation=Invitation.objects.filter(campaign=campaign, creator=creator)
        .order_by("-created_at", "-pk")
        .first(),
        collaboration=Collaboration.objects.filter(campaign=campaign, creator=creator).first(),
    )


BROWSE_ORDERINGS = {
    "newest": ("-published_at", "-pk"),
    "deadline": (F("application_deadline").asc(nulls_last=True), "-pk"),
    "fee": (F("fee_max").desc(nulls_last=True), "-pk"),
}


def _json_list_has(field: str, code: str) -> Q:
    """A JSON list of codes contains `code`. Works on SQLite and PostgreSQL alike: the quotes make
    the text match exact ("x" does not match "xx")."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


def brief_browse(*, user: User, filters: dict[str, Any]) -> QuerySet[Campaign]:
    """Published briefs still taking applications, filtered by the cleaned browse form.

    Filters (all optional): q (title text), niche (Niche), platform, kind, country, language
    (a brief with no target countries/languages is open to all and always matches), currency,
    fee_min / fee_max (amounts in the brief's currency: a brief matches when its fee range overlaps),
    deadline_within (days), deadline_before (date), sort (newest | deadline | fee).
    """
    today = timezone.localdate()
    qs = Campaign.objects.filter(status=Campaign.Status.PUBLISHED).filter(
        Q(application_deadline__isnull=True) | Q(application_deadline__gte=today)
    )
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    if filters.get("niche"):
        qs = qs.filter(niches=filters["niche"])
    if filters.get("platform"):
        qs = qs.filter(_json_list_has("platforms", filters["platform"]))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("country"):
        qs = qs.filter(Q(target_countries=[]) | _json_list_has("target_countries", filters["country"]))
    if filters.get("language"):
        qs = qs.filter(Q(target_languages=[]) | _json_list_has("target_languages", filters["language"]))
    if filters.get("currency"):
        qs = qs.filter(currency=filters["currency"])
    if filters.get("fee_min") is not None:
        qs = qs.filter(fee_max__gte=filters["fee_min"])
    if filters.get("fee_max") is not None:
        qs = qs.filter(fee_min__lte=filters["fee_max"])
    if filters.get("deadline_within"):
        qs = qs.filter(
            application_deadline__lte=today + datetime.timedelta(days=int(filters["deadline_within"]))
        )
    if filters.get("deadline_before"):
        qs = qs.filter(application_deadline__lte=filters["deadline_before"])
    ordering = BROWSE_ORDERINGS.get(filters.get("sort") or "newest", BROWSE_ORDERINGS["newest"])
    return qs.select_related("organization").prefetch_related("niches", "causes").order_by(*ordering)


def brief_labels(campaign: Campaign) -> dict[str, list[str]]:
    """Readable names for the codes a brief stores in JSON lists (platforms, countries, languages)."""
    return {
        "platforms": [str(Platform(code).label) for code in campaign.platforms if code in Platform.values],
        "countries": [str(countries.name(code)) for code in campaign.target_countries],
        "languages": [str(LANGUAGE_NAMES.get(code, code)) for code in campaign.target_languages],
    }
