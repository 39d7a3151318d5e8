import datetime

import pytest

from campaigns.models import Campaign, Collaboration
from campaigns.services import campaign_closing, workspace
from tests.campaigns.factories import (
    CampaignFactory,
    complete_collaboration,
    make_creator,
    start_collaboration,
)

pytestmark = pytest.mark.django_db


def start(campaign, manager):
    return start_collaboration(campaign, make_creator(), by_user=manager, fee=campaign.fee_max)


def test_closed_campaign_completes_when_its_last_collaboration_completes(
    brand_org, brand_manager, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=brand_org, slots=2)
    first, second = start(campaign, brand_manager), start(campaign, brand_manager)
    with django_capture_on_commit_callbacks(execute=True):
        campaign_closing.campaign_close(campaign=campaign, by_user=brand_manager)
        complete_collaboration(first, brand_manager)
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
        complete_collaboration(start(campaign, brand_manager), brand_manager)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.PUBLISHED
    assert campaign_closing.campaign_complete_if_finished(campaign_id=campaign.pk) is False
