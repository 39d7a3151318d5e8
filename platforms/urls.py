"""Connected accounts, mounted at /platforms/ as the "platforms" namespace."""

from django.urls import path

from platforms import views

app_name = "platforms"
urlpatterns = [
    path("", views.connections_page, name="connections"),
    path("connect/<str:platform>/", views.connect, name="connect"),
    path("callback/<str:platform>/", views.callback, name="callback"),
    path("disconnect/<int:pk>/", views.disconnect, name="disconnect"),
    # Meta's deauthorize and data deletion callbacks (the Instagram app's settings point here).
    path("deauthorize/", views.meta_deauthorize, name="deauthorize"),
    path("data-deletion/", views.meta_data_deletion, name="data_deletion"),
    path("deletion/<str:code>/", views.deletion_status, name="deletion_status"),
]
