"""Applications and invitations (mounted at /campaigns/ in the "campaigns" namespace)."""

from django.urls import path

from campaigns.views import offers as views

urlpatterns = [
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/applicants/", views.applicants, name="applicants"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("me/offers/", views.my_offers, name="my_offers"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("applications/<int:pk>/shortlist/", views.application_shortlist, name="application_shortlist"),
    path("applications/<int:pk>/accept/", views.application_accept, name="application_accept"),
    path("applications/<int:pk>/decline/", views.application_decline, name="application_decline"),
    path("invitations/<int:pk>/", views.invitation_detail, name="invitation_detail"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("invitations/<int:pk>/counter/", views.invitation_counter, name="invitation_counter"),
    path(
        "invitations/<int:pk>/counter/accept/",
        views.invitation_counter_accept,
        name="invitation_counter_accept",
    ),
    path(
        "invitations/<int:pk>/counter/decline/",
        views.invitation_counter_decline,
        name="invitation_counter_decline",
    ),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path(
        "invitation-batches/<int:pk>/status/",
        views.invitation_batch_status,
        name="invitation_batch_status",
    ),
]
