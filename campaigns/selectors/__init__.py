"""Reads for campaigns, one module per job: browsing (briefs as creators find them),
organizations (an organization's campaigns, for members), campaign_page (the campaign's
dashboard), dashboard_panels (the personal dashboard) and reliability (the match score's
track record). Collaborations have their own module, campaigns.collaboration_selectors.

App code imports from those modules; the names below are re-exported for the tests that still
use the old `campaigns.selectors` path.
"""

from campaigns.selectors.campaign_page import campaign_dashboard, campaign_funnel, campaign_next_actions
from campaigns.selectors.dashboard_panels import org_campaigns_panel
from campaigns.selectors.organizations import campaign_for_member
from campaigns.selectors.reliability import creator_reliability

__all__ = [
    "campaign_dashboard",
    "campaign_for_member",
    "campaign_funnel",
    "campaign_next_actions",
    "creator_reliability",
    "org_campaigns_panel",
]
