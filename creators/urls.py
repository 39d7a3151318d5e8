from django.urls import path

from . import views

app_name = "creators"
urlpatterns = [
    path("onboarding/", views.onboarding, name="onboarding"),
    path("me/", views.profile_edit, name="profile_edit"),
    path("me/social/add/", views.social_account_add, name="social_account_add"),
    path("me/social/<int:pk>/edit/", views.social_account_edit, name="social_account_edit"),
    path("me/social/<int:pk>/delete/", views.social_account_delete, name="social_account_delete"),
    path("me/rates/", views.rate_card, name="rate_card"),
    path("me/rates/<int:pk>/delete/", views.rate_card_delete, name="rate_card_delete"),
    # Last: a slug must not shadow the paths above (services.RESERVED_SLUGS keeps it so).
    path("<slug:slug>/", views.profile_public, name="profile_public"),
]
