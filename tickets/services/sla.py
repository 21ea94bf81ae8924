"""The SLA side of a ticket's life: the clock, the first response, warnings and breaches.
Every effect is a guarded update or a unique row, so repeating any of these is harmless."""

import datetime
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.models import User
from packages.calendar import ServiceCalendar
from packages.models import Subscription
from tickets.models import SLAEvent, Ticket

from .events import event_record


def sla_terms(ticket: Ticket) -> dict:
    """The contract terms in force for the ticket, as written to the SLA log."""
    return {
        "priority": ticket.priority,
        "first_response_minutes": ticket.first_response_minutes,
        "window_start": ticket.service_window_start.strftime("%H:%M"),
        "window_end": ticket.service_window_end.strftime("%H:%M"),
        "timezone": ticket.service_timezone,
        "subscription_id": ticket.subscription_id,
    }


def sla_deadlines(
    *, subscription: Subscription, filed_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """First-response deadline and warning time for a ticket filed now under this contract."""
    calendar = ServiceCalendar(
        subscription.service_window_start, subscription.service_window_end, subscription.service_timezone
    )
    minutes = subscription.first_response_minutes
    due_at = calendar.add_service_minutes(filed_at, minutes)
    warning_at = calendar.add_service_minutes(filed_at, math.floor(minutes * settings.SLA_WARNING_RATIO * 60) / 60)
    return due_at, warning_at


def sla_log(*, ticket: Ticket, kind: str, occurred_at: datetime.datetime) -> bool:
    """Write one SLA moment; False when that once-only moment was already logged."""
    try:
        with transaction.atomic():
            SLAEvent.objects.create(
                ticket=ticket,
                institution_id=ticket.institution_id,
                kind=kind,
                occurred_at=occurred_at,
                deadline_at=ticket.first_response_due_at,
                terms=sla_terms(ticket),
            )
    except IntegrityError:
        return False
    return True


def sla_clock_start(*, ticket: Ticket) -> None:
    sla_log(ticket=ticket, kind=SLAEvent.Kind.CLOCK_STARTED, occurred_at=ticket.created_at)


def sla_first_response(*, ticket: Ticket, actor: User, at: datetime.datetime | None = None) -> bool:
    """Record the first response if none was recorded yet. A breach already recorded stays.
    Returns True when this call made the first response; harmless to repeat."""
    at = at or timezone.now()
    done = Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(first_responded_at=at) == 1
    if done:
        ticket.first_responded_at = at
        sla_log(ticket=ticket, kind=SLAEvent.Kind.FIRST_RESPONSE, occurred_at=at)
        event_record(
            ticket=ticket,
            kind="first_response",
            actor=actor,
            at=at.isoformat(),
            in_time=at <= ticket.first_response_due_at,
        )
    return done
