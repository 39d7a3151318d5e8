"""Liveness of the parts the site needs: database, cache and Celery broker."""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any driver error means "down"
        return False, type(exc).__name__


def check_cache() -> tuple[bool, str]:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 5)
        ok = cache.get(key) == "ok"
        cache.delete(key)
        return ok, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    except Exception as exc:
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager"
    from marketplace.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport.driver_type
    except Exception as exc:
        return False, type(exc).__name__


def report() -> tuple[bool, dict]:
    started = time.monotonic()
    checks = {}
    for name, check in (("database", check_database), ("cache", check_cache), ("broker", check_broker)):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(c["ok"] for c in checks.values())
    return healthy, {
        "status": "ok" if healthy else "down",
        "checks": checks,
        "duration_ms": round((time.monotonic() - started) * 1000, 1),
    }
