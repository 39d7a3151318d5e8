import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from creators import services
from creators.models import Cause, CreatorProfile, Niche, RateCardItem, SocialAccount
from marketplace.errors import PermissionDeniedError, ValidationFailed
from marketplace.models import AuditEvent
from tests.creators.factories import CreatorProfileFactory, RateCardItemFactory, SocialAccountFactory
from tests.marketplace.factories import UserFactory

pytestmark = pytest.mark.django_db


def profile_data(**overrides):
    data = {
        "display_name": "Ayu Lestari",
        "country": "ID",
        "languages": ["id", "en"],
        "niches": list(Niche.objects.filter(slug__in=["food", "parenting-family"])),
        "currency": "IDR",
        "bio": "Masak sehat untuk keluarga.",
        "city": "Bandung",
    }
    return data | overrides


def account_data(**overrides):
    data = {
        "platform": "instagram",
        "handle": "@Ayu.Cooks",
        "followers": 5_000,
        "following": 300,
        "posts": 120,
        "avg_likes": 200,
        "avg_comments": 12,
        "avg_views": 0,
        "audience_countries": [{"code": "id", "pct": "62.5"}, {"code": "MY", "pct": 10}],
        "audience_languages": [{"code": "id", "pct": 80}],
        "metrics_date": timezone.localdate(),
    }
    return data | overrides


def test_profile_create_makes_a_unique_slug_and_records_an_audit_event():
    first = services.creator_profile_create(user=UserFactory(), **profile_data())
    second = services.creator_profile_create(user=UserFactory(), **profile_data())

    assert first.slug == "ayu-lestari"
    assert second.slug == "ayu-lestari-2"
    assert set(first.niches.values_list("slug", flat=True)) == {"food", "parenting-family"}
    event = AuditEvent.objects.get(action="creator_profile.created", target_id=str(first.pk))
    assert event.actor == first.user


def test_profile_slug_never_shadows_an_app_path():
    profile = services.creator_profile_create(user=UserFactory(), **profile_data(display_name="Onboarding"))
    assert profile.slug == "onboarding-creator"


def test_profile_slug_falls_back_when_the_name_has_no_latin_letters():
    profile = services.creator_profile_create(user=UserFactory(), **profile_data(display_name="小明"))
    assert profile.slug == "creator"


def test_user_cannot_create_a_second_profile():
    profile = CreatorProfileFactory()
    with pytest.raises(ValidationFailed, match="already have a creator profile"):
        services.creator_profile_create(user=profile.user, **profile_data())
    assert CreatorProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"display_name": "   "}, "display_name", "Enter the name brands will see"),
        ({"country": "XX"}, "country", "Choose the country you live in from the list."),
        ({"languages": ["id", "klingon"]}, "languages", "“klingon” is not a language we know"),
        ({"languages": []}, "languages", "Choose at least one language"),
        ({"niches": []}, "niches", "Choose at least one niche"),
        ({"currency": "EUR"}, "currency", "Choose the currency you want to be paid in."),
    ],
)
def test_profile_create_refuses_bad_input_with_the_field_and_nothing_is_written(overrides, field, message):
    with pytest.raises(ValidationFailed) as error:
        services.creator_profile_create(user=UserFactory(), **profile_data(**overrides))
    assert error.value.field == field
    assert message in str(error.value.message)
    assert not CreatorProfile.objects.exists()
    assert not AuditEvent.objects.exists()


def test_profile_refuses_more_than_five_niches():
    with pytest.raises(ValidationFailed) as error:
        services.creator_profile_create(
            user=UserFactory(), **profile_data(niches=list(Niche.objects.all()[:6]))
        )
    assert error.value.field == "niches"
    assert str(error.value.message) == (
        "Choose at most 5 niches; you chose 6. Keep the ones you post about most."
    )


def test_profile_update_keeps_the_slug_and_audits_the_changed_fields(creator):
    profile = creator.creator_profile
    causes = list(Cause.objects.filter(slug="environment"))

    services.creator_profile_update(
        profile=profile, actor=creator, display_name="Ayu Masak", open_to_pro_bono=True, causes=causes
    )

    profile.refresh_from_db()
    assert (profile.display_name, profile.slug, profile.open_to_pro_bono) == (
        "Ayu Masak",
        "ayu-lestari",
        True,
    )
    assert list(profile.causes.all()) == causes
    event = AuditEvent.objects.get(action="creator_profile.updated")
    assert event.data["fields"] == ["display_name", "open_to_pro_bono", "causes"]


def test_profile_update_by_someone_else_is_refused(creator, outsider):
    with pytest.raises(PermissionDeniedError):
        services.creator_profile_update(
            profile=creator.creator_profile, actor=outsider, display_name="Hacked"
        )


def test_social_account_create_stores_derived_metrics():
    profile = CreatorProfileFactory()
    account = services.social_account_create(profile=profile, actor=profile.user, **account_data())

    account.refresh_from_db()
    assert account.handle == "ayu.cooks"
    assert account.engagement_rate == Decimal("4.24")
    assert account.tier == "nano"
    assert account.verified is False
    assert account.audience_countries == [{"code": "ID", "pct": 62.5}, {"code": "MY", "pct": 10.0}]
    assert AuditEvent.objects.filter(action="social_account.created", target_id=str(account.pk)).exists()


@pytest.mark.parametrize(
    "handle", ["ayu.cooks", "@ayu.cooks", " AYU.cooks ", "https://www.instagram.com/ayu.cooks/?hl=en"]
)
def test_handles_are_normalised(handle):
    assert services.normalise_handle(handle) == "ayu.cooks"


BAD_METRICS = [
    pytest.param(
        {"followers": -5},
        "followers",
        "Followers cannot be negative (you entered -5). Enter 0 or the number from your insights.",
        id="negative-followers",
    ),
    pytest.param(
        {"followers": 1_000, "avg_likes": 900, "avg_comments": 200},
        "avg_likes",
        "These numbers give an engagement rate of 110.00%, more than 100%: average likes plus comments "
        "(1,100) cannot be more than your followers (1,000). Enter averages per post, not totals.",
        id="engagement-over-100",
    ),
    pytest.param(
        {"followers": 5_000, "avg_likes": 52_000},
        "avg_likes",
        "Average likes (52,000) cannot be more than 10× your followers (5,000). "
        "Check the numbers from your insights.",
        id="likes-over-10x-followers",
    ),
    pytest.param(
        {"metrics_date": timezone.localdate() + datetime.timedelta(days=3)},
        "metrics_date",
        "is in the future. Enter the day you read these numbers in your insights: today or earlier.",
        id="future-metrics-date",
    ),
    pytest.param(
        {"audience_countries": [{"code": "ID", "pct": 70}, {"code": "MY", "pct": 35}]},
        "audience_countries",
        "Audience countries add up to 105.0%, which is more than 100%. "
        "Lower the percentages so the total is 100% or less.",
        id="audience-total-over-100",
    ),
    pytest.param(
        {"audience_languages": [{"code": "xx", "pct": 10}]},
        "audience_languages",
        "Audience languages: “xx” is not a language code we know. Use codes such as id, en or jv.",
        id="unknown-audience-language",
    ),
    pytest.param(
        {"audience_countries": [{"code": "ID", "pct": 120}]},
        "audience_countries",
        "Audience countries: the percentage for ID must be a number between 0 and 100.",
        id="audience-pct-over-100",
    ),
    pytest.param(
        {"handle": "ayu cooks!"},
        "handle",
        "“ayu cooks!” is not a valid handle. Use only letters, numbers, dots, dashes and underscores.",
        id="bad-handle",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_METRICS)
def test_social_account_create_refuses_absurd_metrics_and_writes_nothing(overrides, field, message):
    profile = CreatorProfileFactory()
    with pytest.raises(ValidationFailed) as error:
        services.social_account_create(profile=profile, actor=profile.user, **account_data(**overrides))
    assert error.value.field == field
    assert message in str(error.value.message)
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_METRICS)
def test_social_account_update_refuses_absurd_metrics_and_keeps_the_old_numbers(
    creator, overrides, field, message
):
    account = creator.creator_profile.social_accounts.get()
    before = SocialAccount.objects.values().get(pk=account.pk)

    with pytest.raises(ValidationFailed) as error:
        services.social_account_update(account=account, actor=creator, **account_data(**overrides))

    assert error.value.field == field
    assert message in str(error.value.message)
    assert SocialAccount.objects.values().get(pk=account.pk) == before
    assert not AuditEvent.objects.exists()


def test_metrics_dated_today_are_accepted():
    profile = CreatorProfileFactory()
    account = services.social_account_create(
        profile=profile, actor=profile.user, **account_data(metrics_date=timezone.localdate())
    )
    assert account.metrics_date == timezone.localdate()


def test_same_platform_and_handle_is_refused_clearly(creator):
    other = CreatorProfileFactory()
    with pytest.raises(ValidationFailed) as error:
        services.social_account_create(profile=other, actor=other.user, **account_data(handle="@AYU.cooks"))
    assert error.value.field == "handle"
    assert str(error.value.message) == (
        "The Instagram account @ayu.cooks is already on Kolabo. "
        "Check the handle; if the account is yours, contact support so we can sort it out."
    )
    assert SocialAccount.objects.count() == 1


def test_same_handle_on_another_platform_is_fine(creator):
    account = services.social_account_create(
        profile=creator.creator_profile, actor=creator, **account_data(handle="ayu.cooks", platform="tiktok")
    )
    assert account.platform == "tiktok"


def test_database_refuses_duplicate_handles_even_without_the_service(creator):
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccountFactory(handle="ayu.cooks")


@pytest.mark.parametrize(
    "values",
    [
        {"followers": 5_000, "avg_likes": 50_001, "engagement_rate": Decimal("0")},
        {"engagement_rate": Decimal("100.01")},
        {"handle": "Ayu.Cooks"},
    ],
)
def test_database_constraints_back_up_the_service(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        SocialAccountFactory(**values)


def test_changing_the_handle_removes_the_verified_badge(creator, staff_user):
    account = creator.creator_profile.social_accounts.get()
    services.social_account_set_verified(account=account, actor=staff_user, verified=True)

    services.social_account_update(account=account, actor=creator, followers=30_000)
    account.refresh_from_db()
    assert account.verified is True
    assert account.tier == "micro"

    services.social_account_update(account=account, actor=creator, handle="ayu.bakes")
    account.refresh_from_db()
    assert (account.handle, account.verified) == ("ayu.bakes", False)


def test_only_staff_can_verify_a_social_account(creator):
    account = creator.creator_profile.social_accounts.get()
    with pytest.raises(PermissionDeniedError):
        services.social_account_set_verified(account=account, actor=creator, verified=True)
    account.refresh_from_db()
    assert account.verified is False


def test_social_account_delete_is_audited(creator):
    account = creator.creator_profile.social_accounts.get()
    services.social_account_delete(account=account, actor=creator)
    assert not SocialAccount.objects.exists()
    event = AuditEvent.objects.get(action="social_account.deleted")
    assert event.data["handle"] == "ayu.cooks"


def test_rate_card_item_set_creates_then_updates_with_the_profile_currency(creator):
    profile = creator.creator_profile

    item = services.rate_card_item_set(
        profile=profile, actor=creator, platform="instagram", format="reel", price=Decimal("1500000")
    )
    assert (item.price, item.currency) == (Decimal("1500000"), "IDR")

    services.creator_profile_update(profile=profile, actor=creator, currency="USD")
    again = services.rate_card_item_set(
        profile=profile,
        actor=creator,
        platform="instagram",
        format="reel",
        price=Decimal("150"),
        notes="1 revision",
    )

    assert again.pk == item.pk
    assert RateCardItem.objects.get().currency == "USD"
    assert list(
        AuditEvent.objects.filter(action__startswith="rate_card_item").values_list("action", flat=True)
    ) == [
        "rate_card_item.updated",
        "rate_card_item.created",
    ]


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-10"), Decimal("1.005")])
def test_rate_card_refuses_prices_that_are_not_positive_money(creator, price):
    with pytest.raises(ValidationFailed) as error:
        services.rate_card_item_set(
            profile=creator.creator_profile, actor=creator, platform="instagram", format="reel", price=price
        )
    assert error.value.field == "price"
    assert not RateCardItem.objects.exists()


def test_rate_card_item_delete_is_audited(creator):
    item = RateCardItemFactory(profile=creator.creator_profile)
    services.rate_card_item_delete(item=item, actor=creator)
    assert not RateCardItem.objects.exists()
    assert AuditEvent.objects.filter(action="rate_card_item.deleted").exists()


def test_rate_card_of_someone_else_cannot_be_changed(creator, outsider):
    item = RateCardItemFactory(profile=creator.creator_profile)
    with pytest.raises(PermissionDeniedError):
        services.rate_card_item_delete(item=item, actor=outsider)
    assert RateCardItem.objects.exists()
