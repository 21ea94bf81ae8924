"""Routing: a new ticket goes to the on-duty support engineer with the least open work. The
assignment is a conditional update on an unrouted, unassigned ticket, so a routing task
delivered twice, or racing the sweep, assigns once."""

import datetime
import logging

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from organizations.models import User
from organizations.roles import Role
from tickets.models import OPEN_STATUSES, Ticket, TicketEvent

from .events import event_record

logger = logging.getLogger(__name__)

# The routing task normally routes a ticket within a second of filing; the sweep leaves
# younger tickets to it instead of racing it.
UNROUTED_GRACE = datetime.timedelta(seconds=30)
UNROUTED_BATCH = 200


def engineer_least_loaded() -> User | None:
    """The active, on-duty support engineer with the fewest open tickets (the earliest account
    on a tie), or None when nobody is on duty."""
    return (
        User.objects.filter(role=Role.SUPPORT_ENGINEER, is_active=True, is_on_duty=True)
        .annotate(
            open_work=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES), distinct=True
            )
        )
        .order_by("open_work", "pk")
        .first()
    )


def ticket_route(*, ticket_id: int, now: datetime.datetime | None = None) -> int | None:
    """Route one ticket: assign it to the least-loaded on-duty engineer and set routed_at.

    A ticket someone already assigned by hand is only marked routed; a closed or missing ticket
    is left alone. Returns the engineer's id when this call assigned it, else None. With nobody
    on duty the ticket stays unrouted for the sweep. Harmless to repeat or to run concurrently."""
    now = now or timezone.now()
    ticket = (
        Ticket.objects.filter(pk=ticket_id)
        .only("pk", "institution_id", "assignee_id", "status", "routed_at")
        .first()
    )
    if ticket is None or ticket.routed_at is not None or ticket.status not in OPEN_STATUSES:
        return None
    if ticket.assignee_id is not None:
        Ticket.objects.filter(pk=ticket_id, routed_at__isnull=True).update(routed_at=now)
        return None
    engineer = engineer_least_loaded()
    if engineer is None:
        logger.debug("routing.nobody_on_duty", extra={"ticket_id": ticket_id})
        return None
    with transaction.atomic():
        assigned = Ticket.objects.filter(
            pk=ticket_id, routed_at__isnull=True, assignee__isnull=True, status__in=OPEN_STATUSES
        ).update(assignee=engineer, routed_at=now, updated_at=now)
        if assigned != 1:
            return None
        event_record(
            ticket=ticket, kind=TicketEvent.Kind.ASSIGNED, actor=None, old=None, new=engineer.pk, routed=True
        )
    logger.debug("routing.assigned", extra={"ticket_id": ticket_id, "engineer_id": engineer.pk})
    return engineer.pk


def ticket_route_unrouted(*, now: datetime.datetime | None = None, limit: int = UNROUTED_BATCH) -> int:
    """Route open tickets left unrouted for longer than the grace period, priority 1 first, then
    by deadline. Returns how many were assigned. Harmless to repeat."""
    now = now or timezone.now()
    if engineer_least_loaded() is None:
        return 0
    ids = list(
        Ticket.objects.filter(
            routed_at__isnull=True, status__in=OPEN_STATUSES, created_at__lte=now - UNROUTED_GRACE
        )
        .order_by("priority", "first_response_due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for ticket_id in ids if ticket_route(ticket_id=ticket_id, now=now) is not None)
