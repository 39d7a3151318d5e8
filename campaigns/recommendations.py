"""Recommendations: the best creators for each published brief, stored, explained and fairly spread.

`recommendations_refresh` ranks the brief with campaigns.ranking (exact match scores) over every
eligible creator, then stores the set (docs/matching.md, "Fair exposure" and "Minimum relevance"):

- Minimum relevance: a brief that names niches recommends only creators who share one, and only
  those at or above the brand's minimum match score. When fewer than the target qualify, creators
  from related niches (creators.taxonomy) are stored as a separate list (`related`).
- Spreading: a creator already recommended on other open briefs loses EXPOSURE_PENALTY points per
  brief (at most EXPOSURE_MAX_BRIEFS of them). The penalty is applied by the index to every
  candidate before the top is taken, so the whole eligible pool competes. Only the order changes;
  the match score shown is the creator's own.
- Nano reserve: when the brief's follower rules admit nano creators (1,000–9,999 followers), every
  top N holds `Campaign.nano_share` % nano creators (rounded down; the full list rounded up): a
  place goes to the best nano creator whenever the share would otherwise fall short, so with 20%
  every fifth place at the latest is a nano one.
- Creators already applied, invited or collaborating on the brief are left out: the brand knows them.

Runs are deterministic and replace the brief's set in one transaction: running twice stores the
same rows. `exposure_report` measures the effect: the Gini coefficient of how often each creator is
recommended across open briefs, before and after.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from campaigns import tasks
from campaigns.match_index import rank_creators
from campaigns.matching import UNITS
from campaigns.models import Application, Campaign, Collaboration, Invitation, Recommendation
from campaigns.ranking import BriefSpec, Ranked, brief_spec
from creators.models import MatchFeatures, Niche, Tier
from creators.taxonomy import related_niches
from marketplace.queueing import enqueue_on_commit

EXPOSURE_PENALTY = 80_000  # 8 points, in units of 1/10,000
EXPOSURE_MAX_BRIEFS = 3
NANO_RANGE = (1_000, 9_999)
STALE_KEY = "kolabo:recommendations:stale"


def per_brief() -> int:
    return settings.RECOMMENDATIONS_PER_BRIEF


def nano_allowed(spec: BriefSpec) -> bool:
    low, high = NANO_RANGE
    return (spec.max_followers is None or spec.max_followers >= low) and (
        spec.min_followers is None or spec.min_followers <= high
    )


def nano_share(campaign: Campaign, spec: BriefSpec) -> int:
    """The nano share (%) that applies to this brief: 0 when its follower rules exclude nano creators."""
    return campaign.nano_share if nano_allowed(spec) and campaign.nano_share else 0


def nano_reserve(campaign: Campaign, spec: BriefSpec, count: int) -> int:
    """Places kept for nano creators in a list of `count`: nano_share % of it, rounded up."""
    return min(count, math.ceil(count * nano_share(campaign, spec) / 100))


def nano_needed(position: int, *, count: int, share: int) -> int:
    """Nano creators the top `position` places must hold: the share rounded down, and rounded up
    for the full list, so any top N is within one creator of the share."""
    if position >= count:
        return math.ceil(count * share / 100)
    return position * share // 100


def min_total(campaign: Campaign) -> int | None:
    """The brand's minimum match score as a total (× 10,000): the displayed score is rounded half
    up, so a creator shown at the minimum qualifies."""
    if campaign.min_match_score is None:
        return None
    return max(0, campaign.min_match_score * UNITS - UNITS // 2)


def exposure_penalties(exposure: dict[int, int]) -> dict[int, int]:
    """{creator id: units} from {creator id: other briefs recommending them}."""
    return {pk: min(n, EXPOSURE_MAX_BRIEFS) * EXPOSURE_PENALTY for pk, n in exposure.items() if n > 0}


@dataclass(frozen=True)
class Pick:
    ranked: Ranked
    tier: str
    exposure: int
    reserved_nano: bool = False

    @property
    def adjusted(self) -> int:
        return self.ranked.adjusted


def fair_selection(
    ranked: list[Ranked],
    nano: list[Ranked],
    *,
    tiers: dict[int, str],
    exposure: dict[int, int],
    count: int,
    share: int,
) -> list[Pick]:
    """Merge the brief's ranking (already ordered with the exposure penalty) with the nano
    ranking: take the best remaining creator, unless the places so far would hold fewer nano
    creators than nano_needed; then take the best remaining nano creator (marked reserved)."""
    picks: list[Pick] = []
    taken: set[int] = set()
    main_at = nano_at = nano_count = 0

    def pick(r: Ranked, reserved: bool) -> Pick:
        return Pick(r, tiers[r.account_id], exposure.get(r.profile_id, 0), reserved)

    while len(picks) < count:
        while main_at < len(ranked) and ranked[main_at].profile_id in taken:
            main_at += 1
        while nano_at < len(nano) and nano[nano_at].profile_id in taken:
            nano_at += 1
        best = ranked[main_at] if main_at < len(ranked) else None
        best_is_nano = best is not None and tiers[best.account_id] == Tier.NANO
        short = nano_count < nano_needed(len(picks) + 1, count=count, share=share)
        if short and not best_is_nano and nano_at < len(nano):
            chosen = pick(nano[nano_at], True)
        elif best is not None:
            chosen = pick(best, False)
        elif nano_at < len(nano):
            chosen = pick(nano[nano_at], False)
        else:
            break
        picks.append(chosen)
        taken.add(chosen.ranked.profile_id)
        nano_count += chosen.tier == Tier.NANO
    return picks


def _known_creator_ids(campaign: Campaign) -> set[int]:
    """Creators who already applied, were invited or collaborate on the brief."""
    ids = set(Application.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    ids |= set(Invitation.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    ids |= set(Collaboration.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    return ids


def _hidden_creator_ids(campaign: Campaign) -> set[int]:
    """Creators the brief's organization may not be recommended: other organizations' unclaimed
    roster creators (private to the importer until they claim their profile)."""
    from creators.selectors import unlisted_creator_ids

    return unlisted_creator_ids(organization_id=campaign.organization_id)


def excluded_creator_ids(campaign: Campaign) -> set[int]:
    """The one place the brief's candidate pool is narrowed beyond the match rules: every ranking
    below (main, nano, related) excludes these creators."""
    return _known_creator_ids(campaign) | _hidden_creator_ids(campaign)


def _tiers(candidates: Iterable[Ranked]) -> dict[int, str]:
    return dict(
        MatchFeatures.objects.filter(pk__in={r.account_id for r in candidates}).values_list(
            "account_id", "tier"
        )
    )


def stored_exposure(campaign: Campaign) -> dict[int, int]:
    """On how many other open briefs each creator is currently recommended (main lists), for
    every creator: the penalty reaches the whole pool, not a proposal of it."""
    return dict(
        Recommendation.objects.filter(
            campaign__status=Campaign.Status.PUBLISHED, related=False, rank__lte=per_brief()
        )
        .exclude(campaign=campaign)
        .values("creator_id")
        .annotate(n=Count("pk"))
        .values_list("creator_id", "n")
    )


def _brief(campaign_id: int) -> Campaign:
    return Campaign.objects.prefetch_related("niches", "causes", "deliverables").get(pk=campaign_id)


def related_niche_mask(campaign: Campaign) -> int:
    """The bit mask of the niches related to the brief's (creators.taxonomy.related_niches)."""
    from campaigns.ranking import _bit, _mask

    slugs = related_niches(niche.slug for niche in campaign.niches.all())
    ids = Niche.objects.filter(slug__in=slugs).values_list("pk", flat=True)
    return _mask(_bit(pk) for pk in ids)


@dataclass
class Plan:
    picks: list[Pick]
    related: list[Pick]


def recommendation_plan(campaign: Campaign, *, exposure: dict[int, int] | None = None) -> Plan:
    """Who the brief recommends, in order, and the related-niche list; writes nothing.

    `exposure` defaults to what is stored for the other open briefs."""
    base = brief_spec(campaign)
    count = per_brief()
    spec = replace(
        base,
        required_niche_mask=sum(1 << bit for bit in base.niche_bits),
        min_total=min_total(campaign),
    )
    exclude = excluded_creator_ids(campaign)
    exposure = stored_exposure(campaign) if exposure is None else exposure
    penalties = exposure_penalties(exposure)
    share = nano_share(campaign, spec)
    ranked = rank_creators(spec, limit=count, exclude_profile_ids=exclude, penalties=penalties)
    nano = (
        rank_creators(spec, limit=count, exclude_profile_ids=exclude, tier=Tier.NANO, penalties=penalties)
        if share
        else []
    )
    picks = fair_selection(
        ranked, nano, tiers=_tiers([*ranked, *nano]), exposure=exposure, count=count, share=share
    )
    related: list[Pick] = []
    if spec.required_niche_mask and len(picks) < count:
        mask = related_niche_mask(campaign)
        if mask:
            others = rank_creators(
                replace(spec, required_niche_mask=mask),
                limit=count - len(picks),
                exclude_profile_ids=exclude | {p.ranked.profile_id for p in picks},
                penalties=penalties,
            )
            tiers = _tiers(others)
            related = [Pick(r, tiers[r.account_id], exposure.get(r.profile_id, 0)) for r in others]
    return Plan(picks, related)


def recommendations_refresh(*, campaign_id: int) -> int:
    """Recompute and store the brief's recommendations; returns how many. A brief that is not
    published keeps none.

    The ranking (the slow part: the index may load) runs before the row lock is taken; the lock
    only guards replacing the rows, so two refreshes of one brief never interleave their writes.
    """
    campaign = _brief(campaign_id)
    plan = recommendation_plan(campaign) if campaign.status == Campaign.Status.PUBLISHED else Plan([], [])
    with transaction.atomic():
        status = (
            Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("status", flat=True).get()
        )
        if status != Campaign.Status.PUBLISHED:
            plan = Plan([], [])  # closed or cancelled while we ranked
        Recommendation.objects.filter(campaign=campaign).delete()
        now = timezone.now()
        rows = [(pick, False) for pick in plan.picks] + [(pick, True) for pick in plan.related]
        Recommendation.objects.bulk_create(
            Recommendation(
                campaign=campaign,
                creator_id=pick.ranked.profile_id,
                account_id=pick.ranked.account_id,
                rank=rank,
                score=pick.ranked.score,
                total=pick.ranked.total,
                exposure=pick.exposure,
                reserved_nano=pick.reserved_nano,
                related=related,
                computed_at=now,
            )
            for rank, (pick, related) in enumerate(rows, start=1)
        )
        Campaign.objects.filter(pk=campaign.pk).update(recommendations_updated_at=now)
    return len(plan.picks)


def recommendations_refresh_all() -> int:
    """Refresh every published brief, oldest first (the order the exposure penalty builds up in)."""
    ids = (
        Campaign.objects.filter(status=Campaign.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    )
    return sum(recommendations_refresh(campaign_id=pk) for pk in ids)


def recommendations_mark_stale() -> bool:
    """Creators changed: refresh every open brief once, DEBOUNCE seconds from the first change.

    Returns True when this call scheduled the run. The cache key is the debounce: later changes
    within the window find it and add nothing; the run deletes it first, so a change during the
    run schedules the next one.
    """
    delay = settings.RECOMMENDATIONS_DEBOUNCE_SECONDS
    if not cache.add(STALE_KEY, 1, timeout=delay * 10):
        return False
    enqueue_on_commit(tasks.recommendations_refresh_stale, countdown=delay)
    return True


def recommendations_refresh_stale() -> int:
    cache.delete(STALE_KEY)
    return recommendations_refresh_all()


# Measuring fair exposure


def gini(counts: list[int]) -> float:
    """Gini coefficient of non-negative counts: 0 when everyone has the same, →1 when one has all."""
    values = sorted(counts)
    total = sum(values)
    if not values or total == 0:
        return 0.0
    n = len(values)
    weighted = sum((index + 1) * value for index, value in enumerate(values))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 4)


@dataclass
class ExposureReport:
    briefs: int
    pool: int
    gini_before: float
    gini_after: float
    distinct_before: int
    distinct_after: int
    nano_share_before: float
    nano_share_after: float
    # Recommendations per follower tier ({tier: count}), for the staff dashboard's chart.
    tiers_before: dict[str, int] = field(default_factory=dict)
    tiers_after: dict[str, int] = field(default_factory=dict)


def exposure_report(*, campaign_ids: list[int] | None = None) -> ExposureReport:
    """Recommendation counts per creator over the open briefs: plain ranking vs fair exposure.

    "Before" is each brief's plain top N (no penalty, no reserve); "after" replays
    recommendations_refresh_all in memory, brief by brief, without writing. The pool is every
    creator recommended at least once either way.
    """
    campaigns = Campaign.objects.filter(status=Campaign.Status.PUBLISHED).order_by("pk")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    count = per_brief()
    before: Counter = Counter()
    after: Counter = Counter()
    nano_before = nano_after = 0
    tiers_before: Counter = Counter()
    tiers_after: Counter = Counter()
    for campaign in campaigns.prefetch_related("niches", "causes", "deliverables"):
        spec = brief_spec(campaign)
        spec = replace(spec, required_niche_mask=sum(1 << bit for bit in spec.niche_bits))
        plain = rank_creators(spec, limit=count, exclude_profile_ids=excluded_creator_ids(campaign))
        tiers = _tiers(plain)
        fair = recommendation_plan(campaign, exposure=dict(after)).picks
        before.update(r.profile_id for r in plain)
        after.update(pick.ranked.profile_id for pick in fair)
        nano_before += sum(tiers[r.account_id] == Tier.NANO for r in plain)
        nano_after += sum(pick.tier == Tier.NANO for pick in fair)
        tiers_before.update(tiers[r.account_id] for r in plain)
        tiers_after.update(pick.tier for pick in fair)
    pool = set(before) | set(after)
    total_before, total_after = sum(before.values()), sum(after.values())
    return ExposureReport(
        briefs=campaigns.count(),
        pool=len(pool),
        gini_before=gini([before.get(pk, 0) for pk in pool]),
        gini_after=gini([after.get(pk, 0) for pk in pool]),
        distinct_before=len(before),
        distinct_after=len(after),
        nano_share_before=round(nano_before / total_before, 4) if total_before else 0.0,
        nano_share_after=round(nano_after / total_after, 4) if total_after else 0.0,
        tiers_before=dict(tiers_before),
        tiers_after=dict(tiers_after),
    )


# Showing them

# What a component is called when it sets a creator apart ("Stands out for: …").
COMPONENT_LABELS = {
    "niche": gettext_lazy("niche focus"),
    "cause": gettext_lazy("causes"),
    "audience_country": gettext_lazy("audience country"),
    "audience_language": gettext_lazy("audience language"),
    "engagement": gettext_lazy("engagement"),
    "size": gettext_lazy("position in the follower range"),
    "activity": gettext_lazy("recent activity"),
    "fee": gettext_lazy("price"),
    "reliability": gettext_lazy("track record"),
    "authenticity": gettext_lazy("authenticity"),
}
# A component this far above the list's median (0–1 scale) sets a creator apart.
STAND_OUT_MARGIN = 0.1


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    reasons: list[str]
    flags: list[str]
    placement: str = ""
    stand_out: list[str] | None = None
    components: dict[str, float] | None = None


def _placement(recommendation: Recommendation, *, share: int) -> str:
    """Why the row sits where it does, beside its score: rank 2 at 60 above rank 3 at 63 is a
    reserved nano place or an exposure penalty, never a bug."""
    if recommendation.related:
        return _("From a related niche: listed apart from the brief's own niches.")
    if recommendation.reserved_nano:
        every = max(1, round(100 / share)) if share else 0
        return ngettext(
            "Nano reserve: at least one place in every %(every)s goes to a nano creator "
            "(1,000–9,999 followers), whatever the score.",
            "Nano reserve: at least one place in every %(every)s goes to a nano creator "
            "(1,000–9,999 followers), whatever the score.",
            every,
        ) % {"every": every}
    if recommendation.exposure:
        points = min(recommendation.exposure, EXPOSURE_MAX_BRIEFS) * EXPOSURE_PENALTY // UNITS
        return ngettext(
            "Placed as if %(points)s points lower: also recommended on %(count)s other open brief.",
            "Placed as if %(points)s points lower: also recommended on %(count)s other open briefs.",
            recommendation.exposure,
        ) % {"points": points, "count": recommendation.exposure}
    return _("Placed by match score.")


def _stand_out(rows: list[RecommendationRow]) -> None:
    """Name, per row, the two components furthest above the list's median (weighted)."""
    from statistics import median

    from campaigns.matching import WEIGHTS

    if len(rows) < 2:
        return
    medians = {name: median(row.components[name] for row in rows) for name in WEIGHTS}
    for row in rows:
        gains = sorted(
            (
                ((row.components[name] - medians[name]) * weight, name)
                for name, weight in WEIGHTS.items()
                if row.components[name] - medians[name] >= STAND_OUT_MARGIN
            ),
            reverse=True,
        )
        row.stand_out = [str(COMPONENT_LABELS[name]) for _gain, name in gains[:2]]


@dataclass
class RecommendationPage:
    rows: list[RecommendationRow]
    related_rows: list[RecommendationRow]
    nano_share: int  # % that applies to this brief (0 when its follower rules exclude nano)
    niche_names: list[str]


def recommendation_page(*, campaign: Campaign) -> RecommendationPage:
    """Both stored lists of the brief (its own niches, then related niches) in rank order, each row
    explained in the reader's language, with its placement and what sets it apart.

    A fixed number of queries for any number of rows: the explanation is match_score over
    prefetched data, with the reliability of the whole page in two queries.
    """
    from campaigns.matching import match_score
    from campaigns.ranking import tier_medians
    from campaigns.selectors.reliability import creator_reliability
    from creators.authenticity import real_data_prefetch

    brief = _brief(campaign.pk)
    share = nano_share(brief, brief_spec(brief))
    recommendations = list(
        Recommendation.objects.filter(campaign=brief)
        .select_related("creator", "account")
        .prefetch_related("creator__niches", "creator__causes", "creator__rate_card")
        .order_by("rank")
    )
    records = creator_reliability(creator_ids=[r.creator_id for r in recommendations])
    medians = tier_medians()
    today = timezone.localdate()
    # Verified accounts' authenticity reads their snapshots: one query for the page, not one a row.
    real_data_prefetch([r.account for r in recommendations], today=today)
    lists: dict[bool, list[RecommendationRow]] = {False: [], True: []}
    for recommendation in recommendations:
        result = match_score(
            campaign=brief,
            creator=recommendation.creator,
            account=recommendation.account,
            tier_medians=medians,
            reliability=records[recommendation.creator_id],
            today=today,
        )
        reasons = [reason for reason in result.reasons if reason not in result.flags]
        lists[recommendation.related].append(
            RecommendationRow(
                recommendation,
                reasons,
                result.flags,
                placement=_placement(recommendation, share=share),
                components=result.components,
            )
        )
    _stand_out(lists[False])
    _stand_out(lists[True])
    return RecommendationPage(
        rows=lists[False],
        related_rows=lists[True],
        nano_share=share,
        niche_names=[niche.name for niche in brief.niches.all()],
    )


def recommendation_rows(*, campaign: Campaign) -> list[RecommendationRow]:
    """The brief's own-niche recommendations (recommendation_page), in rank order."""
    return recommendation_page(campaign=campaign).rows


def related_recommendation_rows(*, campaign: Campaign) -> list[RecommendationRow]:
    """The separate list from related niches, stored only when too few creators share the brief's."""
    return recommendation_page(campaign=campaign).related_rows


def recommendations_minimum_set(*, campaign: Campaign, by_user, min_match_score: int | None) -> Campaign:
    """Set (or clear, with None) the brief's minimum match score, then re-rank after commit."""
    from brands.permissions import require_org_manager
    from campaigns.services.briefs import queue_recommendations_refresh
    from campaigns.services.common import lock_campaign
    from marketplace.errors import ValidationFailed
    from marketplace.services import audit_record

    if min_match_score is not None and not 0 <= min_match_score <= 100:
        raise ValidationFailed(
            _("The minimum match score must be a whole number from 0 to 100; leave it empty for none."),
            field="min_match_score",
        )
    require_org_manager(organization=campaign.organization_id, user=by_user)
    with transaction.atomic():
        campaign = lock_campaign(campaign.pk)
        previous = campaign.min_match_score
        campaign.min_match_score = min_match_score
        campaign.save(update_fields=["min_match_score", "updated_at"])
        audit_record(
            actor=by_user,
            action="campaign.min_match_score_set",
            target=campaign,
            data={"from": previous, "to": min_match_score},
        )
        queue_recommendations_refresh(campaign_id=campaign.pk)
    return campaign


def recommendations_invite_top(
    *, campaign: Campaign, by_user, count: int, offered_fee=None, message: str = ""
):
    """Invite the first `count` recommended creators, in rank order, as one bulk invitation batch
    (which skips anyone already invited, so sending it twice invites nobody twice)."""
    from campaigns.services.invitation_batches import invitation_batch_start
    from marketplace.errors import ValidationFailed

    ranked = list(
        campaign.recommendations.filter(related=False).order_by("rank").values_list("creator_id", flat=True)
    )
    if not 1 <= count <= len(ranked):
        raise ValidationFailed(
            ngettext(
                "This campaign has %(available)s recommendation; ask for at most that many.",
                "This campaign has %(available)s recommendations; ask for at most that many.",
                len(ranked),
            )
            % {"available": len(ranked)},
            field="count",
        )
    return invitation_batch_start(
        campaign=campaign,
        by_user=by_user,
        creator_ids=ranked[:count],
        offered_fee=offered_fee,
        message=message,
    )
