"""Refreshing connected accounts: token, profile, recent posts, audience, then the verified values.

Accounts are refreshed in batches (`connections_refresh`, one Celery task per batch of up to
REFRESH_BATCH rows); `connection_refresh` is a batch of one. A batch runs like this:
1. **Claim** the rows with one conditional update of `refresh_claimed_until` (connected, due, and
   not claimed, or claimed by the sweep that queued this very task). A row another worker holds is
   skipped: no platform call. The lease outlasts Celery's time limit, so a dead worker's claim lapses.
2. **Read** each account in turn (platforms.services.account_reads): unless its platform is
   cooling down (platforms.ratelimits), then it waits without a call. After a timeout or an outage,
   the batch's other accounts on that platform wait too rather than time out one by one, and a
   batch that has run for BATCH_SECONDS gives its unread rows back to the next sweep.
3. **Store** all that was read in one transaction with a fixed number of statements
   (platforms.services.verified_values), announce one matching change for all the creators, then
   copy thumbnails.

Outcomes per account: a rate limit or an unavailable platform **defers** (claim released,
`next_refresh_at` moved by a jittered exponential backoff, `refresh_failures` + 1, `last_error`
says why): the row stays connected and due, so nothing is lost. A refused token **disconnects**
(services.lifecycle).

Scheduling: every connected account at least weekly, and at least daily while its creator has a
live collaboration. Each account keeps a fixed phase (a stable hash of its id) in a 6-day cycle
(20 hours while live), its next refresh the first phase slot at least a day (4 hours) away: the
load spreads evenly over the cycle, and a refresh right after connecting or after a deferral is
never followed by another one minutes later. `refresh_due` (beat) queues what is due, in bounded
sweeps of batches.
"""

import logging
import math
import secrets
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone

from marketplace.queueing import enqueue
from platforms import ratelimits, tasks
from platforms.clients import PlatformRefused, PlatformUnavailable, RateLimited, TokenInvalid
from platforms.crypto import TokenUnreadable
from platforms.models import PlatformConnection
from platforms.services.account_reads import Progress, Pulled, account_pull, progress_load
from platforms.services.lifecycle import connection_mark_disconnected
from platforms.services.verified_values import images_copy, verified_values_store

logger = logging.getLogger(__name__)

REFRESHED, SKIPPED, DEFERRED, DISCONNECTED = "refreshed", "skipped", "deferred", "disconnected"

# Longer than CELERY_TASK_TIME_LIMIT (300 s): a live refresh never loses its claim.
LEASE = timedelta(minutes=6)
# How long a row queued by `refresh_due` waits for its task before the next sweep queues it again.
QUEUE_LEASE = timedelta(minutes=30)
DUE_BATCH = 2000
# Accounts per task: one transaction and one matching update for all of them; small enough that a
# batch of slow platforms ends well within the task's time limit (see BATCH_SECONDS).
REFRESH_BATCH = 20
# A batch starts no new read after this long; its unread rows go back to the next sweep.
BATCH_SECONDS = 120
# (cycle, minimum gap): refreshed at most a day apart while live, a week otherwise (gap + cycle).
LIVE_SCHEDULE = (timedelta(hours=20), timedelta(hours=4))
WEEKLY_SCHEDULE = (timedelta(days=6), timedelta(days=1))

ERROR_MAX = PlatformConnection._meta.get_field("last_error").max_length
FAILURES_MAX = 32767  # PositiveSmallIntegerField


def backoff_base_seconds() -> float:
    return float(settings.PLATFORM_BACKOFF_BASE_SECONDS)


def backoff_max_seconds() -> float:
    return float(settings.PLATFORM_BACKOFF_MAX_SECONDS)


# Scheduling


def next_refresh_at(connection_id: int, *, live: bool, now: datetime) -> datetime:
    """The account's next slot: a fixed phase (a stable hash of the id) of its cycle, the first
    one at least the minimum gap after `now`. So two refreshes are never closer than the gap, and
    never further apart than gap + cycle: a day while live, a week otherwise."""
    cycle, gap = (int(value.total_seconds()) for value in (LIVE_SCHEDULE if live else WEEKLY_SCHEDULE))
    phase = zlib.crc32(str(connection_id).encode()) % cycle
    earliest = math.ceil(now.timestamp()) + gap
    slot = -((phase - earliest) // cycle) * cycle + phase  # the first phase slot ≥ earliest
    return datetime.fromtimestamp(slot, tz=now.tzinfo or timezone.get_current_timezone())


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def refresh_due(*, now: datetime | None = None, limit: int = DUE_BATCH) -> int:
    """Beat: queue a refresh for each connected account that is due and not claimed, oldest due
    first, at most `limit`, in batches of REFRESH_BATCH. Each row is marked queued (its claim set to
    now + QUEUE_LEASE) so the next sweep does not queue it again while it waits; its task claims it
    by that mark. Returns the number of accounts queued."""
    now = now or timezone.now()
    free = Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lte=now)
    # A deactivated creator's account waits: nobody sees it, and it resumes when they are back.
    due = PlatformConnection.objects.filter(
        status=PlatformConnection.Status.CONNECTED, next_refresh_at__lte=now, profile__user__is_active=True
    )
    ids = list(due.filter(free).order_by("next_refresh_at", "pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    mark = now + QUEUE_LEASE
    due.filter(free, pk__in=ids).update(refresh_claimed_until=mark)
    marked = list(
        PlatformConnection.objects.filter(pk__in=ids, refresh_claimed_until=mark)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    queued = 0
    for batch in _batches(marked, REFRESH_BATCH):
        try:
            queued += len(batch) if enqueue(tasks.connections_refresh, batch, mark.isoformat()) else 0
        except Exception:  # run in-process, one failing batch must not keep the rest waiting
            logger.exception("platforms.connections_refresh(%s) failed; the next sweep tries again", batch)
    return queued


# Claims


def connections_claim(
    connection_ids: Iterable[int], *, now: datetime, queued_until: datetime | None = None
) -> tuple[datetime, list[int]]:
    """Claim the rows that are due and free (or queued with `queued_until`) with one conditional
    update; returns the lease and the ids claimed, in id order. The rest are another worker's or
    not due: they get no platform call. The lease carries random microseconds, so two batches
    claiming in the same instant never read each other's rows as their own."""
    lease = (now + LEASE).replace(microsecond=secrets.randbelow(1_000_000))
    free = Q(refresh_claimed_until__isnull=True) | Q(refresh_claimed_until__lte=now)
    if queued_until is not None:
        free |= Q(refresh_claimed_until=queued_until)
    ids = sorted(set(connection_ids))
    PlatformConnection.objects.filter(
        pk__in=ids, status=PlatformConnection.Status.CONNECTED, next_refresh_at__lte=now
    ).filter(free).update(refresh_claimed_until=lease)
    claimed = PlatformConnection.objects.filter(pk__in=ids, refresh_claimed_until=lease)
    return lease, list(claimed.order_by("pk").values_list("pk", flat=True))


def connection_claim(
    connection_id: int, *, now: datetime, queued_until: datetime | None = None
) -> datetime | None:
    """Claim one row; returns the lease, or None when another worker has it or it is not due."""
    lease, claimed = connections_claim([connection_id], now=now, queued_until=queued_until)
    return lease if claimed else None


# Refreshing


def connection_refresh(connection_id: int, *, queued_until: str | datetime | None = None) -> str:
    """Refresh one connected account if it is due and nobody else is; returns the outcome."""
    return connections_refresh([connection_id], queued_until=queued_until)[connection_id]


def connections_refresh(
    connection_ids: Iterable[int], *, queued_until: str | datetime | None = None
) -> dict[int, str]:
    """Refresh the accounts of one batch that are due and nobody else's; returns id → outcome."""
    now = timezone.now()
    if isinstance(queued_until, str):
        queued_until = datetime.fromisoformat(queued_until)
    ids = list(connection_ids)
    outcomes = dict.fromkeys(ids, SKIPPED)
    lease, claimed = connections_claim(ids, now=now, queued_until=queued_until)
    if not claimed:
        return outcomes
    connections = list(PlatformConnection.objects.filter(pk__in=claimed).order_by("pk"))
    pulled: dict[int, Pulled] = {}
    batch = _Batch(progress=progress_load(connections))
    deadline = time.monotonic() + BATCH_SECONDS
    pending = list(connections)
    try:
        while pending:
            connection = pending.pop(0)
            if time.monotonic() > deadline:
                pending.insert(0, connection)
                _release(pending, lease)
                break
            outcome, pull = _read(connection, lease, now, batch)
            outcomes[connection.pk] = outcome
            if pull is not None:
                pulled[connection.pk] = pull
        stored = verified_values_store(pulled, lease=lease, now=now, next_refresh=_next_refresh_from(now))
    except BaseException:
        _defer_all(connections, lease)  # only rows this batch still holds are touched
        raise
    for pk in pulled:
        outcomes[pk] = REFRESHED if pk in stored else SKIPPED  # SKIPPED: disconnected while reading
    images_copy((connection, pulled[connection.pk]) for connection in connections if connection.pk in stored)
    return outcomes


def _next_refresh_from(now: datetime):
    return lambda connection_id, *, live: next_refresh_at(connection_id, live=live, now=now)


@dataclass
class _Batch:
    """What one batch remembers between its accounts."""

    progress: dict[int, Progress]
    unavailable: set[str] = field(default_factory=set)  # platforms that timed out or failed here
    cooldowns: dict[str, tuple[float, float]] = field(default_factory=dict)  # platform → (read at, s)

    def cooldown(self, platform: str) -> float:
        """The platform's cooldown, read from the shared state at most once a second per batch
        (and again after this batch was refused): one cache call per account was a worker's
        noticeable share at a hundred refreshes a second."""
        read_at, seconds = self.cooldowns.get(platform, (-math.inf, 0.0))
        now = time.monotonic()
        if now - read_at >= 1:
            seconds = ratelimits.cooldown_remaining(platform)
            self.cooldowns[platform] = (now, seconds)
            return seconds
        return max(0.0, seconds - (now - read_at))


def _read(
    connection: PlatformConnection, lease: datetime, now: datetime, batch: _Batch
) -> tuple[str, Pulled | None]:
    """Read one claimed account; the outcome so far and what was read (None when not read)."""
    platform = connection.platform
    if platform in batch.unavailable:
        # No call made, so no failure counted: the account that met the outage counted it.
        _defer(connection, lease, counted=False)
        return DEFERRED, None
    waiting = batch.cooldown(platform)
    if waiting > 0:
        # No call made, so no failure counted; spread the wake-ups over a little more than the wait.
        seconds = waiting + ratelimits.backoff_seconds(1, base=min(waiting, 60), cap=60)
        _defer(connection, lease, seconds=seconds, counted=False, backoff=False)
        return DEFERRED, None
    try:
        pull = account_pull(connection, now, batch.progress[connection.pk])
    except TokenInvalid as error:
        logger.info("Connection %s disconnected: %s", connection.pk, error)
        connection_mark_disconnected(connection, error.reason)
        return DISCONNECTED, None
    except RateLimited as error:
        if error.answered_before:
            ratelimits.note_success(platform)  # the platform answered a moment ago: not "in a row"
        cooldown = ratelimits.note_rate_limited(
            platform, retry_after=error.retry_after, app_wide=error.app_wide
        )
        batch.cooldowns.pop(platform, None)  # a cooldown may have started: read it afresh
        # Calls answered before the refusal are kept (account_reads resumes): progress, not a
        # failure in a row, so the next attempt waits the first backoff step only.
        _defer(
            connection,
            lease,
            seconds=max(cooldown, error.retry_after or 0),
            error=str(error),
            counted=not error.answered_before,
        )
        return DEFERRED, None
    except PlatformUnavailable as error:
        batch.unavailable.add(platform)
        _defer(connection, lease, error=str(error))
        return DEFERRED, None
    except PlatformRefused as error:
        _defer(connection, lease, error=str(error))
        return DEFERRED, None
    except TokenUnreadable:
        # A key was dropped before `platform_tokens_rotate` ran: staff must restore it; keep the row.
        logger.error("Connection %s: its token cannot be decrypted with the current keys", connection.pk)
        _defer(connection, lease, error="The stored permission cannot be read (encryption key missing).")
        return DEFERRED, None
    ratelimits.note_success(platform)
    if ratelimits.note_usage(platform, pull.app_usage) > 0:
        batch.cooldowns.pop(platform, None)  # usage near the limit started a pause
    return REFRESHED, pull


def _defer(
    connection: PlatformConnection,
    lease: datetime,
    *,
    error: str = "",
    seconds: float = 0.0,
    counted: bool = True,
    backoff: bool = True,
) -> None:
    """Give the claim back and try again later; the row stays connected and due then. It waits
    `seconds`, or longer with `backoff`: exponential in the failures in a row when `counted`
    (which adds one), else the first step."""
    wait = seconds
    if backoff:
        attempt = connection.refresh_failures + 1 if counted else 1
        wait = max(
            wait, ratelimits.backoff_seconds(attempt, base=backoff_base_seconds(), cap=backoff_max_seconds())
        )
    fields: dict[str, Any] = {
        "refresh_claimed_until": None,
        "next_refresh_at": timezone.now() + timedelta(seconds=wait),
    }
    if counted:
        fields["refresh_failures"] = Least(F("refresh_failures") + 1, Value(FAILURES_MAX))
    if error:
        fields["last_error"] = f"{error} Kolabo will try again later."[:ERROR_MAX]
    PlatformConnection.objects.filter(pk=connection.pk, refresh_claimed_until=lease).update(**fields)


def _defer_all(connections: list[PlatformConnection], lease: datetime) -> None:
    """The batch stopped unexpectedly: every row it still holds is deferred (counted as a failure)."""
    for connection in connections:
        try:
            _defer(connection, lease, error="The refresh stopped unexpectedly.")
        except Exception:  # the database itself may be what failed; the lease then lapses
            logger.exception("Connection %s: could not give the claim back", connection.pk)


def _release(connections: list[PlatformConnection], lease: datetime) -> None:
    """Rows the batch had no time to read: claim released, still due, so the next sweep takes them."""
    PlatformConnection.objects.filter(
        pk__in=[connection.pk for connection in connections], refresh_claimed_until=lease
    ).update(refresh_claimed_until=None)
