"""The creators app's pages, under three namespaces that marketplace/urls.py mounts:
"creators" at /creators/ (profiles), "discovery" at /discover/ (search and shortlists), and
"roster" at /roster/ (a brand's roster import)."""

from django.urls import path

from creators.views import discovery, profiles, roster

app_name = "creators"
urlpatterns = [
    path("onboarding/", profiles.onboarding, name="onboarding"),
    path("me/", profiles.profile_edit, name="profile_edit"),
    path("me/social/add/", profiles.social_account_add, name="social_account_add"),
    path("me/social/<int:pk>/edit/", profiles.social_account_edit, name="social_account_edit"),
    path("me/social/<int:pk>/delete/", profiles.social_account_delete, name="social_account_delete"),
    path("me/rates/", profiles.rate_card, name="rate_card"),
    path("me/rates/<int:pk>/delete/", profiles.rate_card_delete, name="rate_card_delete"),
    # Last: a slug must not shadow the paths above (services.RESERVED_SLUGS keeps it so).
    path("<slug:slug>/", profiles.profile_public, name="profile_public"),
]

# Mounted at /discover/ as include((discovery_urlpatterns, "discovery")).
discovery_urlpatterns = [
    path("", discovery.search, name="search"),
    path("shortlists/", discovery.shortlists, name="shortlists"),
    path("shortlists/<int:pk>/", discovery.shortlist_detail, name="shortlist_detail"),
    path("shortlists/<int:pk>/add/", discovery.shortlist_add, name="shortlist_add"),
    path("shortlists/<int:pk>/remove/", discovery.shortlist_remove, name="shortlist_remove"),
    path("shortlists/<int:pk>/delete/", discovery.shortlist_delete, name="shortlist_delete"),
    path("shortlists/<int:pk>/invite/", discovery.shortlist_invite, name="shortlist_invite"),
]

# Mounted at /roster/ as include((roster_urlpatterns, "roster")).
roster_urlpatterns = [
    path("", roster.roster_import, name="import"),
    path("template.csv", roster.roster_template, name="template"),
    path("jobs/<int:pk>/", roster.roster_job, name="job"),
    path("organizations/<int:org_pk>/creators/", roster.roster_creators, name="creators"),
    path("claim/<str:token>/", roster.roster_claim, name="claim"),
    path("my-data/", roster.roster_my_data, name="my_data"),
]
