from django.urls import path

from . import views_discovery as views

app_name = "discovery"
urlpatterns = [
    path("", views.search, name="search"),
    path("shortlists/", views.shortlists, name="shortlists"),
    path("shortlists/<int:pk>/", views.shortlist_detail, name="shortlist_detail"),
    path("shortlists/<int:pk>/add/", views.shortlist_add, name="shortlist_add"),
    path("shortlists/<int:pk>/remove/", views.shortlist_remove, name="shortlist_remove"),
    path("shortlists/<int:pk>/delete/", views.shortlist_delete, name="shortlist_delete"),
    path("shortlists/<int:pk>/invite/", views.shortlist_invite, name="shortlist_invite"),
]
