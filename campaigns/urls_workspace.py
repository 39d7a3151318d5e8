"""The collaboration workspace, mounted at /campaigns/collaborations/."""

from django.urls import path

from campaigns.views import workspace as views

urlpatterns = [
    path("", views.my_collaborations, name="my_collaborations"),
    path("<int:pk>/", views.collaboration_detail, name="collaboration_detail"),
    path("<int:pk>/messages/", views.message_create, name="message_create"),
    path("<int:pk>/cancel/", views.collaboration_cancel, name="collaboration_cancel"),
    path("<int:pk>/dispute/", views.dispute_raise, name="dispute_raise"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("deliverables/<int:pk>/submit/", views.submission_create, name="submission_create"),
    path("deliverables/<int:pk>/publish/", views.deliverable_publish, name="deliverable_publish"),
    path("deliverables/<int:pk>/confirm/", views.deliverable_confirm, name="deliverable_confirm"),
    path("submissions/<int:pk>/review/", views.submission_review, name="submission_review"),
    path("submissions/<int:pk>/file/", views.submission_file, name="submission_file"),
    path("staff/disputes/", views.dispute_queue, name="dispute_queue"),
    path("disputes/<int:pk>/resolve/", views.dispute_resolve, name="dispute_resolve"),
]
