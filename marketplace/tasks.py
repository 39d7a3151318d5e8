from celery import shared_task


@shared_task(name="marketplace.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by /healthz tooling and the worker test."""
    return value


@shared_task(
    name="marketplace.notification_email_send",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def notification_email_send(notification_id: int) -> bool:
    from .services import notification_email_send as send

    return send(notification_id=notification_id)


@shared_task(name="marketplace.notification_emails_requeue")
def notification_emails_requeue() -> int:
    """Beat: queue again the emails a broker outage kept from going out, or whose sender died."""
    from .services import notification_emails_requeue as sweep

    return sweep()
