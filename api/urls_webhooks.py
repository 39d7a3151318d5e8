"""API routes (v1) for this area; api/urls.py mounts them under /api/v1/."""

from django.urls import path

from api.views import webhooks

v1 = [
    path("webhook-subscriptions/", webhooks.WebhookSubscriptionList.as_view(), name="webhook_subscriptions"),
    path(
        "webhook-subscriptions/<int:pk>/",
        webhooks.WebhookSubscriptionDetail.as_view(),
        name="webhook_subscription",
    ),
    path(
        "webhook-subscriptions/<int:pk>/deactivate/",
        webhooks.WebhookSubscriptionDeactivate.as_view(),
        name="webhook_subscription_deactivate",
    ),
    path(
        "webhook-subscriptions/<int:pk>/deliveries/",
        webhooks.WebhookSubscriptionDeliveries.as_view(),
        name="webhook_subscription_deliveries",
    ),
    path("webhook-deliveries/<int:pk>/", webhooks.WebhookDeliveryDetail.as_view(), name="webhook_delivery"),
    path(
        "webhook-deliveries/<int:pk>/redeliver/",
        webhooks.WebhookDeliveryRedeliver.as_view(),
        name="webhook_delivery_redeliver",
    ),
]
