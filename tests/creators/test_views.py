import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from creators.models import CreatorProfile, Niche, RateCardItem, SocialAccount
from marketplace.models import AuditEvent
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db


def onboarding_post(**overrides):
    niches = Niche.objects.filter(slug__in=["food", "parenting-family"])
    data = {
        "display_name": "Ayu Lestari",
        "bio": "Masak sehat untuk keluarga.",
        "country": "ID",
        "city": "Bandung",
        "languages": ["id", "en"],
        "niches": [str(n.pk) for n in niches],
        "causes": [],
        "open_to_pro_bono": "on",
        "currency": "IDR",
    }
    return data | overrides


def account_post(**overrides):
    data = {
        "platform": "tiktok",
        "handle": "@Ayu.Cooks",
        "followers": "5000",
        "following": "",
        "posts": "",
        "avg_likes": "200",
        "avg_comments": "12",
        "avg_views": "",
        "audience_countries": "ID 62.5\nMY: 10%",
        "audience_languages": "id 80",
        "metrics_date": timezone.localdate().isoformat(),
    }
    return data | overrides


# --- Onboarding --------------------------------------------------------------------------------


def test_onboarding_creates_the_profile_and_an_audit_event_then_asks_for_a_social_account(client, user):
    client.force_login(user)

    response = client.post(reverse("creators:onboarding"), onboarding_post())

    assert response.status_code == 302
    assert response.url == reverse("creators:social_account_add")
    profile = CreatorProfile.objects.get(user=user)
    assert (profile.slug, profile.country.code, profile.languages) == ("ayu-lestari", "ID", ["id", "en"])
    assert profile.open_to_pro_bono is True
    assert profile.niches.count() == 2
    assert AuditEvent.objects.filter(
        action="creator_profile.created", target_id=str(profile.pk), actor=user
    ).exists()
    follow = client.get(response.url)
    assert "Your creator profile is ready. Now add your first social account." in follow.content.decode()


def test_onboarding_form_lists_niches_languages_and_currencies(client, user):
    client.force_login(user)
    response = client.get(reverse("creators:onboarding"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Parenting &amp; family" in page
    assert 'value="jv"' in page
    assert 'value="USD"' in page


def test_onboarding_with_an_unknown_niche_says_so_and_writes_nothing(client, user):
    client.force_login(user)

    response = client.post(reverse("creators:onboarding"), onboarding_post(niches=["999999"]))

    assert response.status_code == 200
    assert response.context["form"].errors["niches"] == [
        "Niche “999999” is unknown. Choose your niches from the list."
    ]
    assert not CreatorProfile.objects.exists()
    assert not AuditEvent.objects.exists()


def test_onboarding_refuses_more_than_five_niches_on_the_field(client, user):
    client.force_login(user)
    six = [str(pk) for pk in Niche.objects.values_list("pk", flat=True)[:6]]

    response = client.post(reverse("creators:onboarding"), onboarding_post(niches=six))

    assert response.context["form"].errors["niches"] == [
        "Choose at most 5 niches; you chose 6. Keep the ones you post about most."
    ]
    assert not CreatorProfile.objects.exists()


def test_onboarding_without_niches_or_languages_shows_field_errors(client, user):
    client.force_login(user)
    response = client.post(reverse("creators:onboarding"), onboarding_post(niches=[], languages=[]))
    errors = response.context["form"].errors
    assert errors["niches"] == ["Choose at least one niche so brands can find you."]
    assert errors["languages"] == ["Choose at least one language you create content in."]


def test_onboarding_sends_an_existing_creator_to_profile_edit(client, creator):
    client.force_login(creator)
    response = client.get(reverse("creators:onboarding"))
    assert response.status_code == 302
    assert response.url == reverse("creators:profile_edit")


@pytest.mark.parametrize(
    "name",
    ["creators:onboarding", "creators:profile_edit", "creators:social_account_add", "creators:rate_card"],
)
def test_anonymous_visitor_is_sent_to_log_in(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"


def test_anonymous_visitor_cannot_post_to_edit_pages(client, creator):
    account = creator.creator_profile.social_accounts.get()
    response = client.post(reverse("creators:social_account_delete", args=[account.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_logged_in_user_without_profile_is_sent_to_onboarding(client, user):
    client.force_login(user)
    response = client.get(reverse("creators:social_account_add"))
    assert response.status_code == 302
    assert response.url == reverse("creators:onboarding")


# --- Profile edit ------------------------------------------------------------------------------


def test_profile_edit_saves_changes_through_the_service(client, creator):
    client.force_login(creator)
    response = client.post(
        reverse("creators:profile_edit"), onboarding_post(display_name="Ayu Masak", city="Yogyakarta")
    )
    assert response.status_code == 302
    profile = CreatorProfile.objects.get(user=creator)
    assert (profile.display_name, profile.city, profile.slug) == ("Ayu Masak", "Yogyakarta", "ayu-lestari")
    assert AuditEvent.objects.filter(action="creator_profile.updated").exists()


def test_profile_edit_page_lists_the_creators_accounts(client, creator):
    client.force_login(creator)
    response = client.get(reverse("creators:profile_edit"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "@ayu.cooks" in page
    assert 'value="Ayu Lestari"' in page


# --- Social accounts ---------------------------------------------------------------------------


def test_creator_adds_a_social_account_via_the_web(client, creator):
    client.force_login(creator)

    response = client.post(reverse("creators:social_account_add"), account_post())

    assert response.status_code == 302
    account = SocialAccount.objects.get(platform="tiktok")
    assert account.handle == "ayu.cooks"
    assert account.engagement_rate == Decimal("4.24")
    assert account.tier == "nano"
    assert account.audience_countries == [{"code": "ID", "pct": 62.5}, {"code": "MY", "pct": 10.0}]
    assert account.audience_languages == [{"code": "id", "pct": 80.0}]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"followers": "-5"},
            "followers",
            "Followers cannot be negative (you entered -5). Enter 0 or the number from your insights.",
        ),
        (
            {"followers": "1000", "avg_likes": "900", "avg_comments": "200"},
            "avg_likes",
            "These numbers give an engagement rate of 110.00%, more than 100%: average likes plus comments "
            "(1,100) cannot be more than your followers (1,000). Enter averages per post, not totals.",
        ),
        (
            {"followers": "5000", "avg_likes": "52000"},
            "avg_likes",
            "Average likes (52,000) cannot be more than 10× your followers (5,000). "
            "Check the numbers from your insights.",
        ),
        (
            {"audience_countries": "ID 70\nMY 35"},
            "audience_countries",
            "Audience countries add up to 105.0%, which is more than 100%. "
            "Lower the percentages so the total is 100% or less.",
        ),
        (
            {"audience_countries": "Indonesia sixty"},
            "audience_countries",
            "“Indonesia sixty” is not a code and a percentage. Write one per line, like “ID 62.5”.",
        ),
        (
            {"audience_countries": "ZZ 10"},
            "audience_countries",
            "Audience countries: “ZZ” is not a country code we know. "
            "Use two-letter codes such as ID, MY or US.",
        ),
    ],
)
def test_bad_metrics_in_the_web_form_show_on_the_field_and_write_nothing(
    client, creator, overrides, field, message
):
    client.force_login(creator)

    response = client.post(reverse("creators:social_account_add"), account_post(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert 'aria-invalid="true"' in response.content.decode()
    assert not SocialAccount.objects.filter(platform="tiktok").exists()
    assert not AuditEvent.objects.exists()


def test_future_metrics_date_in_the_web_form_is_refused_on_the_date_field(client, creator):
    client.force_login(creator)
    future = timezone.localdate() + datetime.timedelta(days=5)

    response = client.post(
        reverse("creators:social_account_add"), account_post(metrics_date=future.isoformat())
    )

    errors = response.context["form"].errors
    assert list(errors) == ["metrics_date"]
    assert errors["metrics_date"][0].endswith(
        "is in the future. Enter the day you read these numbers in your insights: today or earlier."
    )
    assert not SocialAccount.objects.filter(platform="tiktok").exists()


def test_duplicate_handle_in_the_web_form_is_refused_on_the_handle_field(client, creator):
    other = CreatorProfileFactory()
    client.force_login(other.user)

    response = client.post(
        reverse("creators:social_account_add"),
        account_post(platform="instagram", handle="instagram.com/Ayu.Cooks"),
    )

    assert response.context["form"].errors == {
        "handle": [
            "The Instagram account @ayu.cooks is already on Kolabo. "
            "Check the handle; if the account is yours, contact support so we can sort it out."
        ]
    }
    assert SocialAccount.objects.count() == 1


def test_creator_updates_their_own_account_metrics(client, creator):
    account = creator.creator_profile.social_accounts.get()
    client.force_login(creator)

    response = client.post(
        reverse("creators:social_account_edit", args=[account.pk]),
        account_post(platform="instagram", handle="ayu.cooks", followers="120000", avg_likes="3000"),
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.followers, account.tier, account.engagement_rate) == (120_000, "mid", Decimal("2.51"))


def test_edit_form_shows_the_stored_audience_as_lines(client, creator):
    account = creator.creator_profile.social_accounts.get()
    client.force_login(creator)
    response = client.get(reverse("creators:social_account_edit", args=[account.pk]))
    assert "ID 82\nMY 6.5" in response.content.decode()


@pytest.mark.parametrize("name", ["creators:social_account_edit", "creators:social_account_delete"])
def test_another_creators_social_account_answers_404(client, creator, name):
    intruder = CreatorProfileFactory()
    account = creator.creator_profile.social_accounts.get()
    client.force_login(intruder.user)

    assert client.get(reverse(name, args=[account.pk])).status_code == 404
    assert client.post(reverse(name, args=[account.pk]), account_post()).status_code == 404
    account.refresh_from_db()
    assert account.handle == "ayu.cooks"


def test_delete_asks_for_confirmation_then_removes_on_post(client, creator):
    account = creator.creator_profile.social_accounts.get()
    client.force_login(creator)
    url = reverse("creators:social_account_delete", args=[account.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, remove it" in confirm.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()

    response = client.post(url)
    assert response.status_code == 302
    assert not SocialAccount.objects.filter(pk=account.pk).exists()


# --- Rate card ---------------------------------------------------------------------------------


def test_creator_sets_a_price_and_sees_it_formatted(client, creator):
    client.force_login(creator)

    response = client.post(
        reverse("creators:rate_card"),
        {"platform": "instagram", "format": "reel", "price": "1500000", "notes": ""},
    )
    assert response.status_code == 302

    page = client.get(reverse("creators:rate_card")).content.decode()
    assert "Rp 1.500.000" in page
    assert RateCardItem.objects.get().currency == "IDR"


def test_editing_a_price_keeps_its_platform_and_format(client, creator):
    item = RateCardItemFactory(profile=creator.creator_profile, platform="instagram", format="reel")
    client.force_login(creator)

    response = client.post(
        f"{reverse('creators:rate_card')}?edit={item.pk}",
        {"platform": "youtube", "format": "live", "price": "2000000", "notes": "2 revisions"},
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.platform, item.format, item.price, item.notes) == (
        "instagram",
        "reel",
        Decimal("2000000"),
        "2 revisions",
    )
    assert RateCardItem.objects.count() == 1


def test_zero_price_is_refused_on_the_price_field(client, creator):
    client.force_login(creator)
    response = client.post(
        reverse("creators:rate_card"), {"platform": "instagram", "format": "reel", "price": "0"}
    )
    assert response.context["form"].errors == {"price": ["Enter a price above 0, for example 1500000."]}
    assert not RateCardItem.objects.exists()


def test_rate_card_delete_is_post_only_and_scoped_to_the_owner(client, creator):
    item = RateCardItemFactory(profile=creator.creator_profile)
    url = reverse("creators:rate_card_delete", args=[item.pk])
    intruder = CreatorProfileFactory()

    client.force_login(intruder.user)
    assert client.post(url).status_code == 404

    client.force_login(creator)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not RateCardItem.objects.exists()


def test_another_creators_rate_item_cannot_be_opened_for_editing(client, creator):
    item = RateCardItemFactory(profile=creator.creator_profile)
    client.force_login(CreatorProfileFactory().user)
    assert client.get(f"{reverse('creators:rate_card')}?edit={item.pk}").status_code == 404


# --- Public profile ----------------------------------------------------------------------------


def test_public_profile_shows_everything_brands_need(client, creator, staff_user):
    profile = creator.creator_profile
    profile.open_to_pro_bono = True
    profile.save()
    account = profile.social_accounts.get()
    account.verified = True
    account.save()
    RateCardItemFactory(profile=profile, platform="instagram", format="reel", price=Decimal("1500000"))
    RateCardItemFactory(profile=profile, platform="tiktok", format="short_video", price=Decimal("750000.00"))

    response = client.get(reverse("creators:profile_public", args=["ayu-lestari"]))

    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Ayu Lestari",
        "Jakarta, Indonesia",
        "Indonesian",
        "Open to pro-bono work",
        "Instagram @ayu.cooks",
        "Verified",
        "Micro",
        "25,000",
        "5.00%",
        "Rp 1.500.000",
        "Rp 750.000",
        "Short video",
    ]:
        assert text in page, text


def test_public_profile_in_usd(client):
    profile = CreatorProfileFactory(slug="sam", currency="USD")
    RateCardItemFactory(profile=profile, price=Decimal("1500"), currency="USD")
    assert "US$1,500.00" in client.get(reverse("creators:profile_public", args=["sam"])).content.decode()


def test_unknown_profile_slug_answers_404(client, db):
    assert client.get(reverse("creators:profile_public", args=["nobody-here"])).status_code == 404


def _profile_with_accounts(count: int) -> CreatorProfile:
    profile = CreatorProfileFactory(slug=f"profile-with-{count}")
    for _ in range(count):
        SocialAccountFactory(profile=profile)
        RateCardItemFactory(profile=profile, format=["reel", "story", "feed_post", "live", "short_video"][_])
    return profile


def test_public_profile_query_count_does_not_grow_with_accounts(client, django_assert_num_queries, db):
    one, five = _profile_with_accounts(1), _profile_with_accounts(5)

    # The media kit: profile, niches, causes, accounts with their connections, rate card, latest
    # snapshots, top posts, collaborations with ratings, collaboration totals.
    with django_assert_num_queries(9):
        assert client.get(reverse("creators:profile_public", args=[one.slug])).status_code == 200
    with django_assert_num_queries(9):
        assert client.get(reverse("creators:profile_public", args=[five.slug])).status_code == 200


def test_dashboard_shows_the_creator_panel(client, creator):
    client.force_login(creator)
    response = client.get(reverse("dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your creator profile" in page
    assert "Profile 75% complete" in page
    assert reverse("creators:rate_card") in page
    assert reverse("creators:profile_public", args=["ayu-lestari"]) in page


def test_user_without_profile_has_no_creator_panel(client, db):
    user = UserFactory(signup_role="")
    client.force_login(user)
    assert "Your creator profile" not in client.get(reverse("dashboard")).content.decode()
