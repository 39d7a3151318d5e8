from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin import ServiceOwnedAdmin
from marketplace.errors import DomainError

from . import services
from .models import Membership, Organization, OrgInvitation, VerificationRequest

# Members and roles decide who may fund campaigns, accept fees and manage API keys: they change only
# through the members page (brands.services), which checks the last owner rule and audits.
MEMBERSHIP_READONLY = ["organization", "user", "role", "created_at"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "verification_status", "default_currency", "created_at"]
    list_filter = ["kind", "verification_status", "country", "default_currency"]
    search_fields = ["name", "slug", "website", "memberships__user__email"]
    # Verification changes go through the review queue so they are audited and emailed.
    readonly_fields = ["verification_status", "verified_at", "created_at", "created_by"]
    raw_id_fields = ["created_by"]
    filter_horizontal = ["causes"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline]

    def has_delete_permission(self, request, obj=None):
        # Deleting would take its campaigns, escrow and payouts with it.
        return False


@admin.register(Membership)
class MembershipAdmin(ServiceOwnedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "user__full_name", "organization__name"]
    list_select_related = ["user", "organization"]
    readonly_fields = MEMBERSHIP_READONLY


@admin.register(OrgInvitation)
class OrgInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "status", "invited_by", "created_at", "expires_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__name", "invited_by__email"]
    list_select_related = ["organization", "invited_by"]
    raw_id_fields = ["organization", "invited_by", "accepted_by"]
    readonly_fields = ["token", "status", "created_at", "accepted_by", "accepted_at"]

    def has_add_permission(self, request):
        # Invitations are sent from the members page so the email and audit trail go out.
        return False


@admin.register(VerificationRequest)
class VerificationRequestAdmin(admin.ModelAdmin):
    list_display = ["organization", "status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status", "organization__kind"]
    search_fields = ["organization__name", "submitted_by__email", "evidence"]
    list_select_related = ["organization", "submitted_by", "reviewed_by"]
    raw_id_fields = ["organization", "submitted_by", "reviewed_by"]
    readonly_fields = [
        "organization",
        "submitted_by",
        "submitted_at",
        "evidence",
        "status",
        "reviewed_by",
        "reviewed_at",
        "reason",
    ]
    actions = ["approve_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Approve selected requests (reject with a reason from the verification queue)")
    )
    def approve_selected(self, request, queryset):
        approved = 0
        for verification in queryset.order_by("pk"):
            try:
                services.verification_request_approve(request=verification, by_user=request.user)
            except DomainError as error:
                self.message_user(request, f"{verification.organization}: {error.message}", messages.WARNING)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d request approved.", "%(count)d requests approved.", approved)
                % {"count": approved},
                messages.SUCCESS,
            )
