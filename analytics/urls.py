from django.urls import path

from analytics.views import creator, impact, reports, staff

app_name = "analytics"

# Routes: analytics.views.reports (campaign/collaboration reports, PDF, CSV), analytics.views.creator,
# analytics.views.staff (staff dashboard), analytics.views.impact (public impact pages).
urlpatterns: list = []

# Campaign reports (organization members): page, print version, PDF, CSV.
urlpatterns += [
    path("campaigns/<int:pk>/report/", reports.campaign_report_page, name="campaign_report"),
    path("campaigns/<int:pk>/report/print/", reports.campaign_report_print, name="campaign_report_print"),
    path("campaigns/<int:pk>/report.pdf", reports.campaign_report_pdf, name="campaign_report_pdf"),
    path("campaigns/<int:pk>/report.csv", reports.campaign_report_csv, name="campaign_report_csv"),
]

# Creator analytics, the staff dashboard and the public impact pages.
urlpatterns += [
    path("me/analytics/", creator.creator_analytics_page, name="creator_analytics"),
    path("staff/dashboard/", staff.staff_dashboard_page, name="staff_dashboard"),
    path("impact/<int:pk>/", impact.impact_page, name="impact"),
    path("impact/<int:pk>/credit/", impact.impact_credit, name="impact_credit"),
]
