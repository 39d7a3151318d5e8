"""Stored recommendations: refresh, idempotency, fair exposure, debounce, the page and invite-top-N."""

import pytest
from django.urls import reverse

from campaigns.match_index import rank_creators
from campaigns.models import Campaign, Invitation, InvitationBatch, Recommendation
from campaigns.ranking import Ranked, brief_spec, match_features_refresh
from campaigns.recommendations import (
    EXPOSURE_PENALTY,
    exposure_penalties,
    exposure_report,
    fair_selection,
    gini,
    nano_needed,
    nano_reserve,
    recommendation_rows,
    recommendations_mark_stale,
    recommendations_refresh,
    recommendations_refresh_all,
)
from campaigns.services import briefs as brief_services
from creators import services as creator_services
from creators.models import MatchFeatures, Niche, Tier
from tests.campaigns.factories import ApplicationFactory, CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

UNIT = 10_000


def ranked(points: float, profile_id: int) -> Ranked:
    return Ranked(total=int(points * UNIT), profile_id=profile_id, account_id=profile_id)


def creator(slug, *, followers=25_000, likes=1_100, niches=None):
    profile = CreatorProfileFactory(slug=slug, niches=niches)
    SocialAccountFactory(
        profile=profile, handle=slug, followers=followers, avg_likes=likes, avg_comments=likes // 10
    )
    return profile


@pytest.fixture
def per_brief(settings):
    settings.RECOMMENDATIONS_PER_BRIEF = 3
    return 3


@pytest.fixture
def crowd(db):
    """Eight creators fitting the default brief (Instagram, 1k–100k): two nano, six micro."""
    profiles = [creator(f"micro-{n}", followers=20_000 + 1_000 * n, likes=600 + 60 * n) for n in range(6)]
    profiles += [creator(f"nano-{n}", followers=5_000, likes=100 + 10 * n) for n in range(2)]
    match_features_refresh()
    return profiles


def rows(campaign):
    return list(
        Recommendation.objects.filter(campaign=campaign)
        .order_by("rank")
        .values_list("rank", "creator_id", "account_id", "score", "total", "exposure", "reserved_nano")
    )


# Pure parts


def test_gini_golden_numbers():
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 10]) == 0.75
    assert gini([1, 2, 3, 4]) == 0.25
    assert gini([]) == 0.0


def test_the_exposure_penalty_moves_creators_down_without_changing_their_score():
    exposed = Ranked(total=80 * UNIT, profile_id=1, account_id=1, penalty=exposure_penalties({1: 1})[1])
    others = [ranked(79, 2), ranked(78, 3)]

    order = sorted([exposed, *others], key=lambda r: r.order)

    # Creator 1 is on one other brief: 80 − 8 = 72 puts them below 2 and 3.
    assert [r.profile_id for r in order] == [2, 3, 1]
    assert exposed.score == 80
    assert EXPOSURE_PENALTY == 8 * UNIT


def test_the_penalty_stops_growing_after_three_briefs():
    assert exposure_penalties({1: 12, 2: 2, 3: 0}) == {1: 3 * EXPOSURE_PENALTY, 2: 2 * EXPOSURE_PENALTY}


def test_nano_places_are_interleaved_so_every_top_n_holds_the_share():
    main = [ranked(90 - n, n) for n in range(1, 7)]
    nano = [ranked(90 - n, n) for n in (5, 6)]
    tiers = {1: Tier.MICRO, 2: Tier.MICRO, 3: Tier.MICRO, 4: Tier.MICRO, 5: Tier.NANO, 6: Tier.NANO}

    picks = fair_selection(main, nano, tiers=tiers, exposure={}, count=4, share=50)

    # 50%: the top 2 hold one nano creator, the top 4 two.
    assert [p.ranked.profile_id for p in picks] == [1, 5, 2, 6]
    assert [p.reserved_nano for p in picks] == [False, True, False, True]


def test_nano_needed_rounds_down_until_the_full_list():
    assert [nano_needed(n, count=50, share=20) for n in (1, 4, 5, 10, 44, 49, 50)] == [0, 0, 1, 2, 8, 9, 10]
    assert nano_needed(3, count=3, share=50) == 2


def test_nano_reserve_only_when_the_brief_admits_nano_creators(db):
    open_brief = CampaignFactory(nano_share=20)
    micro_only = CampaignFactory(min_followers=10_000, nano_share=20)

    assert nano_reserve(open_brief, brief_spec(open_brief), 50) == 10
    assert nano_reserve(open_brief, brief_spec(open_brief), 3) == 1  # rounded up
    assert nano_reserve(micro_only, brief_spec(micro_only), 50) == 0


# Refresh


def test_refresh_stores_the_top_creators_in_rank_order(crowd, per_brief):
    campaign = CampaignFactory(nano_share=0)

    assert recommendations_refresh(campaign_id=campaign.pk) == 3

    expected = rank_creators(brief_spec(campaign), limit=3)
    assert [(r[1], r[2], r[4]) for r in rows(campaign)] == [
        (e.profile_id, e.account_id, e.total) for e in expected
    ]
    assert [r[0] for r in rows(campaign)] == [1, 2, 3]
    campaign.refresh_from_db()
    assert campaign.recommendations_updated_at is not None


def test_refresh_twice_stores_the_same_rows(crowd, per_brief):
    campaign = CampaignFactory()
    recommendations_refresh(campaign_id=campaign.pk)
    first = rows(campaign)

    recommendations_refresh(campaign_id=campaign.pk)

    assert rows(campaign) == first
    assert Recommendation.objects.count() == 3


def test_the_nano_reserve_is_stored(crowd, per_brief):
    campaign = CampaignFactory(nano_share=50)

    recommendations_refresh(campaign_id=campaign.pk)

    stored = Recommendation.objects.filter(campaign=campaign).select_related("account")
    assert sum(r.account.tier == Tier.NANO for r in stored) == 2  # ceil(3 × 50%)
    assert any(r.reserved_nano for r in stored)


def test_creators_who_applied_are_not_recommended_again(crowd, per_brief):
    campaign = CampaignFactory(nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)
    top = Recommendation.objects.get(campaign=campaign, rank=1).creator
    ApplicationFactory(campaign=campaign, creator=top)

    recommendations_refresh(campaign_id=campaign.pk)

    assert top.pk not in [r[1] for r in rows(campaign)]
    assert len(rows(campaign)) == 3


def test_a_closed_brief_keeps_no_recommendations(crowd, per_brief):
    campaign = CampaignFactory()
    recommendations_refresh(campaign_id=campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.CLOSED)

    assert recommendations_refresh(campaign_id=campaign.pk) == 0
    assert not Recommendation.objects.filter(campaign=campaign).exists()


def test_concurrent_briefs_spread_recommendations(crowd, per_brief):
    briefs = [CampaignFactory(nano_share=0) for _ in range(3)]

    report = exposure_report()
    recommendations_refresh_all()

    assert report.briefs == 3
    assert report.gini_after < report.gini_before
    assert report.distinct_after > report.distinct_before
    sets = [
        set(Recommendation.objects.filter(campaign=b).values_list("creator_id", flat=True)) for b in briefs
    ]
    assert sets[0] != sets[1]
    # The last brief saw the others' final sets: its stored exposure counts them.
    for recommendation in Recommendation.objects.filter(campaign=briefs[2]):
        assert recommendation.exposure == sum(recommendation.creator_id in s for s in sets[:2])


# Triggers


def test_publishing_a_brief_computes_its_recommendations(
    crowd, brand_org, brand_owner, per_brief, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        brief_services.campaign_publish(campaign=campaign, by_user=brand_owner)

    assert Recommendation.objects.filter(campaign=campaign).count() == 3


def test_a_creator_metrics_change_refreshes_features_and_recommendations(
    crowd, per_brief, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)
    outsider = crowd[0]
    assert outsider.pk not in [r[1] for r in rows(campaign)]
    account = outsider.social_accounts.get()

    with django_capture_on_commit_callbacks(execute=True):
        creator_services.social_account_update(account=account, actor=outsider.user, avg_likes=5_000)

    assert MatchFeatures.objects.get(pk=account.pk).engagement_units == UNIT
    assert rows(campaign)[0][1] == outsider.pk


def test_creator_changes_are_debounced(db, settings, django_capture_on_commit_callbacks):
    settings.RECOMMENDATIONS_DEBOUNCE_SECONDS = 60
    with django_capture_on_commit_callbacks() as callbacks:
        assert recommendations_mark_stale() is True
        assert recommendations_mark_stale() is False
        assert recommendations_mark_stale() is False
    assert len(callbacks) == 1

    callbacks[0]()  # the one run (eager here) clears the mark

    with django_capture_on_commit_callbacks():
        assert recommendations_mark_stale() is True


# The page


def test_the_page_explains_each_recommendation(client, crowd, brand_org, brand_viewer, per_brief):
    campaign = CampaignFactory(organization=brand_org, target_countries=["ID"])
    recommendations_refresh(campaign_id=campaign.pk)
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:recommendations", args=[campaign.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<tr data-creator="') == 3
    assert "Audience 82% in Indonesia." in body
    assert "Invite the top recommendations" not in body  # viewers look, managers invite


def test_another_organization_gets_404(client, crowd, ngo_manager, per_brief):
    campaign = CampaignFactory()

    for name in ("recommendations",):
        client.force_login(ngo_manager)
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404
    assert (
        client.post(reverse("campaigns:recommendations_invite", args=[campaign.pk]), {"count": 1}).status_code
        == 404
    )


def test_viewers_cannot_invite(client, crowd, brand_org, brand_viewer, per_brief):
    campaign = CampaignFactory(organization=brand_org)
    recommendations_refresh(campaign_id=campaign.pk)
    client.force_login(brand_viewer)

    response = client.post(reverse("campaigns:recommendations_invite", args=[campaign.pk]), {"count": 2})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_viewers_cannot_set_a_minimum_match_score(client, brand_org, brand_viewer):
    campaign = CampaignFactory(organization=brand_org)
    client.force_login(brand_viewer)

    response = client.post(
        reverse("campaigns:recommendations_minimum", args=[campaign.pk]), {"min_match_score": 60}
    )

    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.min_match_score is None


def test_an_empty_minimum_clears_it(client, brand_org, brand_manager, django_capture_on_commit_callbacks):
    from marketplace.models import AuditEvent

    campaign = CampaignFactory(organization=brand_org, min_match_score=70)
    client.force_login(brand_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("campaigns:recommendations_minimum", args=[campaign.pk]), {"min_match_score": ""}
        )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.min_match_score is None
    event = AuditEvent.objects.get(action="campaign.min_match_score_set")
    assert event.data == {"from": 70, "to": None}


def test_invite_the_top_n_once_even_when_sent_twice(
    client, crowd, brand_org, brand_manager, per_brief, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=brand_org, nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)
    top_two = list(
        Recommendation.objects.filter(campaign=campaign, rank__lte=2).values_list("creator_id", flat=True)
    )
    client.force_login(brand_manager)
    url = reverse("campaigns:recommendations_invite", args=[campaign.pk])

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"count": 2, "message": "Halo!"})
        assert response.status_code == 302

    assert sorted(
        Invitation.objects.filter(campaign=campaign).values_list("creator_id", flat=True)
    ) == sorted(top_two)
    assert InvitationBatch.objects.filter(campaign=campaign).count() == 1


def test_invite_more_than_recommended_is_refused_with_the_field(
    client, crowd, brand_org, brand_manager, per_brief
):
    campaign = CampaignFactory(organization=brand_org)
    recommendations_refresh(campaign_id=campaign.pk)
    client.force_login(brand_manager)

    response = client.post(reverse("campaigns:recommendations_invite", args=[campaign.pk]), {"count": 9})

    assert response.status_code == 400
    assert "less than or equal to 3" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("count", [1, 100])
def test_the_page_stays_within_a_query_budget(
    client, db, brand_org, brand_owner, settings, count, django_assert_max_num_queries
):
    settings.RECOMMENDATIONS_PER_BRIEF = count
    niche = Niche.objects.first()
    for n in range(count):
        creator(f"budget-{n}", followers=2_000 + n * 500, niches=[niche])
    match_features_refresh()
    campaign = CampaignFactory(organization=brand_org)
    campaign.niches.set([niche])
    recommendations_refresh(campaign_id=campaign.pk)
    assert Recommendation.objects.filter(campaign=campaign).count() == count
    client.force_login(brand_owner)

    with django_assert_max_num_queries(20):
        response = client.get(reverse("campaigns:recommendations", args=[campaign.pk]))

    assert response.content.decode().count('<tr data-creator="') == count


def test_rows_take_the_same_queries_for_one_and_for_five(db, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(5):
        creator(f"q-{n}")
    match_features_refresh()
    queries = {}
    for count in (1, 5):
        settings.RECOMMENDATIONS_PER_BRIEF = count
        campaign = CampaignFactory()
        recommendations_refresh(campaign_id=campaign.pk)
        recommendation_rows(campaign=campaign)  # the tier medians are cached after this
        with CaptureQueriesContext(connection) as captured:
            assert len(recommendation_rows(campaign=campaign)) == count
        queries[count] = len(captured)

    assert queries[1] == queries[5]


def test_a_roster_import_builds_the_match_features(
    brand_org, brand_owner, django_capture_on_commit_callbacks
):
    from creators.roster.importing import roster_import
    from creators.roster.parsing import roster_template_csv

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_import(
            organization=brand_org, by_user=brand_owner, content=roster_template_csv().encode()
        )

    assert result.created >= 1
    assert MatchFeatures.objects.count() == result.created


def test_the_exposure_report_command_prints_both_gini_coefficients(crowd, per_brief):
    from io import StringIO

    from django.core.management import call_command

    for _ in range(3):
        CampaignFactory(nano_share=0)
    out = StringIO()

    call_command("exposure_report", stdout=out)

    report = exposure_report()
    line = out.getvalue().strip()
    # The pool: every creator recommended at least once, plainly or with fair exposure.
    assert line.startswith(f"briefs=3 per_brief=3 pool={report.pool} ")
    assert report.pool >= max(report.distinct_before, report.distinct_after)
    assert f"gini_before={report.gini_before:.4f} gini_after={report.gini_after:.4f}" in line
    assert not Recommendation.objects.exists()  # it only measures


def test_changes_gathered_in_a_bulk_load_are_announced_once(db, django_capture_on_commit_callbacks):
    from creators.signals import announce_matching_change, matching_changes_gathered, matching_inputs_changed

    received = []

    def listener(sender, profile_ids, **kwargs):
        received.append(profile_ids)

    matching_inputs_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            with matching_changes_gathered():
                announce_matching_change(3, 1)
                announce_matching_change(2, 3)
            with pytest.raises(RuntimeError), matching_changes_gathered():
                announce_matching_change(9)
                raise RuntimeError("the load failed")
    finally:
        matching_inputs_changed.disconnect(listener)

    assert received == [[1, 2, 3]]
