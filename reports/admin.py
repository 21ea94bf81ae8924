from django.contrib import admin

from organizations.admin import ReadOnlyAdmin

from .models import ReportDelivery, Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    """Read-only: answers are the customer's, and what they are about is a snapshot."""

    list_display = [
        "ticket",
        "institution",
        "resolved_at",
        "score",
        "answered_at",
        "answered_via",
        "engineer",
    ]
    list_filter = ["score", "answered_via", "package"]
    search_fields = ["ticket__subject", "comment"]
    list_select_related = ["ticket", "institution", "engineer"]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ReadOnlyAdmin):
    """Read-only: the monthly reports queued, with whom each went to (the e-mails themselves are in
    the outbox, /admin/core/outboxmessage/)."""

    list_display = ["institution", "period_on", "sent_at", "recipients"]
    list_filter = ["period_on"]
    list_select_related = ["institution"]
