"""Admin for support staff: browse and search everything, change statuses only through the site."""

from django.contrib import admin

from marketplace.admin import ReadOnlyAdmin, ServiceOwnedAdmin

from .models import (
    Application,
    Campaign,
    Collaboration,
    CollaborationDeliverable,
    DeliverableSpec,
    Dispute,
    Invitation,
    InvitationBatch,
    Message,
    Rating,
    Recommendation,
    Submission,
)

# Statuses move through services (locks, audit, notifications); the admin shows them read-only.
STATUS_READONLY = ("status",)
# Who is paid and how much is decided by services (frozen fees, escrow, ledger); the admin only shows it.
CAMPAIGN_MONEY_READONLY = ("organization", "compensation", "currency", "fee_min", "fee_max", "slots")


class DeliverableSpecInline(admin.TabularInline):
    model = DeliverableSpec
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(ServiceOwnedAdmin):
    list_display = [
        "title",
        "organization",
        "kind",
        "compensation",
        "status",
        "currency",
        "fee_max",
        "slots",
        "application_deadline",
    ]
    list_filter = ["status", "kind", "compensation", "currency", "usage_rights"]
    search_fields = ["title", "organization__name", "description"]
    list_select_related = ["organization"]
    raw_id_fields = ["created_by"]
    filter_horizontal = ["niches", "causes"]
    readonly_fields = [
        *STATUS_READONLY,
        *CAMPAIGN_MONEY_READONLY,
        "published_at",
        "closed_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DeliverableSpecInline]
    date_hierarchy = "created_at"


@admin.register(Application)
class ApplicationAdmin(ServiceOwnedAdmin):
    list_display = ["campaign", "creator", "status", "proposed_fee", "is_counter_offer", "created_at"]
    list_filter = ["status", "is_counter_offer"]
    search_fields = ["campaign__title", "creator__display_name", "creator__slug"]
    list_select_related = ["campaign", "creator"]
    raw_id_fields = ["decided_by"]
    readonly_fields = [
        *STATUS_READONLY,
        "campaign",
        "creator",
        "proposed_fee",
        "is_counter_offer",
        "created_at",
        "decided_at",
    ]


@admin.register(Invitation)
class InvitationAdmin(ServiceOwnedAdmin):
    list_display = ["campaign", "creator", "status", "offered_fee", "counter_fee", "expires_at"]
    list_filter = ["status"]
    search_fields = ["campaign__title", "creator__display_name", "creator__slug"]
    list_select_related = ["campaign", "creator"]
    raw_id_fields = ["invited_by"]
    readonly_fields = [
        *STATUS_READONLY,
        "campaign",
        "creator",
        "offered_fee",
        "counter_fee",
        "created_at",
        "responded_at",
    ]


@admin.register(InvitationBatch)
class InvitationBatchAdmin(ReadOnlyAdmin):
    """Read-only: batches are started from the invite page and run by the worker."""

    list_display = ["campaign", "status", "total", "processed", "invited", "skipped", "created_at"]
    list_filter = ["status"]
    search_fields = ["campaign__title"]
    list_select_related = ["campaign"]


class CollaborationDeliverableInline(admin.TabularInline):
    model = CollaborationDeliverable
    extra = 0
    fields = [
        "spec",
        "number",
        "status",
        "rounds_used",
        "post_url",
        "published_at",
        "confirmed_at",
        "auto_confirmed",
    ]
    readonly_fields = fields
    can_delete = False


@admin.register(Collaboration)
class CollaborationAdmin(ServiceOwnedAdmin):
    list_display = ["campaign", "creator", "status", "fee", "currency", "due_date", "created_at"]
    list_filter = ["status", "source", "currency"]
    search_fields = ["campaign__title", "creator__display_name", "campaign__organization__name"]
    list_select_related = ["campaign", "creator"]
    readonly_fields = [
        *STATUS_READONLY,
        "campaign",
        "creator",
        "source",
        "application",
        "invitation",
        "accepted_by",
        "cancelled_by",
        "fee",
        "currency",
        "status_before_dispute",
        "created_at",
        "completed_at",
        "cancelled_at",
    ]
    inlines = [CollaborationDeliverableInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["deliverable", "round", "decision", "created_at", "decided_at"]
    list_filter = ["decision"]
    search_fields = ["deliverable__collaboration__campaign__title", "caption", "feedback"]
    raw_id_fields = ["deliverable", "submitted_by", "decided_by"]
    readonly_fields = ["decision", "created_at", "decided_at"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["collaboration", "author", "created_at"]
    search_fields = ["body", "author__email"]
    raw_id_fields = ["collaboration", "author"]


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = ["collaboration", "raised_by", "status", "outcome", "created_at", "resolved_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["reason", "resolution", "collaboration__campaign__title"]
    raw_id_fields = ["collaboration", "raised_by", "resolved_by"]
    readonly_fields = ["status", "outcome", "created_at", "resolved_at"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["collaboration", "rated_side", "score", "rated_by", "created_at"]
    list_filter = ["rated_side", "score"]
    search_fields = ["comment", "collaboration__campaign__title"]
    raw_id_fields = ["collaboration", "rated_by"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    """Read-only: recomputed by campaigns.recommendations; edits would be overwritten."""

    list_display = ["campaign", "rank", "creator", "score", "exposure", "reserved_nano", "computed_at"]
    list_filter = ["reserved_nano"]
    search_fields = ["campaign__title", "creator__display_name"]
    list_select_related = ["campaign", "creator"]
