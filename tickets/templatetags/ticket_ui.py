"""How a ticket's SLA state and development item look on every page that lists tickets."""

from django import template
from django.utils import timezone

register = template.Library()


def sla_display(ticket) -> str:
    """running, answered (in time) or breached. A first response after the deadline is a breach
    even before the worker has recorded it."""
    if ticket.breached_at is not None:
        return "breached"
    if ticket.first_responded_at is not None:
        return "breached" if ticket.first_responded_at > ticket.first_response_due_at else "answered"
    return "running"


def countdown_class(ticket, now=None) -> str:
    """The countdown's colour before the script takes over: amber once the warning time has come,
    red once the deadline has passed."""
    now = now or timezone.now()
    if now >= ticket.first_response_due_at:
        return "sla-breached"
    if now >= ticket.warning_due_at:
        return "sla-near"
    return "sla-ok"


@register.inclusion_tag("tickets/includes/sla.html")
def sla(ticket):
    return {"ticket": ticket, "state": sla_display(ticket), "css": countdown_class(ticket)}


@register.filter
def status_class(status: str) -> str:
    return {"new": "warn", "open": "", "waiting": "", "resolved": "ok", "closed": "ok"}.get(status, "")
