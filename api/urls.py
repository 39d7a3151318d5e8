"""The API's routes. Every v1 endpoint is listed here, in one table, and mounted under /api/v1/."""

from django.urls import path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from api.schema import CachedSpectacularAPIView
from api.views import (
    analytics,
    campaigns,
    connections,
    core,
    creators,
    matching,
    money,
    offers,
    roster,
    webhooks,
    workspace,
)

app_name = "api"

v1 = [
    # Accounts, organizations, creators and campaigns
    path("me/", core.MeView.as_view(), name="me"),
    path("me/connections/", connections.MyConnections.as_view(), name="me_connections"),
    path("organizations/", core.OrganizationList.as_view(), name="organizations"),
    path("organizations/<slug:slug>/", core.OrganizationDetail.as_view(), name="organization"),
    path("organizations/<slug:slug>/members/", core.MemberList.as_view(), name="organization_members"),
    path(
        "organizations/<slug:slug>/campaigns/",
        campaigns.OrganizationCampaignCreate.as_view(),
        name="organization_campaigns",
    ),
    path("creators/", creators.CreatorList.as_view(), name="creators"),
    path("campaigns/", campaigns.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetail.as_view(), name="campaign"),
    path("campaigns/<int:pk>/publish/", campaigns.CampaignPublish.as_view(), name="campaign_publish"),
    path("campaigns/<int:pk>/close/", campaigns.CampaignClose.as_view(), name="campaign_close"),
    path("campaigns/<int:pk>/cancel/", campaigns.CampaignCancel.as_view(), name="campaign_cancel"),
    # Applications
    path(
        "campaigns/<int:pk>/applications/",
        offers.CampaignApplications.as_view(),
        name="campaign_applications",
    ),
    path("applications/", offers.MyApplications.as_view(), name="applications"),
    path("applications/<int:pk>/", offers.ApplicationDetail.as_view(), name="application"),
    path(
        "applications/<int:pk>/withdraw/", offers.ApplicationWithdraw.as_view(), name="application_withdraw"
    ),
    path("applications/<int:pk>/accept/", offers.ApplicationAccept.as_view(), name="application_accept"),
    path("applications/<int:pk>/decline/", offers.ApplicationDecline.as_view(), name="application_decline"),
    # Invitations
    path(
        "campaigns/<int:pk>/invitations/", offers.CampaignInvitations.as_view(), name="campaign_invitations"
    ),
    path(
        "campaigns/<int:pk>/invitations/bulk/",
        offers.CampaignInvitationsBulk.as_view(),
        name="campaign_invitations_bulk",
    ),
    path("invitation-batches/<int:pk>/", offers.InvitationBatchDetail.as_view(), name="invitation_batch"),
    path("invitations/", offers.MyInvitations.as_view(), name="invitations"),
    path("invitations/<int:pk>/", offers.InvitationDetail.as_view(), name="invitation"),
    path("invitations/<int:pk>/accept/", offers.InvitationAccept.as_view(), name="invitation_accept"),
    path("invitations/<int:pk>/decline/", offers.InvitationDecline.as_view(), name="invitation_decline"),
    path("invitations/<int:pk>/counter/", offers.InvitationCounter.as_view(), name="invitation_counter"),
    path(
        "invitations/<int:pk>/counter-accept/",
        offers.InvitationCounterAccept.as_view(),
        name="invitation_counter_accept",
    ),
    path(
        "invitations/<int:pk>/counter-decline/",
        offers.InvitationCounterDecline.as_view(),
        name="invitation_counter_decline",
    ),
    path("invitations/<int:pk>/revoke/", offers.InvitationRevoke.as_view(), name="invitation_revoke"),
    # Collaborations
    path("collaborations/", workspace.CollaborationList.as_view(), name="collaborations"),
    path(
        "campaigns/<int:pk>/collaborations/",
        workspace.CampaignCollaborations.as_view(),
        name="campaign_collaborations",
    ),
    path("collaborations/<int:pk>/", workspace.CollaborationDetail.as_view(), name="collaboration"),
    path(
        "collaborations/<int:pk>/submissions/",
        workspace.CollaborationSubmissions.as_view(),
        name="collaboration_submissions",
    ),
    path(
        "deliverables/<int:pk>/submissions/",
        workspace.DeliverableSubmissionCreate.as_view(),
        name="deliverable_submissions",
    ),
    path("submissions/<int:pk>/approve/", workspace.SubmissionApprove.as_view(), name="submission_approve"),
    path(
        "submissions/<int:pk>/request-changes/",
        workspace.SubmissionRequestChanges.as_view(),
        name="submission_request_changes",
    ),
    path(
        "deliverables/<int:pk>/publish/", workspace.DeliverablePublish.as_view(), name="deliverable_publish"
    ),
    path(
        "deliverables/<int:pk>/confirm/", workspace.DeliverableConfirm.as_view(), name="deliverable_confirm"
    ),
    path(
        "collaborations/<int:pk>/cancel/",
        workspace.CollaborationCancel.as_view(),
        name="collaboration_cancel",
    ),
    path(
        "collaborations/<int:pk>/dispute/",
        workspace.CollaborationDispute.as_view(),
        name="collaboration_dispute",
    ),
    path(
        "collaborations/<int:pk>/messages/",
        workspace.CollaborationMessages.as_view(),
        name="collaboration_messages",
    ),
    path(
        "collaborations/<int:pk>/ratings/",
        workspace.CollaborationRatings.as_view(),
        name="collaboration_ratings",
    ),
    # Notifications
    path("notifications/", workspace.NotificationList.as_view(), name="notifications"),
    path("notifications/<int:pk>/read/", workspace.NotificationRead.as_view(), name="notification_read"),
    # Recommendations, money and roster imports
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
    path("campaigns/<int:pk>/report/", analytics.CampaignReport.as_view(), name="campaign_report"),
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
    # Partner webhook subscriptions and deliveries
    path("webhook-subscriptions/", webhooks.WebhookSubscriptionList.as_view(), name="webhook_subscriptions"),
    path(
        "webhook-subscriptions/<int:pk>/",
        webhooks.WebhookSubscriptionDetail.as_view(),
        name="webhook_subscription",
    ),
    path(
        "webhook-subscriptions/<int:pk>/deactivate/",
        webhooks.WebhookSubscriptionDeactivate.as_view(),
        name="webhook_subscription_deactivate",
    ),
    path(
        "webhook-subscriptions/<int:pk>/deliveries/",
        webhooks.WebhookSubscriptionDeliveries.as_view(),
        name="webhook_subscription_deliveries",
    ),
    path("webhook-deliveries/<int:pk>/", webhooks.WebhookDeliveryDetail.as_view(), name="webhook_delivery"),
    path(
        "webhook-deliveries/<int:pk>/redeliver/",
        webhooks.WebhookDeliveryRedeliver.as_view(),
        name="webhook_delivery_redeliver",
    ),
]

urlpatterns = [
    path("schema/", CachedSpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *[path(f"v1/{p.pattern}", p.callback, name=p.name) for p in v1],
]
