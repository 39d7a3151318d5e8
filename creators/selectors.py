"""Reads that are more than a one-line query: dashboard, public profile, stats."""

from datetime import timedelta
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import User

from .models import CreatorProfile, Niche, RateCardItem, SocialAccount

METRICS_FRESH_DAYS = 90


def public_stats() -> dict[str, int]:
    return {"creators": CreatorProfile.objects.count(), "niches": Niche.objects.count()}


def _with_everything(queryset):
    """Profiles with everything their pages show, in a fixed number of queries."""
    return queryset.prefetch_related(
        "niches",
        "causes",
        Prefetch("social_accounts", queryset=SocialAccount.objects.order_by("-followers", "id")),
        Prefetch("rate_card", queryset=RateCardItem.objects.order_by("platform", "format", "id")),
    )


def creator_profile_public(*, slug: str) -> CreatorProfile | None:
    """The profile behind /creators/<slug>/ with niches, causes, accounts and rate card loaded."""
    return _with_everything(CreatorProfile.objects.filter(slug=slug)).first()


def creator_profile_for_user(*, user: User) -> CreatorProfile | None:
    if not user.is_authenticated:
        return None
    return _with_everything(CreatorProfile.objects.filter(user=user)).first()


def metrics_are_fresh(account: SocialAccount, *, today=None) -> bool:
    today = today or timezone.localdate()
    return account.metrics_date >= today - timedelta(days=METRICS_FRESH_DAYS)


def creator_dashboard(*, user: User) -> dict[str, Any] | None:
    """What the creator panel on the dashboard shows, or None if the user has no creator profile."""
    profile = creator_profile_for_user(user=user)
    if profile is None:
        return None
    social_accounts = list(profile.social_accounts.all())
    rate_card = list(profile.rate_card.all())
    today = timezone.localdate()
    stale = [account for account in social_accounts if not metrics_are_fresh(account, today=today)]
    basics_done = bool(
        profile.display_name and profile.bio and profile.country and profile.languages
    ) and bool(profile.niches.all())
    if stale:
        metrics_url = reverse("creators:social_account_edit", kwargs={"pk": stale[0].pk})
    else:
        metrics_url = (
            reverse("creators:social_account_add")
            if not social_accounts
            else reverse("creators:profile_edit")
        )
    checklist = [
        {
            "label": _("Complete your profile basics: bio, country, languages and niches"),
            "done": basics_done,
            "url": reverse("creators:profile_edit"),
        },
        {
            "label": _("Add at least one social account"),
            "done": bool(social_accounts),
            "url": reverse("creators:social_account_add"),
        },
        {
            "label": _("Update your metrics (every account, within the last 90 days)"),
            "done": bool(social_accounts) and not stale,
            "url": metrics_url,
        },
        {
            "label": _("Add at least one rate card item"),
            "done": bool(rate_card),
            "url": reverse("creators:rate_card"),
        },
    ]
    done = sum(1 for item in checklist if item["done"])
    return {
        "profile": profile,
        "social_accounts": social_accounts,
        "rate_card": rate_card,
        "stale_accounts": stale,
        "checklist": checklist,
        "completion": round(done * 100 / len(checklist)),
    }
