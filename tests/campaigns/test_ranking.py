"""The SQL ranking agrees with the Python reference loop and with match_score, unit for unit."""

import datetime
import random
from decimal import Decimal

import pytest

from campaigns.eligibility import account_for_campaign
from campaigns.match_index import MatchIndex, rank_creators, rank_indexed
from campaigns.matching import WEIGHTS, Reliability, match_score, to_units
from campaigns.models import Campaign, Rating
from campaigns.ranking import (
    FEATURE_VALUES,
    brief_spec,
    match_features_refresh,
    rank_python,
)
from campaigns.selectors import creator_reliability
from creators.authenticity import DEFAULT_TIER_MEDIAN_ER
from creators.models import (
    Cause,
    CreatorProfile,
    DeliverableFormat,
    MatchFeatures,
    Niche,
    Platform,
    SocialAccount,
    engagement_rate_for,
    tier_for_followers,
)
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory

TODAY = datetime.date(2026, 3, 1)
COUNTRIES = ["ID", "MY", "SG", "PH", "US"]
LANGUAGE_CODES = ["id", "en", "jv", "ms"]


def _audience(rng, codes):
    if rng.random() < 0.25:
        return []
    picked = rng.sample(codes, rng.randint(1, 3))
    left = Decimal("100.0")
    entries = []
    for code in picked:
        pct = Decimal(rng.randint(0, int(left * 10))) / 10
        left -= pct
        entries.append({"code": code, "pct": float(pct)})
    return entries


@pytest.fixture
def population(db):
    """70 varied creators: 1–2 accounts, random niches, causes, audiences, languages and rate cards."""
    rng = random.Random(20261127)
    niches = list(Niche.objects.order_by("pk")[:8])
    causes = list(Cause.objects.order_by("pk")[:5])
    for n in range(70):
        profile = CreatorProfileFactory(
            slug=f"ranked-{n}",
            niches=rng.sample(niches, rng.randint(1, 3)),
            causes=rng.sample(causes, rng.randint(0, 2)),
            country=rng.choice(COUNTRIES),
            languages=rng.sample(LANGUAGE_CODES, rng.randint(1, 2)),
            open_to_pro_bono=rng.random() < 0.3,
            currency=rng.choice(["IDR", "IDR", "USD"]),
        )
        platforms = [Platform.INSTAGRAM] if rng.random() < 0.6 else [Platform.INSTAGRAM, Platform.TIKTOK]
        if rng.random() < 0.15:
            platforms.append(Platform.INSTAGRAM)  # a second Instagram account
        for account_number, platform in enumerate(platforms):
            followers = int(rng.lognormvariate(9.5, 1.3))
            likes = int(followers * rng.uniform(0.002, 0.12))
            SocialAccountFactory(
                profile=profile,
                platform=platform,
                handle=f"ranked{n}.{account_number}",
                followers=followers,
                following=rng.randint(50, 4000),
                avg_likes=likes,
                avg_comments=likes // 12,
                engagement_rate=engagement_rate_for(
                    followers=followers, avg_likes=likes, avg_comments=likes // 12
                ),
                tier=tier_for_followers(followers),
                audience_countries=_audience(rng, COUNTRIES),
                audience_languages=_audience(rng, LANGUAGE_CODES),
                metrics_date=TODAY - datetime.timedelta(days=rng.randint(0, 400)),
            )
        for fmt in rng.sample(
            [DeliverableFormat.REEL, DeliverableFormat.STORY, DeliverableFormat.FEED_POST], 2
        ):
            RateCardItemFactory(
                profile=profile,
                platform=Platform.INSTAGRAM,
                format=fmt,
                price=Decimal(rng.randint(2, 40) * 100_000)
                if profile.currency == "IDR"
                else Decimal(rng.randint(20, 400)),
            )
    match_features_refresh(today=TODAY, medians=DEFAULT_TIER_MEDIAN_ER)
    return niches, causes


def brief(niches=(), causes=(), **fields):
    campaign = CampaignFactory(**fields)
    campaign.niches.set(niches)
    campaign.causes.set(causes)
    return campaign


def _briefs(niches, causes):
    return [
        brief(
            niches=niches[:2],
            causes=causes[:1],
            target_countries=["ID"],
            target_languages=["id"],
            fee_min=Decimal("1000000"),
            fee_max=Decimal("1500000"),
        ),
        brief(
            kind=Campaign.Kind.CAUSE,
            compensation=Campaign.Compensation.VOLUNTEER,
            platforms=[],
            min_followers=None,
            max_followers=None,
            fee_min=None,
            fee_max=None,
            causes=causes[1:3],
            deliverables=[],
        ),
        brief(
            currency="USD",
            fee_min=Decimal("150"),
            fee_max=Decimal("250"),
            niches=niches[2:5],
            deliverables=[
                (Platform.INSTAGRAM, DeliverableFormat.REEL, 1),
                (Platform.INSTAGRAM, DeliverableFormat.STORY, 2),
            ],
            target_countries=["SG", "MY"],
        ),
        brief(
            min_followers=5_000,
            max_followers=60_000,
            min_engagement_rate=Decimal("2.00"),
            niches=niches[3:4],
            target_languages=["en", "ms"],
        ),
        brief(platforms=[Platform.INSTAGRAM, Platform.TIKTOK], niches=niches[5:8], max_followers=None),
    ]


def _rows():
    return list(MatchFeatures.objects.order_by("account_id").values(*FEATURE_VALUES))


def test_the_index_ranking_equals_the_python_reference_loop(population):
    rows = _rows()
    for campaign in _briefs(*population):
        spec = brief_spec(campaign)
        expected = rank_python(spec, rows, limit=1000)

        assert expected, campaign.title
        assert rank_creators(spec, limit=1000) == expected
        assert rank_creators(spec, limit=5) == expected[:5]


def test_every_ranked_total_is_the_match_score_of_the_chosen_account(population):
    for campaign in _briefs(*population):
        spec = brief_spec(campaign)
        ranked = rank_creators(spec, limit=1000)
        creators = CreatorProfile.objects.prefetch_related(
            "niches", "causes", "rate_card", "social_accounts"
        ).in_bulk([r.profile_id for r in ranked])
        records = creator_reliability(creator_ids=list(creators))
        for entry in ranked:
            creator = creators[entry.profile_id]
            account = account_for_campaign(campaign=campaign, accounts=creator.social_accounts.all())
            result = match_score(
                campaign=campaign,
                creator=creator,
                account=account,
                tier_medians=DEFAULT_TIER_MEDIAN_ER,
                reliability=records[creator.pk],
                today=TODAY,
            )

            assert account.pk == entry.account_id
            assert result.passes_hard_filters
            assert sum(to_units(result.components[name]) * w for name, w in WEIGHTS.items()) == entry.total
            assert result.score == entry.score


def test_creators_left_out_fail_a_hard_filter(population):
    campaign = _briefs(*population)[3]
    ranked = {r.profile_id for r in rank_creators(brief_spec(campaign), limit=1000)}
    left_out = CreatorProfile.objects.exclude(pk__in=ranked).prefetch_related(
        "niches", "causes", "rate_card", "social_accounts"
    )

    assert left_out
    for creator in left_out:
        account = account_for_campaign(campaign=campaign, accounts=creator.social_accounts.all())
        result = match_score(campaign=campaign, creator=creator, account=account, today=TODAY)
        assert not result.passes_hard_filters, creator.slug


def test_the_index_proposes_and_the_database_decides(population):
    spec = brief_spec(_briefs(*population)[0])
    index = MatchIndex()
    index.refresh()
    expected = rank_python(spec, _rows(), limit=10)
    # The best creator's account disappears after the index loaded: the answer is the database's.
    MatchFeatures.objects.filter(pk=expected[0].account_id).delete()

    ranked = rank_indexed(index, spec, limit=10)

    assert ranked == rank_python(spec, _rows(), limit=10)
    assert expected[0].profile_id not in {r.profile_id for r in ranked}


def test_the_index_reads_what_changed_since_it_last_looked(population):
    spec = brief_spec(_briefs(*population)[0])
    rank_creators(spec, limit=5)
    last = rank_creators(spec, limit=1000)[-1]
    account = SocialAccount.objects.get(pk=last.account_id)
    SocialAccount.objects.filter(pk=account.pk).update(avg_likes=account.followers // 10, engagement_rate=10)
    match_features_refresh(profile_ids=[last.profile_id], today=TODAY, medians=DEFAULT_TIER_MEDIAN_ER)

    assert rank_creators(spec, limit=1000) == rank_python(spec, _rows(), limit=1000)


def test_the_first_proposal_grows_until_the_answer_is_certain(db):
    """Creators with a small, well-matched account and a big one judged instead: the index first
    proposes the small accounts, the database scores the big ones, and more rows are asked for."""
    niche = Niche.objects.first()
    for n in range(6):
        profile = CreatorProfileFactory(slug=f"two-{n}", niches=[niche])
        SocialAccountFactory(profile=profile, handle=f"small{n}", followers=5_000, avg_likes=400)
        SocialAccountFactory(profile=profile, handle=f"big{n}", followers=90_000, avg_likes=90)
    for n in range(6):
        SocialAccountFactory(profile=CreatorProfileFactory(slug=f"one-{n}", niches=[niche]), followers=30_000)
    match_features_refresh(today=TODAY)
    spec = brief_spec(brief(niches=[niche]))
    index = MatchIndex()
    index.refresh()

    ranked = rank_indexed(index, spec, limit=3)

    assert index.rounds > 1
    assert ranked == rank_python(spec, _rows(), limit=3)


def test_excluded_creators_and_tier_filter(population):
    spec = brief_spec(_briefs(*population)[0])
    ranked = rank_creators(spec, limit=1000)
    first = ranked[0].profile_id

    assert first not in {r.profile_id for r in rank_creators(spec, limit=1000, exclude_profile_ids=[first])}
    nano = rank_creators(spec, limit=1000, tier="nano")
    assert nano == [r for r in ranked if MatchFeatures.objects.get(pk=r.account_id).tier == "nano"]


def test_refresh_is_an_idempotent_upsert(population):
    before = _rows()

    written = match_features_refresh(today=TODAY, medians=DEFAULT_TIER_MEDIAN_ER)

    assert written == len(before) == MatchFeatures.objects.count()
    assert _rows() == before


def test_reliability_from_collaborations_and_ratings(db, brand_org, brand_manager):
    creator = make_creator()
    done = start_collaboration(CampaignFactory(organization=brand_org), creator, by_user=brand_manager)
    complete_collaboration(done, brand_manager)
    Rating.objects.create(collaboration=done, rated_side=Rating.Side.CREATOR, rated_by=brand_manager, score=4)
    fresh = CreatorProfileFactory()

    records = creator_reliability(creator_ids=[creator.pk, fresh.pk])

    assert records[fresh.pk] == Reliability()
    assert records[creator.pk] == Reliability(
        finished=1, completed=1, delivered=1, on_time=1, rating_average=4, rating_count=1
    )
    assert match_features_refresh(profile_ids=[creator.pk], today=TODAY) == 1
    # completion and on time (4.5 + 1)/6 = 0.9167; rating (4.5 + 0.75)/6 = 0.875 → mean 0.9028
    assert MatchFeatures.objects.get(profile=creator).reliability_units == 9028
