"""Thin Celery tasks: an id in, one service call. Safe to run twice: each attempt claims its row."""

from celery import shared_task


@shared_task(name="webhooks.delivery_attempt")
def delivery_attempt(delivery_id: int) -> str:
    from webhooks.services import delivery_attempt as attempt

    return attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep")
def deliveries_sweep() -> int:
    from webhooks.services import deliveries_sweep as sweep

    return sweep()
