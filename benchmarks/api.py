#!/usr/bin/env python
"""The partner API under load, against a bare baseline serving the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/api.py

It creates (and drops) `kolabo_bench_api`, seeds 100,000 creators and 10,000 campaigns (2,000 of
them in the organization whose read key is used), serves the app with gunicorn (2 sync workers, persistent database connections as in production),
and drives it with wrk (50 connections, 20 s) twice:
1. GET /api/v1/campaigns/?page_size=50 with the API key (DRF: authentication, tenant filter,
   pagination with a count, serializers, nested niches, causes and deliverables);
2. a baseline view returning the same 50 rows' plain columns through `.values()` and JsonResponse.
Last line: api: rps=… p99_ms=… baseline_rps=… ratio=… errors=0 (target: ratio ≥ 0.5, errors=0).
Needs wrk: installed with apt-get when run as root (as `make test` installs Chromium), otherwise it
prints the command to run.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_celery import wait_for
from bench_database import database_urls, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--port", type=int, default=8877)
    parser.add_argument("--database", default="kolabo_bench_api")
    parser.add_argument("--keep", action="store_true")
    return parser.parse_args()


def seed(creators: int, campaigns: int) -> str:
    """Creators (COPY, as benchmarks/matching.py), organizations and campaigns; returns a read key."""
    from matching import load_creators

    from api.models import ApiKey, new_credential
    from brands.models import Membership, Organization
    from campaigns.models import Campaign, DeliverableSpec
    from creators.models import Niche
    from marketplace.models import User

    load_creators(creators)
    owner = User.objects.create_user(email="owner@bench.example", full_name="Bench Owner")
    organizations = Organization.objects.bulk_create(
        Organization(kind=Organization.Kind.BRAND, name=f"Brand {n}", slug=f"brand-{n}", created_by=owner)
        for n in range(5)
    )
    Membership.objects.create(organization=organizations[0], user=owner, role=Membership.Role.OWNER)
    rows = Campaign.objects.bulk_create(
        Campaign(
            organization=organizations[n % 5],
            title=f"Brief {n}",
            description="Benchmark brief",
            platforms=["instagram"],
            fee_min=1_000_000,
            fee_max=1_500_000,
            currency="IDR",
            slots=3,
            status=Campaign.Status.PUBLISHED,
        )
        for n in range(campaigns)
    )
    niches = list(Niche.objects.all()[:3])
    Campaign.niches.through.objects.bulk_create(
        Campaign.niches.through(campaign_id=campaign.pk, niche_id=niches[n % 3].pk)
        for n, campaign in enumerate(rows)
    )
    DeliverableSpec.objects.bulk_create(
        DeliverableSpec(campaign=campaign, platform="instagram", format="reel", quantity=1, position=0)
        for campaign in rows
    )
    prefix, token, secret_hash = new_credential("kolabo_key")
    ApiKey.objects.create(
        organization=organizations[0], created_by=owner, name="bench", prefix=prefix, secret_hash=secret_hash
    )
    return token


def wrk(url: str, seconds: int, connections: int, headers: dict[str, str]) -> tuple[float, float, int]:
    """(requests per second, p99 in ms, errors)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = 0
    for pattern in (
        r"Non-2xx or 3xx responses: (\d+)",
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
    ):
        found = re.search(pattern, output)
        if found:
            errors += sum(int(n) for n in found.groups())
    return rps, float(p99.group(1)) * scale, errors


INSTALL_WRK = "sudo apt-get update && sudo apt-get install -y wrk"


def ensure_wrk() -> None:
    """Install wrk the way `make test` installs Chromium: with apt-get when we may, else say how."""
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Installing wrk with apt-get")
        apt = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-qq"]  # wait for another apt run to finish
        quiet = {"env": os.environ | {"DEBIAN_FRONTEND": "noninteractive"}, "stdout": subprocess.DEVNULL}
        subprocess.run([*apt, "update"], check=False, **quiet)
        subprocess.run([*apt, "install", "-y", "wrk"], check=False, **quiet)
    if shutil.which("wrk") is None:
        sys.exit(
            f"benchmarks/api.py needs wrk, which could not be installed here. Install it with:\n  {INSTALL_WRK}"
        )


def main() -> None:
    args = parse_args()
    ensure_wrk()
    admin_url, bench_url = database_urls(args.database)
    recreate_database(admin_url, args.database)
    env = os.environ | {
        "DATABASE_URL": bench_url,
        "DJANGO_SETTINGS_MODULE": "bench_api_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)]),
        "DJANGO_DEBUG": "False",
        "LOG_LEVEL": "WARNING",
        "API_RATE": "100000000/min",  # measure the API, not the throttle
        "DATABASE_CONN_MAX_AGE": "60",  # persistent connections, as in production
    }
    os.environ.update(env)
    sys.path.insert(0, str(HERE))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    token = seed(args.creators, args.campaigns)
    connection.close()
    print(
        f"seeded {args.creators} creators and {args.campaigns} campaigns in {time.monotonic() - started:.0f} s"
    )

    log = Path(tempfile.mkdtemp(prefix="kolabo-bench-api-")) / "gunicorn.log"
    print(f"gunicorn log: {log}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "marketplace.wsgi", "-w", "2", "-b", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:

        def answers() -> bool:
            try:
                return urllib.request.urlopen(f"{base}/healthz", timeout=2).status == 200  # noqa: S310
            except OSError:
                return False

        wait_for(answers, timeout=60, what="gunicorn")
        headers = {"Authorization": f"Bearer {token}"}
        api = f"{base}/api/v1/campaigns/?page_size=50"
        baseline = f"{base}/bench/baseline/?page_size=50"
        for url, extra in ((api, headers), (baseline, {})):
            wrk(url, 2, 2, extra)  # warm both
        rps, p99, errors = wrk(api, args.seconds, args.connections, headers)
        print(f"api: {rps:.0f} requests/s, p99 {p99:.1f} ms, errors {errors}")
        baseline_rps, baseline_p99, baseline_errors = wrk(baseline, args.seconds, args.connections, {})
        print(f"baseline: {baseline_rps:.0f} requests/s, p99 {baseline_p99:.1f} ms, errors {baseline_errors}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_database(admin_url, args.database)
    print(
        f"api: rps={rps:.0f} p99_ms={p99:.1f} baseline_rps={baseline_rps:.0f} "
        f"ratio={rps / baseline_rps:.2f} errors={errors + baseline_errors}"
    )


if __name__ == "__main__":
    main()
