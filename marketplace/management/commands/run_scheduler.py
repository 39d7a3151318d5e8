"""A small scheduler for the default run: the chores of CELERY_BEAT_SCHEDULE, in this process.

`make run` has no Redis, so no celery beat and no worker: this runs each chore when it is due, the
way beat would send it, with celery's own schedule objects deciding when. Tasks run in-process
(`task.apply()`); a chore that fails is logged and the others carry on. Every chore is due at
start, because nothing ran while the demo was stopped. Production runs celery beat instead.
"""

import logging
import time
from datetime import timedelta

from celery.beat import ScheduleEntry
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from marketplace.celery import app as celery_app

logger = logging.getLogger("marketplace.scheduler")


class Command(BaseCommand):
    help = (
        "Run the periodic chores (CELERY_BEAT_SCHEDULE) in this process, for the default run without Redis."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due now, then stop.")
        parser.add_argument("--ticks", type=int, default=0, help="Stop after this many rounds (0: never).")
        parser.add_argument(
            "--max-sleep", type=float, default=30.0, help="Seconds to wait at most between rounds."
        )

    def handle(self, *args, once=False, ticks=0, max_sleep=30.0, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Production runs celery beat (django_celery_beat) and workers, not run_scheduler."
            )
        if once:
            ticks = 1
        app = celery_app
        autodiscover_modules("tasks")  # every app's tasks.py, as a worker loads them
        # A far-past last run makes every chore due on the first round.
        started = timezone.now() - timedelta(days=3650)
        entries = [
            ScheduleEntry(
                name=name,
                task=spec["task"],
                schedule=spec["schedule"],
                args=spec.get("args", ()),
                kwargs=spec.get("kwargs", {}),
                last_run_at=started,
                app=app,
            )
            for name, spec in settings.CELERY_BEAT_SCHEDULE.items()
        ]
        logger.info("Scheduler: %s chores (%s)", len(entries), ", ".join(e.name for e in entries))
        done = 0
        try:
            while True:
                entries, wait = self.tick(app, entries)
                done += 1
                if ticks and done >= ticks:
                    break
                time.sleep(max(0.0, min(wait, max_sleep)))
        except KeyboardInterrupt:
            pass

    def tick(self, app, entries: list[ScheduleEntry]) -> tuple[list[ScheduleEntry], float]:
        """Run every due chore once; returns the entries and the seconds until the next one is due."""
        _fresh_connections()
        updated, waits = [], []
        for entry in entries:
            due, next_in = entry.is_due()
            if due:
                self.run(app, entry)
                entry = next(entry)  # last run: now
                _, next_in = entry.is_due()
            updated.append(entry)
            waits.append(next_in)
        _fresh_connections()
        return updated, min(waits, default=60.0)

    def run(self, app, entry: ScheduleEntry) -> None:
        try:
            task = app.tasks[entry.task]
            result = task.apply(args=entry.args, kwargs=entry.kwargs, throw=True)
        except Exception:
            logger.exception("Chore %s (%s) failed; the next round tries again", entry.name, entry.task)
        else:
            # Quiet when there was nothing to do: the webhook sweep alone runs every minute.
            logger.log(
                logging.INFO if result.result else logging.DEBUG, "Chore %s: %s", entry.name, result.result
            )


def _fresh_connections() -> None:
    """A long-lived process: drop connections that broke or outlived CONN_MAX_AGE, as requests do.
    Never one inside a transaction (a test's)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
