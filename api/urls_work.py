"""API routes (v1) for this area; api/urls.py mounts them under /api/v1/."""

from django.urls import path

from api.views import offers, workspace

v1 = [
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
]
