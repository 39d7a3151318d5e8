from django.urls import include, path

from campaigns.views import (
    applications,
    briefs,
    collaboration_actions,
    deliverables,
    disputes,
    invitations,
    inviting,
    recommendations,
    sponsorship,
    workspace,
)

app_name = "campaigns"

# The collaboration workspace, under /campaigns/collaborations/; its names stay in "campaigns".
workspace_patterns = [
    path("", workspace.my_collaborations, name="my_collaborations"),
    path("<int:pk>/", workspace.collaboration_detail, name="collaboration_detail"),
    path("<int:pk>/messages/", workspace.message_create, name="message_create"),
    path("<int:pk>/cancel/", collaboration_actions.collaboration_cancel, name="collaboration_cancel"),
    path("<int:pk>/dispute/", collaboration_actions.dispute_raise, name="dispute_raise"),
    path("<int:pk>/rate/", collaboration_actions.rate, name="rate"),
    path("deliverables/<int:pk>/submit/", deliverables.submission_create, name="submission_create"),
    path(
        "deliverables/<int:pk>/publish/",
        deliverables.deliverable_publish,
        name="deliverable_publish",
    ),
    path(
        "deliverables/<int:pk>/confirm/",
        deliverables.deliverable_confirm,
        name="deliverable_confirm",
    ),
    path("submissions/<int:pk>/review/", deliverables.submission_review, name="submission_review"),
    path("submissions/<int:pk>/file/", deliverables.submission_file, name="submission_file"),
    path("staff/disputes/", disputes.dispute_queue, name="dispute_queue"),
    path("disputes/<int:pk>/resolve/", disputes.dispute_resolve, name="dispute_resolve"),
]

# Mounted at /campaigns/.
urlpatterns = [
    # Briefs: list, detail, manage, and a brand's campaigns; recommendations
    path("", briefs.brief_list, name="brief_list"),
    path("<int:pk>/", briefs.brief_detail, name="brief_detail"),
    path("<int:pk>/manage/", briefs.campaign_manage, name="campaign_manage"),
    path("<int:pk>/edit/", briefs.campaign_edit, name="campaign_edit"),
    path("<int:pk>/publish/", briefs.campaign_publish, name="campaign_publish"),
    path("<int:pk>/close/", briefs.campaign_close, name="campaign_close"),
    path("<int:pk>/cancel/", briefs.campaign_cancel, name="campaign_cancel"),
    path("<int:pk>/duplicate/", briefs.campaign_duplicate, name="campaign_duplicate"),
    path("<int:pk>/recommendations/", recommendations.recommendation_list, name="recommendations"),
    path(
        "<int:pk>/recommendations/invite/",
        recommendations.recommendations_invite,
        name="recommendations_invite",
    ),
    path(
        "<int:pk>/recommendations/minimum/",
        recommendations.recommendations_minimum,
        name="recommendations_minimum",
    ),
    path(
        "<int:pk>/recommendations/refresh/",
        recommendations.recommendations_refresh,
        name="recommendations_refresh",
    ),
    path("org/<slug:slug>/", briefs.org_campaigns, name="org_campaigns"),
    path("org/<slug:slug>/new/", briefs.campaign_create, name="campaign_create"),
    # Applications and invitations
    path("<int:pk>/apply/", applications.apply, name="apply"),
    path("<int:pk>/applicants/", applications.applicants, name="applicants"),
    path("<int:pk>/invite/", inviting.invite, name="invite"),
    path("me/offers/", applications.my_offers, name="my_offers"),
    path("applications/<int:pk>/withdraw/", applications.application_withdraw, name="application_withdraw"),
    path(
        "applications/<int:pk>/shortlist/", applications.application_shortlist, name="application_shortlist"
    ),
    path("applications/<int:pk>/accept/", applications.application_accept, name="application_accept"),
    path("applications/<int:pk>/decline/", applications.application_decline, name="application_decline"),
    path("invitations/<int:pk>/", invitations.invitation_detail, name="invitation_detail"),
    path("invitations/<int:pk>/accept/", invitations.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", invitations.invitation_decline, name="invitation_decline"),
    path("invitations/<int:pk>/counter/", invitations.invitation_counter, name="invitation_counter"),
    path(
        "invitations/<int:pk>/counter/accept/",
        invitations.invitation_counter_accept,
        name="invitation_counter_accept",
    ),
    path(
        "invitations/<int:pk>/counter/decline/",
        invitations.invitation_counter_decline,
        name="invitation_counter_decline",
    ),
    path("invitations/<int:pk>/revoke/", invitations.invitation_revoke, name="invitation_revoke"),
    path(
        "invitation-batches/<int:pk>/status/",
        inviting.invitation_batch_status,
        name="invitation_batch_status",
    ),
    path("collaborations/", include(workspace_patterns)),
    # Brand sponsorships of NGO campaigns
    path("<int:pk>/sponsors/invite/", sponsorship.sponsorship_invite, name="sponsorship_invite"),
    path("<int:pk>/sponsor/", sponsorship.sponsorship_offer, name="sponsorship_offer"),
    path("sponsorships/<int:pk>/", sponsorship.sponsorship_detail, name="sponsorship_detail"),
    path("sponsorships/<int:pk>/accept/", sponsorship.sponsorship_accept, name="sponsorship_accept"),
    path("sponsorships/<int:pk>/decline/", sponsorship.sponsorship_decline, name="sponsorship_decline"),
    path("sponsorships/<int:pk>/withdraw/", sponsorship.sponsorship_withdraw, name="sponsorship_withdraw"),
    path("sponsorships/<int:pk>/fund/", sponsorship.sponsorship_fund, name="sponsorship_fund"),
    path("org/<slug:slug>/sponsorships/", sponsorship.org_sponsorships, name="org_sponsorships"),
]
