"""The back office's view of tickets: read-only records, with the one correction vendor staff
may make — a ticket's first-response deadline — going through its service."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from organizations.admin import ListedInline

from .models import DevelopmentItem, OutboxMessage, SLAEvent, Ticket, TicketEvent
from .services import ticket_deadline_correct


class ReadOnlyInline(ListedInline):
    def has_change_permission(self, request, obj=None):
        return False


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "data"]


class SLAEventInline(ReadOnlyInline):
    model = SLAEvent
    fields = ["occurred_at", "kind", "deadline_at", "recorded_at", "terms"]


class DeadlineForm(forms.Form):
    due_at = forms.DateTimeField(
        label=_("New first-response deadline"),
        help_text=_("Europe/Istanbul time, e.g. 2026-11-25 16:30."),
    )


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "subject",
        "institution",
        "priority",
        "status",
        "first_response_due_at",
        "first_responded_at",
        "breached_at",
        "assignee",
    ]
    list_filter = ["status", "priority", "kind", "subscription__package"]
    search_fields = ["=id", "subject", "institution__name", "institution__slug", "requester__username"]
    date_hierarchy = "created_at"
    list_select_related = ["institution", "assignee"]
    inlines = [SLAEventInline, TicketEventInline]

    def get_readonly_fields(self, request, obj=None):
        return ["deadline_link"] + [field.name for field in Ticket._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Deadline"))
    def deadline_link(self, ticket):
        if ticket.first_responded_at or ticket.breached_at:
            return "—"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:tickets_ticket_deadline", args=[ticket.pk]),
            _("Correct the deadline"),
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/deadline/",
                self.admin_site.admin_view(self.deadline_view),
                name="tickets_ticket_deadline",
            )
        ] + super().get_urls()

    def deadline_view(self, request, pk):
        ticket = get_object_or_404(self.get_queryset(request), pk=pk)
        form = DeadlineForm(request.POST or None, initial={"due_at": ticket.first_response_due_at})
        if request.method == "POST" and form.is_valid():
            try:
                ticket_deadline_correct(actor=request.user, ticket=ticket, due_at=form.cleaned_data["due_at"])
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("You are not allowed to do this."))
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("The deadline was corrected; the workers act on the new one."))
                return redirect("admin:tickets_ticket_change", ticket.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": ticket,
            "form": form,
            "title": _("Correct the first-response deadline"),
        }
        return TemplateResponse(request, "admin/tickets/ticket/deadline.html", context)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "ticket", "priority", "available_at", "attempts", "processed_at"]
    list_filter = ["kind", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["=ticket__id", "last_error"]
    readonly_fields = [
        "kind",
        "ticket",
        "priority",
        "payload",
        "created_at",
        "available_at",
        "attempts",
        "last_error",
        "processed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LinkedTicketInline(ListedInline):
    model = Ticket
    fk_name = "development_item"
    fields = ["subject", "institution", "kind", "status", "created_at"]
    show_change_link = True


@admin.register(DevelopmentItem)
class DevelopmentItemAdmin(admin.ModelAdmin):
    """The items, read in the admin; their changes go through the development queue and the API,
    which tell the customers (a change saved here would not)."""

    list_display = ["id", "title", "product", "kind", "state", "planned_on", "institutions_reporting"]
    list_filter = ["state", "kind", "product"]
    search_fields = ["title", "public_note"]
    readonly_fields = [
        "state",
        "planned_version",
        "planned_on",
        "released_version",
        "planned_at",
        "released_at",
        "institutions_reporting",
        "merged_into",
        "created_at",
        "updated_at",
    ]
    inlines = [LinkedTicketInline]
