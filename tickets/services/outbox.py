"""The routing outbox: routing a newly filed ticket must not be lost when the broker is down. A
row is written in the transaction that files the ticket; the task sent after commit routes it,
and when that message never arrives the periodic drain does. A row is locked while worked and
marked processed in the same transaction, so two workers never both route it. E-mail does not go
through here: every e-mail is a row of the one outbox in core (core.outbox)."""

import datetime
import functools
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.outbox import delete_in_batches, drain_in_batches
from slaportal.tracing import outbox_trace_carrier, traced
from tickets import dispatch
from tickets.models import OutboxMessage, Ticket

from .routing import ticket_route

logger = logging.getLogger(__name__)

DRAIN_BATCH = 200
# A pass stops taking new batches after this long, well inside the drain task's time limit.
DRAIN_BUDGET_SECONDS = 20.0
# The purge deletes processed rows older than settings.OUTBOX_RETENTION_DAYS this many at a time,
# each batch its own short statement, so it never holds many row locks or a long transaction.
PURGE_BATCH = 1000


@functools.cache
def _ticket_url_name() -> str | None:
    """The page a notification links to: the ticket's own page, else the desk queue."""
    for name, args in (("ticket-detail", [1]), ("ticket-queue", [])):
        try:
            reverse(name, args=args)
        except NoReverseMatch:
            continue
        return name
    return None


def ticket_link(ticket_id: int) -> str:
    """The address of the ticket for an e-mail."""
    name = _ticket_url_name()
    path = reverse(name, args=[ticket_id] if name == "ticket-detail" else []) if name else "/"
    return settings.SITE_URL.rstrip("/") + path


def _work(message: OutboxMessage, now: datetime.datetime) -> None:
    """Route the locked message's ticket (in the trace of the filing) and mark it processed."""
    carrier = (message.payload or {}).get("trace")
    if message.ticket_id is not None:
        with traced("ticket.route", carrier=carrier, ticket_id=message.ticket_id):
            ticket_route(ticket_id=message.ticket_id)
    OutboxMessage.objects.filter(pk=message.pk).update(processed_at=now)


def outbox_deliver(*, message_id: int) -> bool:
    """Do one outbox message now. False when it is gone, already done, not yet due again, or
    being worked by someone else. Harmless to repeat."""
    now = timezone.now()
    with transaction.atomic():
        message = _due(now).filter(pk=message_id).first()
        if message is None:
            return False
        _work(message, now)
        return True


def _due(now: datetime.datetime):
    """The rows due now, by ticket priority, locked; rows other workers hold are skipped."""
    return (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(processed_at__isnull=True, available_at__lte=now)
        .order_by("priority", "available_at", "id")
    )


def _work_batch(batch: list[OutboxMessage], now: datetime.datetime) -> int:
    for message in batch:
        _work(message, now)
    return len(batch)


def outbox_drain(*, limit: int = DRAIN_BATCH, budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Route the tickets of the pending rows, by ticket priority, in locked batches that other
    drains skip. Returns how many were done. Harmless to run concurrently."""
    total = drain_in_batches(_due, _work_batch, limit=limit, budget_seconds=budget_seconds)
    if total:
        logger.debug("outbox.drained", extra={"count": total})
    return total


def outbox_route_add(*, ticket: Ticket) -> OutboxMessage:
    """Record, in the caller's transaction, that a newly filed ticket must be routed, and send
    the routing task (on the ticket's priority queue) with its SLA timers after commit."""
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.ROUTE,
        ticket=ticket,
        priority=ticket.priority,
        payload={"trace": trace} if (trace := outbox_trace_carrier()) else {},
    )
    transaction.on_commit(
        partial(
            dispatch.ticket_filed,
            ticket_id=ticket.pk,
            route_message_id=message.pk,
            priority=ticket.priority,
            due_at=ticket.first_response_due_at,
            warning_at=ticket.warning_due_at,
        )
    )
    return message


def outbox_purge(
    *,
    now: datetime.datetime | None = None,
    batch: int = PURGE_BATCH,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
) -> int:
    """Delete processed outbox rows older than the retention period, oldest first, in batches
    (index outbox_processed), until none is left or the time budget is spent (the next run
    continues). Pending rows are never touched. Returns how many rows were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    rows = OutboxMessage.objects.filter(processed_at__lt=cutoff).order_by("processed_at")
    total = delete_in_batches(rows, batch=batch, budget_seconds=budget_seconds)
    if total:
        logger.info("outbox.purged", extra={"count": total})
    return total
