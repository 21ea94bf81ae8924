"""How a ticket's SLA state and development item look on every page that lists tickets."""

from django import template

register = template.Library()


def sla_display(ticket) -> str:
    """running, answered (in time) or breached. A first response after the deadline is a breach
    even before the worker has recorded it."""
    if ticket.breached_at is not None:
        return "breached"
    if ticket.first_responded_at is not None:
        return "breached" if ticket.first_responded_at > ticket.first_response_due_at else "answered"
    return "running"


@register.inclusion_tag("tickets/includes/sla.html")
def sla(ticket):
    return {"ticket": ticket, "state": sla_display(ticket)}


@register.filter
def status_class(status: str) -> str:
    return {"new": "warn", "open": "", "waiting": "", "resolved": "ok", "closed": "ok"}.get(status, "")
