import datetime

import pytest
from django.utils import timezone

from creators import selectors
from creators.models import Niche
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def checklist_state(panel):
    return [item["done"] for item in panel["checklist"]]


def test_public_stats_counts_profiles_and_niches():
    CreatorProfileFactory.create_batch(2)
    assert selectors.public_stats() == {"creators": 2, "niches": Niche.objects.count()}
    assert selectors.public_stats()["niches"] == 24


def test_dashboard_is_none_for_a_user_without_profile(user):
    assert selectors.creator_dashboard(user=user) is None


def test_new_profile_without_bio_or_accounts_has_nothing_done():
    profile = CreatorProfileFactory(bio="")
    panel = selectors.creator_dashboard(user=profile.user)
    assert checklist_state(panel) == [False, False, False, False]
    assert panel["completion"] == 0
    assert panel["checklist"][1]["url"] == "/creators/me/social/add/"


def test_complete_profile_with_fresh_metrics_is_100_percent(creator):
    RateCardItemFactory(profile=creator.creator_profile)
    panel = selectors.creator_dashboard(user=creator)
    assert checklist_state(panel) == [True, True, True, True]
    assert panel["completion"] == 100
    assert panel["profile"] == creator.creator_profile
    assert [a.handle for a in panel["social_accounts"]] == ["ayu.cooks"]
    assert len(panel["rate_card"]) == 1


def test_metrics_older_than_90_days_leave_the_metrics_item_open_and_link_to_that_account(creator):
    today = timezone.localdate()
    old = SocialAccountFactory(
        profile=creator.creator_profile, metrics_date=today - datetime.timedelta(days=91)
    )
    SocialAccountFactory(profile=creator.creator_profile, metrics_date=today - datetime.timedelta(days=90))

    panel = selectors.creator_dashboard(user=creator)

    assert checklist_state(panel) == [True, True, False, False]
    assert panel["completion"] == 50
    assert panel["checklist"][2]["url"] == f"/creators/me/social/{old.pk}/edit/"


def test_dashboard_query_count_is_constant(creator, django_assert_num_queries):
    for _ in range(4):
        SocialAccountFactory(profile=creator.creator_profile)
    with django_assert_num_queries(5):
        selectors.creator_dashboard(user=creator)
