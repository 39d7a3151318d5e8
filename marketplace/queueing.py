"""Queueing tasks after commit without letting a broker outage undo the user's answer.

What a service queues on commit has already committed: the payout is approved, the refund is due,
the notification is stored. If the broker is down at that moment, the request must still answer
normally, so a failed send is logged and dropped here, and a beat sweep (see the `*_requeue_*`
services) finds the committed rows whose work never started and queues them again. Every task is
safe to run twice, so a sweep racing a late delivery does no harm.

Sending fails fast (settings: CELERY_BROKER_CONNECTION_TIMEOUT, the broker's socket timeouts and
one retry), and after a failure this process skips the broker for BROKER_PAUSE_SECONDS, so a
bulk action over many rows does not wait on a dead broker once per row.
"""

import logging
import time
from datetime import datetime, timedelta
from functools import partial

import kombu.exceptions
import redis.exceptions
from celery import Task
from celery.exceptions import Retry
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# kombu wraps most transport errors in OperationalError; the rest arrive raw.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
BROKER_PAUSE_SECONDS = 30.0

_broker_down_until = 0.0


def broker_pause_reset() -> None:
    """Forget a recent broker failure (tests; the pause otherwise ends by itself)."""
    global _broker_down_until
    _broker_down_until = 0.0


def enqueue(task: Task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Send `task` now; returns whether it was queued. A broker error is logged, never raised.

    Results are ignored: nothing waits on work queued from a request, and subscribing to a result
    would reach for the result backend (Redis too) and retry there for a long time.
    """
    global _broker_down_until
    name = task.name
    if task.app.conf.task_always_eager:  # in-process (the default run, tests): no broker to lose
        try:
            task.apply_async(args, kwargs, countdown=countdown, ignore_result=True)
        except Retry:
            # In-process there is no "later" for a retry (Stripe unreachable, say); the scheduler's
            # sweeps pick the committed work up again, so the user's request must not fail.
            logger.warning("%s%r asked to retry later; the sweep runs it again", name, args)
            return False
        return True
    if time.monotonic() < _broker_down_until:
        logger.warning("Broker unavailable: %s%r not queued now; the sweep queues it later", name, args)
        return False
    try:
        task.apply_async(args, kwargs, countdown=countdown, ignore_result=True)
    except BROKER_ERRORS as error:
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning(
            "Broker unavailable (%s): %s%r not queued; the sweep queues it later", error, name, args
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args, countdown: float | None = None, **kwargs) -> None:
    """Queue `task` once the current transaction commits (at once outside one), outage-proof."""
    transaction.on_commit(partial(enqueue, task, *args, countdown=countdown, **kwargs))


def sweep_grace_cutoff(now: datetime) -> datetime:
    """Sweeps: rows committed before this had time to start; their task was lost."""
    return now - timedelta(seconds=settings.QUEUE_SWEEP_GRACE_SECONDS)


def enqueue_each(task: Task, ids: list[int]) -> int:
    """Sweeps: queue `task(id)` for each id; returns how many were queued.

    Run in-process (the default run), a task that fails for one row must not keep the rest waiting.
    """
    queued = 0
    for pk in ids:
        try:
            queued += enqueue(task, pk)
        except Exception:
            logger.exception("%s(%s) failed; the next sweep tries again", task.name, pk)
    return queued
