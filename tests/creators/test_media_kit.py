"""The public creator page as a media kit (issue 12, part 7): creators.selectors.media_kit and
creators/profile_public.html."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brands.models import Shortlist, ShortlistEntry
from campaigns.models import Campaign, Collaboration, Invitation, Rating
from creators import selectors
from creators.models import MetricsSource
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db

VERIFIED_AT = datetime.datetime(2025, 3, 4, 9, 30, tzinfo=datetime.UTC)


def _page(client, profile) -> str:
    response = client.get(reverse("creators:profile_public", args=[profile.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _connect(account, *, picture="", **snapshot):
    """Mark the account verified and give it a connection with one snapshot (as a refresh would)."""
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = VERIFIED_AT
    account.save()
    connection = PlatformConnection.objects.create(
        profile=account.profile,
        account=account,
        platform=account.platform,
        external_id=f"ext-{account.pk}",
        username=account.handle,
        picture=picture,
        last_refreshed_at=VERIFIED_AT,
    )
    MetricsSnapshot.objects.create(
        connection=connection, taken_at=VERIFIED_AT, followers=account.followers, **snapshot
    )
    return connection


def _post(connection, n, *, likes, comments=0, views=None, days_ago=1, thumbnail=""):
    return PlatformPost.objects.create(
        connection=connection,
        external_id=f"post-{connection.pk}-{n}",
        permalink=f"https://www.instagram.com/p/post{n}/",
        posted_at=timezone.now() - datetime.timedelta(days=days_ago),
        likes=likes,
        comments=comments,
        views=views,
        thumbnail=thumbnail,
        caption=f"Post {n}",
    )


def _completed(campaign, profile, *, score=None, comment="", by_user=None, days_ago=1):
    collaboration = Collaboration.objects.create(
        campaign=campaign,
        creator=profile,
        source=Collaboration.Source.INVITATION,
        fee=Decimal("7654321"),
        currency="IDR",
        status=Collaboration.Status.COMPLETED,
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    if score is not None:
        Rating.objects.create(
            collaboration=collaboration,
            rated_side=Rating.Side.CREATOR,
            rated_by=by_user or campaign.created_by or UserFactory(),
            score=score,
            comment=comment,
        )
    return collaboration


# Metrics and their source


def test_verified_and_self_reported_accounts_are_labelled(client, creator):
    profile = creator.creator_profile
    verified = profile.social_accounts.get()
    verified.avg_views = 12_345
    verified.save()
    _connect(verified)
    SocialAccountFactory(profile=profile, platform="tiktok", handle="ayu.tok", followers=8_000)

    page = _page(client, profile)
    text = _text(page)

    assert "Verified · March 4, 2025" in text
    assert 'href="https://www.instagram.com/ayu.cooks/"' in page
    assert "Self-reported" in text
    assert "12,345" in text  # average views
    assert "Nano" in text and "Micro" in text
    kit = selectors.media_kit(selectors.creator_profile_public(slug=profile.slug), None)
    assert [(item.account.handle, item.verified_at) for item in kit["accounts"]] == [
        ("ayu.cooks", VERIFIED_AT),
        ("ayu.tok", None),
    ]


def test_picture_of_the_connected_account_else_initials(client, creator):
    profile = creator.creator_profile
    assert 'class="media-kit-photo media-kit-initials"' in _page(client, profile)
    assert ">AL</span>" in _page(client, profile)

    _connect(profile.social_accounts.get(), picture="platforms/pictures/ayu.jpg")

    page = _page(client, profile)
    assert 'src="/media/platforms/pictures/ayu.jpg"' in page
    assert "media-kit-initials" not in page


# Audience


def test_audience_bars_from_the_latest_verified_snapshot(client, creator):
    profile = creator.creator_profile
    connection = _connect(
        profile.social_accounts.get(),
        audience_countries=[{"code": "SG", "share": 90.0}],
    )
    MetricsSnapshot.objects.create(
        connection=connection,
        taken_at=VERIFIED_AT + datetime.timedelta(days=7),
        followers=25_100,
        audience_countries=[{"code": "ID", "share": 61.25}, {"code": "MY", "share": 12.5}],
        audience_cities=[{"label": "Jakarta", "share": 30.0}],
        audience_ages=[{"code": "25-34", "share": 40.0}, {"code": "18-24", "share": 35.0}],
        audience_genders=[{"code": "F", "share": 70.0}, {"code": "M", "share": 28.0}],
    )

    page = _page(client, profile)
    text = _text(page)

    assert "Singapore" not in text  # an older snapshot
    assert "Verified · March 11, 2025" in text
    for label, share in [
        ("Indonesia", "61.3%"),
        ("Malaysia", "12.5%"),
        ("Jakarta", "30.0%"),
        ("18-24", "35.0%"),
        ("Women", "70.0%"),
        ("Men", "28.0%"),
    ]:
        assert f"{label} {share}" in text, label
    # The bar and its number: the bar is hidden from screen readers, the share is text.
    assert '<progress value="61.3" max="100" aria-hidden="true"></progress>' in page
    assert text.index("18-24") < text.index("25-34")


def test_self_reported_audience_countries_are_labelled_as_such(client, creator):
    profile = creator.creator_profile  # the factory's account: ID 82%, MY 6.5%, self-reported

    page = _page(client, profile)
    text = _text(page)

    assert "Audience" in text
    assert "Self-reported Audience countries as the creator gave them" in text
    assert "Indonesia 82.0%" in text
    assert '<progress value="82.0" max="100" aria-hidden="true"></progress>' in page


def test_a_verified_account_without_audience_insights_shows_the_creators_countries(client, creator):
    profile = creator.creator_profile
    account = profile.social_accounts.get()
    account.self_reported = {"audience_countries": [{"code": "TH", "pct": 55.0}]}
    account.save()
    _connect(account)  # a snapshot without audience (under 100 followers, say)

    text = _text(_page(client, profile))

    assert "Thailand 55.0%" in text
    assert "Audience countries as the creator gave them" in text


# Top posts


def test_top_posts_are_the_most_engaging_of_the_last_90_days(client, creator):
    profile = creator.creator_profile
    connection = _connect(profile.social_accounts.get())
    _post(connection, 1, likes=100, comments=5)
    _post(connection, 2, likes=900, comments=50, views=20_000, thumbnail="platforms/posts/2.jpg")
    _post(connection, 3, likes=10_000, comments=0, days_ago=91)  # too old
    _post(connection, 4, likes=None, comments=None)
    for n in range(5, 11):
        _post(connection, n, likes=200 + n, comments=n)
    tiktok = SocialAccountFactory(profile=profile, platform="tiktok", handle="ayu.tok")
    _post(_connect(tiktok), 11, likes=500, comments=499, views=90_000)

    page = _page(client, profile)

    links = re.findall(r'<li data-testid="top-post">\s*<a href="([^"]+)"', page)
    assert links == [f"https://www.instagram.com/p/post{n}/" for n in (11, 2, 10, 9, 8, 7)]
    assert 'src="/media/platforms/posts/2.jpg"' in page
    text = _text(page)
    assert "900 likes · 50 comments · 20,000 views" in text
    assert "post3/" not in page


def test_no_top_posts_section_without_a_connected_account(client, creator):
    assert "Top recent posts" not in _page(client, creator.creator_profile)


# Collaborations and ratings


def test_completed_collaborations_with_ratings_and_no_fee(client, creator, brand_org, brand_owner):
    profile = creator.creator_profile
    first = CampaignFactory(organization=brand_org, title="Kopi at sahur")
    second = CampaignFactory(organization=brand_org, title="Lebaran hampers")
    _completed(first, profile, score=5, comment="Lovely videos, on time.", by_user=brand_owner, days_ago=9)
    _completed(second, profile, score=4, by_user=brand_owner, days_ago=2)
    _completed(CampaignFactory(organization=brand_org, title="Unrated brief"), profile, days_ago=20)
    Collaboration.objects.create(
        campaign=CampaignFactory(organization=brand_org, title="Still running"),
        creator=profile,
        source=Collaboration.Source.INVITATION,
        fee=Decimal("1000000"),
        currency="IDR",
    )

    page = _page(client, profile)
    text = _text(page)

    assert "3 completed collaborations" in text
    assert "★ 4.5 2 ratings" in text
    assert "Kopi Nusantara · Lebaran hampers" in text
    assert "Kopi Nusantara · Kopi at sahur" in text
    assert "★ 5/5" in text and "Lovely videos, on time." in text
    assert "Not rated" in text
    assert text.index("Lebaran hampers") < text.index("Kopi at sahur") < text.index("Unrated brief")
    assert "Still running" not in text
    assert "7.654.321" not in text and "7,654,321" not in text


def test_no_collaborations_yet(client, creator):
    text = _text(_page(client, creator.creator_profile))
    assert "No completed Kolabo collaborations yet." in text
    assert "No ratings yet" in text


# Rate card


def test_rate_card_in_the_creators_currency(client):
    profile = CreatorProfileFactory(currency="USD")
    RateCardItemFactory(profile=profile, price=Decimal("1500"), currency="USD")
    RateCardItemFactory(profile=profile, format="story", price=Decimal("250.50"), currency="USD")

    text = _text(_page(client, profile))

    assert "Instagram Reel US$1,500.00" in text
    assert "Instagram Story US$250.50" in text


# Shortlist and invite, for organization managers


@pytest.fixture
def shortlist(brand_org, brand_owner):
    return Shortlist.objects.create(organization=brand_org, name="Ramadan", created_by=brand_owner)


def test_manager_sees_the_forms_and_adding_to_a_shortlist_comes_back(
    client, creator, brand_manager, shortlist, campaign
):
    profile = creator.creator_profile
    CampaignFactory(organization=campaign.organization, title="A draft", status=Campaign.Status.DRAFT)
    CampaignFactory(title="Another brand's brief")
    client.force_login(brand_manager)
    kit_url = reverse("creators:profile_public", args=[profile.slug])

    page = _page(client, profile)

    add_url = reverse("discovery:shortlist_add", args=[shortlist.pk])
    assert f'action="{add_url}"' in page
    assert f'name="creator" value="{profile.pk}"' in page
    assert f'name="next" value="{kit_url}"' in page
    assert f'formaction="{reverse("campaigns:invite", args=[campaign.pk])}"' in page
    assert "Invite to Kopi at sahur" in page
    assert "A draft" not in page and "Another brand" not in page

    response = client.post(add_url, {"creator": profile.pk, "next": kit_url})

    assert response.status_code == 302 and response["Location"] == kit_url
    assert ShortlistEntry.objects.filter(shortlist=shortlist, creator=profile).exists()
    assert "On Ramadan" in _text(_page(client, profile))


def test_manager_invites_from_the_media_kit(client, creator, brand_manager, campaign):
    profile = creator.creator_profile
    client.force_login(brand_manager)
    page = _page(client, profile)
    assert f'name="creators" value="{profile.slug}"' in page
    assert 'name="message"' in page

    response = client.post(
        reverse("campaigns:invite", args=[campaign.pk]), {"creators": profile.slug, "message": "Hi Ayu!"}
    )

    assert response.status_code == 200
    invitation = Invitation.objects.get(campaign=campaign, creator=profile)
    assert invitation.message == "Hi Ayu!"
    assert invitation.offered_fee == Decimal("1000000")
    assert "Invited to Kopi at sahur" in _text(_page(client, profile))


def test_manager_without_shortlists_or_campaigns_is_told_how(client, creator, brand_org, brand_owner):
    client.force_login(brand_owner)
    text = _text(_page(client, creator.creator_profile))
    assert "No shortlist yet: create one" in text
    assert "Your organization has no published campaign to invite to." in text


@pytest.mark.parametrize("who", ["anonymous", "viewer", "creator", "the creator", "outsider"])
def test_others_see_the_public_kit_without_the_forms(client, creator, brand_viewer, shortlist, campaign, who):
    viewers = {
        "viewer": brand_viewer,
        "creator": CreatorProfileFactory().user,
        "the creator": creator,
        "outsider": UserFactory(),
    }
    if who in viewers:
        client.force_login(viewers[who])

    page = _page(client, creator.creator_profile)

    assert "Ayu Lestari" in page and "Rate card" in page
    assert 'data-testid="media-kit-actions"' not in page
    assert reverse("discovery:shortlist_add", args=[shortlist.pk]) not in page
    assert reverse("campaigns:invite", args=[campaign.pk]) not in page


# Queries


def _busy_profile(slug, *, size, brand_org, brand_owner):
    profile = CreatorProfileFactory(slug=slug)
    for n in range(size):
        account = SocialAccountFactory(profile=profile, platform=["instagram", "tiktok", "youtube"][n % 3])
        connection = _connect(
            account,
            picture=f"platforms/pictures/{slug}-{n}.jpg",
            audience_countries=[{"code": "ID", "share": 70.0}],
            audience_genders=[{"code": "F", "share": 60.0}],
        )
        for p in range(size * 3):
            _post(connection, f"{slug}-{n}-{p}", likes=100 + p, comments=p, views=1000)
        RateCardItemFactory(profile=profile, platform=account.platform)
    for n in range(size * 2):
        _completed(CampaignFactory(organization=brand_org), profile, score=4 + n % 2, by_user=brand_owner)
    return profile


def test_query_count_does_not_grow_with_posts_or_collaborations(
    client, django_assert_max_num_queries, brand_org, brand_owner, brand_manager, shortlist
):
    small = _busy_profile("small-kit", size=1, brand_org=brand_org, brand_owner=brand_owner)
    large = _busy_profile("large-kit", size=3, brand_org=brand_org, brand_owner=brand_owner)
    Shortlist.objects.create(organization=brand_org, name="Second")
    CampaignFactory.create_batch(3, organization=brand_org)

    # profile, niches, causes, accounts and connections, rate card, snapshots, posts,
    # collaborations, their totals
    for profile in (small, large):
        with django_assert_max_num_queries(9):
            _page(client, profile)

    # ... and for a manager: session, user, the navigation's three (memberships, own profile,
    # unread notifications), then organizations, shortlists, campaigns; similar creators: the
    # member check and the match index's freshness check (these creators have no features yet)
    client.force_login(brand_manager)
    for profile in (small, large):
        with django_assert_max_num_queries(19):
            page = _page(client, profile)
    assert page.count('data-testid="top-post"') == 6
    assert page.count('data-testid="collaboration"') == 6
