#!/usr/bin/env python
"""Matching at scale: rank N synthetic creators for 50 briefs in PostgreSQL, and check the answer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/matching.py --creators 1000000

It creates (and drops first) its own database, `kolabo_bench_matching` on the server of
DATABASE_URL, migrates it, loads N creators with COPY, builds their match features with the
project's own `match_features_refresh`, loads the in-memory match index, then:

1. ranks 50 varied briefs with `rank_creators` (top 50: the numpy index proposes, PostgreSQL
   confirms), each timed over a few runs (the median run counts), and prints p50/p95;
2. ranks `--python-briefs` of the same briefs with `rank_python`, a plain loop over every features
   row read from PostgreSQL, checks both top 50 lists are identical, and prints the speedup of
   p95 over p95.

3. refreshes the recommendations of `--spread-briefs` concurrent briefs in one niche (the largest),
   with fair exposure over the whole eligible pool (the exposure penalty applied by the index to
   every candidate), and prints the time per brief and the most creators any two briefs share.

The population has the new signals: 10% of accounts come from rosters without likes or comments
(engagement unknown, stored NULL), and 5% are connected (verified) with a metrics snapshot that
gives their posts in the last 90 days (recent activity).

Follower counts, following and the niche mix are drawn from ../shared/data/instagram_creators_2019.tsv
when it is there; without it, from a log-normal fit of that file (log10 followers ~ N(4.26, 0.76))
and its category shares. `--reuse` skips the load when the database already holds N creators.
Lines: matching: creators=N p50_ms=… p95_ms=… python_p95_ms=… speedup=…x identical=yes
       spreading: briefs=20 pool=… seconds=… per_brief_ms=… max_shared=…
"""

import argparse
import csv
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench_database import database_exists, database_urls, recreate_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT.parent / "shared" / "data" / "instagram_creators_2019.tsv"
SEED = 2019
TODAY = date(2026, 11, 1)

# The sample's category counts (of 33,935), and the niche each category stands for.
CATEGORY_COUNTS = {
    "fashion": 11913,
    "other": 5720,
    "travel": 4210,
    "family": 4070,
    "food": 3565,
    "beauty": 1542,
    "interior": 1195,
    "fitness": 1133,
    "pet": 587,
}
CATEGORY_NICHE = {
    "fashion": "fashion",
    "travel": "travel",
    "family": "parenting-family",
    "food": "food",
    "beauty": "beauty",
    "interior": "interior-home",
    "fitness": "fitness",
    "pet": "pets",
}
COUNTRIES = ["ID", "MY", "SG", "PH", "AU", "US"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creators", type=int, default=100_000)
    parser.add_argument("--briefs", type=int, default=50)
    parser.add_argument("--python-briefs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per brief; the median counts")
    parser.add_argument("--database", default="kolabo_bench_matching")
    parser.add_argument("--reuse", action="store_true", help="keep the data if it already has N creators")
    parser.add_argument(
        "--spread-briefs", type=int, default=20, help="concurrent briefs for the spreading line"
    )
    return parser.parse_args()


# Synthetic creators


class Sampler:
    """(category, followers, following) draws shaped like the 2019 sample."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.rows = []
        if SAMPLE.exists():
            with SAMPLE.open(newline="") as handle:
                for row in csv.DictReader(handle, delimiter="\t"):
                    self.rows.append((row["category"], int(row["followers"]), int(row["followees"])))
        self.source = f"{SAMPLE.name} ({len(self.rows):,} rows)" if self.rows else "built-in log-normal fit"
        self.categories = list(CATEGORY_COUNTS)
        self.weights = list(CATEGORY_COUNTS.values())

    def draw(self) -> tuple[str, int, int]:
        if self.rows:
            return self.rng.choice(self.rows)
        followers = int(min(5e7, max(100, 10 ** self.rng.gauss(4.26, 0.76))))
        following = int(min(7_500, self.rng.lognormvariate(6.6, 0.8)))
        return self.rng.choices(self.categories, self.weights)[0], followers, following


def _tier(followers: int) -> str:
    from creators.models import tier_for_followers

    return tier_for_followers(followers)


def load_creators(count: int) -> str:
    """COPY `count` users, creator profiles, niches, causes, accounts and rate cards."""
    from django.db import connection

    from creators.models import Cause, Niche, engagement_rate_for

    rng = random.Random(SEED)
    sampler = Sampler(rng)
    niches = {n.slug: n.pk for n in Niche.objects.all()}
    mapped = set(CATEGORY_NICHE.values())
    other_niches = [pk for slug, pk in niches.items() if slug not in mapped]
    cause_ids = list(Cause.objects.values_list("pk", flat=True))
    tier_er = {"starter": 5.5, "nano": 3.8, "micro": 2.2, "mid": 1.5, "macro": 1.1, "mega": 0.8}

    users, profiles, profile_niches, profile_causes, accounts, rates = [], [], [], [], [], []
    account_id = rate_id = niche_link = cause_link = 0
    for pk in range(1, count + 1):
        category, followers, following = sampler.draw()
        indonesian = rng.random() < 0.8
        country = "ID" if indonesian else rng.choice(COUNTRIES[1:])
        users.append(
            (
                pk,
                "!",
                False,
                False,
                True,
                "2026-01-01 00:00+00",
                f"c{pk}@bench.example",
                f"Creator {pk}",
                "creator",
                "id",
            )
        )
        languages = ["id"] if indonesian else ["en"]
        if rng.random() < 0.35:
            languages.append("en" if indonesian else "ms")
        profiles.append(
            (
                pk,
                pk,
                f"creator-{pk}",
                f"Creator {pk}",
                "",
                country,
                "",
                json.dumps(languages),
                rng.random() < 0.2,
                "IDR" if indonesian else "USD",
                "2026-01-01 00:00+00",
                "2026-01-01 00:00+00",
                "",
                "",
            )
        )
        first = niches[CATEGORY_NICHE[category]] if category in CATEGORY_NICHE else rng.choice(other_niches)
        chosen = {first}
        while rng.random() < 0.45 and len(chosen) < 3:
            chosen.add(rng.choice(list(niches.values())))
        for niche_id in chosen:
            niche_link += 1
            profile_niches.append((niche_link, pk, niche_id))
        if rng.random() < 0.35:
            for cause_id in rng.sample(cause_ids, rng.randint(1, 2)):
                cause_link += 1
                profile_causes.append((cause_link, pk, cause_id))
        for platform in ["instagram"] + (["tiktok"] if rng.random() < 0.3 else []):
            account_followers = (
                followers if platform == "instagram" else max(100, int(followers * rng.uniform(0.3, 2.5)))
            )
            er = tier_er[_tier(account_followers)] * rng.lognormvariate(0, 0.45)
            interactions = int(account_followers * er / 100)
            comments = int(interactions * 0.04)
            likes = min(interactions - comments, account_followers * 10)
            home = rng.uniform(45, 90)
            others = rng.sample([c for c in COUNTRIES if c != country], 2)
            audience_countries = [{"code": country, "pct": round(home, 1)}] + [
                {"code": code, "pct": round((100 - home) * share, 1)}
                for code, share in zip(others, (0.4, 0.25), strict=True)
            ]
            audience_languages = [{"code": languages[0], "pct": round(min(100, home + 5), 1)}]
            has_audience = rng.random() < 0.85
            # A roster without likes or comments: unknown, never 0.
            unknown = rng.random() < 0.1
            account_id += 1
            accounts.append(
                (
                    account_id,
                    pk,
                    platform,
                    f"{platform[:2]}{pk}",
                    account_followers,
                    None if unknown else following,
                    None if unknown else 300,
                    None if unknown else likes,
                    None if unknown else comments,
                    None,
                    json.dumps(audience_countries if has_audience else []),
                    json.dumps(audience_languages if has_audience else []),
                    (TODAY - timedelta(days=int(rng.expovariate(1 / 60)))).isoformat(),
                    rng.random() < 0.1,
                    None
                    if unknown
                    else str(
                        engagement_rate_for(
                            followers=account_followers, avg_likes=likes, avg_comments=comments
                        )
                    ),
                    _tier(account_followers),
                    "2026-01-01 00:00+00",
                    "2026-01-01 00:00+00",
                    "self_reported",
                    "{}",
                )
            )
        currency = "IDR" if indonesian else "USD"
        per_follower = Decimal(rng.randint(18, 45)) if indonesian else Decimal(rng.randint(1, 4)) / 1000
        for fmt in rng.sample(["reel", "feed_post", "story"], rng.randint(1, 3)):
            rate_id += 1
            price = max(
                Decimal(150_000) if indonesian else Decimal(20),
                per_follower
                * followers
                * {"reel": 1, "feed_post": Decimal("0.8"), "story": Decimal("0.4")}[fmt],
            )
            rates.append(
                (
                    rate_id,
                    pk,
                    "instagram",
                    fmt,
                    str(price.quantize(Decimal("1"))),
                    currency,
                    "",
                    "2026-01-01 00:00+00",
                    "2026-01-01 00:00+00",
                )
            )

    tables = [
        (
            "marketplace_user",
            "id, password, is_superuser, is_staff, is_active, date_joined, email, full_name, signup_role, preferred_language",
            users,
        ),
        (
            "creators_creatorprofile",
            "id, user_id, slug, display_name, bio, country, city, languages, open_to_pro_bono, currency, created_at, updated_at, roster_status, claim_token",
            profiles,
        ),
        ("creators_creatorprofile_niches", "id, creatorprofile_id, niche_id", profile_niches),
        ("creators_creatorprofile_causes", "id, creatorprofile_id, cause_id", profile_causes),
        (
            "creators_socialaccount",
            "id, profile_id, platform, handle, followers, following, posts, avg_likes, avg_comments, avg_views, audience_countries, audience_languages, metrics_date, verified, engagement_rate, tier, created_at, updated_at, metrics_source, self_reported",
            accounts,
        ),
        (
            "creators_ratecarditem",
            "id, profile_id, platform, format, price, currency, notes, created_at, updated_at",
            rates,
        ),
    ]
    with connection.cursor() as cursor:
        for table, columns, rows in tables:
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # Table names come from the list above, never from input.
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
            cursor.execute(f"ANALYZE {table}")
    connect_some(rng, account_id)
    return sampler.source


def connect_some(rng: random.Random, accounts: int, share: float = 0.05) -> None:
    """Mark `share` of the accounts connected (verified) with one snapshot each: their posts in the
    last 90 days feed the recent-activity signal."""
    from django.db import connection

    from creators.models import SocialAccount
    from platforms.models import MetricsSnapshot, PlatformConnection

    chosen = sorted(rng.sample(range(1, accounts + 1), int(accounts * share)))
    taken = timezone_at(TODAY)
    for start in range(0, len(chosen), 5_000):
        ids = chosen[start : start + 5_000]
        rows = list(
            SocialAccount.objects.filter(pk__in=ids).values_list("pk", "profile_id", "platform", "followers")
        )
        SocialAccount.objects.filter(pk__in=ids).update(metrics_source="verified")
        connections = PlatformConnection.objects.bulk_create(
            PlatformConnection(
                profile_id=profile_id,
                account_id=pk,
                platform=platform,
                external_id=f"bench-{pk}",
                username=f"bench{pk}",
            )
            for pk, profile_id, platform, _followers in rows
        )
        MetricsSnapshot.objects.bulk_create(
            MetricsSnapshot(
                connection=conn,
                taken_at=taken,
                followers=followers,
                posts_counted=10,
                posts_last_90_days=rng.randint(0, 30),
            )
            for conn, (_pk, _profile, _platform, followers) in zip(connections, rows, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE platforms_metricssnapshot")


def timezone_at(day: date):
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day - timedelta(days=1), time(12)))


# Briefs


def make_briefs(count: int):
    """`count` published briefs that vary what a real brand asks: niches, tiers, audience, fees."""
    from brands.models import Organization
    from campaigns.models import Campaign, DeliverableSpec
    from creators.models import Cause, Niche

    rng = random.Random(SEED + 1)
    organization, _created = Organization.objects.get_or_create(
        slug="bench-brand",
        defaults={"name": "Bench brand", "kind": Organization.Kind.BRAND, "default_currency": "IDR"},
    )
    niches = list(Niche.objects.all())
    causes = list(Cause.objects.all())
    ranges = [
        (1_000, 10_000),
        (1_000, 100_000),
        (10_000, 100_000),
        (5_000, 50_000),
        (2_000, 30_000),
        (None, None),
    ]
    Campaign.objects.filter(organization=organization).delete()
    briefs = []
    for n in range(count):
        volunteer = n % 10 == 9
        low, high = rng.choice(ranges)
        currency = "IDR" if rng.random() < 0.8 else "USD"
        fee = (
            Decimal(rng.choice([500_000, 1_000_000, 2_500_000, 5_000_000]))
            if currency == "IDR"
            else Decimal(rng.choice([50, 150, 400]))
        )
        campaign = Campaign.objects.create(
            organization=organization,
            title=f"Bench brief {n}",
            kind=Campaign.Kind.CAUSE if volunteer else Campaign.Kind.COMMERCIAL,
            compensation=Campaign.Compensation.VOLUNTEER if volunteer else Campaign.Compensation.PAID,
            objective=Campaign.Objective.AWARENESS,
            description="Benchmark brief",
            platforms=["instagram"] if rng.random() < 0.75 else ["instagram", "tiktok"],
            min_followers=low,
            max_followers=high,
            min_engagement_rate=Decimal(rng.choice(["1.00", "2.00", "3.00"])) if rng.random() < 0.3 else None,
            target_countries=["ID"] if rng.random() < 0.7 else rng.sample(COUNTRIES, 2),
            target_languages=rng.choice([[], ["id"], ["id", "en"], ["en"]]),
            fee_min=None if volunteer else fee * Decimal("0.6"),
            fee_max=None if volunteer else fee,
            currency=currency,
            slots=10,
            status=Campaign.Status.PUBLISHED,
        )
        campaign.niches.set(rng.sample(niches, rng.randint(1, 3)))
        if volunteer or rng.random() < 0.3:
            campaign.causes.set(rng.sample(causes, rng.randint(1, 2)))
        for position, fmt in enumerate(rng.sample(["reel", "feed_post", "story"], rng.randint(1, 2))):
            DeliverableSpec.objects.create(
                campaign=campaign,
                platform="instagram",
                format=fmt,
                quantity=rng.randint(1, 2),
                position=position,
            )
        briefs.append(campaign)
    return briefs


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    args = parse_args()
    admin_url, url = database_urls(args.database)
    reused = args.reuse and database_exists(admin_url, args.database)
    if not reused:
        recreate_database(admin_url, args.database)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from campaigns.match_index import rank_creators
    from campaigns.ranking import FEATURE_VALUES, brief_spec, match_features_refresh, rank_python
    from creators.models import CreatorProfile, MatchFeatures

    call_command("migrate", verbosity=0)
    if not (reused and CreatorProfile.objects.count() == args.creators and MatchFeatures.objects.exists()):
        if reused:
            sys.exit(f"{args.database} holds other data: run without --reuse")
        started = time.perf_counter()
        source = load_creators(args.creators)
        print(f"load: creators={args.creators} source={source} seconds={time.perf_counter() - started:.1f}")
        started = time.perf_counter()
        rows = match_features_refresh(today=TODAY)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE creators_matchfeatures")
        print(f"features: rows={rows} seconds={time.perf_counter() - started:.1f}")

    briefs = make_briefs(args.briefs)
    specs = [brief_spec(campaign) for campaign in briefs]
    started = time.perf_counter()
    rank_creators(specs[0], limit=50)  # loads this process's index
    print(f"index: seconds={time.perf_counter() - started:.1f}")
    latencies, answers = [], []
    for spec in specs:
        runs = []
        for _run in range(args.runs):
            started = time.perf_counter()
            answer = rank_creators(spec, limit=50)
            runs.append((time.perf_counter() - started) * 1000)
        latencies.append(statistics.median(runs))
        answers.append(answer)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"index: briefs={len(specs)} p50_ms={p50:.1f} p95_ms={p95:.1f} max_ms={max(latencies):.1f}")

    python_times, identical = [], True
    step = max(1, len(specs) // args.python_briefs)
    for index in list(range(0, len(specs), step))[: args.python_briefs]:
        started = time.perf_counter()
        rows = MatchFeatures.objects.values(*FEATURE_VALUES).iterator(chunk_size=20_000)
        expected = rank_python(specs[index], rows, limit=50)
        python_times.append((time.perf_counter() - started) * 1000)
        same = expected == answers[index]
        identical &= same
        print(f"python: brief={index} ms={python_times[-1]:.0f} identical={'yes' if same else 'NO'}")
    python_p95 = percentile(python_times, 0.95)
    print(
        f"matching: creators={args.creators} p50_ms={p50:.1f} p95_ms={p95:.1f} "
        f"python_p95_ms={python_p95:.0f} speedup={python_p95 / p95:.0f}x identical={'yes' if identical else 'no'}"
    )
    spreading(args.spread_briefs)


def spreading(count: int) -> None:
    """Refresh `count` concurrent briefs in the largest niche, with fair exposure over the pool."""
    from itertools import combinations

    from brands.models import Organization
    from campaigns.models import Campaign, Recommendation
    from campaigns.recommendations import recommendations_refresh
    from creators.models import CreatorProfile, Niche

    organization = Organization.objects.get(slug="bench-brand")
    niche = Niche.objects.get(slug="fashion")
    # Only the spreading briefs are open: exposure counts open briefs.
    Campaign.objects.filter(organization=organization).update(status=Campaign.Status.DRAFT)
    briefs = []
    for n in range(count):
        campaign = Campaign.objects.create(
            organization=organization,
            title=f"Spreading brief {n}",
            kind=Campaign.Kind.COMMERCIAL,
            compensation=Campaign.Compensation.PAID,
            objective=Campaign.Objective.AWARENESS,
            description="Benchmark brief",
            platforms=["instagram"],
            min_followers=1_000,
            max_followers=100_000,
            target_countries=["ID"],
            fee_min=Decimal(500_000),
            fee_max=Decimal(1_000_000),
            currency="IDR",
            slots=10,
            status=Campaign.Status.PUBLISHED,
        )
        campaign.niches.set([niche])
        briefs.append(campaign)
    pool = CreatorProfile.objects.filter(niches=niche).count()
    times = []
    started = time.perf_counter()
    for campaign in briefs:
        one = time.perf_counter()
        recommendations_refresh(campaign_id=campaign.pk)
        times.append((time.perf_counter() - one) * 1000)
    seconds = time.perf_counter() - started
    sets = [
        set(Recommendation.objects.filter(campaign=b, related=False).values_list("creator_id", flat=True))
        for b in briefs
    ]
    shared = max(len(a & b) for a, b in combinations(sets, 2))
    print(
        f"spreading: briefs={count} pool={pool} seconds={seconds:.1f} "
        f"per_brief_p95_ms={percentile(times, 0.95):.0f} max_shared={shared}"
    )


if __name__ == "__main__":
    main()
