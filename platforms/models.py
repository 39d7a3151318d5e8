"""Creators' connected Instagram and TikTok accounts and what Kolabo pulls from them.

A `PlatformConnection` is one authorised account: its encrypted tokens, when they expire, and when
it is next refreshed. Each refresh writes a `MetricsSnapshot` (profile counts, the verified
engagement rate and the authenticity signals, audience shares where the platform gives them) and
upserts the account's recent `PlatformPost`s. The creator's `creators.SocialAccount` for the same
platform and handle carries the effective numbers the rest of Kolabo reads, with their source.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Platform

from .crypto import decrypt_token, encrypt_token

# The platforms Kolabo can connect; other platforms keep the self-reported path.
CONNECTABLE = (Platform.INSTAGRAM, Platform.TIKTOK)


class PlatformConnection(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        DISCONNECTED = "disconnected", _("Disconnected")

    class Reason(models.TextChoices):
        NONE = "", _("None")
        BY_CREATOR = "by_creator", _("Disconnected by the creator")
        EXPIRED = "expired", _("The platform's permission expired")
        REVOKED = "revoked", _("Access was removed on the platform")
        DEAUTHORIZED = "deauthorized", _("The app was removed on the platform")
        DATA_DELETED = "data_deleted", _("The creator asked for their data to be deleted")

    profile = models.ForeignKey(
        "creators.CreatorProfile",
        verbose_name=_("creator"),
        on_delete=models.CASCADE,
        related_name="platform_connections",
    )
    account = models.OneToOneField(
        "creators.SocialAccount",
        verbose_name=_("social account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="connection",
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    # Instagram's user_id, TikTok's open_id: stable for this app, unlike the username.
    external_id = models.CharField(_("platform account id"), max_length=100)
    username = models.CharField(_("username"), max_length=100)
    account_type = models.CharField(_("account type"), max_length=30, blank=True)
    scopes = models.CharField(_("permissions granted"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONNECTED, db_index=True
    )
    disconnect_reason = models.CharField(
        _("why it was disconnected"), max_length=20, choices=Reason.choices, blank=True, default=""
    )
    access_token_encrypted = models.TextField(_("access token (encrypted)"), blank=True, editable=False)
    refresh_token_encrypted = models.TextField(_("refresh token (encrypted)"), blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("token issued"), null=True, blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(_("refresh token expires"), null=True, blank=True)
    picture = models.ImageField(_("profile picture"), upload_to="platforms/pictures/", blank=True)
    connected_at = models.DateTimeField(_("connected"), default=timezone.now)
    disconnected_at = models.DateTimeField(_("disconnected"), null=True, blank=True)
    # Set by the conditional update that tells the creator, so they are told exactly once.
    disconnect_notified_at = models.DateTimeField(_("creator told of disconnection"), null=True, blank=True)
    last_refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    next_refresh_at = models.DateTimeField(_("next refresh"), default=timezone.now, db_index=True)
    # A worker claims a refresh by moving this forward with a conditional update (healthchecks' Flip).
    refresh_claimed_until = models.DateTimeField(_("refresh claimed until"), null=True, blank=True)
    refresh_failures = models.PositiveSmallIntegerField(_("refresh failures in a row"), default=0)
    last_error = models.CharField(_("last refresh problem"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")
        ordering = ["platform", "username", "id"]
        constraints = [
            # One live connection per platform account, whoever holds it.
            models.UniqueConstraint(
                fields=["platform", "external_id"],
                condition=models.Q(status="connected"),
                name="platforms_connection_account_once",
            ),
            models.UniqueConstraint(
                fields=["profile", "platform"],
                condition=models.Q(status="connected"),
                name="platforms_connection_one_per_platform",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_refresh_at"], name="platforms_conn_due"),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} @{self.username}"

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    @property
    def access_token(self) -> str:
        return decrypt_token(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = encrypt_token(value)

    @property
    def refresh_token(self) -> str:
        return decrypt_token(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = encrypt_token(value)

    def latest_snapshot(self) -> "MetricsSnapshot | None":
        return self.snapshots.order_by("-taken_at", "-id").first()


class MetricsSnapshot(models.Model):
    """What one refresh read: kept for history (follower jumps) and as the verified values' date."""

    connection = models.ForeignKey(
        PlatformConnection, verbose_name=_("connection"), on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_at = models.DateTimeField(_("taken"), default=timezone.now, db_index=True)
    followers = models.PositiveBigIntegerField(_("followers"))
    following = models.PositiveBigIntegerField(_("following"), null=True, blank=True)
    media_count = models.PositiveBigIntegerField(_("posts"), null=True, blank=True)
    posts_counted = models.PositiveSmallIntegerField(_("recent posts counted"), default=0)
    posts_last_90_days = models.PositiveSmallIntegerField(
        _("posts in the last 90 days"), null=True, blank=True
    )
    median_likes = models.PositiveBigIntegerField(_("median likes"), null=True, blank=True)
    median_comments = models.PositiveBigIntegerField(_("median comments"), null=True, blank=True)
    median_views = models.PositiveBigIntegerField(_("median views"), null=True, blank=True)
    # NULL when fewer than the minimum number of recent posts: "not enough data", never 0.
    engagement_rate = models.DecimalField(
        _("verified engagement rate (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    engagement_spread = models.DecimalField(
        _("engagement spread across posts"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    comments_per_like = models.DecimalField(
        _("comments per like"), max_digits=8, decimal_places=4, null=True, blank=True
    )
    follower_change = models.DecimalField(
        _("follower change since the last refresh (%)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    # [{"code": "ID", "share": 61.2}, ...], shares in percent; empty when the platform gives none.
    audience_countries = models.JSONField(_("audience countries"), default=list, blank=True)
    audience_cities = models.JSONField(_("audience cities"), default=list, blank=True)
    audience_ages = models.JSONField(_("audience ages"), default=list, blank=True)
    audience_genders = models.JSONField(_("audience genders"), default=list, blank=True)

    class Meta:
        verbose_name = _("metrics snapshot")
        verbose_name_plural = _("metrics snapshots")
        ordering = ["-taken_at", "-id"]

    def __str__(self):
        return f"{self.connection} · {self.taken_at:%Y-%m-%d}"


class PlatformPost(models.Model):
    """One of a connected account's posts, as the platform last reported it."""

    connection = models.ForeignKey(
        PlatformConnection, verbose_name=_("connection"), on_delete=models.CASCADE, related_name="posts"
    )
    external_id = models.CharField(_("post id"), max_length=100)
    permalink = models.URLField(_("link"), max_length=500)
    media_type = models.CharField(_("type"), max_length=30, blank=True)
    caption = models.TextField(_("caption"), blank=True)
    posted_at = models.DateTimeField(_("posted"))
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    saves = models.PositiveBigIntegerField(_("saves"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="platforms/posts/", blank=True)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        verbose_name = _("platform post")
        verbose_name_plural = _("platform posts")
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="platforms_post_once"),
        ]
        indexes = [models.Index(fields=["permalink"], name="platforms_post_permalink")]

    def __str__(self):
        return self.permalink

    @property
    def engagements(self) -> int | None:
        if self.likes is None and self.comments is None:
            return None
        return (self.likes or 0) + (self.comments or 0)


class PostSnapshot(models.Model):
    """A published deliverable's post metrics, read at publish time, then at 24 h, 7 and 30 days."""

    class Moment(models.TextChoices):
        PUBLISHED = "published", _("At publication")
        DAY_1 = "day_1", _("After 24 hours")
        DAY_7 = "day_7", _("After 7 days")
        DAY_30 = "day_30", _("After 30 days")

    deliverable = models.ForeignKey(
        "campaigns.CollaborationDeliverable",
        verbose_name=_("deliverable"),
        on_delete=models.CASCADE,
        related_name="post_snapshots",
    )
    post = models.ForeignKey(
        PlatformPost, verbose_name=_("post"), on_delete=models.CASCADE, related_name="snapshots"
    )
    moment = models.CharField(_("moment"), max_length=20, choices=Moment.choices)
    due_at = models.DateTimeField(_("due"), db_index=True)
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    # Claimed by a conditional update, so two workers never read the same snapshot.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    views = models.PositiveBigIntegerField(_("views"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    saves = models.PositiveBigIntegerField(_("saves"), null=True, blank=True)
    error = models.CharField(_("why it could not be read"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("post snapshot")
        verbose_name_plural = _("post snapshots")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "moment"], name="platforms_post_snapshot_once"),
        ]

    def __str__(self):
        return f"{self.post} · {self.get_moment_display()}"
