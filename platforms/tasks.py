"""Thin Celery tasks: ids in, one service call, safe to run twice (each refresh claims its rows)."""

from celery import shared_task


@shared_task(name="platforms.connection_refresh")
def connection_refresh(connection_id: int, queued_until: str | None = None) -> str:
    from platforms.services.refresh import connection_refresh as refresh

    return refresh(connection_id, queued_until=queued_until)


@shared_task(name="platforms.connections_refresh")
def connections_refresh(connection_ids: list[int], queued_until: str | None = None) -> dict[int, str]:
    from platforms.services.refresh import connections_refresh as refresh

    return refresh(connection_ids, queued_until=queued_until)


@shared_task(name="platforms.refresh_due")
def refresh_due() -> int:
    """Beat: queue the connected accounts that are due; send disconnection notices that were missed."""
    from platforms.services.lifecycle import disconnect_notices_send_missed
    from platforms.services.refresh import refresh_due as queue_due

    disconnect_notices_send_missed()
    return queue_due()


# Post snapshots of published deliverables (platforms.services.post_capture).


@shared_task(name="platforms.post_snapshots_take_due")
def post_snapshots_take_due() -> int:
    """Beat: read the deliverable post snapshots that are due (each claimed, so never read twice)."""
    from platforms.services.post_snapshots import post_snapshots_take_due as take_due

    return take_due()
