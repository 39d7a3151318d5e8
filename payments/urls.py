from django.urls import path

from payments.views import earnings, funding, payouts, stripe_webhook

app_name = "payments"

# Mounted at /payments/.
urlpatterns = [
    path("stripe/webhook/", stripe_webhook.stripe_webhook, name="stripe_webhook"),
    path("campaigns/<int:pk>/", funding.campaign_spend, name="campaign_spend"),
    path("campaigns/<int:pk>/fund/", funding.funding_start, name="funding_start"),
    path("fundings/<int:pk>/return/", funding.funding_return, name="funding_return"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("get-paid/", earnings.get_paid, name="get_paid"),
    path("get-paid/return/", earnings.get_paid_return, name="get_paid_return"),
    path("staff/payouts/", payouts.payout_queue, name="payout_queue"),
    path("staff/payouts/approve/", payouts.payouts_bulk_approve, name="payouts_bulk_approve"),
    path("staff/payouts/<int:pk>/", payouts.payout_detail, name="payout_detail"),
    path("staff/payouts/<int:pk>/<str:action>/", payouts.payout_review, name="payout_review"),
]
