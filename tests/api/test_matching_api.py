"""Recommendations over the API: the explained list, and inviting the top N like the web page."""

import pytest
from django.urls import reverse

from campaigns.models import Invitation, InvitationBatch, Recommendation
from campaigns.ranking import match_features_refresh
from campaigns.recommendations import recommendations_refresh
from creators.models import Niche
from tests.api.conftest import bearer, make_key, make_token
from tests.campaigns.factories import CampaignFactory
from tests.campaigns.test_recommendations import creator as recommendable_creator


@pytest.fixture
def recommended(brand_org, settings):
    """A published brief of brand_org with three stored recommendations."""
    settings.RECOMMENDATIONS_PER_BRIEF = 3
    for n in range(5):
        recommendable_creator(f"micro-{n}", followers=20_000 + 1_000 * n, likes=600 + 60 * n)
    match_features_refresh()
    campaign = CampaignFactory(organization=brand_org, nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)
    assert Recommendation.objects.filter(campaign=campaign).count() == 3
    return campaign


def list_url(campaign):
    return reverse("api:campaign_recommendations", args=[campaign.pk])


def invite_url(campaign):
    return reverse("api:campaign_recommendations_invite", args=[campaign.pk])


def test_a_member_reads_the_recommendations_in_rank_order_with_reasons(recommended, read_key):
    response = read_key.get(list_url(recommended))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    stored = list(recommended.recommendations.order_by("rank").values_list("creator__slug", flat=True))
    assert [row["creator"] for row in rows] == stored
    first = rows[0]
    assert 0 <= first["score"] <= 100
    assert first["reasons"] and isinstance(first["flags"], list)
    assert {"exposure", "reserved_nano", "platform", "handle", "followers"} <= set(first)


def test_another_organization_gets_404(recommended, ngo_org):
    outsider_key = bearer(make_key(ngo_org, ngo_org.memberships.get().user))

    assert outsider_key.get(list_url(recommended)).status_code == 404
    assert outsider_key.post(invite_url(recommended), {"count": 1}, format="json").status_code == 404
    assert not Invitation.objects.exists()


def test_a_creator_token_gets_404(recommended, creator_user_token):
    assert creator_user_token.get(list_url(recommended)).status_code == 404


@pytest.fixture
def creator_user_token(creator):
    return bearer(make_token(creator))


def test_invite_the_top_n_starts_one_batch_even_when_sent_twice(
    recommended, write_key, django_capture_on_commit_callbacks
):
    top_two = list(recommended.recommendations.filter(rank__lte=2).values_list("creator_id", flat=True))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = write_key.post(
                invite_url(recommended), {"count": 2, "message": "Halo!"}, format="json"
            )
        assert response.status_code == 202
        assert response.json()["total"] == 2

    assert sorted(
        Invitation.objects.filter(campaign=recommended).values_list("creator_id", flat=True)
    ) == sorted(top_two)
    assert InvitationBatch.objects.filter(campaign=recommended).count() == 1


def test_viewers_and_read_keys_cannot_invite(recommended, brand_org, brand_viewer, read_key):
    viewer_key = bearer(make_key(brand_org, brand_viewer))

    for client in (viewer_key, read_key):
        response = client.post(invite_url(recommended), {"count": 1}, format="json")
        assert response.status_code == 403
        assert response.json()["type"] == "permission_error"
    assert not InvitationBatch.objects.exists()


def test_inviting_more_than_recommended_names_the_field(recommended, write_key):
    response = write_key.post(invite_url(recommended), {"count": 9}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["count"]
    assert not InvitationBatch.objects.exists()


@pytest.mark.parametrize("extra", [{"creator_ids": [1]}, {"status": "done"}, {"campaign": 1}])
def test_the_invite_body_refuses_fields_nobody_may_set(recommended, write_key, extra):
    response = write_key.post(invite_url(recommended), {"count": 1} | extra, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(extra)


def test_invitations_are_rate_limited_atomically(recommended, write_key, settings):
    settings.API_SENSITIVE_LIMITS = {**settings.API_SENSITIVE_LIMITS, "invitations": (1, 3600)}

    first = write_key.post(invite_url(recommended), {"count": 1}, format="json")
    second = write_key.post(invite_url(recommended), {"count": 1}, format="json")

    assert first.status_code == 202
    assert second.status_code == 429


@pytest.mark.parametrize("count", [1, 100])
def test_the_list_runs_a_constant_number_of_queries(
    brand_org, write_key, settings, count, django_assert_max_num_queries
):
    settings.RECOMMENDATIONS_PER_BRIEF = count
    niche = Niche.objects.first()
    for n in range(count):
        recommendable_creator(f"budget-{n}", followers=2_000 + n * 500, niches=[niche])
    match_features_refresh()
    campaign = CampaignFactory(organization=brand_org)
    campaign.niches.set([niche])
    recommendations_refresh(campaign_id=campaign.pk)

    with django_assert_max_num_queries(20):
        response = write_key.get(list_url(campaign), {"page_size": 100})

    assert len(response.json()["results"]) == count
