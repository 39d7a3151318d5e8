"""The public impact page of a cause campaign: aggregate results only, safe to share.

Which campaigns have one: cause campaigns of NGOs that are published, closed or completed. Drafts,
cancelled and commercial campaigns have none (404).

What it shows: the NGO, the causes, how many creators take part, the campaign's results (reach,
engagements, clicks and each conversion goal, from analytics.selectors.campaign_report), the
sponsors who funded it, and by name only the creators who opted in
(Collaboration.credited_publicly). Never fees, budgets, individual earnings, emails, or a creator
who did not opt in.

The page is computed at most every IMPACT_CACHE_SECONDS per campaign ("Updated <time>" says when);
a creator's opt-in or opt-out clears it at once.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from analytics.selectors import CampaignReport, campaign_report
from brands.models import Organization
from campaigns.models import Campaign, Collaboration
from campaigns.selectors.sponsorships import sponsors_credited
from creators.models import CreatorProfile

IMPACT_CACHE_SECONDS = 300
IMPACT_STATUSES = (Campaign.Status.PUBLISHED, Campaign.Status.CLOSED, Campaign.Status.COMPLETED)


def impact_cache_key(campaign_id: int, language: str | None = None) -> str:
    """Per campaign and language: labels and cause names are stored translated."""
    return f"kolabo:analytics:impact:{campaign_id}:{language or translation.get_language()}"


def impact_cache_clear(campaign_id: int) -> None:
    cache.delete_many([impact_cache_key(campaign_id, code) for code, _name in settings.LANGUAGES])


def impact_campaigns() -> QuerySet[Campaign]:
    """Campaigns with a public impact page (anyone may open it, signed in or not)."""
    return Campaign.objects.filter(
        kind=Campaign.Kind.CAUSE,
        organization__kind=Organization.Kind.NGO,
        status__in=IMPACT_STATUSES,
    ).select_related("organization")


def has_impact_page(campaign: Campaign) -> bool:
    """The same rule as impact_campaigns, for a campaign already loaded with its organization."""
    return (
        campaign.kind == Campaign.Kind.CAUSE
        and campaign.organization.kind == Organization.Kind.NGO
        and campaign.status in IMPACT_STATUSES
    )


@dataclass(frozen=True)
class Headline:
    key: str  # reach | views | engagements | clicks | signup | pledge | donation | sale | attendance
    label: str
    value: int | None  # None when unknown (never shown as 0)
    source: str = ""  # verified | self_reported | tracked | mixed
    amounts: tuple[tuple[str, Decimal], ...] = ()  # (currency, total) for donations and sales


@dataclass(frozen=True)
class Credit:
    name: str
    url: str = ""
    logo_url: str = ""


@dataclass
class ImpactPage:
    campaign_id: int
    title: str
    status: str
    organization: Credit
    causes: list[str]
    creators: int  # taking part (collaborations not cancelled)
    credited: list[Credit]  # creators who opted in to be named
    headlines: list[Headline]
    goals: list[Headline]
    sponsors: list[Credit]
    computed_at: datetime = field(default_factory=timezone.now)

    @property
    def anonymous_creators(self) -> int:
        return self.creators - len(self.credited)


def _logo(organization: Organization) -> str:
    return organization.logo.url if organization.logo else ""


def headlines_from_report(report: CampaignReport) -> list[Headline]:
    """Audience and clicks, with their sources. Reach is shown only when a platform measured it."""
    figures = [
        ("views", _("views"), report.views),
        ("reach", _("people reached"), report.reach),
        ("engagements", _("engagements"), report.engagements),
        ("clicks", _("clicks"), report.clicks),
    ]
    return [
        Headline(key=key, label=str(label), value=_whole(figure.value), source=figure.source)
        for key, label, figure in figures
        if key != "reach" or figure.value is not None
    ]


def goals_from_report(report: CampaignReport) -> list[Headline]:
    """Each conversion goal the campaign has: its count and, for donations and sales, the amounts
    raised per currency (never added across currencies)."""
    goals = []
    for goal in report.goals:
        amounts = dict(goal.other_currencies)
        if goal.amount.value is not None:
            amounts[report.currency] = goal.amount.value
        goals.append(
            Headline(
                key=goal.kind,
                label=goal.label,
                value=_whole(goal.conversions.value),
                source=goal.conversions.source,
                amounts=tuple(sorted(amounts.items())),
            )
        )
    return goals


def _whole(value) -> int | None:
    return None if value is None else int(value)


def impact_page_compute(campaign: Campaign) -> ImpactPage:
    """Build the page's figures now (the cached entry point is `impact_page_data`)."""
    live = Collaboration.objects.filter(campaign=campaign).exclude(status=Collaboration.Status.CANCELLED)
    credited = list(
        CreatorProfile.objects.filter(collaborations__in=live.filter(credited_publicly=True)).order_by(
            "display_name", "pk"
        )
    )
    report = campaign_report(campaign)
    organization = campaign.organization
    return ImpactPage(
        campaign_id=campaign.pk,
        title=campaign.title,
        status=campaign.status,
        organization=Credit(name=organization.name, url=organization.website, logo_url=_logo(organization)),
        causes=[str(cause.name) for cause in campaign.causes.all()],
        creators=report.creators,
        credited=[Credit(name=p.display_name, url=p.get_absolute_url()) for p in credited],
        headlines=headlines_from_report(report),
        goals=goals_from_report(report),
        sponsors=[Credit(name=s.name, url=s.website, logo_url=_logo(s)) for s in sponsors_credited(campaign)],
    )


def impact_page_data(campaign: Campaign) -> ImpactPage:
    """The page's figures, from the cache when computed less than IMPACT_CACHE_SECONDS ago."""
    key = impact_cache_key(campaign.pk)
    page = cache.get(key)
    if page is None:
        page = impact_page_compute(campaign)
        cache.set(key, page, IMPACT_CACHE_SECONDS)
    return page


def viewer_collaboration(campaign: Campaign, user) -> Collaboration | None:
    """The signed-in creator's own collaboration on the campaign (for the opt-in form), or None."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Collaboration.objects.filter(campaign=campaign, creator__user=user)
        .exclude(status=Collaboration.Status.CANCELLED)
        .first()
    )
