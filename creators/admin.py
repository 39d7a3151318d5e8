"""Staff views of creators. Creator data is written by creators through the services; staff here
search, inspect and verify social accounts (through the service, so it is audited)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.admin import ReadOnlyAdmin
from marketplace.errors import DomainError

from . import services
from .models import Cause, CreatorProfile, MatchFeatures, Niche, RateCardItem, SocialAccount


class TaxonomyAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_id", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name_en", "name_id", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["position", "slug"]


admin.site.register(Niche, TaxonomyAdmin)
admin.site.register(Cause, TaxonomyAdmin)


class ReadOnlyMixin:
    """Rows written through services only; the admin shows them and offers audited actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A profile is who gets paid; removing it (or its rows) belongs to the creator's own flows.
        return False


class SocialAccountInline(ReadOnlyMixin, admin.TabularInline):
    model = SocialAccount
    fields = ["platform", "handle", "followers", "engagement_rate", "tier", "metrics_date", "verified"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class RateCardItemInline(ReadOnlyMixin, admin.TabularInline):
    model = RateCardItem
    fields = ["platform", "format", "price", "currency", "notes"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(CreatorProfile)
class CreatorProfileAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "display_name",
        "slug",
        "user",
        "country",
        "city",
        "currency",
        "open_to_pro_bono",
        "created_at",
    ]
    list_filter = ["country", "currency", "open_to_pro_bono", "niches", "causes"]
    search_fields = ["display_name", "slug", "user__email", "city", "social_accounts__handle"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    inlines = [SocialAccountInline, RateCardItemInline]
    fieldsets = [
        (None, {"fields": ["user", "slug", "display_name", "bio"]}),
        (_("Location and languages"), {"fields": ["country", "city", "languages"]}),
        (_("Interests"), {"fields": ["niches", "causes", "open_to_pro_bono", "currency"]}),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(SocialAccount)
class SocialAccountAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "profile",
        "tier",
        "followers",
        "engagement_rate",
        "metrics_date",
        "verified",
    ]
    list_filter = ["verified", "platform", "tier", "metrics_date"]
    search_fields = ["handle", "profile__display_name", "profile__user__email"]
    list_select_related = ["profile"]
    actions = ["mark_verified", "mark_unverified"]

    def _set_verified(self, request, queryset, verified: bool) -> None:
        done = 0
        for account in queryset.order_by("pk"):
            try:
                services.social_account_set_verified(account=account, actor=request.user, verified=verified)
            except DomainError as error:
                self.message_user(request, str(error.message), messages.ERROR)
                return
            done += 1
        self.message_user(
            request,
            ngettext("%(count)d social account updated.", "%(count)d social accounts updated.", done)
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark selected accounts as verified"), permissions=["verify"])
    def mark_verified(self, request, queryset):
        self._set_verified(request, queryset, True)

    @admin.action(description=_("Remove the verified badge from selected accounts"), permissions=["verify"])
    def mark_unverified(self, request, queryset):
        self._set_verified(request, queryset, False)

    def has_verify_permission(self, request):
        return request.user.is_staff and request.user.has_perm("creators.change_socialaccount")


@admin.register(RateCardItem)
class RateCardItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["profile", "platform", "format", "price", "currency", "updated_at"]
    list_filter = ["platform", "format", "currency"]
    search_fields = ["profile__display_name", "profile__user__email"]
    list_select_related = ["profile"]


@admin.register(MatchFeatures)
class MatchFeaturesAdmin(ReadOnlyAdmin):
    """Read-only: derived from the creator's data by campaigns.ranking.match_features_refresh."""

    list_display = ["account", "profile", "platform", "followers", "tier", "computed_on", "updated_at"]
    list_filter = ["platform", "tier"]
    search_fields = ["profile__display_name", "account__handle"]
    list_select_related = ["account", "profile"]
