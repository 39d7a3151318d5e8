from celery import shared_task


@shared_task(name="marketplace.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check used by /healthz tooling and the worker test."""
    return value
