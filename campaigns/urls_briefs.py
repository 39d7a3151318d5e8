from django.urls import path

from campaigns.views import briefs as views
from campaigns.views import recommendations

# Mounted at /campaigns/ inside the "campaigns" namespace.
urlpatterns = [
    path("", views.brief_list, name="brief_list"),
    path("<int:pk>/", views.brief_detail, name="brief_detail"),
    path("<int:pk>/manage/", views.campaign_manage, name="campaign_manage"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/publish/", views.campaign_publish, name="campaign_publish"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("<int:pk>/duplicate/", views.campaign_duplicate, name="campaign_duplicate"),
    path("<int:pk>/recommendations/", recommendations.recommendation_list, name="recommendations"),
    path(
        "<int:pk>/recommendations/invite/",
        recommendations.recommendations_invite,
        name="recommendations_invite",
    ),
    path(
        "<int:pk>/recommendations/refresh/",
        recommendations.recommendations_refresh,
        name="recommendations_refresh",
    ),
    path("org/<slug:slug>/", views.org_campaigns, name="org_campaigns"),
    path("org/<slug:slug>/new/", views.campaign_create, name="campaign_create"),
]
