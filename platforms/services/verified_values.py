"""Storing what a batch of refreshes read: snapshots, posts, the verified values, then images.

One transaction for the whole batch: the connection rows are locked in id order (only those still
connected and still held by this batch's lease are written), then a MetricsSnapshot each
(platforms/metrics.py) inserted together, every post upserted in one statement, each row's
schedule, the verified values on the creators' SocialAccounts (what they had typed stays in
`self_reported`) and one matching-change announcement for all of them.
Thumbnails are copied afterwards, outside the transaction.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Subquery, Value, When
from django.utils import timezone

from campaigns.models import Collaboration
from creators.models import MetricsSource, Platform, SocialAccount, tier_for_followers
from creators.signals import announce_matching_change
from platforms import metrics
from platforms.models import MetricsSnapshot, PlatformConnection, PlatformPost
from platforms.services.account_reads import Pulled
from platforms.thumbnails import store_image

THUMBNAILS_PER_REFRESH = 9

ACCOUNT_FIELDS = [
    "self_reported",
    "followers",
    "following",
    "posts",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "engagement_rate",
    "audience_countries",
    "tier",
    "metrics_source",
    "metrics_verified_at",
    "metrics_date",
    "updated_at",
]


def _bounded(value: Decimal | None, field: str) -> Decimal | None:
    """A value within the snapshot column's digits (an absurd ratio must not fail the refresh)."""
    if value is None:
        return None
    model_field = MetricsSnapshot._meta.get_field(field)
    limit = Decimal(10) ** (model_field.max_digits - model_field.decimal_places) - Decimal(1).scaleb(
        -model_field.decimal_places
    )
    return max(-limit, min(limit, value))


def _snapshot(
    connection: PlatformConnection, pulled: Pulled, now: datetime, previous: int | None
) -> MetricsSnapshot:
    posts, followers = pulled.posts, pulled.profile.followers
    medians = metrics.recent_medians(posts, now=now)
    audiences = pulled.audiences or {}
    return MetricsSnapshot(
        connection=connection,
        taken_at=now,
        followers=followers,
        following=pulled.profile.following,
        media_count=pulled.profile.media_count,
        posts_counted=len(metrics.recent_posts(posts, now=now)),
        posts_last_90_days=metrics.posts_in_last_days(posts, now=now),
        median_likes=medians["likes"],
        median_comments=medians["comments"],
        median_views=medians["views"],
        engagement_rate=_bounded(
            metrics.engagement_rate(posts, followers=followers, now=now), "engagement_rate"
        ),
        engagement_spread=_bounded(metrics.engagement_spread(posts, now=now), "engagement_spread"),
        comments_per_like=_bounded(metrics.comments_per_like(posts, now=now), "comments_per_like"),
        follower_change=_bounded(metrics.follower_change(followers, previous), "follower_change"),
        audience_countries=metrics.audience_shares(audiences.get("country")),
        audience_cities=metrics.audience_shares(audiences.get("city")),
        audience_ages=metrics.audience_shares(audiences.get("age")),
        audience_genders=metrics.audience_shares(audiences.get("gender")),
    )


def _previous_followers(connection_ids: list[int]) -> dict[int, int | None]:
    """Each connection's follower count at its latest snapshot, in one query."""
    latest = MetricsSnapshot.objects.filter(connection=OuterRef("pk")).order_by("-taken_at", "-id")
    return dict(
        PlatformConnection.objects.filter(pk__in=connection_ids)
        .annotate(previous=Subquery(latest.values("followers")[:1]))
        .values_list("pk", "previous")
    )


def _upsert_posts(batch: list[tuple[PlatformConnection, Pulled]], now: datetime) -> None:
    # Only what the list reports is overwritten: reach, saves (and Instagram's views and shares)
    # come from post insights, read when a deliverable is captured. One statement per platform,
    # since TikTok's list also reports views and shares.
    for platform in {connection.platform for connection, _ in batch}:
        updated = ["permalink", "media_type", "caption", "posted_at", "likes", "comments", "fetched_at"]
        if platform == Platform.TIKTOK:
            updated += ["views", "shares"]
        rows = [
            PlatformPost(
                connection=connection,
                external_id=post.external_id,
                permalink=post.permalink[:500],
                media_type=post.media_type[:30],
                caption=post.caption,
                posted_at=post.posted_at,
                likes=post.likes,
                comments=post.comments,
                views=post.views,
                shares=post.shares,
                fetched_at=now,
            )
            for connection, pulled in batch
            if connection.platform == platform
            for post in {post.external_id: post for post in pulled.posts}.values()
        ]
        if rows:
            PlatformPost.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["connection", "external_id"],
                update_fields=updated,
            )


def _apply(account: SocialAccount, snapshot: MetricsSnapshot, now: datetime) -> None:
    """The verified values win on the creator's SocialAccount; what they typed is kept once."""
    from platforms.services.connections import self_reported_values

    if account.metrics_source == MetricsSource.SELF_REPORTED and not account.self_reported:
        account.self_reported = self_reported_values(account)
    followers = snapshot.followers
    account.followers = followers
    if snapshot.following is not None:
        account.following = snapshot.following
    if snapshot.media_count is not None:
        account.posts = snapshot.media_count
    # The medians of likes and comments stand for the "average" per post (robust to a viral post).
    if snapshot.median_likes is not None:
        account.avg_likes = min(snapshot.median_likes, followers * 10)  # the table's sanity rule
    if snapshot.median_comments is not None:
        account.avg_comments = snapshot.median_comments
    if snapshot.median_views is not None:
        account.avg_views = snapshot.median_views
    if snapshot.engagement_rate is not None:
        account.engagement_rate = min(snapshot.engagement_rate, Decimal(100))
    if snapshot.audience_countries:
        # The shape creators.services.social_accounts stores: [{"code", "pct"}], largest first.
        account.audience_countries = [
            {"code": entry["code"], "pct": entry["share"]} for entry in snapshot.audience_countries
        ]
    account.tier = tier_for_followers(followers)
    account.metrics_source = MetricsSource.VERIFIED
    account.metrics_verified_at = now
    account.metrics_date = timezone.localdate(now)
    account.updated_at = now


def _update_each(model, objects, fields: list[str]) -> None:
    """One UPDATE per row, by primary key. Django's bulk_update builds a CASE per field and row,
    which cost more worker time than these small statements cost the database."""
    for obj in objects:
        model.objects.filter(pk=obj.pk).update(**{field: getattr(obj, field) for field in fields})


def verified_values_store(
    pulled: dict[int, Pulled], *, lease: datetime, now: datetime, next_refresh
) -> set[int]:
    """Write what was read for these connections (id → Pulled), for the rows still connected and
    still held by `lease`; returns the ids written. `next_refresh(connection_id, live=…)` gives
    each row's next slot."""
    if not pulled:
        return set()
    with transaction.atomic():
        rows = list(
            PlatformConnection.objects.select_for_update()
            .filter(
                pk__in=list(pulled), status=PlatformConnection.Status.CONNECTED, refresh_claimed_until=lease
            )
            .order_by("pk")
        )
        if not rows:
            return set()
        previous = _previous_followers([row.pk for row in rows])
        live = set(
            Collaboration.objects.filter(
                creator_id__in={row.profile_id for row in rows}, status__in=Collaboration.LIVE
            ).values_list("creator_id", flat=True)
        )
        snapshots = {row.pk: _snapshot(row, pulled[row.pk], now, previous.get(row.pk)) for row in rows}
        MetricsSnapshot.objects.bulk_create(snapshots.values())
        _upsert_posts([(row, pulled[row.pk]) for row in rows], now)
        # What every row gets in one statement; each row's next slot (its own phase) in a second;
        # a renamed or converted account, rare, in its own.
        PlatformConnection.objects.filter(pk__in=[row.pk for row in rows]).update(
            last_refreshed_at=now,
            refresh_claimed_until=None,
            refresh_failures=0,
            last_error="",
            updated_at=now,
        )
        for row in rows:
            row.next_refresh_at = next_refresh(row.pk, live=row.profile_id in live)
        PlatformConnection.objects.bulk_update(rows, ["next_refresh_at"])
        for row in rows:
            profile, changed = pulled[row.pk].profile, {}
            if profile.username and profile.username[:100] != row.username:
                changed["username"] = profile.username[:100]
            if profile.account_type and profile.account_type[:30] != row.account_type:
                changed["account_type"] = profile.account_type[:30]
            if changed:
                PlatformConnection.objects.filter(pk=row.pk).update(**changed)
        snapshot_by_account = {row.account_id: snapshots[row.pk] for row in rows if row.account_id}
        accounts = list(
            SocialAccount.objects.select_for_update().filter(pk__in=list(snapshot_by_account)).order_by("pk")
        )
        for account in accounts:
            _apply(account, snapshot_by_account[account.pk], now)
        _update_each(SocialAccount, accounts, ACCOUNT_FIELDS)
        announce_matching_change(*(row.profile_id for row in rows))
    return {row.pk for row in rows}


def images_copy(batch: Iterable[tuple[PlatformConnection, Pulled]]) -> None:
    """Each profile picture once, and thumbnails of the best recent posts that have none yet.
    Downloaded first, then recorded in one transaction (one commit, not one per image)."""
    batch = list(batch)
    wanted = {
        (connection.pk, post.external_id): post.thumbnail_url
        for connection, pulled in batch
        for post in pulled.posts
        if post.thumbnail_url
    }
    missing = {}
    if wanted:
        for pk, connection_id, external_id in PlatformPost.objects.filter(
            connection_id__in={connection_id for connection_id, _ in wanted}, thumbnail=""
        ).values_list("pk", "connection_id", "external_id"):
            if (connection_id, external_id) in wanted:
                missing[(connection_id, external_id)] = pk
    pictures: dict[int, str] = {}
    thumbnails: dict[int, str] = {}
    for connection, pulled in batch:
        if not connection.picture and pulled.profile.picture_url:
            name = store_image(
                pulled.profile.picture_url, folder="platforms/pictures", name=f"{connection.pk}"
            )
            if name:
                pictures[connection.pk] = name
        best = sorted(
            (post for post in pulled.posts if (connection.pk, post.external_id) in missing),
            key=lambda post: (-metrics.engagements(post), -post.posted_at.timestamp()),
        )[:THUMBNAILS_PER_REFRESH]
        for post in best:
            name = store_image(
                wanted[(connection.pk, post.external_id)],
                folder="platforms/posts",
                name=f"{connection.pk}-{post.external_id}",
            )
            if name:
                thumbnails[missing[(connection.pk, post.external_id)]] = name
    connected = PlatformConnection.Status.CONNECTED
    with transaction.atomic():
        # Only where none is recorded yet, and only while still connected: an account whose
        # data was deleted meanwhile must not get a picture back.
        _set_names(PlatformConnection.objects.filter(picture="", status=connected), "picture", pictures)
        _set_names(
            PlatformPost.objects.filter(thumbnail="", connection__status=connected), "thumbnail", thumbnails
        )


def _set_names(queryset, field: str, names: dict[int, str]) -> None:
    """One UPDATE setting each row's own file name (a CASE over the ids)."""
    if names:
        cases = [When(pk=pk, then=Value(name)) for pk, name in names.items()]
        queryset.filter(pk__in=list(names)).update(**{field: Case(*cases, output_field=CharField())})
