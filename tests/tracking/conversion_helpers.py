"""Shared set-up of the conversion tests: a campaign with goals, two collaborations and their links,
clicks written as rows (what tracking.clicks.click_for_token reads first)."""

import secrets
from datetime import datetime

import pytest

from campaigns.models import Collaboration
from tests.campaigns.factories import CampaignFactory, make_creator, start_collaboration
from tracking.links import link_for_collaboration
from tracking.models import Click, TrackedLink
from tracking.settings_services import conversion_goals_set, postback_secret_rotate, tracking_settings_update


def click_on(link: TrackedLink, at: datetime, token: str = "") -> Click:
    return Click.objects.create(
        link=link, token=token or secrets.token_urlsafe(16), visitor="0" * 64, clicked_at=at
    )


@pytest.fixture
def tracked_campaign(brand_org, brand_owner):
    """IDR campaign counting sign-ups and donations, 30-day window, 3 slots."""
    campaign = CampaignFactory(organization=brand_org, title="Laut bersih", slots=3)
    conversion_goals_set(campaign=campaign, by_user=brand_owner, goals={"signup": "", "donation": "Gift"})
    tracking_settings_update(
        campaign=campaign,
        by_user=brand_owner,
        target_url="https://example.org/join",
        attribution_window_days=30,
    )
    return campaign


def _collaboration(campaign, by_user) -> Collaboration:
    return start_collaboration(campaign, make_creator(), by_user=by_user)


@pytest.fixture
def first(tracked_campaign, brand_owner) -> TrackedLink:
    return link_for_collaboration(_collaboration(tracked_campaign, brand_owner))


@pytest.fixture
def second(tracked_campaign, brand_owner) -> TrackedLink:
    return link_for_collaboration(_collaboration(tracked_campaign, brand_owner))


@pytest.fixture
def secret(tracked_campaign, brand_owner) -> str:
    return postback_secret_rotate(campaign=tracked_campaign, by_user=brand_owner)
