"""Scheduled tracking chores. Thin: each calls one idempotent service, so a rerun changes nothing."""

from celery import shared_task


@shared_task(
    name="tracking.clicks_flush",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
)
def clicks_flush() -> int:
    """Write the clicks buffered by /r/<code> (every 10 s from beat); a failed flush leaves its
    batch for the next one."""
    from tracking.clicks import flush_clicks

    return flush_clicks()


@shared_task(name="tracking.postback_receipts_prune", max_retries=0)
def postback_receipts_prune() -> int:
    """Forget postback signatures older than the replay window: their timestamps are refused anyway."""
    from tracking.postback import postback_receipts_prune as prune

    return prune()
