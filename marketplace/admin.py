from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Notification, User
from .services import audit_record


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "signup_role", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["signup_role", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "signup_role"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]

    def save_related(self, request, form, formsets, change):
        # Staff roles are groups (marketplace/permissions.py): who granted or removed one is audited.
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        before_flags = (
            (form.initial.get("is_staff"), form.initial.get("is_superuser")) if change else (None, None)
        )
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        if before != after or (change and before_flags != (user.is_staff, user.is_superuser)):
            audit_record(
                actor=request.user,
                action="user.staff_access_changed",
                target=user,
                data={
                    "groups_added": sorted(after - before),
                    "groups_removed": sorted(before - after),
                    "is_staff": user.is_staff,
                    "is_superuser": user.is_superuser,
                },
            )


class ServiceOwnedAdmin(admin.ModelAdmin):
    """Rows that decide who is paid or how much: services create and remove them (locked, audited).

    The admin may browse them and edit harmless fields; the money fields are listed in each
    subclass's `readonly_fields`, so a POST that changes them is ignored.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows only the code writes: staff can look, nobody adds, edits or deletes."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is written by services and never edited."""

    list_display = ["created_at", "action", "target_type", "target_id", "actor", "from_status", "to_status"]
    list_filter = ["action", "target_type"]
    search_fields = ["action", "target_id", "actor__email", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "target_type"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "kind", "dedupe_key"]
    raw_id_fields = ["recipient"]
    readonly_fields = [
        "recipient",
        "kind",
        "params",
        "url",
        "dedupe_key",
        "created_at",
        "read_at",
        "email_claimed_at",
        "emailed_at",
    ]

    def has_add_permission(self, request):
        return False
