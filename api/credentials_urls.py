"""The web pages that issue and revoke API credentials, mounted at /developers/ (namespace "api_web").

They are HTML pages for signed-in users, so they sit outside api/urls.py, whose /api/ prefix answers
the API's JSON error body for unknown paths and crashes.
"""

from django.urls import path

from api import credentials_pages as views

app_name = "api_web"

urlpatterns = [
    path("tokens/", views.personal_tokens, name="personal_tokens"),
    path("tokens/<int:pk>/revoke/", views.personal_token_revoke, name="personal_token_revoke"),
    path("orgs/<slug:slug>/keys/", views.api_keys, name="api_keys"),
    path("orgs/<slug:slug>/keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
]
