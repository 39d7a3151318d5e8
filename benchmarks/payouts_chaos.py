#!/usr/bin/env python
"""Payouts under crashes: approve 1,000, kill -9 the worker again and again, count what was paid.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/10 \\
        .venv/bin/python benchmarks/payouts_chaos.py [--count 1000] [--kills 3]

It creates (and drops) its own database `kolabo_bench_payouts`, starts the project's Stripe
emulator and a real Celery worker on Redis (visibility timeout 20 s: longer than any task, short
enough for lost messages to come back quickly), and seeds N completed collaborations whose
creators have Stripe accounts, each with a payout waiting for review. Then it approves them all,
which queues one send task each, and kills the whole worker with SIGKILL `--kills` times while the
batch runs, starting a new one each time. A sweeper (what beat runs every 5 minutes) re-queues
payouts left sending by a dead worker. It waits until every payout is paid or failed, then
counts transfers at Stripe.

Last line: payouts: approved=N paid=… duplicate_transfers=… lost=… seconds=…
(target: paid=N, duplicate_transfers=0, lost=0).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from decimal import Decimal
from pathlib import Path

from bench_celery import check_redis, kill_worker, start_worker, stop_worker, wait_for
from bench_database import database_urls, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
FEE = Decimal("250000.00")
API_KEY = "sk_test_kolabo_emulator"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=3, help="times the worker is killed with SIGKILL")
    parser.add_argument("--database", default="kolabo_bench_payouts")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def start_emulator(log) -> tuple[subprocess.Popen, str]:
    port_file = Path(tempfile.mkdtemp(prefix="kolabo-chaos-")) / "port"
    process = subprocess.Popen(
        [sys.executable, "-m", "stripe_emulator", "--port", "0", "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for(lambda: port_file.exists() and port_file.read_text().strip(), timeout=30, what="the emulator")
    return process, f"http://127.0.0.1:{port_file.read_text().strip()}"


def emulator_call(url: str, method: str, path: str, payload=None):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 - the emulator on loopback
        f"{url}/_emulator/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.loads(response.read())


def seed(count: int, emulator_url: str):
    """N completed collaborations on one funded campaign, creators onboarded at the emulator."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import transaction

    from brands.models import Membership, Organization
    from campaigns.models import Campaign, Collaboration
    from campaigns.services.collaborations import collaboration_open
    from creators.models import CreatorProfile, Platform, SocialAccount, Tier
    from marketplace.models import User
    from marketplace.permissions import PAYOUT_REVIEWERS, grant_staff_roles
    from payments import gateway
    from payments.models import ConnectedAccount, Payout
    from payments.services.escrow import collaboration_payable
    from payments.services.funding import funding_record_paid

    manager = User.objects.create_user(email="manager@chaos.example", full_name="Chaos Manager")
    reviewer = User.objects.create_user(
        email="reviewer@chaos.example", full_name="Chaos Reviewer", is_staff=True
    )
    grant_staff_roles(reviewer, PAYOUT_REVIEWERS)  # approving payouts is a role, not is_staff
    organization = Organization.objects.create(
        kind=Organization.Kind.BRAND, name="Chaos Kopi", slug="chaos-kopi", created_by=manager
    )
    Membership.objects.create(organization=organization, user=manager, role=Membership.Role.MANAGER)
    campaign = Campaign.objects.create(
        organization=organization,
        created_by=manager,
        title="Chaos: payouts",
        kind=Campaign.Kind.COMMERCIAL,
        compensation=Campaign.Compensation.PAID,
        objective=Campaign.Objective.AWARENESS,
        description="Benchmark",
        platforms=[Platform.INSTAGRAM],
        fee_min=FEE,
        fee_max=FEE,
        currency="IDR",
        slots=count,
        status=Campaign.Status.PUBLISHED,
    )
    funding_record_paid(campaign=campaign, amount=FEE * count, note="chaos benchmark")
    # Stripe's platform balance holds what the brand paid, as after a real checkout.
    emulator_call(
        emulator_url, "POST", "balance/credit", {"amount": int(FEE * count * 100), "currency": "idr"}
    )

    users = User.objects.bulk_create(
        User(email=f"creator{n}@chaos.example", full_name=f"Creator {n}", password=UNUSABLE_PASSWORD_PREFIX)
        for n in range(count)
    )
    profiles = CreatorProfile.objects.bulk_create(
        CreatorProfile(
            user=user, slug=f"chaos-{n}", display_name=f"Creator {n}", country="ID", currency="IDR"
        )
        for n, user in enumerate(users)
    )
    SocialAccount.objects.bulk_create(
        SocialAccount(
            profile=profile,
            platform=Platform.INSTAGRAM,
            handle=f"chaos{n}",
            followers=20_000,
            metrics_date="2026-11-01",
            tier=Tier.MICRO,
        )
        for n, profile in enumerate(profiles)
    )
    for profile in profiles:
        account = gateway.account_create(
            email=profile.user.email,
            country="ID",
            metadata={"creator": str(profile.pk)},
            idempotency_key=f"account-creator-{profile.pk}",
        )
        emulator_call(emulator_url, "POST", f"accounts/{account['id']}/complete_onboarding", {})
        ConnectedAccount.objects.create(creator=profile, stripe_id=account["id"], payouts_enabled=True)
    for profile in profiles:
        with transaction.atomic():
            collaboration = collaboration_open(
                campaign=campaign,
                creator=profile,
                fee=FEE,
                source=Collaboration.Source.INVITATION,
                by_user=manager,
            )
        Collaboration.objects.filter(pk=collaboration.pk).update(status=Collaboration.Status.COMPLETED)
        collaboration_payable(collaboration=collaboration)
    return reviewer, list(Payout.objects.order_by("pk").values_list("pk", flat=True))


def main() -> None:
    args = parse_args()
    admin_url, bench_url = database_urls(args.database)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_redis(redis_url)
    recreate_database(admin_url, args.database)
    logs = Path(tempfile.mkdtemp(prefix="kolabo-chaos-logs-"))
    emulator_log = (logs / "emulator.log").open("w")
    emulator, emulator_url = start_emulator(emulator_log)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DATABASE_URL": bench_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "False",
            # Longer than any task (a transfer takes milliseconds), short enough to see redelivery.
            "CELERY_VISIBILITY_TIMEOUT": "20",
            "PAYOUT_STALE_SECONDS": "15",
            "STRIPE_API_BASE": emulator_url,
            "STRIPE_SECRET_KEY": API_KEY,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "False",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from marketplace.celery import app
    from payments.models import Payout
    from payments.services.payouts import payouts_approve_many, payouts_reconcile_stale

    worker = None
    try:
        call_command("migrate", verbosity=0)
        seeded = time.monotonic()
        reviewer, payout_ids = seed(args.count, emulator_url)
        print(f"seeded {len(payout_ids)} payouts in {time.monotonic() - seeded:.1f} s; logs in {logs}")
        app.control.purge()
        worker_log = (logs / "worker.log").open("a")
        worker = start_worker(dict(os.environ), "prefork", 2, worker_log)

        started = time.monotonic()
        refused = [
            message
            for message in payouts_approve_many(payout_ids=payout_ids, by_user=reviewer).values()
            if message
        ]
        approved = len(payout_ids) - len(refused)
        final = [Payout.Status.PAID, Payout.Status.FAILED]
        kills = 0
        while kills < args.kills:
            time.sleep(1.5)
            if Payout.objects.filter(status__in=final).count() >= approved:
                break  # done before we could kill it often enough: not a crash test then
            kill_worker(worker)
            kills += 1
            print(
                f"kill -9 #{kills} at {time.monotonic() - started:.1f} s: "
                f"{Payout.objects.filter(status=Payout.Status.PAID).count()} paid so far"
            )
            worker = start_worker(dict(os.environ), "prefork", 2, worker_log)

        def settled() -> bool:
            payouts_reconcile_stale()  # what beat does every 5 minutes, sooner here
            return Payout.objects.filter(status__in=final).count() >= approved

        wait_for(settled, timeout=args.timeout, what="every payout to settle", interval=2.0)
        seconds = time.monotonic() - started
    finally:
        if worker is not None:
            stop_worker(worker)
        transfers = emulator_call(emulator_url, "GET", "state")["objects"].get("transfer", [])
        emulator.terminate()
        emulator.wait(timeout=10)

    per_group = Counter(t["transfer_group"] for t in transfers)
    duplicates = sum(n - 1 for n in per_group.values() if n > 1)
    paid = Payout.objects.filter(status=Payout.Status.PAID).count()
    failed = Payout.objects.filter(status=Payout.Status.FAILED).count()
    # Lost: approved but neither paid nor failed, or paid without its transfer at Stripe.
    paid_groups = {
        f"payout-{pk}" for pk in Payout.objects.filter(status=Payout.Status.PAID).values_list("pk", flat=True)
    }
    lost = approved - paid - failed + len(paid_groups - set(per_group))
    print(f"kills={kills} refused={len(refused)} failed={failed} transfers={len(transfers)}")
    connection.close()
    if not args.keep:
        drop_database(admin_url, args.database)
    print(
        f"payouts: approved={approved} paid={paid} duplicate_transfers={duplicates} "
        f"lost={lost} seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
