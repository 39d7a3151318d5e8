"""Staff views of platform connections: read-only, and the tokens are never shown (not even
encrypted). Connections change through the creator's pages and the refresh tasks."""

from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin

from .models import MetricsSnapshot, PlatformConnection, PlatformPost, PostSnapshot


class MetricsSnapshotInline(admin.TabularInline):
    model = MetricsSnapshot
    fields = ["taken_at", "followers", "media_count", "posts_counted", "engagement_rate", "follower_change"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-taken_at"]


@admin.register(PlatformConnection)
class PlatformConnectionAdmin(ReadOnlyAdmin):
    list_display = ["username", "platform", "profile", "status", "disconnect_reason", "last_refreshed_at"]
    list_filter = ["platform", "status", "disconnect_reason"]
    search_fields = ["username", "external_id", "profile__display_name", "profile__user__email"]
    list_select_related = ["profile"]
    # Everything but the encrypted token columns.
    fields = [
        "profile",
        "account",
        "platform",
        "external_id",
        "username",
        "account_type",
        "scopes",
        "status",
        "disconnect_reason",
        "connected_at",
        "disconnected_at",
        "disconnect_notified_at",
        "token_issued_at",
        "token_expires_at",
        "refresh_token_expires_at",
        "last_refreshed_at",
        "next_refresh_at",
        "refresh_failures",
        "last_error",
    ]
    readonly_fields = fields
    inlines = [MetricsSnapshotInline]


@admin.register(PlatformPost)
class PlatformPostAdmin(ReadOnlyAdmin):
    list_display = ["permalink", "connection", "media_type", "posted_at", "likes", "comments", "views"]
    list_filter = ["connection__platform", "media_type"]
    search_fields = ["permalink", "external_id", "connection__username"]
    list_select_related = ["connection"]


@admin.register(PostSnapshot)
class PostSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["post", "deliverable", "moment", "due_at", "taken_at", "reach", "views", "likes"]
    list_filter = ["moment"]
    list_select_related = ["post", "deliverable"]
