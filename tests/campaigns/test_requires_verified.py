"""A brief can require verified accounts: eligibility, the match's hard filters, ranking and
recommendations, the brief form and page, and the API field. Verified numbers that fail a rule say
so instead of inviting the creator to edit them."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.eligibility import check_eligibility
from campaigns.match_index import rank_creators
from campaigns.matching import match_score
from campaigns.models import Campaign, Recommendation
from campaigns.ranking import FEATURE_VALUES, brief_spec, match_features_refresh, rank_python
from campaigns.recommendations import recommendations_refresh
from creators.models import MatchFeatures, MetricsSource, Platform
from tests.api.conftest import bearer, make_key
from tests.campaigns.factories import CampaignFactory
from tests.campaigns.test_briefs import _form_data
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db

VERIFIED_AT = datetime.datetime(2025, 6, 28, 9, 0, tzinfo=datetime.UTC)
CONNECT_MESSAGE = (
    "This brief accepts only accounts connected to Kolabo, so their numbers are verified. "
    "Connect your Instagram or TikTok account on your profile."
)


def verify(account, **numbers):
    for field, value in numbers.items():
        setattr(account, field, value)
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = VERIFIED_AT
    account.save()
    return account


def person(slug, *, verified, followers=25_000, platform=Platform.INSTAGRAM):
    profile = CreatorProfileFactory(slug=slug)
    account = SocialAccountFactory(profile=profile, handle=slug, followers=followers, platform=platform)
    if verified:
        verify(account)
    return profile


# --- Eligibility --------------------------------------------------------------------------------


def test_a_self_reported_account_does_not_count_and_the_creator_is_told_to_connect(creator):
    campaign = CampaignFactory(requires_verified_accounts=True, platforms=["instagram", "tiktok"])

    result = check_eligibility(campaign=campaign, creator=creator.creator_profile)

    assert not result.eligible
    assert result.problems == [CONNECT_MESSAGE]
    assert result.account is None
    assert result.fixable  # connecting is done on the profile


def test_a_brief_for_one_platform_names_it(creator):
    campaign = CampaignFactory(requires_verified_accounts=True)  # Instagram only

    result = check_eligibility(campaign=campaign, creator=creator.creator_profile)

    assert result.problems == [
        "This brief accepts only accounts connected to Kolabo, so their numbers are verified. "
        "Connect your Instagram account on your profile."
    ]


def test_the_verified_account_is_judged_even_when_a_typed_one_is_bigger(creator):
    profile = creator.creator_profile
    SocialAccountFactory(profile=profile, handle="ayu.big", followers=90_000, avg_likes=4_000)
    connected = verify(profile.social_accounts.get(handle="ayu.cooks"))
    campaign = CampaignFactory(requires_verified_accounts=True)

    result = check_eligibility(campaign=campaign, creator=profile)

    assert result.eligible
    assert result.account == connected
    assert result.checks[1].text == "Instagram @ayu.cooks is connected to Kolabo: its numbers are verified."


def test_without_the_rule_typed_accounts_still_count(creator):
    assert check_eligibility(campaign=CampaignFactory(), creator=creator.creator_profile).eligible


def test_verified_numbers_that_fail_say_so_instead_of_inviting_an_edit(client, creator):
    account = verify(
        creator.creator_profile.social_accounts.get(), followers=800, avg_likes=40, avg_comments=2
    )
    campaign = CampaignFactory(min_engagement_rate=Decimal("20.00"))

    result = check_eligibility(campaign=campaign, creator=creator.creator_profile)

    assert result.account == account
    assert result.problems == [
        "Instagram @ayu.cooks has 800 followers, verified from Instagram on June 28, 2025; "
        "the brief asks for 1,000–100,000 followers.",
        "Instagram @ayu.cooks has an engagement rate of 5.00%, verified from Instagram on June 28, 2025; "
        "the brief asks for at least 20.00%.",
    ]
    assert not result.fixable

    client.force_login(creator)
    page = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()
    assert "Your numbers are verified from the platform, so they cannot be edited" in page
    assert "Update my profile" not in page


def test_typed_numbers_that_fail_still_point_to_the_profile(client, creator):
    campaign = CampaignFactory(min_engagement_rate=Decimal("20"))
    client.force_login(creator)

    page = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "Update my profile" in page
    assert "verified from Instagram" not in page


# --- Match score, ranking, recommendations ------------------------------------------------------


def test_the_match_hard_filters_refuse_a_typed_account():
    typed = person("typed", verified=False)
    campaign = CampaignFactory(requires_verified_accounts=True)

    result = match_score(campaign=campaign, creator=typed, account=None)

    assert not result.passes_hard_filters
    assert result.hard_filter_failures == [
        "No account connected to Kolabo on Instagram: the brief accepts verified accounts only."
    ]


@pytest.fixture
def mixed(settings):
    settings.RECOMMENDATIONS_PER_BRIEF = 10
    people = [person(f"typed-{n}", verified=False, followers=30_000 + n) for n in range(3)]
    people += [person(f"connected-{n}", verified=True, followers=20_000 + n) for n in range(2)]
    match_features_refresh()
    return people


def test_match_features_know_which_accounts_are_verified(mixed):
    flags = dict(MatchFeatures.objects.values_list("account__handle", "metrics_verified"))

    assert flags == {
        "typed-0": False,
        "typed-1": False,
        "typed-2": False,
        "connected-0": True,
        "connected-1": True,
    }


def test_ranking_keeps_only_verified_accounts_when_the_brief_requires_them(mixed):
    open_brief = brief_spec(CampaignFactory())
    strict = brief_spec(CampaignFactory(requires_verified_accounts=True))
    rows = list(MatchFeatures.objects.values(*FEATURE_VALUES))

    assert strict.verified_only and not open_brief.verified_only
    assert len(rank_creators(open_brief, limit=10)) == 5
    ranked = rank_creators(strict, limit=10)
    assert ranked == rank_python(strict, rows, limit=10)
    assert {r.profile_id for r in ranked} == {p.pk for p in mixed if p.slug.startswith("connected")}


def test_recommendations_exclude_unverified_creators(client, mixed, brand_org, brand_owner):
    campaign = CampaignFactory(organization=brand_org, requires_verified_accounts=True, nano_share=0)

    assert recommendations_refresh(campaign_id=campaign.pk) == 2
    assert sorted(Recommendation.objects.values_list("account__handle", flat=True)) == [
        "connected-0",
        "connected-1",
    ]

    client.force_login(brand_owner)
    page = client.get(reverse("campaigns:recommendations", args=[campaign.pk])).content.decode()
    assert page.count('data-source="verified"') == 2
    assert "Self-reported" not in page


def test_invite_top_n_reaches_only_verified_creators(
    client, mixed, brand_org, brand_owner, django_capture_on_commit_callbacks
):
    from campaigns.models import Invitation

    campaign = CampaignFactory(organization=brand_org, requires_verified_accounts=True, nano_share=0)
    recommendations_refresh(campaign_id=campaign.pk)
    client.force_login(brand_owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:recommendations_invite", args=[campaign.pk]), {"count": 2})

    invited = Invitation.objects.filter(campaign=campaign).values_list("creator__slug", flat=True)
    assert sorted(invited) == ["connected-0", "connected-1"]


# --- The brief: form, page, API -----------------------------------------------------------------


def test_the_form_saves_the_rule_and_normalises_disclosure_tags(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    data = _form_data(requires_verified_accounts="on", disclosure_tags="#iklan, #Ad #ad  #sponsored")

    response = client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), data)

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert campaign.requires_verified_accounts
    assert campaign.disclosure_tags == "#iklan #Ad #sponsored"


def test_the_form_checks_hashtags_and_connectable_platforms(client, brand_org, brand_manager):
    client.force_login(brand_manager)
    url = reverse("campaigns:campaign_create", args=[brand_org.slug])

    bad_tag = client.post(url, _form_data(disclosure_tags="#iklan ad!"))
    youtube = client.post(
        url,
        _form_data(
            requires_verified_accounts="on",
            platforms=["youtube"],
            **{"deliverables-0-platform": "youtube", "deliverables-0-format": "long_video"},
        ),
    )

    assert bad_tag.status_code == 400
    assert "“ad!” is not a hashtag" in bad_tag.content.decode()
    assert "Only Instagram and TikTok accounts can be connected to Kolabo" in youtube.content.decode()
    assert not Campaign.objects.exists()


def test_empty_disclosure_tags_fall_back_to_the_usual_ones(client, brand_org, brand_manager):
    client.force_login(brand_manager)

    client.post(reverse("campaigns:campaign_create", args=[brand_org.slug]), _form_data(disclosure_tags=""))

    assert Campaign.objects.get().disclosure_tags == "#iklan #ad #sponsored"


def test_the_brief_page_shows_the_rule(client, creator):
    strict = CampaignFactory(requires_verified_accounts=True, disclosure_tags="#iklan #ad")
    client.force_login(creator)

    page = client.get(reverse("campaigns:brief_detail", args=[strict.pk])).content.decode()
    relaxed = client.get(reverse("campaigns:brief_detail", args=[CampaignFactory().pk])).content.decode()

    assert "Only accounts connected to Kolabo count" in page
    assert "Any one of these in the caption counts: #iklan #ad." in page
    assert "Verified or self-reported." in relaxed


def test_the_api_reads_and_writes_the_rule(brand_org, brand_owner):
    write_key = bearer(make_key(brand_org, brand_owner))
    url = reverse("api:organization_campaigns", args=[brand_org.slug])
    brief = {"title": "Kopi", "objective": "awareness", "platforms": ["instagram"], "currency": "IDR"}

    created = write_key.post(
        url, brief | {"requires_verified_accounts": True, "disclosure_tags": "#iklan  #ad"}, format="json"
    )
    bad_tag = write_key.post(url, brief | {"disclosure_tags": "iklan"}, format="json")
    youtube = write_key.post(
        url, brief | {"platforms": ["youtube"], "requires_verified_accounts": True}, format="json"
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["requires_verified_accounts"] is True
    assert body["disclosure_tags"] == "#iklan #ad"
    assert (bad_tag.status_code, list(bad_tag.json()["fields"])) == (400, ["disclosure_tags"])
    assert (youtube.status_code, list(youtube.json()["fields"])) == (400, ["requires_verified_accounts"])
    campaign = Campaign.objects.get()
    assert campaign.requires_verified_accounts


def test_the_schema_documents_the_fields(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    fields = schema["components"]["schemas"]["CampaignInputRequest"]["properties"]

    assert "connected to Kolabo" in fields["requires_verified_accounts"]["description"]
    assert "any one of them" in fields["disclosure_tags"]["description"]
    assert "requires_verified_accounts" in schema["components"]["schemas"]["Campaign"]["properties"]
