from django.urls import path

from . import views_roster as views

app_name = "roster"
urlpatterns = [
    path("", views.roster_import, name="import"),
    path("template.csv", views.roster_template, name="template"),
]
