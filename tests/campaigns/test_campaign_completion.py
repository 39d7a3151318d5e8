import datetime

import pytest
from django.db import transaction

from campaigns.models import Campaign, Collaboration
from campaigns.services import briefs, workspace
from campaigns.services.collaborations import collaboration_open
from tests.campaigns.factories import CampaignFactory
from tests.creators.factories import CreatorProfileFactory, SocialAccountFactory

pytestmark = pytest.mark.django_db


def start(campaign, manager):
    profile = CreatorProfileFactory()
    SocialAccountFactory(profile=profile)
    with transaction.atomic():
        return collaboration_open(
            campaign=campaign, creator=profile, fee=campaign.fee_max, source="application", by_user=manager
        )


def finish(collaboration, manager):
    (deliverable,) = collaboration.deliverables.all()
    user = collaboration.creator.user
    submission = workspace.submission_create(
        deliverable=deliverable, by_user=user, link="https://drive.example/d"
    )
    workspace.submission_approve(submission=submission, by_user=manager)
    deliverable.refresh_from_db()
    workspace.deliverable_publish(deliverable=deliverable, by_user=user, post_url="https://instagram.com/p/x")
    deliverable.refresh_from_db()
    workspace.deliverable_confirm(deliverable=deliverable, by_user=manager)


def test_closed_campaign_completes_when_its_last_collaboration_completes(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=brand_org, slots=2)
    first, second = start(campaign, brand_manager), start(campaign, brand_manager)
    with django_capture_on_commit_callbacks(execute=True):
        briefs.campaign_close(campaign=campaign, by_user=brand_manager)
        finish(first, brand_manager)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED  # the second one is still going

    with django_capture_on_commit_callbacks(execute=True):
        workspace.collaboration_cancel(
            collaboration=second, by_user=second.creator.user, reason="Sakit, maaf."
        )

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COMPLETED
    assert set(campaign.collaborations.values_list("status", flat=True)) == {
        Collaboration.Status.COMPLETED,
        Collaboration.Status.CANCELLED,
    }


def test_published_campaign_stays_open_after_a_collaboration_completes(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(
        organization=brand_org, application_deadline=datetime.date.today() + datetime.timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        finish(start(campaign, brand_manager), brand_manager)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED
    assert briefs.campaign_complete_if_finished(campaign_id=campaign.pk) is False
