import datetime

import factory
from django.utils import timezone

from creators.models import (
    CreatorProfile,
    DeliverableFormat,
    Niche,
    Platform,
    RateCardItem,
    SocialAccount,
    engagement_rate_for,
    tier_for_followers,
)
from tests.marketplace.factories import UserFactory


class CreatorProfileFactory(factory.django.DjangoModelFactory):
    """A creator in Jakarta with one niche (the first seeded one unless `niches=[...]` is given)."""

    class Meta:
        model = CreatorProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name")
    slug = factory.Sequence(lambda n: f"creator-{n}")
    bio = "Resep rumahan dan tips dapur hemat."
    country = "ID"
    city = "Jakarta"
    languages = factory.LazyFunction(lambda: ["id", "en"])
    currency = "IDR"
    open_to_pro_bono = False

    @factory.post_generation
    def niches(obj, create, extracted, **kwargs):
        if create:
            obj.niches.set(extracted if extracted is not None else Niche.objects.order_by("position")[:1])

    @factory.post_generation
    def causes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.causes.set(extracted)


class SocialAccountFactory(factory.django.DjangoModelFactory):
    """Metrics are consistent: engagement rate and tier come from the same functions the service uses."""

    class Meta:
        model = SocialAccount

    profile = factory.SubFactory(CreatorProfileFactory)
    platform = Platform.INSTAGRAM
    handle = factory.Sequence(lambda n: f"creator.handle{n}")
    followers = 25_000
    following = 400
    posts = 320
    avg_likes = 1_100
    avg_comments = 150
    avg_views = 0
    audience_countries = factory.LazyFunction(
        lambda: [{"code": "ID", "pct": 82.0}, {"code": "MY", "pct": 6.5}]
    )
    audience_languages = factory.LazyFunction(lambda: [{"code": "id", "pct": 90.0}])
    metrics_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    engagement_rate = factory.LazyAttribute(
        lambda o: engagement_rate_for(
            followers=o.followers, avg_likes=o.avg_likes, avg_comments=o.avg_comments
        )
    )
    tier = factory.LazyAttribute(lambda o: tier_for_followers(o.followers))


class RateCardItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateCardItem

    profile = factory.SubFactory(CreatorProfileFactory)
    platform = Platform.INSTAGRAM
    format = DeliverableFormat.REEL
    price = 1_500_000
    currency = factory.LazyAttribute(lambda o: o.profile.currency)
    notes = ""
