"""Panels the ticket page and the queue show for call-back requests and the desk's tools; they
render from the bookings app so the ticket pages only include them."""

from django import template

from organizations.permissions import is_customer_side, is_desk
from organizations.roles import Role

from ..forms import ContactRequestForm
from ..selectors import contact_request_list_for_ticket, contact_request_open_all_institutions

register = template.Library()


@register.inclusion_tag("bookings/includes/ticket_contact_panel.html", takes_context=True)
def ticket_contact_panel(context, ticket):
    user = context["request"].user
    return {
        "ticket": ticket,
        "requests": list(contact_request_list_for_ticket(ticket=ticket)),
        "form": ContactRequestForm(prefix="contact")
        if is_customer_side(user) and ticket.status != "closed"
        else None,
        "can_correct": user.is_active
        and user.role in (Role.DESK_LEAD, Role.PACKAGE_MANAGER)
        and ticket.first_responded_at is None
        and ticket.breached_at is None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("bookings/includes/queue_contact_panel.html", takes_context=True)
def queue_contact_panel(context):
    user = context["request"].user
    return {"requests": contact_request_open_all_institutions() if is_desk(user) else [], "user": user}
