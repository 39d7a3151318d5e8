"""Many creators' match with one brief, for the pages that list creators against a brief: the
applicants page and discovery with a brief chosen.

The score is the recommendations' own (campaigns.matching.match_score, explained the same way as
campaigns.recommendations.recommendation_rows): this module only loads its inputs for a whole page
at once and keeps the reasons that weigh most (campaigns.eligibility.Match).
"""

from django.db.models import prefetch_related_objects
from django.utils import timezone

from campaigns.eligibility import MATCH_REASONS, Match, account_for_campaign
from campaigns.models import Campaign
from creators.authenticity import real_data_prefetch
from creators.models import CreatorProfile


def brief_matches(*, campaign: Campaign, creators: list[CreatorProfile]) -> dict[int, Match]:
    """{creator id: Match} for `creators` against `campaign`, in a fixed number of queries
    whatever their number. Each creator is judged on the account the brief would judge them by
    (account_for_campaign), as on the recommendations and brief pages."""
    from campaigns.matching import match_score
    from campaigns.ranking import tier_medians
    from campaigns.selectors.reliability import creator_reliability

    if not creators:
        return {}
    prefetch_related_objects([campaign], "niches", "causes", "deliverables")
    prefetch_related_objects(creators, "niches", "causes", "rate_card", "social_accounts")
    accounts = {
        creator.pk: account_for_campaign(campaign=campaign, accounts=list(creator.social_accounts.all()))
        for creator in creators
    }
    today = timezone.localdate()
    # Verified accounts' authenticity reads their snapshots: one query for the page, not one a row.
    real_data_prefetch([account for account in accounts.values() if account is not None], today=today)
    records = creator_reliability(creator_ids=[creator.pk for creator in creators])
    medians = tier_medians()
    matches = {}
    for creator in creators:
        result = match_score(
            campaign=campaign,
            creator=creator,
            account=accounts[creator.pk],
            tier_medians=medians,
            reliability=records[creator.pk],
            today=today,
        )
        reasons = [reason for reason in result.reasons if reason not in result.flags]
        # The niche component is 0 only when the brief names niches and the creator shares none.
        matches[creator.pk] = Match(
            score=result.score, reasons=reasons[:MATCH_REASONS], off_niche=result.components["niche"] == 0
        )
    return matches
