from django.urls import path

from tracking.views import conversions as conversion_views
from tracking.views import links as link_views

app_name = "tracking"

# Routes are added by tracking.views.links (short links, QR codes) and tracking.views.conversions
# (goals, postback, pixel, CSV uploads).
urlpatterns: list = [
    # Short links are typed off posters: /r/<code> answers without the trailing slash too.
    path("r/<str:code>", link_views.link_redirect, name="link_redirect"),
    path("r/<str:code>/", link_views.link_redirect, name="link_redirect_slash"),
    path("r/<str:code>/qr.svg", link_views.link_qr, {"kind": "svg"}, name="link_qr_svg"),
    path("r/<str:code>/qr.png", link_views.link_qr, {"kind": "png"}, name="link_qr_png"),
    # Conversions (tracking.views.conversions): settings, list, CSV upload, postback, pixel.
    path("campaigns/<int:pk>/tracking/", conversion_views.tracking_settings, name="settings"),
    path("campaigns/<int:pk>/tracking/secret/", conversion_views.secret_rotate, name="secret_rotate"),
    path("campaigns/<int:pk>/conversions/", conversion_views.conversion_list, name="conversion_list"),
    path(
        "campaigns/<int:pk>/conversions/upload/", conversion_views.conversion_upload, name="conversion_upload"
    ),
    path(
        "campaigns/<int:pk>/conversions/upload/<int:import_pk>/",
        conversion_views.conversion_import_report,
        name="conversion_import_report",
    ),
    path(
        "campaigns/<int:pk>/conversions/sample.csv",
        conversion_views.conversion_sample_csv,
        name="conversion_sample",
    ),
    path("t/postback/<int:campaign_pk>/", conversion_views.postback_receive, name="postback"),
    path("t/pixel/<int:campaign_pk>.gif", conversion_views.pixel, name="pixel"),
]
