"""A real Celery worker for benchmarks: checking Redis, starting (and killing) the worker, waiting."""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        sys.exit(f"No Redis answers at {url}: start redis-server or set REDIS_URL")


def start_worker(env: dict, pool: str, concurrency: int, log) -> subprocess.Popen:
    """The worker logs every task at INFO (see LOGGING); that goes to `log`, not the screen.

    It runs in its own process group, so `kill_worker` takes its pool processes down with it.
    """
    command = [sys.executable, "-m", "celery", "--quiet", "-A", "marketplace", "worker", f"--pool={pool}"]
    if pool == "prefork":
        command += ["--concurrency", str(concurrency)]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def kill_worker(worker: subprocess.Popen) -> None:
    """kill -9 the worker and its pool: no shutdown, no acknowledgement, as a crash would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_worker(worker)


def wait_for(condition, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return value
