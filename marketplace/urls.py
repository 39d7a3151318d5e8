from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from creators import urls as creators_urls

from . import views, views_mfa

# admin.site is marketplace.admin_site.KolaboAdminSite: allauth login, MFA for every admin page.
admin.autodiscover()

urlpatterns = [
    # First: /r/<code> is the hottest path, and URL resolution walks the patterns in order.
    path("", include("tracking.urls")),
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("staff/two-factor/", views_mfa.staff_mfa_setup, name="staff_mfa_setup"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("orgs/", include("brands.urls")),
    path("creators/", include("creators.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("discover/", include((creators_urls.discovery_urlpatterns, "discovery"))),
    path("roster/", include((creators_urls.roster_urlpatterns, "roster"))),
    path("payments/", include("payments.urls")),
    path("platforms/", include("platforms.urls")),
    path("api/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("analytics.urls")),
    path("developers/", include("api.credentials_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Public files only (logos): private files live in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and
    # are served by views that check permissions (marketplace/private_files.py).
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ an unknown path or a crash answers the API's one JSON error body; elsewhere the pages.
handler404 = "api.errors.handler404"
handler500 = "api.errors.handler500"
