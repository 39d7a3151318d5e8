"""API routes (v1) for this area; api/urls.py mounts them under /api/v1/."""

from django.urls import path

from api.views import matching, money, roster

v1 = [
    path(
        "campaigns/<int:pk>/recommendations/",
        matching.RecommendationList.as_view(),
        name="campaign_recommendations",
    ),
    path(
        "campaigns/<int:pk>/recommendations/invite/",
        matching.RecommendationInvite.as_view(),
        name="campaign_recommendations_invite",
    ),
    path("campaigns/<int:pk>/balance/", money.CampaignBalance.as_view(), name="campaign_balance"),
    path("campaigns/<int:pk>/fundings/", money.CampaignFundingStart.as_view(), name="campaign_fundings"),
    path("payouts/", money.PayoutList.as_view(), name="payouts"),
    path("earnings/", money.Earnings.as_view(), name="earnings"),
    path("staff/payouts/", money.StaffPayoutList.as_view(), name="staff_payouts"),
    path("staff/payouts/<int:pk>/approve/", money.StaffPayoutApprove.as_view(), name="staff_payout_approve"),
    path("staff/payouts/<int:pk>/reject/", money.StaffPayoutReject.as_view(), name="staff_payout_reject"),
    path("staff/payouts/<int:pk>/retry/", money.StaffPayoutRetry.as_view(), name="staff_payout_retry"),
    path("staff/payouts/<int:pk>/close/", money.StaffPayoutClose.as_view(), name="staff_payout_close"),
    path(
        "organizations/<slug:slug>/roster-imports/",
        roster.RosterImportCreate.as_view(),
        name="organization_roster_imports",
    ),
    path("roster-imports/<int:pk>/", roster.RosterImportDetail.as_view(), name="roster_import"),
]
