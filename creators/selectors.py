"""Reads that are more than a one-line query: dashboard, public profile, stats."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from brands.models import Organization, Shortlist, ShortlistEntry
from brands.permissions import managed_organization_ids
from campaigns.models import Campaign, Collaboration, Invitation, Rating
from marketplace.models import User
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost

from .models import CreatorProfile, Niche, RateCardItem, RosterImportJob, SocialAccount

METRICS_FRESH_DAYS = 90


def public_stats() -> dict[str, int]:
    return {"creators": CreatorProfile.objects.publicly_listed().count(), "niches": Niche.objects.count()}


def _with_everything(queryset):
    """Profiles with everything their pages show, in a fixed number of queries."""
    return queryset.prefetch_related(
        "niches",
        "causes",
        # With the platform connection: the media kit reads its picture and verified snapshot.
        Prefetch(
            "social_accounts",
            queryset=SocialAccount.objects.select_related("connection").order_by("-followers", "id"),
        ),
        Prefetch("rate_card", queryset=RateCardItem.objects.order_by("platform", "format", "id")),
    )


def creator_profiles_visible_to(user):
    """Profiles `user` may see: every claimed or self-made profile, plus the unclaimed roster
    creators of organizations `user` manages, and the user's own profile."""
    if user is None or not user.is_authenticated:
        return CreatorProfile.objects.publicly_listed()
    return CreatorProfile.objects.filter(
        ~Q(roster_status=CreatorProfile.RosterStatus.UNCLAIMED)
        | Q(roster_organization_id__in=managed_organization_ids(user))
        | Q(user=user)
    )


def _private_to_others(organization_id: int | None) -> Q:
    """Unclaimed roster creators of organizations other than `organization_id` (of all, for None):
    private to their importer until they claim their profile."""
    private = Q(roster_status=CreatorProfile.RosterStatus.UNCLAIMED)
    return private if organization_id is None else private & ~Q(roster_organization_id=organization_id)


def creators_listed_for(*, organization_id: int):
    """Creators `organization_id` may pick (shortlists, invitations): everyone but the unclaimed
    roster creators of other organizations, which to it do not exist."""
    return CreatorProfile.objects.exclude(_private_to_others(organization_id))


def unlisted_creator_ids(*, organization_id: int | None) -> set[int]:
    """Ids of the creators `organization_id` may not be shown (recommendations): the same rule as
    creators_listed_for, as the exclusion set the ranking index takes."""
    return set(
        CreatorProfile.objects.filter(_private_to_others(organization_id)).values_list("pk", flat=True)
    )


def roster_import_jobs_visible_to(user):
    """Import jobs of the organizations `user` owns or manages (viewers and others: none)."""
    return RosterImportJob.objects.filter(organization_id__in=managed_organization_ids(user)).defer("content")


def roster_creators_visible_to(user, *, organization_id: int):
    """The creators `organization_id`'s roster imports created, for its owners and managers only."""
    return (
        CreatorProfile.objects.filter(
            roster_organization_id=organization_id, roster_organization_id__in=managed_organization_ids(user)
        )
        .select_related("user")
        .prefetch_related("social_accounts")
        .order_by("roster_status", "display_name", "pk")
    )


def creator_profile_public(*, slug: str, viewer=None) -> CreatorProfile | None:
    """The profile behind /creators/<slug>/ with niches, causes, accounts and rate card loaded.

    An unclaimed roster creator is found only by managers of the importing organization."""
    return _with_everything(creator_profiles_visible_to(viewer).filter(slug=slug)).first()


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


# The media kit: the public creator page (creators:profile_public)

TOP_POSTS = 6
TOP_POSTS_DAYS = 90
RECENT_COLLABORATIONS = 10
AUDIENCE_TOP = 5
GENDER_LABELS = {
    "f": _("Women"),
    "female": _("Women"),
    "m": _("Men"),
    "male": _("Men"),
    "u": _("Other or not given"),
    "other": _("Other or not given"),
    "unknown": _("Other or not given"),
}


@dataclass
class AudienceRow:
    label: str
    share: float  # percent, one decimal


@dataclass
class AudienceGroup:
    title: str
    rows: list[AudienceRow]


@dataclass
class MediaKitAccount:
    account: SocialAccount
    # The date the numbers were read from the platform; None for self-reported numbers.
    verified_at: datetime | None
    audience: list[AudienceGroup] = field(default_factory=list)
    # True when `audience` is the creator's own figures (no verified breakdown to show).
    audience_self_reported: bool = False
    audience_taken_at: datetime | None = None


def _share(entry) -> float | None:
    value = entry.get("share", entry.get("pct")) if isinstance(entry, dict) else None
    try:
        share = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except ArithmeticError:  # not a number, infinite
        return None
    return float(share) if share.is_finite() and 0 <= share <= 100 else None


def _audience_rows(entries, *, label_for, top: int | None = None, by_share: bool = True) -> list[AudienceRow]:
    """Rows from [{"code"|"label": ..., "share"|"pct": ...}], skipping malformed entries."""
    rows = []
    for entry in entries or []:
        share = _share(entry)
        key = str(entry.get("code") or entry.get("label") or "") if isinstance(entry, dict) else ""
        if share is None or not key:
            continue
        rows.append(AudienceRow(label=str(label_for(key, entry)), share=share))
    if by_share:
        rows.sort(key=lambda row: -row.share)
    return rows[:top] if top else rows


def _country_label(code, entry):
    return countries.name(code.upper()) or code


def _plain_label(code, entry):
    return entry.get("label") or code


def _gender_label(code, entry):
    return GENDER_LABELS.get(code.lower(), entry.get("label") or code)


def _verified_audience(snapshot: MetricsSnapshot) -> list[AudienceGroup]:
    groups = [
        AudienceGroup(
            _("Countries"),
            _audience_rows(snapshot.audience_countries, label_for=_country_label, top=AUDIENCE_TOP),
        ),
        AudienceGroup(
            _("Cities"), _audience_rows(snapshot.audience_cities, label_for=_plain_label, top=AUDIENCE_TOP)
        ),
        # Age ranges read best in their own order (13-17, 18-24...), not by share.
        AudienceGroup(
            _("Ages"),
            sorted(
                _audience_rows(snapshot.audience_ages, label_for=_plain_label, by_share=False),
                key=lambda row: row.label,
            ),
        ),
        AudienceGroup(_("Genders"), _audience_rows(snapshot.audience_genders, label_for=_gender_label)),
    ]
    return [group for group in groups if group.rows]


def _self_reported_countries(account: SocialAccount) -> list[AudienceGroup]:
    # A verified account keeps what the creator typed in `self_reported`; the columns hold the
    # platform's numbers then.
    entries = (
        account.self_reported.get("audience_countries", [])
        if account.is_metrics_verified
        else account.audience_countries
    )
    rows = _audience_rows(entries, label_for=_country_label, top=AUDIENCE_TOP)
    return [AudienceGroup(_("Countries"), rows)] if rows else []


def _latest_snapshots(profile: CreatorProfile) -> dict[int, MetricsSnapshot]:
    """Each of the profile's connections' latest snapshot, by connection id, in one query."""
    latest = (
        MetricsSnapshot.objects.filter(connection=OuterRef("pk"))
        .order_by("-taken_at", "-id")
        .values("pk")[:1]
    )
    ids = PlatformConnection.objects.filter(profile=profile).values(latest_id=Subquery(latest))
    return {snapshot.connection_id: snapshot for snapshot in MetricsSnapshot.objects.filter(pk__in=ids)}


def _top_posts(profile: CreatorProfile) -> list[PlatformPost]:
    since = timezone.now() - timedelta(days=TOP_POSTS_DAYS)
    engagement = Coalesce("likes", Value(0)) + Coalesce("comments", Value(0))
    return list(
        PlatformPost.objects.filter(connection__profile=profile, posted_at__gte=since)
        .select_related("connection")
        .annotate(engagement=engagement)
        .order_by("-engagement", "-posted_at", "-id")[:TOP_POSTS]
    )


def _collaborations(profile: CreatorProfile) -> tuple[list, dict]:
    """Completed collaborations with the organization's rating of the creator; never the fee."""
    creator_rating = Rating.objects.filter(collaboration=OuterRef("pk"), rated_side=Rating.Side.CREATOR)
    recent = list(
        Collaboration.objects.filter(creator=profile, status=Collaboration.Status.COMPLETED)
        .select_related("campaign__organization")
        .only("pk", "completed_at", "campaign__title", "campaign__organization__name")
        .annotate(
            rating_score=Subquery(creator_rating.values("score")[:1]),
            rating_comment=Subquery(creator_rating.values("comment")[:1]),
        )
        .order_by(F("completed_at").desc(nulls_last=True), "-pk")[:RECENT_COLLABORATIONS]
    )
    creator_side = Q(ratings__rated_side=Rating.Side.CREATOR)
    totals = Collaboration.objects.filter(creator=profile).aggregate(
        completed=Count("pk", filter=Q(status=Collaboration.Status.COMPLETED), distinct=True),
        rating_avg=Avg("ratings__score", filter=creator_side),
        rating_count=Count("ratings", filter=creator_side),
    )
    return recent, totals


def _viewer_actions(profile: CreatorProfile, viewer) -> dict[str, Any]:
    """The shortlists and published campaigns of the organizations the viewer manages (owner or
    manager), for the "Add to shortlist" and "Invite" forms; nothing for anyone else."""
    none = {"can_act": False, "shortlists": [], "campaigns": [], "several_organizations": False}
    if not getattr(viewer, "is_authenticated", False) or viewer.pk == profile.user_id:
        return none
    organizations = list(
        Organization.objects.filter(pk__in=managed_organization_ids(viewer)).only("pk", "name")
    )
    if not organizations:
        return none
    org_ids = [org.pk for org in organizations]
    shortlists = list(
        Shortlist.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .annotate(
            has_creator=Exists(ShortlistEntry.objects.filter(shortlist=OuterRef("pk"), creator=profile))
        )
        .order_by("organization__name", "name", "pk")
    )
    open_invitation = Invitation.objects.filter(
        campaign=OuterRef("pk"), creator=profile, status__in=Invitation.OPEN, expires_at__gt=timezone.now()
    )
    campaigns = list(
        Campaign.objects.filter(organization_id__in=org_ids, status=Campaign.Status.PUBLISHED)
        .select_related("organization")
        .annotate(invited=Exists(open_invitation))
        .order_by("organization__name", "title", "pk")
    )
    return {
        "can_act": True,
        "shortlists": shortlists,
        "campaigns": campaigns,
        "several_organizations": len(organizations) > 1,
    }


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split()[:2]).upper()


def media_kit(profile: CreatorProfile, viewer) -> dict[str, Any]:
    """The public creator page's data, from a profile loaded by creator_profile_public.

    A fixed number of queries whatever the number of accounts, posts or collaborations: snapshots,
    posts, collaborations, their totals, and for an organization manager three more.
    """
    snapshots = _latest_snapshots(profile)
    accounts, picture = [], None
    for account in profile.social_accounts.all():
        connection = getattr(account, "connection", None)
        snapshot = snapshots.get(connection.pk) if connection else None
        if picture is None and connection is not None and connection.picture:
            picture = connection.picture
        verified_at = None
        if account.is_metrics_verified:
            verified_at = account.metrics_verified_at or (snapshot.taken_at if snapshot else None)
        item = MediaKitAccount(account=account, verified_at=verified_at)
        audience = _verified_audience(snapshot) if snapshot else []
        if audience:
            item.audience, item.audience_taken_at = audience, snapshot.taken_at
        else:
            item.audience, item.audience_self_reported = _self_reported_countries(account), True
        accounts.append(item)

    collaborations, totals = _collaborations(profile)
    rating_avg = None
    if totals["rating_count"]:
        rating_avg = Decimal(str(totals["rating_avg"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {
        "profile": profile,
        "is_owner": getattr(viewer, "is_authenticated", False) and viewer.pk == profile.user_id,
        "picture": picture,
        "initials": _initials(profile.display_name),
        "accounts": accounts,
        "has_audience": any(item.audience for item in accounts),
        "top_posts": _top_posts(profile),
        "top_posts_days": TOP_POSTS_DAYS,
        "collaborations": collaborations,
        "completed_count": totals["completed"],
        # (average, count), the shape campaigns/_rating.html reads.
        "rating": (rating_avg, totals["rating_count"]),
        "rate_card": list(profile.rate_card.all()),
        **_viewer_actions(profile, viewer),
    }
