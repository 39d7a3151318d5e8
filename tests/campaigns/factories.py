import datetime
from decimal import Decimal

import factory
from django.db import transaction
from django.utils import timezone

from campaigns.models import Application, Campaign, Collaboration, DeliverableSpec, Invitation
from campaigns.services import drafts, publishing
from campaigns.services.collaborations import collaboration_open
from creators.models import DeliverableFormat, Platform
from payments.services.escrow import funding_record_paid
from tests.brands.factories import OrganizationFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory
from tests.marketplace.factories import UserFactory

DRAFT_LINK = "https://drive.example.com/draft-1"
POST_URL = "https://instagram.com/p/abc"


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

    @factory.post_generation
    def funded(obj, create, extracted, **kwargs):
        """Paid briefs come funded for all their slots (`funded=False` for one that is not), the way
        staff record a bank transfer: accepting a creator needs the fee in escrow."""
        if not create or extracted is False:
            return
        fee = obj.brief_fee * obj.slots
        if fee > 0:
            funding_record_paid(campaign=obj, amount=fee, note="Test funding")


def finance_staff():
    return UserFactory(is_staff=True)


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


# Walking the lifecycle through the services (test setup, not assertions)


def make_creator(**account):
    """A creator with one Instagram account that fits the default brief (25k followers)."""
    profile = CreatorProfileFactory()
    SocialAccountFactory(profile=profile, **account)
    return profile


def start_collaboration(
    campaign, creator, *, by_user, fee=Decimal("1000000"), source=Collaboration.Source.APPLICATION
):
    """Accept `creator` (a CreatorProfile) onto `campaign`, as accepting an application or invitation does."""
    with transaction.atomic():
        return collaboration_open(campaign=campaign, creator=creator, fee=fee, source=source, by_user=by_user)


def latest_submission(deliverable):
    return deliverable.submissions.order_by("-round").first()


def submit_and_approve(deliverable, creator_user, reviewer, *, link=DRAFT_LINK):
    """The creator submits a draft and `reviewer` approves it; returns the submission."""
    submission = drafts.submission_create(deliverable=deliverable, by_user=creator_user, link=link)
    drafts.submission_approve(submission=submission, by_user=reviewer)
    return submission


def publish_deliverable(deliverable, creator_user, reviewer, *, post_url=POST_URL):
    """Submit, approve and publish one deliverable."""
    submit_and_approve(deliverable, creator_user, reviewer)
    publishing.deliverable_publish(deliverable=deliverable, by_user=creator_user, post_url=post_url)


def complete_collaboration(collaboration, reviewer):
    """Publish and confirm every deliverable, which completes the collaboration."""
    creator_user = collaboration.creator.user
    for deliverable in collaboration.deliverables.all():
        publish_deliverable(deliverable, creator_user, reviewer)
        publishing.deliverable_confirm(deliverable=deliverable, by_user=reviewer)
    collaboration.refresh_from_db()
    assert collaboration.status == Collaboration.Status.COMPLETED
    return collaboration
