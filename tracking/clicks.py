"""Counting clicks on tracked links, off the request path, with nothing lost.

A visit to /r/<code> is reduced to a visitor: an HMAC of client IP and user agent under a secret
salt (settings.TRACKING_VISITOR_SALT, else derived from SECRET_KEY). The raw IP is never stored,
in the database or in Redis. Known bots (crawlerdetect) and requests without a user agent are
redirected but not counted.

With Redis (the cache is django-redis), one Lua script per visit, atomically:
- `SET seen:<link>:<visitor> <token> NX PX <30 min>`: a repeat visit within 30 minutes gets the
  first visit's token back and is not counted;
- for a new visit, `RPUSH` the click onto the buffer list and keep it under pending:<token> so
  `click_for_token` finds it before it is written.
`flush_clicks` (the "tracking.clicks_flush" task, every 10 s) moves a batch from the buffer into a
processing list of its own in one script, writes it to the database, and deletes the processing
list only after the commit. A flush that dies leaves its list behind; a later flush takes it over.
Writing is idempotent (Click.token is unique and counters grow only by rows actually inserted,
under a lock on the links), so a batch written twice still counts once.

Without Redis (the zero-setup default uses the local-memory cache), or when Redis does not answer,
the click is written to the database during the request instead, deduplicated against the
visitor's last click on the link. Slower, but nothing is lost.
"""

import json
import logging
import secrets
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import redis.exceptions
from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from marketplace.client_ip import client_ip

from .links import LinkTarget, link_target
from .models import Click, TrackedLink

logger = logging.getLogger(__name__)

DEDUP_SECONDS = 30 * 60
# A changed destination reaches cached links within this time (at once with link_targets_forget).
TARGET_CACHE_SECONDS = 60
CODE_MAX_LENGTH = TrackedLink._meta.get_field("code").max_length
PENDING_TTL_SECONDS = 7 * 24 * 60 * 60  # a safety net: a flushed click's pending key is deleted
FLUSH_BATCH = 5_000
FLUSH_MAX_BATCHES = 200
# A processing list older than this belongs to a flush that died (a batch takes well under a second).
RECOVER_AFTER_SECONDS = 120.0
# After Redis failed, this process writes clicks to the database for a while without retrying it.
REDIS_PAUSE_SECONDS = 5.0
REDIS_ERRORS = (redis.exceptions.RedisError, OSError)

_detector = CrawlerDetect()
_detector.is_crawler("warm up the compiled pattern once per process")
_redis_down_until = 0.0


@dataclass(frozen=True)
class ClickTouch:
    """A counted click, flushed (click_id set) or still buffered (click_id None)."""

    click_id: int | None
    link_id: int
    collaboration_id: int
    campaign_id: int
    clicked_at: datetime


# Visitors and bots


def visitor_hash(ip: str, user_agent: str) -> str:
    secret = settings.TRACKING_VISITOR_SALT or settings.SECRET_KEY
    return salted_hmac(
        "kolabo.tracking.visitor", f"{ip}\n{user_agent}", secret=secret, algorithm="sha256"
    ).hexdigest()


def is_bot(user_agent: str) -> bool:
    """Known crawlers, link previewers and scripts; a request without a user agent too."""
    user_agent = (user_agent or "").strip()
    return not user_agent or _detector.is_crawler(user_agent)


def new_token() -> str:
    return secrets.token_urlsafe(16)  # 22 characters


def dedup_seconds() -> float:
    return float(getattr(settings, "TRACKING_DEDUP_SECONDS", DEDUP_SECONDS))


# Redis keys and scripts


def _prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX') or 'kolabo'}:tracking:clicks"


def _buffer_key() -> str:
    return f"{_prefix()}:buffer"


def _processing_index_key() -> str:
    return f"{_prefix()}:processing"


def _processing_key(flush_id: str) -> str:
    return f"{_prefix()}:processing:{flush_id}"


def _seen_key(code: str, visitor: str) -> str:
    return f"{_prefix()}:seen:{code}:{visitor}"


def _target_key(code: str) -> str:
    return f"{_prefix()}:target:{code}"


def _pending_key(token: str) -> str:
    return f"{_prefix()}:pending:{token}"


# KEYS: target:<code>, seen:<code>:<visitor>, buffer, pending:<token>.
# ARGV: token, window (ms), visitor, time (epoch seconds, as text), pending TTL (s), count (1/0).
# Returns {target JSON or nil, the token to use or nil, 1 when this visit was counted}. A nil target
# means it is not cached: the caller reads it from the database, caches it and asks again.
VISIT = """
local target = redis.call('GET', KEYS[1])
if not target then return {false, false, 0} end
if ARGV[6] ~= '1' then return {target, false, 0} end
local seen = redis.call('GET', KEYS[2])
if seen then return {target, seen, 0} end
local link = cjson.decode(target)
local payload = cjson.encode({token = ARGV[1], link = link.link_id, collaboration = link.collaboration_id,
  campaign = link.campaign_id, visitor = ARGV[3], at = ARGV[4]})
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
redis.call('RPUSH', KEYS[3], payload)
redis.call('SET', KEYS[4], payload, 'EX', ARGV[5])
return {target, ARGV[1], 1}
"""

# KEYS: buffer, this flush's processing list, processing index. ARGV: batch size, now (ms), flush id.
# Moves up to a batch from the head of the buffer to the processing list in one step.
CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return items end
for i = 1, #items, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(items, i, math.min(i + 999, #items)))
end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
return items
"""


def _redis():
    """The Redis client behind the cache, or None when the cache is not Redis or Redis failed
    moments ago in this process."""
    if "django_redis" not in settings.CACHES["default"]["BACKEND"]:
        return None
    if time.monotonic() < _redis_down_until:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _redis_failed(error: Exception) -> None:
    global _redis_down_until
    _redis_down_until = time.monotonic() + REDIS_PAUSE_SECONDS
    logger.warning("Redis unavailable for click tracking (%s); writing clicks to the database", error)


def redis_pause_reset() -> None:
    """Forget a recent Redis failure (tests; the pause otherwise ends by itself)."""
    global _redis_down_until
    _redis_down_until = 0.0


# Recording a visit


@dataclass(frozen=True)
class Visit:
    target: LinkTarget
    token: str | None  # the click id for the destination; None for a bot or an uncounted request


def _target_dump(target: LinkTarget) -> str:
    return json.dumps(asdict(target), separators=(",", ":"))


def _target_load(raw: bytes | str) -> LinkTarget:
    return LinkTarget(**json.loads(raw))


def visit_record(request: HttpRequest, code: str, *, count: bool = True) -> Visit | None:
    """The link behind `code` (None if there is none) and, unless it is a bot or `count` is false,
    this visit counted once per visitor per 30 minutes, with the click token to hand on.

    With Redis, a visit is one round trip: the link's destination is cached there (for
    TARGET_CACHE_SECONDS, or until `link_targets_forget`) next to the dedup keys and the buffer.
    """
    code = (code or "").lower()
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    user_agent = request.headers.get("User-Agent", "")
    count = count and not is_bot(user_agent)
    visitor = visitor_hash(client_ip(request), user_agent) if count else ""
    token = new_token()
    now = timezone.now()
    client = _redis()
    if client is not None:
        try:
            return _visit_buffered(client, code, count=count, visitor=visitor, token=token, at=now)
        except REDIS_ERRORS as error:
            # The script may or may not have run: the database write below reuses the same token,
            # and the flush skips tokens already written, so the click counts once either way.
            _redis_failed(error)
    target = link_target(code)
    if target is None:
        return None
    if not count or not target.target_url:
        return Visit(target, None)
    return Visit(target, _click_write_now(target, token=token, visitor=visitor, at=now))


def _visit_buffered(
    client, code: str, *, count: bool, visitor: str, token: str, at: datetime
) -> Visit | None:
    script = client.register_script(VISIT)
    keys = [_target_key(code), _seen_key(code, visitor), _buffer_key(), _pending_key(token)]
    args = [token, int(dedup_seconds() * 1000), visitor, f"{at.timestamp():.6f}", PENDING_TTL_SECONDS]
    raw, used, _counted = script(keys=keys, args=[*args, int(count)])
    if raw is None:
        target = link_target(code)
        # Only links that lead somewhere are cached: a destination set for the first time works at once.
        if target is None or not target.target_url:
            return None if target is None else Visit(target, None)
        client.set(_target_key(code), _target_dump(target), ex=TARGET_CACHE_SECONDS)
        raw, used, _counted = script(keys=keys, args=[*args, int(count)])
        if raw is None:  # evicted in between: count next time rather than loop
            return Visit(target, None)
    used = used.decode() if isinstance(used, bytes) else used
    return Visit(_target_load(raw), used or None)


def link_targets_forget(campaign_id: int) -> None:
    """Drop the cached destinations of a campaign's links, so a changed target URL or UTM value
    applies at once (call after the commit that changed them)."""
    client = _redis()
    if client is None:
        return
    codes = list(TrackedLink.objects.filter(campaign_id=campaign_id).values_list("code", flat=True))
    try:
        for start in range(0, len(codes), 1_000):
            client.delete(*(_target_key(code) for code in codes[start : start + 1_000]))
    except REDIS_ERRORS as error:
        _redis_failed(error)


def _click_write_now(target: LinkTarget, *, token: str, visitor: str, at: datetime) -> str:
    """Write the click in the request, deduplicated against the visitor's recent clicks."""
    since = at - timedelta(seconds=dedup_seconds())
    with transaction.atomic():
        # The link's row lock serialises visits to one link, so two at once count once.
        link = (
            TrackedLink.objects.select_for_update()
            .only("pk", "clicks", "last_clicked_at")
            .get(pk=target.link_id)
        )
        recent = (
            Click.objects.filter(link_id=link.pk, visitor=visitor, clicked_at__gt=since)
            .order_by("-clicked_at", "-pk")
            .values_list("token", flat=True)
            .first()
        )
        if recent:
            return recent
        Click.objects.create(link_id=link.pk, token=token, visitor=visitor, clicked_at=at)
        link.clicks += 1
        link.last_clicked_at = max(filter(None, [link.last_clicked_at, at]))
        link.save(update_fields=["clicks", "last_clicked_at"])
    return token


# Flushing the buffer


def _parse(item: bytes | str) -> dict | None:
    try:
        click = json.loads(item)
        return {
            "token": str(click["token"]),
            "link": int(click["link"]),
            "collaboration": int(click["collaboration"]),
            "campaign": int(click["campaign"]),
            "visitor": str(click["visitor"]),
            "at": datetime.fromtimestamp(float(click["at"]), tz=UTC),
        }
    except (ValueError, KeyError, TypeError):
        logger.error("Dropping an unreadable buffered click: %r", item[:200])
        return None


def clicks_write(items: list) -> int:
    """Write buffered clicks to the database; returns how many were new. Idempotent: a click
    whose token is already written is skipped, and counters grow only by new rows."""
    clicks: dict[str, dict] = {}
    for item in items:
        if (click := _parse(item)) is not None:
            clicks.setdefault(click["token"], click)
    if not clicks:
        return 0
    link_ids = sorted({click["link"] for click in clicks.values()})
    with transaction.atomic():
        # Lock the links (primary-key order) before looking for written tokens: a flush writing the
        # same batch at the same time waits here, then sees this one's rows.
        links = {
            link.pk: link
            for link in TrackedLink.objects.select_for_update()
            .filter(pk__in=link_ids)
            .order_by("pk")
            .only("pk", "clicks", "last_clicked_at")
        }
        written: set[str] = set()
        tokens = list(clicks)
        for start in range(0, len(tokens), 1_000):
            written.update(
                Click.objects.filter(token__in=tokens[start : start + 1_000]).values_list("token", flat=True)
            )
        new = [click for token, click in clicks.items() if token not in written and click["link"] in links]
        Click.objects.bulk_create(
            (
                Click(
                    link_id=click["link"],
                    token=click["token"],
                    visitor=click["visitor"],
                    clicked_at=click["at"],
                )
                for click in new
            ),
            batch_size=1_000,
            ignore_conflicts=True,
        )
        counts: dict[int, int] = defaultdict(int)
        latest: dict[int, datetime] = {}
        for click in new:
            counts[click["link"]] += 1
            latest[click["link"]] = max(click["at"], latest.get(click["link"], click["at"]))
        changed = []
        for link_id, count in counts.items():
            link = links[link_id]
            link.clicks += count
            link.last_clicked_at = max(filter(None, [link.last_clicked_at, latest[link_id]]))
            changed.append(link)
        TrackedLink.objects.bulk_update(changed, ["clicks", "last_clicked_at"], batch_size=500)
    return len(new)


def _tokens(items: list) -> list[str]:
    return [click["token"] for item in items if (click := _parse(item)) is not None]


def _finish(client, flush_id: str, items: list) -> None:
    """After the commit: forget the processing list and the clicks' pending keys."""
    pending = [_pending_key(token) for token in _tokens(items)]
    pipe = client.pipeline(transaction=False)
    for start in range(0, len(pending), 1_000):
        pipe.delete(*pending[start : start + 1_000])
    pipe.delete(_processing_key(flush_id))
    pipe.zrem(_processing_index_key(), flush_id)
    pipe.execute()


def clicks_claim(client, *, batch: int = FLUSH_BATCH) -> tuple[str, list]:
    """Move up to `batch` clicks from the buffer to a new processing list; (its id, the clicks)."""
    flush_id = uuid.uuid4().hex
    keys = [_buffer_key(), _processing_key(flush_id), _processing_index_key()]
    items = client.register_script(CLAIM)(keys=keys, args=[batch, int(time.time() * 1000), flush_id])
    return flush_id, items


def flush_clicks(*, recover_after: float = RECOVER_AFTER_SECONDS, batch: int = FLUSH_BATCH) -> int:
    """Write buffered clicks to the database; returns how many clicks were new.

    First takes over processing lists left by flushes that died more than `recover_after` seconds
    ago, then drains the buffer batch by batch. Several flushes may run at once.
    """
    client = _redis()
    if client is None:
        return 0  # clicks were written during the request
    written = 0
    cutoff = int((time.time() - recover_after) * 1000)
    for raw_id in client.zrangebyscore(_processing_index_key(), "-inf", cutoff):
        flush_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id
        items = client.lrange(_processing_key(flush_id), 0, -1)
        written += clicks_write(items)
        _finish(client, flush_id, items)
    for _ in range(FLUSH_MAX_BATCHES):
        flush_id, items = clicks_claim(client, batch=batch)
        if not items:
            client.zrem(_processing_index_key(), flush_id)
            break
        written += clicks_write(items)
        _finish(client, flush_id, items)
    return written


def clicks_pending() -> int:
    """Clicks in the buffer, not yet written (0 without Redis)."""
    client = _redis()
    if client is None:
        return 0
    try:
        return client.llen(_buffer_key())
    except REDIS_ERRORS:
        return 0


# Reading a click back


def _written_click(token: str) -> ClickTouch | None:
    row = (
        Click.objects.filter(token=token)
        .values("pk", "link_id", "link__collaboration_id", "link__campaign_id", "clicked_at")
        .first()
    )
    if row is None:
        return None
    return ClickTouch(
        click_id=row["pk"],
        link_id=row["link_id"],
        collaboration_id=row["link__collaboration_id"],
        campaign_id=row["link__campaign_id"],
        clicked_at=row["clicked_at"],
    )


def click_for_token(token: str) -> ClickTouch | None:
    """The click behind a `kclid`, written or still buffered; None for an unknown or forged one."""
    token = (token or "").strip()
    if not token or len(token) > Click._meta.get_field("token").max_length:
        return None
    if (written := _written_click(token)) is not None:
        return written
    client = _redis()
    if client is None:
        return None
    try:
        item = client.get(_pending_key(token))
    except REDIS_ERRORS as error:
        logger.warning("Redis unavailable: buffered click %s… not looked up (%s)", token[:6], error)
        return None
    click = _parse(item) if item else None
    if click is None or click["token"] != token:
        # A flush may have written it and dropped the pending key between the two looks.
        return _written_click(token)
    return ClickTouch(
        click_id=None,
        link_id=click["link"],
        collaboration_id=click["collaboration"],
        campaign_id=click["campaign"],
        clicked_at=click["at"],
    )
