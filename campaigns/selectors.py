"""Reads for briefs, browsing and the campaign dashboard. Each function runs a fixed number of queries."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from brands.models import Membership, Organization
from brands.selectors import organization_for_member
from creators.models import CreatorProfile, Platform, SocialAccount
from creators.taxonomy import LANGUAGE_NAMES
from marketplace.models import User

from . import visibility
from .matching import Reliability
from .models import (
    Application,
    Campaign,
    Collaboration,
    CollaborationDeliverable,
    Dispute,
    Invitation,
    Rating,
    Submission,
)

D = CollaborationDeliverable.Status
C = Collaboration.Status

# Deliverable states reached once a draft has been approved at least once.
APPROVED_OR_LATER = (D.APPROVED, D.PUBLISHED, D.CONFIRMED)
PUBLISHED_OR_LATER = (D.PUBLISHED, D.CONFIRMED)
ORG_PANEL_LIMIT = 5


# Access


def campaign_for_member(*, user: User, pk: int) -> tuple[Campaign, Membership]:
    """The campaign and the user's membership in its organization; everyone else gets a 404."""
    campaign = get_object_or_404(
        visibility.organization_campaigns_visible_to(user).select_related("organization"), pk=pk
    )
    membership = Membership.objects.filter(organization_id=campaign.organization_id, user=user).first()
    if membership is None:
        raise Http404
    return campaign, membership


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


# Browsing


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


# Organization pages


def _count_subquery(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("campaign").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate each campaign with the numbers an organization's list shows."""
    return queryset.annotate(
        open_applications=_count_subquery(
            Application.objects.filter(campaign=OuterRef("pk"), status__in=Application.OPEN)
        ),
        application_count=_count_subquery(Application.objects.filter(campaign=OuterRef("pk"))),
        open_invitations=_count_subquery(
            Invitation.objects.filter(campaign=OuterRef("pk"), status__in=Invitation.OPEN)
        ),
        slots_taken=_count_subquery(
            Collaboration.objects.filter(campaign=OuterRef("pk")).exclude(status=C.CANCELLED)
        ),
    )


def org_campaigns(*, user: User, slug: str, status: str = "") -> tuple[Organization, Membership, QuerySet]:
    """All the organization's campaigns (optionally one status) with counts. Members only (404)."""
    organization, membership = organization_for_member(user=user, slug=slug)
    qs = Campaign.objects.filter(organization=organization)
    if status in Campaign.Status.values:
        qs = qs.filter(status=status)
    return (
        organization,
        membership,
        with_counts(qs.select_related("organization")).order_by("-created_at", "-pk"),
    )


def org_campaign_status_counts(*, organization: Organization) -> dict[str, int]:
    rows = (
        Campaign.objects.filter(organization=organization).order_by().values("status").annotate(n=Count("pk"))
    )
    return {row["status"]: row["n"] for row in rows}


def org_campaigns_panel(*, user: User, limit: int = ORG_PANEL_LIMIT) -> list[dict[str, Any]]:
    """For the dashboard: each organization the user belongs to with its latest campaigns.

    Two queries whatever the number of organizations: the memberships, then the newest `limit`
    campaigns per organization ranked by a window function.
    """
    if user is None or not user.is_authenticated:
        return []
    memberships = list(
        Membership.objects.filter(user=user)
        .select_related("organization")
        .order_by("organization__name", "organization_id")
    )
    if not memberships:
        return []
    ranked = (
        Campaign.objects.filter(organization_id__in=[m.organization_id for m in memberships])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("organization_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=limit)
        .order_by("organization_id", "rank")
    )
    by_org: dict[int, list[Campaign]] = {}
    for campaign in ranked:
        by_org.setdefault(campaign.organization_id, []).append(campaign)
    return [
        {
            "organization": m.organization,
            "membership": m,
            "can_edit": m.can_edit_org(),
            "campaigns": by_org.get(m.organization_id, []),
        }
        for m in memberships
    ]


# The campaign dashboard


def _collaborations_with_progress(campaign: Campaign) -> list[Collaboration]:
    return list(
        Collaboration.objects.filter(campaign=campaign)
        .select_related("creator")
        .annotate(
            deliverable_count=Count("deliverables", distinct=True),
            approved_count=Count(
                "deliverables", filter=Q(deliverables__status__in=APPROVED_OR_LATER), distinct=True
            ),
            published_count=Count(
                "deliverables", filter=Q(deliverables__status__in=PUBLISHED_OR_LATER), distinct=True
            ),
            to_review_count=Count("deliverables", filter=Q(deliverables__status=D.SUBMITTED), distinct=True),
            to_confirm_count=Count("deliverables", filter=Q(deliverables__status=D.PUBLISHED), distinct=True),
            has_submission=Exists(Submission.objects.filter(deliverable__collaboration=OuterRef("pk"))),
        )
        .order_by("due_date", "pk")
    )


def _funnel_from(*, invited: int, applied: int, collaborations: list[Collaboration]) -> dict[str, int]:
    counted = [c for c in collaborations if c.status != C.CANCELLED]

    def all_reached(c: Collaboration, reached: int) -> bool:
        return c.deliverable_count > 0 and reached == c.deliverable_count

    return {
        "invited": invited,
        "applied": applied,
        "accepted": len(counted),
        "submitted": sum(1 for c in counted if c.has_submission),
        "approved": sum(1 for c in counted if all_reached(c, c.approved_count)),
        "published": sum(1 for c in counted if all_reached(c, c.published_count)),
        "completed": sum(1 for c in counted if c.status == C.COMPLETED),
    }


def campaign_funnel(*, campaign: Campaign) -> dict[str, int]:
    """How far the campaign's creators got, stage by stage.

    - invited: invitations ever sent, whatever their answer;
    - applied: applications ever made, withdrawn and declined included;
    - accepted: collaborations that were not cancelled;
    - submitted: of those, collaborations with at least one draft submitted;
    - approved: of those, collaborations whose every deliverable was approved at least once
      (it is approved, published or confirmed);
    - published: of those, collaborations whose every deliverable is published (confirmed or not);
    - completed: collaborations completed.
    """
    return _funnel_from(
        invited=campaign.invitations.count(),
        applied=campaign.applications.count(),
        collaborations=_collaborations_with_progress(campaign),
    )


def _next_actions(
    *,
    campaign: Campaign,
    open_applications: int,
    counter_offers: int,
    collaborations: list[Collaboration],
    open_disputes: int,
    today: datetime.date,
) -> list[str]:
    actions: list[str] = []
    if campaign.status == Campaign.Status.DRAFT:
        actions.append(_("Publish this draft when the brief is complete, so creators can apply."))
    if open_applications:
        actions.append(
            ngettext(
                "%(count)s application to review.", "%(count)s applications to review.", open_applications
            )
            % {"count": open_applications}
        )
    if counter_offers:
        actions.append(
            ngettext(
                "%(count)s counter-offer to answer.", "%(count)s counter-offers to answer.", counter_offers
            )
            % {"count": counter_offers}
        )
    live = [c for c in collaborations if c.status in Collaboration.LIVE]
    to_review = sum(c.to_review_count for c in live)
    if to_review:
        actions.append(
            ngettext(
                "%(count)s draft waiting for your review.",
                "%(count)s drafts waiting for your review.",
                to_review,
            )
            % {"count": to_review}
        )
    to_confirm = sum(c.to_confirm_count for c in live)
    if to_confirm:
        actions.append(
            ngettext(
                "%(count)s published post to confirm.", "%(count)s published posts to confirm.", to_confirm
            )
            % {"count": to_confirm}
        )
    if open_disputes:
        actions.append(
            ngettext(
                "%(count)s dispute is waiting for Kolabo staff.",
                "%(count)s disputes are waiting for Kolabo staff.",
                open_disputes,
            )
            % {"count": open_disputes}
        )
    if campaign.status == Campaign.Status.PUBLISHED:
        taken = sum(1 for c in collaborations if c.status != C.CANCELLED)
        if campaign.application_deadline and campaign.application_deadline < today:
            actions.append(_("The application deadline has passed: close the campaign to stop applications."))
        elif taken >= campaign.slots:
            actions.append(
                _("All slots are filled: close the campaign, or add slots to accept more creators.")
            )
        elif not open_applications and not counter_offers:
            actions.append(_("Slots are still open: invite creators who fit the brief."))
    return actions


def campaign_next_actions(*, campaign: Campaign) -> list[str]:
    """What the organization should do next on this campaign, in plain sentences."""
    return campaign_dashboard(campaign=campaign)["next_actions"]


def campaign_dashboard(*, campaign: Campaign) -> dict[str, Any]:
    """Everything the campaign page shows: funnel, slots, next actions and due dates (7 queries)."""
    today = timezone.localdate()
    collaborations = _collaborations_with_progress(campaign)
    application_counts = dict(
        campaign.applications.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    invitation_counts = dict(
        campaign.invitations.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    open_disputes = Dispute.objects.filter(
        collaboration__campaign=campaign, status=Dispute.Status.OPEN
    ).count()
    open_applications = sum(application_counts.get(s, 0) for s in Application.OPEN)
    counter_offers = invitation_counts.get(Invitation.Status.COUNTERED, 0)
    funnel = _funnel_from(
        invited=sum(invitation_counts.values()),
        applied=sum(application_counts.values()),
        collaborations=collaborations,
    )
    due_dates: list[dict[str, Any]] = []
    if campaign.application_deadline:
        due_dates.append(
            {"date": campaign.application_deadline, "label": _("Application deadline"), "collaboration": None}
        )
    if campaign.content_due_date:
        due_dates.append(
            {"date": campaign.content_due_date, "label": _("Content due"), "collaboration": None}
        )
    for collaboration in collaborations:
        if collaboration.due_date and collaboration.status in Collaboration.LIVE:
            due_dates.append(
                {
                    "date": collaboration.due_date,
                    "label": _("Content due from %(creator)s")
                    % {"creator": collaboration.creator.display_name},
                    "collaboration": collaboration,
                }
            )
    due_dates.sort(key=lambda row: row["date"])
    for row in due_dates:
        row["overdue"] = row["date"] < today
        row["days_left"] = (row["date"] - today).days
    return {
        "funnel": funnel,
        "funnel_rows": [
            (key, label, funnel[key])
            for key, label in (
                ("invited", _("Invited")),
                ("applied", _("Applied")),
                ("accepted", _("Accepted")),
                ("submitted", _("Submitted")),
                ("approved", _("Approved")),
                ("published", _("Published")),
                ("completed", _("Completed")),
            )
        ],
        "slots_taken": funnel["accepted"],
        "slots_total": campaign.slots,
        "open_applications": open_applications,
        "open_invitations": sum(invitation_counts.get(s, 0) for s in Invitation.OPEN),
        "counter_offers": counter_offers,
        "collaborations": collaborations,
        "next_actions": _next_actions(
            campaign=campaign,
            open_applications=open_applications,
            counter_offers=counter_offers,
            collaborations=collaborations,
            open_disputes=open_disputes,
            today=today,
        ),
        "due_dates": due_dates,
    }


# Display


def brief_labels(campaign: Campaign) -> dict[str, list[str]]:
    """Readable names for the codes a brief stores in JSON lists (platforms, countries, languages)."""
    return {
        "platforms": [str(Platform(code).label) for code in campaign.platforms if code in Platform.values],
        "countries": [str(countries.name(code)) for code in campaign.target_countries],
        "languages": [str(LANGUAGE_NAMES.get(code, code)) for code in campaign.target_languages],
    }


def creator_work_summary(*, user: User) -> dict[str, Any] | None:
    """For the creator's dashboard: what is waiting for them across briefs and collaborations."""
    if not user.is_authenticated or not hasattr(user, "creator_profile"):
        return None
    profile = user.creator_profile
    collaborations = list(
        Collaboration.objects.filter(creator=profile, status__in=Collaboration.LIVE)
        .select_related("campaign", "campaign__organization")
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:5]
    )
    return {
        "invitations": Invitation.objects.filter(creator=profile, status=Invitation.Status.PENDING).count(),
        "applications": Application.objects.filter(creator=profile, status__in=Application.OPEN).count(),
        "collaborations": collaborations,
        "live_count": Collaboration.objects.filter(creator=profile, status__in=Collaboration.LIVE).count(),
    }


def creator_reliability(*, creator_ids: list[int]) -> dict[int, Reliability]:
    """Each creator's track record for the match score, in two queries for any number of creators.

    finished: completed or cancelled collaborations; delivered: completed ones with a due date;
    on time: those whose every first draft (round 1) arrived on or before the due date (local
    date); ratings: the scores organizations gave on completed collaborations.
    """
    counts = {pk: {"finished": 0, "completed": 0, "delivered": 0, "on_time": 0} for pk in creator_ids}
    rows = (
        Collaboration.objects.filter(creator_id__in=creator_ids, status__in=Collaboration.FINAL)
        .annotate(
            last_first_draft=Max(
                "deliverables__submissions__created_at",
                filter=Q(deliverables__submissions__round=1),
            )
        )
        .values_list("creator_id", "status", "due_date", "last_first_draft")
    )
    for creator_id, status, due_date, last_first_draft in rows:
        record = counts[creator_id]
        record["finished"] += 1
        if status != Collaboration.Status.COMPLETED:
            continue
        record["completed"] += 1
        if due_date is not None:
            record["delivered"] += 1
            if last_first_draft is not None and timezone.localdate(last_first_draft) <= due_date:
                record["on_time"] += 1
    ratings = {
        row["collaboration__creator_id"]: row
        for row in Rating.objects.filter(
            collaboration__creator_id__in=creator_ids,
            collaboration__status=Collaboration.Status.COMPLETED,
            rated_side=Rating.Side.CREATOR,
        )
        .values("collaboration__creator_id")
        .annotate(average=Avg("score"), count=Count("pk"))
        .order_by()
    }
    return {
        pk: Reliability(
            **counts[pk],
            rating_average=ratings[pk]["average"] if pk in ratings else None,
            rating_count=ratings[pk]["count"] if pk in ratings else 0,
        )
        for pk in creator_ids
    }
