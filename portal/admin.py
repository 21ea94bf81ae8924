from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organizations.admin import ReadOnlyAdmin

from .models import DestructionLine, DestructionRecord, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    """Vendor staff set how long each category is kept; the categories themselves are fixed."""

    list_display = ["category", "keep_days", "is_active", "legal_basis", "updated_at"]
    list_editable = ["keep_days", "is_active"]
    readonly_fields = ["category", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DestructionLineInline(admin.TabularInline):
    model = DestructionLine
    extra = 0
    fields = ["category", "keep_days", "cutoff_at", "destroyed", "batches"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnlyAdmin):
    """Read-only: written by the retention run alone; each downloadable as PDF."""

    list_display = ["__str__", "started_at", "finished_at", "run_by", "pdf"]
    readonly_fields = ["started_at", "finished_at", "run_by", "pdf"]
    inlines = [DestructionLineInline]

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("destruction-record-pdf", args=[obj.pk]), _("Download")
        )
