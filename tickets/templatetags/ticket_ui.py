"""How a ticket's SLA state and development item look on every page that lists tickets."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tickets.figures import sla_state

register = template.Library()


def sla_display(ticket) -> str:
    """running, answered (in time) or breached, by tickets.figures: a first response after the
    deadline is a breach even before the worker has recorded it."""
    return sla_state(ticket)


def countdown_class(ticket, now=None) -> str:
    """The countdown's colour before the script takes over: amber once the warning time has come,
    red once the deadline has passed."""
    now = now or timezone.now()
    if now >= ticket.first_response_due_at:
        return "sla-breached"
    if now >= ticket.warning_due_at:
        return "sla-near"
    return "sla-ok"


@register.simple_tag
def sla(ticket):
    """The SLA cell of a ticket. Built in code rather than an included template: the desk's
    queue renders it for every row on every refresh."""
    state = sla_display(ticket)
    if state == "breached":
        return format_html('<span class="badge bad" data-sla="breached">{}</span>', _("Breached"))
    if state == "answered":
        return format_html('<span class="badge ok" data-sla="answered">{}</span>', _("Answered in time"))
    if not ticket.is_open:
        return format_html('<span class="badge" data-sla="none">{}</span>', _("No response recorded"))
    due = timezone.localtime(ticket.first_response_due_at)
    shown = date_format(due, "SHORT_DATETIME_FORMAT")
    return format_html(
        '<span class="countdown {}" role="timer" data-sla="running" data-deadline="{}" data-warning="{}" '
        'title="{} {}">{}</span>',
        countdown_class(ticket),
        due.isoformat(),
        timezone.localtime(ticket.warning_due_at).isoformat(),
        _("First response due"),
        shown,
        _("due %(due)s") % {"due": shown},
    )


@register.filter
def status_class(status: str) -> str:
    return {"new": "warn", "open": "", "waiting": "", "resolved": "ok", "closed": "ok"}.get(status, "")
