#!/usr/bin/env python
"""Refreshing 10,000 connected accounts against the platform emulator, with rate limits injected.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python benchmarks/platform_refresh.py [--accounts 10000] [--ratio 0.1]

It installs the project's requirements if they are missing, creates (and drops) its own database
`kolabo_bench_platforms`, starts the platform emulator (`python -m platform_emulator`) and a real
Celery worker setup on Redis: 2 worker processes, each a thread pool of 8 on the `platforms` and
default queues (the refresh worker setup docs/platforms.md recommends; `--pool prefork` runs one
prefork worker with 2 processes instead). At the emulator it creates N accounts, half Instagram
(professional, 500+ followers: audience insights are read) and half TikTok, each with `--posts`
posts (3 by default: enough for a verified engagement rate, light enough that the benchmark
measures the refresh machinery rather than the emulator's media lists), and authorises Kolabo on
each through the emulator's OAuth endpoints. Kolabo's side gets N creators with typed metrics and
N connected, due accounts.

Then the emulator refuses `--ratio` of all API calls with a rate limit (Instagram code 4, the
app-wide one, by default; TikTok 429), and the benchmark does what beat does, more often: it calls
`refresh_due` every half second, which queues the due accounts in batches (20 a task); the
workers refresh them; a rate-limited refresh is deferred (its `next_refresh_at` moved by a jittered backoff) and queued
again once due. It runs until every account was refreshed. The backoff policy is shortened for
the run through settings (base 1 s, cap 8 s; production: 5 min, 12 h): the point is that nothing
is lost or done twice, not how long a real deferral waits.

Counted from the emulator's call log: a refresh is complete when its last read answered (Instagram:
the gender breakdown of the audience; TikTok: the video list); `duplicate_calls` is the number of
complete refreshes beyond one per account. `lost` is accounts not refreshed (or disconnected) when
the run ends. Last line:
refresh: accounts=N seconds=… per_second=… lost=0 duplicate_calls=…
(target: lost=0, duplicate_calls=0, per_second ≥ 100).
"""

import argparse
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
REDIRECT_URI = "https://kolabo.example/platforms/callback/"
IG_APP, IG_SECRET = "kolabo-ig-app", "kolabo-ig-secret"
TT_APP, TT_SECRET = "kolabo-tt-app", "kolabo-tt-secret"
# The bench's settings: the app's, with a short backoff policy (see the docstring).
SETTINGS_MODULE = """from marketplace.settings import *  # noqa: F403

PLATFORM_BACKOFF_BASE_SECONDS = 1
PLATFORM_BACKOFF_MAX_SECONDS = 8
PLATFORM_COOLDOWN_BASE_SECONDS = 1
"""


def ensure_requirements() -> None:
    """The project's Python requirements, installed into this interpreter when one is missing."""
    needed = ("django", "celery", "redis", "psycopg", "requests", "cryptography")
    if all(importlib.util.find_spec(name) for name in needed):
        return
    print("Installing the project's requirements (pip install -r requirements.txt)")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements.txt")], check=True
    )


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=3, help="posts per emulator account")
    parser.add_argument("--ratio", type=float, default=0.1, help="share of API calls rate-limited")
    parser.add_argument("--instagram-code", type=int, default=4, choices=(4, 17, 32, 613))
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--pool", default="threads", choices=("threads", "prefork"))
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process (--pool threads)")
    parser.add_argument("--database", default="kolabo_bench_platforms")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


# The workers

QUEUES = "platforms,celery"  # the refresh queue and the default one (creators_changed after each refresh)


def start_workers(args, env: dict, log) -> list[subprocess.Popen]:
    """`--concurrency` processes: thread-pool workers (one process each), or one prefork worker."""
    base = [sys.executable, "-m", "celery", "--quiet", "-A", "marketplace", "worker", "-Q", QUEUES]
    base += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    if args.pool == "prefork":
        commands = [[*base, "--pool=prefork", "--concurrency", str(args.concurrency)]]
    else:
        commands = [
            [*base, "--pool=threads", "--concurrency", str(args.threads), "-n", f"refresh{n}@%h"]
            for n in range(1, args.concurrency + 1)
        ]
    return [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        for command in commands
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants, from /proc (Linux; else 0)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    except (OSError, ValueError, IndexError):
        pass
    return total


def processes(workers, emulator) -> dict[str, list[int]]:
    return {"workers": [worker.pid for worker in workers], "emulator": [emulator.pid]}


def worker_setup(args) -> str:
    if args.pool == "prefork":
        return f"1 prefork worker x {args.concurrency} processes, queues {QUEUES}"
    return f"{args.concurrency} worker processes x {args.threads} threads (-P threads), queues {QUEUES}"


# The emulator


def start_emulator(log) -> tuple[subprocess.Popen, str]:
    from bench_celery import wait_for

    port_file = Path(tempfile.mkdtemp(prefix="kolabo-platforms-")) / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "platform_emulator",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--app-secret",
            IG_SECRET,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for(lambda: port_file.exists() and port_file.read_text().strip(), timeout=30, what="the emulator")
    return process, f"http://127.0.0.1:{port_file.read_text().strip()}"


_local = threading.local()


def http():
    import requests

    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.trust_env = False  # loopback: never through a proxy
    return _local.session


def control(url: str, method: str, path: str, payload=None, query=None):
    response = http().request(method, f"{url}/_emulator/{path}", json=payload, params=query, timeout=120)
    response.raise_for_status()
    return response.json()


def emulator_account(url: str, n: int, posts: int) -> dict:
    """Create account n at the emulator and authorise Kolabo on it; returns what Kolabo stores."""
    platform = "instagram" if n % 2 == 0 else "tiktok"
    username = f"bench.{n}"
    followers = 500 + (n * 7919) % 60_000
    account = {"platform": platform, "username": username, "followers": followers, "posts": posts}
    if platform == "instagram":
        account["account_type"] = "BUSINESS" if n % 4 == 0 else "MEDIA_CREATOR"
    control(url, "POST", "accounts", account)
    location = control(
        url,
        "POST",
        "authorize",
        {"platform": platform, "username": username, "redirect_uri": REDIRECT_URI, "state": "bench"},
    )["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    session = http()
    if platform == "instagram":
        short = session.post(
            f"{url}/instagram-api/oauth/access_token",
            data={
                "client_id": IG_APP,
                "client_secret": IG_SECRET,
                "grant_type": "authorization_code",
                "redirect_uri": REDIRECT_URI,
                "code": code,
            },
            timeout=60,
        ).json()["data"][0]
        long = session.get(
            f"{url}/instagram-graph/access_token",
            params={
                "grant_type": "ig_exchange_token",
                "client_secret": IG_SECRET,
                "access_token": short["access_token"],
            },
            timeout=60,
        ).json()
        return {
            "platform": platform,
            "username": username,
            "followers": followers,
            "external_id": str(short["user_id"]),
            "access_token": long["access_token"],
            "expires_in": long["expires_in"],
        }
    grant = session.post(
        f"{url}/tiktok-api/v2/oauth/token/",
        data={
            "client_key": TT_APP,
            "client_secret": TT_SECRET,
            "code": code,
            "grant_type": "authorization_code",
            "redirect_uri": REDIRECT_URI,
        },
        timeout=60,
    ).json()
    return {
        "platform": platform,
        "username": username,
        "followers": followers,
        "external_id": grant["open_id"],
        "access_token": grant["access_token"],
        "expires_in": grant["expires_in"],
        "refresh_token": grant["refresh_token"],
        "refresh_expires_in": grant["refresh_expires_in"],
    }


# Kolabo's side


def seed(accounts: list[dict]) -> list[int]:
    """Creators with typed metrics and a connected, due account each; returns the connection ids."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import transaction
    from django.utils import timezone

    from creators.models import CreatorProfile, SocialAccount, engagement_rate_for, tier_for_followers
    from marketplace.models import User
    from platforms.crypto import encrypt_token
    from platforms.models import PlatformConnection

    now = timezone.now()
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(
                email=f"creator{n}@bench.example", full_name=f"Creator {n}", password=UNUSABLE_PASSWORD_PREFIX
            )
            for n in range(len(accounts))
        )
        profiles = CreatorProfile.objects.bulk_create(
            CreatorProfile(
                user=user, slug=f"bench-{n}", display_name=f"Creator {n}", country="ID", currency="IDR"
            )
            for n, user in enumerate(users)
        )
        typed = []
        for profile, account in zip(profiles, accounts, strict=True):
            followers = account["followers"] * 2  # what the creator typed: generous
            likes, comments = followers // 20, followers // 200
            typed.append(
                SocialAccount(
                    profile=profile,
                    platform=account["platform"],
                    handle=account["username"],
                    followers=followers,
                    avg_likes=likes,
                    avg_comments=comments,
                    engagement_rate=engagement_rate_for(
                        followers=followers, avg_likes=likes, avg_comments=comments
                    ),
                    tier=tier_for_followers(followers),
                    metrics_date=now.date() - timedelta(days=30),
                )
            )
        social = SocialAccount.objects.bulk_create(typed)
        connections = PlatformConnection.objects.bulk_create(
            PlatformConnection(
                profile=profile,
                account=row,
                platform=account["platform"],
                external_id=account["external_id"],
                username=account["username"],
                account_type="BUSINESS" if account["platform"] == "instagram" else "",
                access_token_encrypted=encrypt_token(account["access_token"]),
                refresh_token_encrypted=encrypt_token(account.get("refresh_token", "")),
                token_issued_at=now,
                token_expires_at=now + timedelta(seconds=account["expires_in"]),
                refresh_token_expires_at=(
                    now + timedelta(seconds=account["refresh_expires_in"])
                    if account.get("refresh_token")
                    else None
                ),
                next_refresh_at=now,
            )
            for profile, row, account in zip(profiles, social, accounts, strict=True)
        )
    return [connection.pk for connection in connections]


class CompletedPulls:
    """Per emulator account, the refreshes that read their last piece successfully (Instagram: the
    gender breakdown of the audience; TikTok: the video list), from the emulator's call log.

    The log keeps the last 20,000 calls, so it is read every 2 seconds during the run (a few
    hundred calls apart), filtered to those two endpoints, and entries are gathered by sequence number.
    """

    ENDPOINTS = ("instagram.account_insights", "tiktok.video_list")

    def __init__(self, url: str):
        self.url = url
        self.seen: dict[int, str] = {}
        self.last_read = 0.0

    def read(self) -> None:
        self.last_read = time.monotonic()
        for endpoint in self.ENDPOINTS:
            calls = control(self.url, "GET", "calls", query={"endpoint": endpoint})["data"]
            for call in calls:
                final = call["endpoint"] == "tiktok.video_list" or call["target"] == "gender"
                if call["status"] == 200 and final:
                    self.seen[call["seq"]] = call["account"]

    def per_account(self) -> Counter:
        return Counter(self.seen.values())


def main() -> None:
    args = parse_args()
    ensure_requirements()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_celery import check_redis, wait_for
    from bench_database import database_urls, drop_database, recreate_database

    admin_url, bench_url = database_urls(args.database)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_redis(redis_url)
    recreate_database(admin_url, args.database)
    work = Path(tempfile.mkdtemp(prefix="kolabo-platform-bench-"))
    (work / "bench_platform_settings.py").write_text(SETTINGS_MODULE)
    emulator_log = (work / "emulator.log").open("w")
    emulator, emulator_url = start_emulator(emulator_log)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_platform_settings",
            "PYTHONPATH": os.pathsep.join([str(work), str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "DATABASE_URL": bench_url,
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "PLATFORM_EMULATOR_URL": emulator_url,
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "False",
        }
    )
    sys.path.insert(0, str(work))
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from marketplace.celery import app
    from platforms.models import MetricsSnapshot, PlatformConnection
    from platforms.services.refresh import refresh_due

    workers = []
    try:
        call_command("migrate", verbosity=0)
        cache.clear()  # the rate-limit state of an earlier run
        prepared = time.monotonic()
        with ThreadPoolExecutor(max_workers=8) as pool:
            accounts = list(
                pool.map(lambda n: emulator_account(emulator_url, n, args.posts), range(args.accounts))
            )
        ids = seed(accounts)
        print(
            f"{len(ids)} connected accounts ready in {time.monotonic() - prepared:.0f} s "
            f"(emulator and database); logs in {work}",
            flush=True,
        )
        faults = [
            {"platform": "instagram", "kind": "rate_limit", "ratio": args.ratio, "code": args.instagram_code},
            {"platform": "tiktok", "kind": "rate_limit", "ratio": args.ratio},
        ]
        for fault in faults:
            control(emulator_url, "POST", "faults", fault)

        app.control.purge()
        worker_log = work / "worker.log"
        workers = start_workers(args, dict(os.environ), worker_log.open("a"))
        wait_for(
            lambda: len(app.control.ping(timeout=0.5)) >= len(workers),
            timeout=60,
            what="the workers",
            interval=0.5,
        )
        print(f"workers: {worker_setup(args)}", flush=True)

        pulls = CompletedPulls(emulator_url)
        cpu_from = {name: sum(map(cpu_seconds, pids)) for name, pids in processes(workers, emulator).items()}
        cpu_from["driver"] = time.process_time()  # refresh_due every half second, the call-log reads
        run_from = timezone.now()
        started = time.monotonic()
        refreshed = 0
        last_report = started
        while refreshed < len(ids):
            if time.monotonic() - started > args.timeout:
                print(f"timed out after {args.timeout:.0f} s", flush=True)
                break
            refresh_due()  # what beat runs every 10 minutes
            time.sleep(0.5)
            refreshed = PlatformConnection.objects.filter(last_refreshed_at__gte=run_from).count()
            if time.monotonic() - pulls.last_read >= 2:
                pulls.read()
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                print(f"{last_report - started:5.0f} s: {refreshed} refreshed", flush=True)
        seconds = time.monotonic() - started
        cpu = {
            name: sum(map(cpu_seconds, pids)) - cpu_from[name]
            for name, pids in processes(workers, emulator).items()
        }
        cpu["driver"] = time.process_time() - cpu_from["driver"]
        stop_workers(workers)
        workers = []
        pulls.read()
    finally:
        stop_workers(workers)
        emulator.terminate()
        emulator.wait(timeout=10)
        emulator_log.close()

    done = pulls.per_account()
    duplicates = sum(count - 1 for count in done.values() if count > 1)
    connected = PlatformConnection.objects.filter(status=PlatformConnection.Status.CONNECTED)
    lost = len(ids) - connected.filter(last_refreshed_at__gte=run_from).count()
    snapshots = Counter(MetricsSnapshot.objects.values_list("connection_id", flat=True))
    outcomes = Counter(
        outcome
        for results in re.findall(
            r"platforms\.connections_refresh\[.*\] succeeded in .*: (\{.*\})", worker_log.read_text()
        )
        for outcome in re.findall(r"'(\w+)'", results)
    )
    print(
        f"outcomes={dict(outcomes)} complete_pulls={sum(done.values())} "
        f"snapshots={sum(snapshots.values())} "
        f"accounts_with_two_snapshots={sum(1 for n in snapshots.values() if n > 1)}",
        flush=True,
    )
    connection.close()
    if not args.keep:
        drop_database(admin_url, args.database)
        shutil.rmtree(work / "media", ignore_errors=True)
    print(
        "cpu seconds during the run: "
        + " ".join(f"{name}={value:.0f}" for name, value in cpu.items())
        + f" (per account: {' '.join(f'{name}={value * 1000 / len(ids):.0f}ms' for name, value in cpu.items())})"
    )
    print(f"setup: {worker_setup(args)}")
    print(
        f"refresh: accounts={len(ids)} seconds={seconds:.1f} per_second={len(ids) / seconds:.1f} "
        f"lost={lost} duplicate_calls={duplicates}"
    )


if __name__ == "__main__":
    main()
