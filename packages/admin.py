from django.contrib import admin

from .models import Allotment, Package, PackageChannel, QuotaEntry, QuotaNotice, Subscription


class PackageChannelInline(admin.TabularInline):
    model = PackageChannel
    extra = 0


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "family", "priority", "first_response_minutes", "users_min", "users_max", "is_active"]
    list_filter = ["family", "is_active"]
    search_fields = ["name", "code"]
    inlines = [PackageChannelInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "family", "is_active"]}),
        ("Terms", {"fields": ["users_min", "users_max", "priority", "first_response_minutes"]}),
        ("Service window", {"fields": ["service_window_start", "service_window_end", "service_timezone"]}),
        ("Features", {"fields": list(Package.FEATURE_FIELDS)}),
    ]


class AllotmentInline(admin.TabularInline):
    model = Allotment
    extra = 0
    readonly_fields = ["channel", "is_unlimited", "is_included", "used"]
    can_delete = False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["institution", "package", "starts_on", "ends_on", "user_cap", "priority"]
    list_filter = ["package", "starts_on"]
    search_fields = ["institution__name", "institution__slug"]
    date_hierarchy = "starts_on"
    inlines = [AllotmentInline]
    readonly_fields = [
        "priority",
        "first_response_minutes",
        "service_window_start",
        "service_window_end",
        "service_timezone",
        "sold_by",
    ]


@admin.register(QuotaEntry)
class QuotaEntryAdmin(admin.ModelAdmin):
    list_display = ["consumed_at", "institution", "channel", "units", "consumed_by", "reference_type", "reference_id"]
    list_filter = ["channel"]
    search_fields = ["institution__name", "reference_id"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(QuotaNotice)
