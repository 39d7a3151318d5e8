"""Reads of platform data for other apps' pages. Read-only; a fixed number of queries per call."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from creators.models import Platform
from platforms.models import CONNECTABLE, MetricsSnapshot, PlatformConnection, PlatformPost, PostSnapshot
from platforms.services.post_capture import (
    PHOTO_MEDIA_TYPES,
    STARTED_GRACE,
    UNLISTED_FORMATS,
    VIDEO_FORMATS,
    live_connection,
)


@dataclass(frozen=True)
class PostEvidence:
    """A deliverable's verified post with its snapshots (every moment, in order) and the latest read."""

    deliverable: object  # campaigns.CollaborationDeliverable
    post: PlatformPost
    snapshots: list[PostSnapshot]

    @property
    def latest(self) -> PostSnapshot | None:
        """The most recent snapshot that holds numbers (a failed read does not count)."""
        read = [s for s in self.snapshots if s.taken_at is not None and not s.error]
        return max(read, key=lambda s: (s.taken_at, s.pk)) if read else None


def with_post_evidence(deliverables: QuerySet) -> QuerySet:
    """Deliverables with their verified post (and its account) and snapshots, in one extra query."""
    return deliverables.select_related("verified_post__connection").prefetch_related(
        Prefetch("post_snapshots", queryset=PostSnapshot.objects.order_by("due_at", "pk"))
    )


def post_evidence(*, deliverable_ids) -> list[PostEvidence]:
    """The verified posts behind these deliverables (manual-path ones have none): two queries."""
    from campaigns.models import CollaborationDeliverable

    deliverables = with_post_evidence(
        CollaborationDeliverable.objects.filter(pk__in=list(deliverable_ids), verified_post__isnull=False)
        .select_related("spec")
        .order_by("spec__position", "spec_id", "number")
    )
    return [
        PostEvidence(deliverable=d, post=d.verified_post, snapshots=list(d.post_snapshots.all()))
        for d in deliverables
    ]


# A creator's own connections (web page and API)


def connections_of(user) -> QuerySet[PlatformConnection]:
    """The user's own connections, each with the id of its latest metrics snapshot."""
    latest = MetricsSnapshot.objects.filter(connection=OuterRef("pk")).order_by("-taken_at", "-pk")
    return (
        PlatformConnection.objects.filter(profile__user=user)
        .annotate(latest_snapshot_id=Subquery(latest.values("pk")[:1]))
        .order_by("platform", "-connected_at", "-pk")
    )


def with_latest_metrics(connections: list[PlatformConnection]) -> list[PlatformConnection]:
    """Attach each connection's latest snapshot as `latest_metrics`: one query for the page."""
    ids = [c.latest_snapshot_id for c in connections if c.latest_snapshot_id]
    snapshots = MetricsSnapshot.objects.in_bulk(ids) if ids else {}
    for connection in connections:
        connection.latest_metrics = snapshots.get(connection.latest_snapshot_id)
    return connections


def platform_rows(profile) -> list[dict]:
    """One row per connectable platform: the live connection, else the latest one, else none."""
    latest: dict[str, PlatformConnection] = {}
    for connection in (
        PlatformConnection.objects.filter(profile=profile)
        .select_related("account")
        .order_by("connected_at", "pk")
    ):
        current = latest.get(connection.platform)
        if current is None or connection.is_connected or not current.is_connected:
            latest[connection.platform] = connection
    return [
        {"platform": platform, "label": Platform(platform).label, "connection": latest.get(platform)}
        for platform in CONNECTABLE
    ]


# The publish form's post picker


@dataclass(frozen=True)
class PostPicker:
    """The creator's live connection on a deliverable's platform and the stored posts that could be
    its post. `fits` is the same date and format test for posts read live from the platform."""

    connection: PlatformConnection
    since: datetime
    video_only: bool
    posts: list[PlatformPost]

    def fits(self, *, posted_at: datetime, media_type: str) -> bool:
        return posted_at >= self.since and not (self.video_only and media_type in PHOTO_MEDIA_TYPES)


def publish_post_picker(
    deliverable, *, live_ids: list[str] | None = None, limit: int = 12
) -> PostPicker | None:
    """What the publish form offers instead of pasting a link; None where post capture takes no
    connected post (platform not connectable, a story or a live, no live connection): the form is then
    as before. post_capture decides for real; this only leaves out posts it would refuse.

    Without `live_ids`: the stored posts since the collaboration started (the service's grace too),
    no photo when a video is owed, none that another deliverable rests on, newest first, at most
    `limit`. With `live_ids` (a live read's post ids): those stored posts, whatever their date, each
    with `used_elsewhere`, for their thumbnails and to leave used ones out.
    Queries: none for a deliverable that cannot be verified, one without a connection, else two.
    """
    from campaigns.models import CollaborationDeliverable

    spec, collaboration = deliverable.spec, deliverable.collaboration
    if spec.platform not in CONNECTABLE or spec.format in UNLISTED_FORMATS:
        return None
    connection = live_connection(profile_id=collaboration.creator_id, platform=spec.platform)
    if connection is None:
        return None
    since = collaboration.created_at - STARTED_GRACE
    video_only = spec.format in VIDEO_FORMATS
    used = CollaborationDeliverable.objects.filter(verified_post=OuterRef("pk")).exclude(pk=deliverable.pk)
    posts = PlatformPost.objects.filter(connection=connection).annotate(used_elsewhere=Exists(used))
    if live_ids is not None:
        posts = posts.filter(external_id__in=list(live_ids))
    else:
        posts = posts.filter(posted_at__gte=since, used_elsewhere=False)
        if video_only:
            posts = posts.exclude(media_type__in=PHOTO_MEDIA_TYPES)
        posts = posts.order_by("-posted_at", "-pk")[:limit]
    return PostPicker(connection=connection, since=since, video_only=video_only, posts=list(posts))
