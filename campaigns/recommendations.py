"""Recommendations: the best creators for each published brief, stored, explained and fairly spread.

`recommendations_refresh` ranks the brief with campaigns.ranking (exact match scores), then applies
fair exposure before storing the set:

- Spreading: a creator already recommended on other open briefs loses EXPOSURE_PENALTY points per
  brief (at most EXPOSURE_MAX_BRIEFS of them), so the same few creators do not top every brief at
  once. Only the order changes; the match score shown is the creator's own.
- Nano reserve: when the brief's follower rules admit nano creators (1,000–9,999 followers),
  `Campaign.nano_share` % of the places go to the best nano creators, replacing the lowest others.
- Creators already applied, invited or collaborating on the brief are left out: the brand knows them.

The ranking (campaigns/match_index.py) asks for CANDIDATE_FACTOR × N candidates, so spreading can reorder within that pool.
Runs are deterministic and replace the brief's set in one transaction: running twice stores the
same rows. `exposure_report` measures the effect: the Gini coefficient of how often each creator is
recommended across open briefs, before and after.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from campaigns import tasks
from campaigns.match_index import rank_creators
from campaigns.models import Application, Campaign, Collaboration, Invitation, Recommendation
from campaigns.ranking import BriefSpec, Ranked, brief_spec
from creators.models import MatchFeatures, Tier
from marketplace.queueing import enqueue_on_commit

EXPOSURE_PENALTY = 30_000  # 3 points, in units of 1/10,000
EXPOSURE_MAX_BRIEFS = 3
CANDIDATE_FACTOR = 3
NANO_RANGE = (1_000, 9_999)
STALE_KEY = "kolabo:recommendations:stale"


def per_brief() -> int:
    return settings.RECOMMENDATIONS_PER_BRIEF


def nano_allowed(spec: BriefSpec) -> bool:
    low, high = NANO_RANGE
    return (spec.max_followers is None or spec.max_followers >= low) and (
        spec.min_followers is None or spec.min_followers <= high
    )


def nano_reserve(campaign: Campaign, spec: BriefSpec, count: int) -> int:
    """Places kept for nano creators: nano_share % of `count`, rounded up, when the brief admits them."""
    if not nano_allowed(spec) or not campaign.nano_share:
        return 0
    return min(count, math.ceil(count * campaign.nano_share / 100))


@dataclass(frozen=True)
class Pick:
    ranked: Ranked
    tier: str
    exposure: int
    reserved_nano: bool = False

    @property
    def adjusted(self) -> int:
        return self.ranked.total - min(self.exposure, EXPOSURE_MAX_BRIEFS) * EXPOSURE_PENALTY


def _order(pick: Pick) -> tuple[int, int]:
    return (-pick.adjusted, pick.ranked.profile_id)


def fair_selection(
    candidates: Iterable[Ranked],
    *,
    tiers: dict[int, str],
    exposure: dict[int, int],
    count: int,
    reserve: int,
) -> list[Pick]:
    """Pick `count` creators: order by score minus the exposure penalty, then make sure `reserve`
    of them are nano, taking the best remaining nano creators in place of the lowest others."""
    picks = sorted(
        (
            Pick(r, tiers[r.account_id], exposure.get(r.profile_id, 0))
            for r in {r.profile_id: r for r in candidates}.values()
        ),
        key=_order,
    )
    chosen, rest = picks[:count], picks[count:]
    missing = reserve - sum(pick.tier == Tier.NANO for pick in chosen)
    if missing > 0:
        extra = [pick for pick in rest if pick.tier == Tier.NANO][:missing]
        others = [pick for pick in chosen if pick.tier != Tier.NANO]
        dropped = {pick.ranked.profile_id for pick in others[len(others) - len(extra) :]} if extra else set()
        chosen = [pick for pick in chosen if pick.ranked.profile_id not in dropped] + [
            Pick(pick.ranked, pick.tier, pick.exposure, reserved_nano=True) for pick in extra
        ]
        chosen.sort(key=_order)
    return chosen


def _known_creator_ids(campaign: Campaign) -> set[int]:
    """Creators who already applied, were invited or collaborate on the brief."""
    ids = set(Application.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    ids |= set(Invitation.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    ids |= set(Collaboration.objects.filter(campaign=campaign).values_list("creator_id", flat=True))
    return ids


def _candidates(
    campaign: Campaign, spec: BriefSpec, *, count: int, reserve: int, exclude: set[int]
) -> list[Ranked]:
    candidates = rank_creators(spec, limit=count * CANDIDATE_FACTOR, exclude_profile_ids=exclude)
    if reserve:
        candidates += rank_creators(
            spec, limit=reserve * CANDIDATE_FACTOR, exclude_profile_ids=exclude, tier=Tier.NANO
        )
    return candidates


def _tiers(candidates: list[Ranked]) -> dict[int, str]:
    return dict(
        MatchFeatures.objects.filter(pk__in={r.account_id for r in candidates}).values_list(
            "account_id", "tier"
        )
    )


def _stored_exposure(campaign: Campaign, profile_ids: set[int]) -> dict[int, int]:
    """On how many other open briefs each creator is currently recommended."""
    return dict(
        Recommendation.objects.filter(
            creator_id__in=profile_ids, campaign__status=Campaign.Status.PUBLISHED, rank__lte=per_brief()
        )
        .exclude(campaign=campaign)
        .values("creator_id")
        .annotate(n=Count("pk"))
        .values_list("creator_id", "n")
    )


def _brief(campaign_id: int) -> Campaign:
    return Campaign.objects.prefetch_related("niches", "causes", "deliverables").get(pk=campaign_id)


def _picks(campaign: Campaign) -> list[Pick]:
    spec = brief_spec(campaign)
    count = per_brief()
    reserve = nano_reserve(campaign, spec, count)
    candidates = _candidates(
        campaign, spec, count=count, reserve=reserve, exclude=_known_creator_ids(campaign)
    )
    return fair_selection(
        candidates,
        tiers=_tiers(candidates),
        exposure=_stored_exposure(campaign, {r.profile_id for r in candidates}),
        count=count,
        reserve=reserve,
    )


def recommendations_refresh(*, campaign_id: int) -> int:
    """Recompute and store the brief's recommendations; returns how many. A brief that is not
    published keeps none.

    The ranking (the slow part: the index may load) runs before the row lock is taken; the lock
    only guards replacing the rows, so two refreshes of one brief never interleave their writes.
    """
    campaign = _brief(campaign_id)
    picks = _picks(campaign) if campaign.status == Campaign.Status.PUBLISHED else []
    with transaction.atomic():
        status = (
            Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("status", flat=True).get()
        )
        if status != Campaign.Status.PUBLISHED:
            picks = []  # closed or cancelled while we ranked
        Recommendation.objects.filter(campaign=campaign).delete()
        now = timezone.now()
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
                computed_at=now,
            )
            for rank, pick in enumerate(picks, start=1)
        )
        Campaign.objects.filter(pk=campaign.pk).update(recommendations_updated_at=now)
    return len(picks)


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


def exposure_report(*, campaign_ids: list[int] | None = None) -> ExposureReport:
    """Recommendation counts per creator over the open briefs: plain ranking vs fair exposure.

    The pool is every creator who is a candidate (top CANDIDATE_FACTOR × N) for at least one brief;
    "after" replays recommendations_refresh_all in memory, brief by brief, without writing.
    """
    campaigns = Campaign.objects.filter(status=Campaign.Status.PUBLISHED).order_by("pk")
    if campaign_ids is not None:
        campaigns = campaigns.filter(pk__in=campaign_ids)
    count = per_brief()
    before: Counter = Counter()
    after: Counter = Counter()
    pool: set[int] = set()
    nano_before = nano_after = 0
    for campaign in campaigns.prefetch_related("niches", "causes", "deliverables"):
        spec = brief_spec(campaign)
        reserve = nano_reserve(campaign, spec, count)
        candidates = _candidates(
            campaign, spec, count=count, reserve=reserve, exclude=_known_creator_ids(campaign)
        )
        tiers = _tiers(candidates)
        pool |= {r.profile_id for r in candidates}
        plain = sorted(
            {r.profile_id: r for r in candidates}.values(), key=lambda r: (-r.total, r.profile_id)
        )[:count]
        fair = fair_selection(candidates, tiers=tiers, exposure=dict(after), count=count, reserve=reserve)
        before.update(r.profile_id for r in plain)
        after.update(pick.ranked.profile_id for pick in fair)
        nano_before += sum(tiers[r.account_id] == Tier.NANO for r in plain)
        nano_after += sum(pick.tier == Tier.NANO for pick in fair)
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
    )


# Showing them


@dataclass
class RecommendationRow:
    recommendation: Recommendation
    reasons: list[str]
    flags: list[str]


def recommendation_rows(*, campaign: Campaign) -> list[RecommendationRow]:
    """The brief's stored recommendations in rank order, each explained in the reader's language.

    A fixed number of queries for any number of rows: the explanation is match_score over
    prefetched data, with the reliability of the whole page in two queries.
    """
    from campaigns.matching import match_score
    from campaigns.ranking import tier_medians
    from campaigns.selectors.reliability import creator_reliability
    from creators.authenticity import real_data_prefetch

    brief = _brief(campaign.pk)
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
    rows = []
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
        rows.append(RecommendationRow(recommendation, reasons, result.flags))
    return rows


def recommendations_invite_top(
    *, campaign: Campaign, by_user, count: int, offered_fee=None, message: str = ""
):
    """Invite the first `count` recommended creators, in rank order, as one bulk invitation batch
    (which skips anyone already invited, so sending it twice invites nobody twice)."""
    from django.utils.translation import ngettext

    from campaigns.services.invitation_batches import invitation_batch_start
    from marketplace.errors import ValidationFailed

    ranked = list(campaign.recommendations.order_by("rank").values_list("creator_id", flat=True))
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
