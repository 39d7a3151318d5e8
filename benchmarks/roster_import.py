#!/usr/bin/env python
"""Roster import at agency scale: a generated N-line file through the import job.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/roster_import.py --rows 100000 [--full]

It creates (and drops first) its own database, `kolabo_bench_roster` on the server of
DATABASE_URL, migrates it, seeds one brand and its owner, generates a file with only platform,
handle and followers (or every column with --full, half the lines with an email), and runs the
import job as a worker would (roster_import_job_start, tasks inline). It prints the time of the
check pass, of the write pass, and of what follows the import in the same process here but in a
worker in production (the matching refresh of the new creators), then rows per second.
Last line: roster_import: rows=N seconds=… rows_per_second=…
"""

import argparse
import os
import sys
import time
from pathlib import Path

from bench_database import database_urls, drop_database, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="every column, half the lines with an email")
    parser.add_argument("--database", default="kolabo_bench_roster")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args()


def roster_file(rows: int, *, full: bool) -> bytes:
    if not full:
        lines = [b"platform,handle,followers"]
        lines.extend(b"instagram,bench.creator.%d,%d" % (n, 1_000 + (n * 37) % 90_000) for n in range(rows))
        return b"\n".join(lines) + b"\n"
    header = (
        "email,display_name,country,languages,niches,platform,handle,followers,following,posts,"
        "avg_likes,avg_comments,avg_views,metrics_date,currency"
    )
    lines = [header]
    for n in range(rows):
        email = f"bench{n}@example.com" if n % 2 else ""
        likes = "" if n % 3 == 0 else str(50 + n % 900)
        lines.append(
            f"{email},Bench Creator {n},ID,id|en,food|{'travel' if n % 5 else 'not-a-niche'},tiktok,"
            f"bench.full.{n},{2_000 + n % 80_000},{300 + n % 700},{100 + n % 400},{likes},{likes and 12},,"
            f"2026-11-01,IDR"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    args = parse_args()
    admin_url, bench_url = database_urls(args.database)
    recreate_database(admin_url, args.database)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "marketplace.settings",
            "DATABASE_URL": bench_url,
            "REDIS_URL": "",
            "CELERY_TASK_ALWAYS_EAGER": "True",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "DJANGO_DEBUG": "False",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from brands.models import Membership, Organization
    from creators.models import CreatorProfile, RosterImportJob, SocialAccount
    from creators.roster import jobs
    from creators.roster.importing import roster_import
    from marketplace.models import User

    owner = User.objects.create_user(email="owner@bench.example", full_name="Bench Owner")
    organization = Organization.objects.create(
        kind=Organization.Kind.BRAND, name="Bench Agency", slug="bench-agency", created_by=owner, country="ID"
    )
    Membership.objects.create(organization=organization, user=owner, role=Membership.Role.OWNER)
    content = roster_file(args.rows, full=args.full)
    print(f"file: {args.rows:,} lines, {len(content) / 1_048_576:.1f} MB")

    marks: dict[str, float] = {}
    chunks: list[tuple[str, float]] = []
    started = time.monotonic()

    def timed_import(**kwargs):
        progress = kwargs.pop("progress")

        def marking(phase, done):
            now = time.monotonic()
            chunks.append((phase, now - max(marks.values(), default=started)))
            marks[phase] = now
            progress(phase, done)

        return roster_import(progress=marking, **kwargs)

    jobs.roster_import = timed_import  # the job calls the service through this name
    job = jobs.roster_import_job_start(
        organization=organization, by_user=owner, content=content, file_name="bench.csv"
    )
    total = time.monotonic() - started
    job = RosterImportJob.objects.get(pk=job.pk)
    checked = marks.get("checking", started) - started
    written = marks.get("writing", started) - started - checked
    after = total - checked - written
    print(
        f"job: {job.status} created={job.created} updated={job.updated} skipped={job.skipped} "
        f"warnings={len(job.warnings)} errors={len(job.errors)}"
    )
    print(
        f"check pass {checked:.1f} s · write pass {written:.1f} s · matching refresh (a worker's, "
        f"inline here) {after:.1f} s"
    )
    for phase in ("checking", "writing"):
        seconds = " ".join(f"{took:.1f}" for name, took in chunks if name == phase)
        print(f"{phase}: seconds per chunk {seconds}")
    print(
        f"accounts={SocialAccount.objects.count():,} unclaimed="
        f"{CreatorProfile.objects.filter(roster_status='unclaimed').count():,}"
    )
    import_seconds = checked + written
    print(
        f"roster_import: rows={args.rows} seconds={import_seconds:.1f} "
        f"rows_per_second={args.rows / import_seconds:,.0f} (with the matching refresh: {total:.1f} s)"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        drop_database(admin_url, args.database)


if __name__ == "__main__":
    main()
