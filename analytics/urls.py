app_name = "analytics"

# Routes: analytics.views.reports (campaign/collaboration reports, PDF, CSV), analytics.views.creator,
# analytics.views.staff (staff dashboard), analytics.views.impact (public impact pages).
urlpatterns: list = []
