from django.urls import include, path

app_name = "campaigns"

# Each flow keeps its own URL module; all names live in the "campaigns" namespace.
urlpatterns = [
    path("", include("campaigns.urls_briefs")),
    path("", include("campaigns.urls_offers")),
    path("collaborations/", include("campaigns.urls_workspace")),
]
