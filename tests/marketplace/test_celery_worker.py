"""A task travels through a real Redis broker to a real worker process and back."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from marketplace.celery import app as project_app

ROOT = Path(__file__).resolve().parents[2]
# A database of its own so the test never eats another run's messages.
DEFAULT_URL = "redis://127.0.0.1:6379/14"


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or DEFAULT_URL


@pytest.fixture
def worker_app():
    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"No Redis answers at {url}, and CI must run the worker test")
        pytest.skip(f"No Redis answers at {url}: start redis-server to run this test")
    queue = f"kolabo-test-{os.getpid()}"
    env = os.environ | {"REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "marketplace.settings"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    client = Celery("kolabo-test-client", broker=url, backend=url)
    client.conf.task_default_queue = queue
    try:
        yield client, queue
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_task_round_trip_through_real_worker(worker_app):
    client, queue = worker_app
    started = time.monotonic()

    result = client.send_task("marketplace.ping", args=["sampai"], queue=queue)

    assert result.get(timeout=60) == "sampai"
    assert time.monotonic() - started < 60


def test_project_celery_app_is_configured_for_safe_redelivery():
    conf = project_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_transport_options["visibility_timeout"] >= conf.task_time_limit
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
