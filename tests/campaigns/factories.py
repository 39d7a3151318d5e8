import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from campaigns.models import Application, Campaign, DeliverableSpec, Invitation
from creators.models import DeliverableFormat, Platform
from tests.brands.factories import OrganizationFactory
from tests.creators.factories import CreatorProfileFactory


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class CampaignFactory(factory.django.DjangoModelFactory):
    """A complete, published brief: Instagram, 1k–100k followers, IDR 1,000,000 per creator, 2 slots.

    `CampaignFactory(status="draft")` for a draft. One deliverable spec (1 Instagram reel) is added
    unless `deliverables=[]` or a list of (platform, format, quantity) tuples is given.
    """

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Ramadan coffee stories {n}")
    kind = Campaign.Kind.COMMERCIAL
    compensation = Campaign.Compensation.PAID
    objective = Campaign.Objective.AWARENESS
    description = "Show how you brew our single-origin coffee at sahur."
    platforms = factory.LazyFunction(lambda: [Platform.INSTAGRAM.value])
    min_followers = 1_000
    max_followers = 100_000
    fee_min = Decimal("1000000")
    fee_max = Decimal("1000000")
    currency = "IDR"
    slots = 2
    application_deadline = factory.LazyFunction(lambda: in_days(14))
    content_due_date = factory.LazyFunction(lambda: in_days(30))
    usage_rights = Campaign.UsageRights.ORGANIC
    required_hashtags = "#iklan #KopiNusantara"
    status = Campaign.Status.PUBLISHED
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status != Campaign.Status.DRAFT else None
    )

    @factory.post_generation
    def deliverables(obj, create, extracted, **kwargs):
        if not create:
            return
        specs = extracted if extracted is not None else [(Platform.INSTAGRAM, DeliverableFormat.REEL, 1)]
        for position, (platform, fmt, quantity) in enumerate(specs):
            DeliverableSpec.objects.create(
                campaign=obj, platform=platform, format=fmt, quantity=quantity, position=position
            )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    campaign = factory.SubFactory(CampaignFactory)
    creator = factory.SubFactory(CreatorProfileFactory)
    pitch = "I brew kopi tubruk every sahur and my audience loves it."
    proposed_fee = Decimal("1000000")


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    campaign = factory.SubFactory(CampaignFactory)
    creator = factory.SubFactory(CreatorProfileFactory)
    offered_fee = Decimal("1000000")
    message = "We love your coffee videos."
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
