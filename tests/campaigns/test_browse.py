"""Creators browse published briefs, read one, and see whether they fit it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from campaigns.models import Application, Campaign, Collaboration, Invitation
from creators.models import Cause, DeliverableFormat, Niche, Platform
from tests.brands.factories import OrganizationFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

from .factories import ApplicationFactory, CampaignFactory, InvitationFactory, in_days

pytestmark = pytest.mark.django_db

LIST = reverse("campaigns:brief_list")


def _titles(response) -> list[str]:
    return [row["campaign"].title for row in response.context["rows"]]


def _browse(client, user, **params):
    client.force_login(user)
    return client.get(LIST, params)


# The list


def test_list_shows_only_published_briefs_still_open(client, creator, brand_org):
    CampaignFactory(organization=brand_org, title="Open")
    CampaignFactory(organization=brand_org, title="No deadline", application_deadline=None)
    CampaignFactory(organization=brand_org, title="Draft", status=Campaign.Status.DRAFT)
    CampaignFactory(organization=brand_org, title="Closed", status=Campaign.Status.CLOSED)
    CampaignFactory(organization=brand_org, title="Cancelled", status=Campaign.Status.CANCELLED)
    CampaignFactory(organization=brand_org, title="Deadline passed", application_deadline=in_days(-1))

    response = _browse(client, creator)

    assert response.status_code == 200
    assert sorted(_titles(response)) == ["No deadline", "Open"]


def test_anonymous_browsing_is_sent_to_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_filter_by_niche(client, creator):
    food = CampaignFactory(title="Food")
    food.niches.set([Niche.objects.get(slug="food")])
    CampaignFactory(title="Other").niches.set([Niche.objects.get(slug="tech")])

    assert _titles(_browse(client, creator, niche="food")) == ["Food"]


def test_filter_by_platform_matches_exact_codes(client, creator):
    CampaignFactory(title="Insta")
    CampaignFactory(title="X and TikTok", platforms=[Platform.X, Platform.TIKTOK])

    assert _titles(_browse(client, creator, platform="x")) == ["X and TikTok"]
    assert _titles(_browse(client, creator, platform="instagram")) == ["Insta"]
    assert _titles(_browse(client, creator, platform="youtube")) == []


def test_filter_by_kind(client, creator, ngo_org):
    CampaignFactory(title="Commercial")
    CampaignFactory(title="Cause", organization=ngo_org, kind=Campaign.Kind.CAUSE)

    assert _titles(_browse(client, creator, kind="cause")) == ["Cause"]


def test_filter_by_country_includes_briefs_open_to_anywhere(client, creator):
    CampaignFactory(title="Indonesia", target_countries=["ID", "MY"])
    CampaignFactory(title="Anywhere", target_countries=[])
    CampaignFactory(title="Singapore", target_countries=["SG"])

    assert sorted(_titles(_browse(client, creator, country="ID"))) == ["Anywhere", "Indonesia"]


def test_filter_by_language_includes_briefs_in_any_language(client, creator):
    CampaignFactory(title="Javanese", target_languages=["jv"])
    CampaignFactory(title="Any", target_languages=[])
    CampaignFactory(title="English", target_languages=["en"])

    assert sorted(_titles(_browse(client, creator, language="jv"))) == ["Any", "Javanese"]


def test_filter_by_fee_range_overlap_and_currency(client, creator):
    CampaignFactory(title="Small", fee_min=Decimal("300000"), fee_max=Decimal("500000"))
    CampaignFactory(title="Range", fee_min=Decimal("800000"), fee_max=Decimal("2000000"))
    CampaignFactory(title="Big", fee_min=Decimal("5000000"), fee_max=Decimal("5000000"))
    CampaignFactory(title="Dollars", currency="USD", fee_min=Decimal("900"), fee_max=Decimal("1200"))

    assert sorted(_titles(_browse(client, creator, fee_min="1000000", fee_max="3000000"))) == ["Range"]
    assert sorted(_titles(_browse(client, creator, fee_min="600", currency="USD"))) == ["Dollars"]
    assert sorted(_titles(_browse(client, creator, fee_max="600000", currency="IDR"))) == ["Small"]


def test_filter_by_deadline(client, creator):
    CampaignFactory(title="Soon", application_deadline=in_days(2))
    CampaignFactory(title="Later", application_deadline=in_days(20))

    assert _titles(_browse(client, creator, deadline_within="7")) == ["Soon"]
    assert sorted(_titles(_browse(client, creator, deadline_before=in_days(20).isoformat()))) == [
        "Later",
        "Soon",
    ]
    assert _titles(_browse(client, creator, deadline_before=in_days(5).isoformat())) == ["Soon"]


def test_search_titles_and_sort_by_deadline(client, creator):
    CampaignFactory(title="Kopi later", application_deadline=in_days(20))
    CampaignFactory(title="Kopi soon", application_deadline=in_days(3))
    CampaignFactory(title="Teh", application_deadline=in_days(1))

    assert _titles(_browse(client, creator, q="kopi", sort="deadline")) == ["Kopi soon", "Kopi later"]


def test_invalid_filter_is_flagged_and_ignored(client, creator):
    CampaignFactory(title="Open")

    response = _browse(client, creator, fee_min="lots", platform="myspace")

    assert _titles(response) == ["Open"]
    form = response.context["form"]
    assert form.errors["fee_min"] == ["Enter an amount without dots or commas, for example 1500000."]
    assert "platform" in form.errors


def test_eligibility_badge_for_each_row(client, creator):
    CampaignFactory(title="Fits")
    CampaignFactory(title="Too big", min_followers=200_000, max_followers=None)

    response = _browse(client, creator)

    verdicts = {row["campaign"].title: row["eligibility"].eligible for row in response.context["rows"]}
    assert verdicts == {"Fits": True, "Too big": False}
    html = response.content.decode()
    assert "Meets the rules" in html
    assert "Rules not met" in html
    assert "You fit" not in html


def test_non_creators_browse_without_badges(client, outsider):
    CampaignFactory(title="Open")

    response = _browse(client, outsider)

    assert response.context["rows"][0]["eligibility"] is None
    assert response.context["rows"][0]["match"] is None
    assert 'data-testid="match"' not in response.content.decode()


def test_list_shows_fee_through_the_money_filter(client, creator):
    CampaignFactory(fee_min=Decimal("1000000"), fee_max=Decimal("2500000"))

    html = _browse(client, creator).content.decode()

    assert "Rp 1.000.000 to Rp 2.500.000" in html


def test_pagination_keeps_the_filters(client, creator):
    for number in range(21):
        CampaignFactory(title=f"Kopi {number}")

    response = _browse(client, creator, q="kopi", sort="deadline")

    assert len(response.context["rows"]) == 20
    assert "?q=kopi&amp;sort=deadline&amp;page=2" in response.content.decode()
    second = client.get(LIST, {"q": "kopi", "sort": "deadline", "page": 2})
    assert len(second.context["rows"]) == 1


def test_list_query_count_does_not_grow_with_rows(client, creator, django_assert_max_num_queries):
    client.force_login(creator)

    def make(count):
        for _number in range(count):
            campaign = CampaignFactory(organization=OrganizationFactory())
            campaign.niches.set(Niche.objects.all()[:2])
            campaign.causes.set(Cause.objects.all()[:1])

    make(1)
    client.get(LIST)  # the platform's engagement medians are computed once, then cached
    with django_assert_max_num_queries(20) as one:
        client.get(LIST)
    make(9)
    with django_assert_max_num_queries(len(one.captured_queries)) as ten:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 10
    assert len(ten.captured_queries) == len(one.captured_queries)


# One brief


def test_published_brief_is_visible_to_any_logged_in_user(client, campaign, outsider):
    client.force_login(outsider)

    response = client.get(reverse("campaigns:brief_detail", args=[campaign.pk]))

    assert response.status_code == 200
    assert "Create my creator profile" in response.content.decode()


def test_draft_is_404_for_creators_and_outsiders(client, brand_org, creator, outsider, ngo_manager):
    draft = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)

    for user in (creator, outsider, ngo_manager):
        client.force_login(user)
        assert client.get(reverse("campaigns:brief_detail", args=[draft.pk])).status_code == 404


def test_draft_is_visible_to_members_with_a_manage_link(client, brand_org, brand_viewer):
    draft = CampaignFactory(organization=brand_org, status=Campaign.Status.DRAFT)
    client.force_login(brand_viewer)

    response = client.get(reverse("campaigns:brief_detail", args=[draft.pk]))

    assert response.status_code == 200
    assert reverse("campaigns:campaign_manage", args=[draft.pk]) in response.content.decode()


def test_closed_brief_is_visible_only_to_members_and_involved_creators(client, brand_org, creator, outsider):
    closed = CampaignFactory(organization=brand_org, status=Campaign.Status.CLOSED)
    ApplicationFactory(campaign=closed, creator=creator.creator_profile, status=Application.Status.CLOSED)

    client.force_login(outsider)
    assert client.get(reverse("campaigns:brief_detail", args=[closed.pk])).status_code == 404
    client.force_login(creator)
    response = client.get(reverse("campaigns:brief_detail", args=[closed.pk]))
    assert response.status_code == 200
    assert "Status: Closed." in response.content.decode()


def test_brief_shows_every_term(client, creator, brand_org):
    brand_org.verification_status = "verified"
    brand_org.save()
    campaign = CampaignFactory(
        organization=brand_org,
        fee_min=Decimal("1000000"),
        fee_max=Decimal("2000000"),
        slots=3,
        usage_rights=Campaign.UsageRights.PAID_30,
        dos="Show the beans.",
        donts="No competitors.",
        required_hashtags="#iklan #KopiNusantara",
        target_countries=["ID"],
        target_languages=["id"],
        min_engagement_rate=Decimal("2.5"),
        deliverables=[
            (Platform.INSTAGRAM, DeliverableFormat.REEL, 2),
            (Platform.INSTAGRAM, DeliverableFormat.STORY, 3),
        ],
    )
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    for text in (
        "Rp 1.000.000 to Rp 2.000.000",
        "Rp 3.000.000 to Rp 6.000.000 (3 slots)",
        "Paid usage, 30 days",
        "Show the beans.",
        "No competitors.",
        "#iklan #KopiNusantara",
        "Required: mark the post as a paid partnership (#ad / #iklan).",
        "Indonesia",
        "Indonesian",
        "2.50%",
        "1,000 to 100,000",
        "Reel",
        "Story",
        "Verified",
        "Kopi Nusantara",
    ):
        assert text in html, text


def test_eligible_creator_sees_each_check_and_the_apply_button(client, creator, campaign):
    client.force_login(creator)

    response = client.get(reverse("campaigns:brief_detail", args=[campaign.pk]))

    html = response.content.decode()
    assert response.context["eligibility"].eligible
    assert "You have an account on Instagram." in html
    assert "Instagram @ayu.cooks has 25,000 followers; the brief asks for 1,000–100,000 followers." in html
    assert "✓" in html
    assert "✗" not in html
    assert f'href="{reverse("campaigns:apply", args=[campaign.pk])}"' in html


def test_ineligible_creator_sees_why_and_no_apply_button(client, creator, brand_org):
    campaign = CampaignFactory(
        organization=brand_org,
        platforms=[Platform.TIKTOK],
        deliverables=[(Platform.TIKTOK, DeliverableFormat.SHORT_VIDEO, 1)],
    )
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "The brief is for TikTok, and you have no account there. Add one to your profile." in html
    assert "✗" in html
    assert reverse("campaigns:apply", args=[campaign.pk]) not in html
    assert "You cannot apply yet" in html


def test_low_engagement_is_explained(client, brand_org):
    profile = CreatorProfileFactory(languages=["id"])
    SocialAccountFactory(profile=profile, followers=20_000, avg_likes=100, avg_comments=0)
    campaign = CampaignFactory(
        organization=brand_org, min_engagement_rate=Decimal("3"), target_languages=["en"]
    )
    client.force_login(profile.user)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "has an engagement rate of 0.50%; the brief asks for at least 3.00%." in html
    assert "The brief wants content in English, which is not among your languages." in html


def test_past_deadline_brief_says_so_instead_of_apply(client, creator, brand_org):
    campaign = CampaignFactory(organization=brand_org, application_deadline=in_days(-1))
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "The application deadline has passed." in html
    assert reverse("campaigns:apply", args=[campaign.pk]) not in html


def test_creator_who_applied_sees_their_status(client, creator, campaign):
    ApplicationFactory(
        campaign=campaign, creator=creator.creator_profile, status=Application.Status.SHORTLISTED
    )
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "Status: Shortlisted." in html
    assert reverse("campaigns:apply", args=[campaign.pk]) not in html


def test_invited_creator_sees_the_invitation(client, creator, campaign):
    invitation = InvitationFactory(campaign=campaign, creator=creator.creator_profile)
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "Status: Pending." in html
    assert reverse("campaigns:invitation_detail", args=[invitation.pk]) in html
    assert invitation.status == Invitation.Status.PENDING


def test_collaborating_creator_is_linked_to_the_collaboration(client, creator, campaign):
    collaboration = Collaboration.objects.create(
        campaign=campaign,
        creator=creator.creator_profile,
        source="invitation",
        fee=Decimal("1000000"),
        currency="IDR",
    )
    client.force_login(creator)

    html = client.get(reverse("campaigns:brief_detail", args=[campaign.pk])).content.decode()

    assert "You work on this campaign." in html
    assert reverse("campaigns:collaboration_detail", args=[collaboration.pk]) in html


# Rules and match are two answers


def _brief_in_niche(brand_org, niche, **fields):
    brief = CampaignFactory(organization=brand_org, title="Sahur recipes", **fields)
    brief.niches.set([niche])
    return brief


def test_creator_in_an_unrelated_niche_meets_the_rules_but_sees_a_weak_match(client, creator, brand_org):
    niches = list(Niche.objects.order_by("position"))
    creator.creator_profile.niches.set([niches[1]])
    brief = _brief_in_niche(brand_org, niches[0])
    client.force_login(creator)

    response = client.get(reverse("campaigns:brief_detail", args=[brief.pk]))

    html = response.content.decode()
    assert response.context["eligibility"].eligible
    assert "You meet the brief's rules" in html
    assert "You fit" not in html
    match = response.context["match"]
    assert match.strength == "weak"
    assert f"Match {match.score}/100" in html
    assert "Weak match" in html
    assert match.reasons[0] == "No shared niche with the brief."
    assert "No shared niche with the brief." in html
    # The rules still let them apply: the match informs, it never blocks.
    assert f'href="{reverse("campaigns:apply", args=[brief.pk])}"' in html


def test_creator_in_the_briefs_niche_sees_a_better_match_than_one_outside_it(client, creator, brand_org):
    niches = list(Niche.objects.order_by("position"))
    brief = _brief_in_niche(brand_org, niches[0])
    client.force_login(creator)

    creator.creator_profile.niches.set([niches[0]])
    inside = client.get(reverse("campaigns:brief_detail", args=[brief.pk])).context["match"]
    creator.creator_profile.niches.set([niches[1]])
    outside = client.get(reverse("campaigns:brief_detail", args=[brief.pk])).context["match"]

    assert inside.score > outside.score
    assert inside.reasons[0] == f"Strong niche match: {niches[0].name}."


def test_the_list_shows_rules_and_match_apart_for_each_brief(client, creator, brand_org):
    niches = list(Niche.objects.order_by("position"))
    creator.creator_profile.niches.set([niches[1]])
    _brief_in_niche(brand_org, niches[0])
    CampaignFactory(organization=brand_org, title="Too big", min_followers=200_000, max_followers=None)

    response = _browse(client, creator)

    rows = {row["campaign"].title: row for row in response.context["rows"]}
    assert rows["Sahur recipes"]["eligibility"].eligible
    assert rows["Sahur recipes"]["match"].strength == "weak"
    assert not rows["Too big"]["eligibility"].eligible
    html = response.content.decode()
    assert html.count('data-testid="match"') == 2
    assert f"Match {rows['Sahur recipes']['match'].score}/100" in html
    assert "Meets the rules" in html and "Rules not met" in html
