from django.urls import path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView

from api import urls_money, urls_webhooks, urls_work
from api.schema import CachedSpectacularAPIView
from api.views import campaigns, core

app_name = "api"

v1 = [
    path("me/", core.MeView.as_view(), name="me"),
    path("organizations/", core.OrganizationList.as_view(), name="organizations"),
    path("organizations/<slug:slug>/", core.OrganizationDetail.as_view(), name="organization"),
    path("organizations/<slug:slug>/members/", core.MemberList.as_view(), name="organization_members"),
    path(
        "organizations/<slug:slug>/campaigns/",
        campaigns.OrganizationCampaignCreate.as_view(),
        name="organization_campaigns",
    ),
    path("creators/", core.CreatorList.as_view(), name="creators"),
    path("campaigns/", campaigns.CampaignList.as_view(), name="campaigns"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetail.as_view(), name="campaign"),
    path("campaigns/<int:pk>/publish/", campaigns.CampaignPublish.as_view(), name="campaign_publish"),
    path("campaigns/<int:pk>/close/", campaigns.CampaignClose.as_view(), name="campaign_close"),
    path("campaigns/<int:pk>/cancel/", campaigns.CampaignCancel.as_view(), name="campaign_cancel"),
]

urlpatterns = [
    path("schema/", CachedSpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    *[
        path(f"v1/{p.pattern}", p.callback, name=p.name)
        for p in [*v1, *urls_work.v1, *urls_money.v1, *urls_webhooks.v1]
    ],
]
