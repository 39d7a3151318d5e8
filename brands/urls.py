from django.urls import path

from . import views

app_name = "brands"

urlpatterns = [
    path("", views.org_list, name="org_list"),
    path("new/", views.org_create, name="org_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("staff/verifications/", views.verification_queue, name="verification_queue"),
    path("staff/verifications/<int:pk>/decide/", views.verification_decide, name="verification_decide"),
    path(
        "staff/verifications/documents/<int:pk>/", views.verification_document, name="verification_document"
    ),
    path("<slug:slug>/", views.org_detail, name="org_detail"),
    path("<slug:slug>/edit/", views.org_edit, name="org_edit"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("<slug:slug>/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("<slug:slug>/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("<slug:slug>/verification/", views.verification_request, name="verification_request"),
]
