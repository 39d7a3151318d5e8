from django.urls import path

from api import views_web

app_name = "api_web"

# Mounted at /developers/.
urlpatterns = [
    path("tokens/", views_web.personal_tokens, name="personal_tokens"),
    path("tokens/<int:pk>/revoke/", views_web.personal_token_revoke, name="personal_token_revoke"),
    path("orgs/<slug:slug>/keys/", views_web.api_keys, name="api_keys"),
    path("orgs/<slug:slug>/keys/<int:pk>/revoke/", views_web.api_key_revoke, name="api_key_revoke"),
]
