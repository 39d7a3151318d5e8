#!/usr/bin/env python
"""Bulk invitations through a real Redis-backed Celery worker: N creators in one batch.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/invitations.py --count 10000

It creates (and drops first) its own database, `kolabo_bench_invitations` on the server of
DATABASE_URL, migrates it, seeds one brand, its manager, one published brief and N eligible
creators with bulk_create, starts a Celery worker on REDIS_URL (default redis://127.0.0.1:6379/9,
a database the tests do not use), and times `invitation_batch_start` until the batch is done:
every invitation, audit event and notification written, every email queued. Emails go to the
locmem backend in the worker; how long the worker takes to send them all is printed separately.

Then it checks the database for duplicates, runs the same batch task again (a redelivery), and
forces a full re-run from the first creator, to show that neither adds an invitation or a
notification. Last line: invitations: count=N seconds=… per_second=… duplicates=0
"""

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from bench_celery import check_redis, start_worker, stop_worker, wait_for
from bench_database import database_urls, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
FEE = Decimal("1000000")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="creators to invite")
    parser.add_argument("--database", default="kolabo_bench_invitations")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo"])
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (prefork)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def seed(count: int):
    """One brand with a manager and a published brief, and `count` creators who all fit it."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from brands.models import Membership, Organization
    from campaigns.models import Campaign
    from creators.models import CreatorProfile, Platform, SocialAccount, Tier
    from marketplace.models import User

    manager = User.objects.create_user(email="manager@bench.example", full_name="Bench Manager")
    organization = Organization.objects.create(
        kind=Organization.Kind.BRAND, name="Bench Kopi", slug="bench-kopi", created_by=manager
    )
    Membership.objects.create(organization=organization, user=manager, role=Membership.Role.MANAGER)
    campaign = Campaign.objects.create(
        organization=organization,
        created_by=manager,
        title="Bench: coffee at sahur",
        kind=Campaign.Kind.COMMERCIAL,
        compensation=Campaign.Compensation.PAID,
        objective=Campaign.Objective.AWARENESS,
        description="Show how you brew our coffee.",
        platforms=[Platform.INSTAGRAM.value],
        min_followers=1_000,
        max_followers=100_000,
        fee_min=FEE,
        fee_max=FEE,
        currency="IDR",
        slots=count,
        status=Campaign.Status.PUBLISHED,
    )

    batch_size = 2_000
    users = User.objects.bulk_create(
        (
            User(
                email=f"creator{n}@bench.example", full_name=f"Creator {n}", password=UNUSABLE_PASSWORD_PREFIX
            )
            for n in range(count)
        ),
        batch_size=batch_size,
    )
    profiles = CreatorProfile.objects.bulk_create(
        (
            CreatorProfile(
                user=user,
                slug=f"bench-creator-{n}",
                display_name=f"Creator {n}",
                country="ID",
                languages=["id", "en"],
                currency="IDR",
            )
            for n, user in enumerate(users)
        ),
        batch_size=batch_size,
    )
    SocialAccount.objects.bulk_create(
        (
            SocialAccount(
                profile=profile,
                platform=Platform.INSTAGRAM.value,
                handle=f"bench.creator.{n}",
                followers=5_000 + n % 50_000,
                following=400,
                avg_likes=200,
                avg_comments=20,
                engagement_rate=Decimal("4.00"),
                tier=Tier.MICRO,
                metrics_date=date.today(),
            )
            for n, profile in enumerate(profiles)
        ),
        batch_size=batch_size,
    )
    return manager, campaign, [profile.pk for profile in profiles]


def run_batch(manager, campaign, creator_ids: list[int], *, timeout: float) -> tuple[int, float, int]:
    """Time one batch through the worker, then run it again twice; (invited, seconds, duplicates)."""
    from django.db.models import Count

    from campaigns.models import Invitation, InvitationBatch
    from campaigns.services.invitation_batches import invitation_batch_start
    from campaigns.tasks import invitation_batch_run
    from marketplace.models import Notification

    started = time.monotonic()
    batch = invitation_batch_start(
        campaign=campaign, by_user=manager, creator_ids=creator_ids, offered_fee=FEE, message="Hello!"
    )
    finished = InvitationBatch.Status.DONE, InvitationBatch.Status.FAILED
    wait_for(
        lambda: InvitationBatch.objects.filter(pk=batch.pk, status__in=finished).exists(),
        timeout=timeout,
        what="the batch",
    )
    seconds = time.monotonic() - started
    batch.refresh_from_db()
    if batch.status != InvitationBatch.Status.DONE:
        raise RuntimeError(f"The batch failed: {batch.error}")
    invited = batch.invited
    emailed = Notification.objects.filter(kind="invitation.created", emailed_at__isnull=False)
    wait_for(lambda: emailed.count() >= invited, timeout=timeout, what="the emails", interval=0.2)
    print(
        f"batch: processed={batch.processed} invited={invited} skipped={batch.skipped}; "
        f"all {invited} emails sent {time.monotonic() - started:.1f} s after the start"
    )

    def totals() -> tuple[int, int]:
        return Invitation.objects.count(), Notification.objects.count()

    before = totals()
    # A redelivered message for the finished batch: it must do nothing.
    invitation_batch_run.delay(batch.pk).get(timeout=timeout)
    # A full re-run from the first creator, as if the progress had been lost.
    InvitationBatch.objects.filter(pk=batch.pk).update(
        status=InvitationBatch.Status.QUEUED, processed=0, invited=0, skipped=0, results={}
    )
    rerun_started = time.monotonic()
    invitation_batch_run.delay(batch.pk).get(timeout=timeout)
    rerun_seconds = time.monotonic() - rerun_started
    after = totals()
    batch.refresh_from_db()
    print(
        f"rerun: invitations_added={after[0] - before[0]} notifications_added={after[1] - before[1]} "
        f"reported={batch.results['counts']} seconds={rerun_seconds:.2f}"
    )
    duplicates = (
        Invitation.objects.values("campaign_id", "creator_id")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
        .count()
    )
    return invited, seconds, duplicates


def main() -> None:
    args = parse_args()
    admin_url, bench_url = database_urls(args.database)
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    check_redis(redis_url)
    recreate_database(admin_url, args.database)

    # The worker and this process share the settings: bench database, Redis, no eager tasks.
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DATABASE_URL": bench_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "False",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            # DEBUG would make every process keep a log of its queries.
            "DJANGO_DEBUG": "False",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from marketplace.celery import app

    call_command("migrate", verbosity=0)
    seeded = time.monotonic()
    manager, campaign, creator_ids = seed(args.count)
    print(f"seeded {args.count} creators in {time.monotonic() - seeded:.1f} s")

    app.control.purge()  # nothing left over from an earlier, interrupted run
    with tempfile.NamedTemporaryFile(prefix="kolabo-bench-worker-", suffix=".log", delete=False) as log:
        print(f"worker log: {log.name}")
        worker = start_worker(dict(os.environ), args.pool, args.concurrency, log)
        try:
            wait_for(lambda: app.control.ping(timeout=0.5), timeout=60, what="the worker to answer")
            invited, seconds, duplicates = run_batch(manager, campaign, creator_ids, timeout=args.timeout)
        except Exception:
            print(Path(log.name).read_text()[-4000:], file=sys.stderr)
            raise
        finally:
            stop_worker(worker)
            connection.close()
            if not args.keep:
                drop_database(admin_url, args.database)

    print(
        f"invitations: count={invited} seconds={seconds:.2f} "
        f"per_second={invited / seconds:.0f} duplicates={duplicates}"
    )


if __name__ == "__main__":
    main()
