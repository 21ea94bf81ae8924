from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    Directory,
    DirectoryAccount,
    DirectoryMapping,
    DutyChange,
    Institution,
    MonitoringGrant,
    Region,
    Unit,
    User,
)
from .services import person_groups_sync


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written by services alone: listed and shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ListedInline(admin.TabularInline):
    """Related rows written elsewhere, listed under their parent: every field shown read-only,
    none added or deleted here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class RegionInline(admin.TabularInline):
    model = Region
    extra = 0
    fields = ["name"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    """The institution and its tree; packages.admin adds its contracts, which live in the layer above."""

    list_display = ["name", "slug", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RegionInline]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["name"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "institution"]
    list_filter = ["institution"]
    search_fields = ["name", "institution__name"]
    list_select_related = ["institution"]
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "institution"]
    list_filter = ["institution"]
    search_fields = ["name", "region__name"]
    list_select_related = ["region", "institution"]


@admin.register(User)
class PersonAdmin(UserAdmin):
    """The role is the column; the role's group follows it on save (the group only carries the
    admin's model permissions), so the groups are shown, not edited."""

    list_display = ["username", "email", "role", "institution", "unit", "is_active", "is_staff"]
    list_filter = ["role", "institution", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name", "institution__name"]
    list_select_related = ["institution", "unit__region"]
    fieldsets = UserAdmin.fieldsets + (
        (_("Institution"), {"fields": ["role", "institution", "region", "unit", "is_on_duty"]}),
    )
    readonly_fields = ["groups"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        person_groups_sync(person=obj)


@admin.register(MonitoringGrant)
class MonitoringGrantAdmin(ReadOnlyAdmin):
    """Read-only: grants are the institution admin's to give and revoke (through
    organizations.services), and every row is the record of who did so and when."""

    list_display = ["person", "unit", "region", "granted_by", "granted_at", "revoked_by", "revoked_at"]
    list_filter = ["institution"]
    list_select_related = ["person", "unit__region", "region", "granted_by", "revoked_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by the services alone."""

    list_display = ["created_at", "institution", "actor", "action", "target_type", "target_label"]
    list_filter = ["action", "institution"]
    search_fields = ["target_label", "actor__username"]
    list_select_related = ["institution", "actor"]
    date_hierarchy = "created_at"


@admin.register(DutyChange)
class DutyChangeAdmin(ReadOnlyAdmin):
    """Read-only: duty changes are planned through organizations.services (the duty page) and
    applied by the beat."""

    list_display = ["at", "person", "is_on_duty", "created_by", "applied_at"]
    list_filter = ["is_on_duty"]
    list_select_related = ["person", "created_by"]


class DirectoryMappingInline(admin.TabularInline):
    model = DirectoryMapping
    extra = 1
    fields = ["group", "role", "region", "unit"]
    autocomplete_fields = ["region", "unit"]


@admin.register(Directory)
class DirectoryAdmin(admin.ModelAdmin):
    """An institution's directory, set up by vendor staff with the institution's IT
    (docs/operations.md#sign-in): the server or provider, and which directory groups give which
    role, unit and region."""

    list_display = ["institution", "kind", "domain", "is_active", "last_synced_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["institution__name", "domain"]
    list_select_related = ["institution"]
    autocomplete_fields = ["institution"]
    readonly_fields = ["last_synced_at"]
    fieldsets = [
        (
            None,
            {"fields": ["institution", "kind", "domain", "is_active", "connect_timeout", "last_synced_at"]},
        ),
        (
            _("LDAP / Active Directory"),
            {
                "fields": [
                    "server_uri",
                    "start_tls",
                    "bind_dn",
                    "bind_password",
                    "user_base_dn",
                    "user_filter",
                    "group_base_dn",
                    "group_type",
                ]
            },
        ),
        (_("OpenID Connect"), {"fields": ["issuer", "client_id", "client_secret", "groups_claim"]}),
    ]
    inlines = [DirectoryMappingInline]


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(ReadOnlyAdmin):
    list_display = ["subject", "person", "directory", "last_signed_in_at"]
    list_filter = ["directory"]
    search_fields = ["subject", "person__username"]
    list_select_related = ["person", "directory__institution"]
