from django.urls import path

from payments import views, views_pages

app_name = "payments"

# Mounted at /payments/.
urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("campaigns/<int:pk>/", views_pages.campaign_spend, name="campaign_spend"),
    path("campaigns/<int:pk>/fund/", views.funding_start, name="funding_start"),
    path("fundings/<int:pk>/return/", views.funding_return, name="funding_return"),
    path("earnings/", views_pages.earnings, name="earnings"),
    path("get-paid/", views.get_paid, name="get_paid"),
    path("get-paid/return/", views.get_paid_return, name="get_paid_return"),
    path("staff/payouts/", views_pages.payout_queue, name="payout_queue"),
    path("staff/payouts/approve/", views_pages.payouts_bulk_approve, name="payouts_bulk_approve"),
    path("staff/payouts/<int:pk>/", views_pages.payout_detail, name="payout_detail"),
    path("staff/payouts/<int:pk>/<str:action>/", views_pages.payout_review, name="payout_review"),
]
