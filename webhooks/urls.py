from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("<slug:slug>/", views.subscriptions, name="subscriptions"),
    path("<slug:slug>/<int:pk>/", views.deliveries, name="deliveries"),
    path("<slug:slug>/<int:pk>/deactivate/", views.subscription_deactivate, name="deactivate"),
    path("<slug:slug>/deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
