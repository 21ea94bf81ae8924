"""The outbox: work that must not be lost when the broker is down. A row is written in the
transaction of the change that calls for it; the task sent after commit does it, and when that
message never arrives the periodic drain does. A row is locked while worked and marked processed
in the same transaction, so two workers never both do it; an e-mail may only be sent again if a
worker dies between handing it to the mail server and committing (at least once, never lost)."""

import datetime
import functools
import logging
import smtplib
import time
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

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
# Failed e-mails are tried again later, waiting longer each time, at most an hour.
RETRY_BACKOFF_MAX = datetime.timedelta(hours=1)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long a failed e-mail waits before its next try: 30 s doubling, at most an hour."""
    return min(datetime.timedelta(seconds=30 * 2 ** min(attempts, 10)), RETRY_BACKOFF_MAX)


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


def email_message(
    *, subject: str, body: str, recipients: list[str], ticket: Ticket | None = None
) -> OutboxMessage | None:
    """An e-mail row for the outbox (not saved), or None when there is nobody to write to."""
    to = sorted({address for address in recipients if address})
    if not to:
        return None
    payload = {"subject": subject, "body": body, "to": to}
    # The trace of the change that asks for the e-mail, so its sending joins it (slaportal/tracing.py).
    if trace := outbox_trace_carrier():
        payload["trace"] = trace
    return OutboxMessage(kind=OutboxMessage.Kind.EMAIL, ticket=ticket, payload=payload)


def outbox_email_add_many(*, messages: list[OutboxMessage]) -> int:
    """Store e-mail rows in the caller's transaction and have them sent after it commits."""
    if not messages:
        return 0
    OutboxMessage.objects.bulk_create(messages, batch_size=1000)
    transaction.on_commit(dispatch.outbox_pending)
    return len(messages)


def _route(message: OutboxMessage) -> None:
    if message.ticket_id is not None:
        ticket_route(ticket_id=message.ticket_id)


def _perform(message: OutboxMessage, connection) -> None:
    carrier = (message.payload or {}).get("trace")
    if message.kind == OutboxMessage.Kind.ROUTE:
        with traced("ticket.route", carrier=carrier, ticket_id=message.ticket_id or 0):
            _route(message)
    elif message.kind == OutboxMessage.Kind.EMAIL:
        payload = message.payload
        with traced("outbox.email", carrier=carrier, ticket_id=message.ticket_id or 0):
            EmailMessage(
                subject=payload["subject"],
                body=payload["body"],
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=payload["to"],
                connection=connection,
            ).send()


def _work(messages: list[OutboxMessage], now: datetime.datetime) -> int:
    """Do each locked message; mark the done ones processed and push the failed ones back."""
    done: list[int] = []
    connection = get_connection()
    try:
        for message in messages:
            try:
                _perform(message, connection)
            except (smtplib.SMTPException, OSError) as exc:
                message.attempts += 1
                message.last_error = repr(exc)[:2000]
                message.available_at = now + retry_delay(message.attempts)
                message.save(update_fields=["attempts", "last_error", "available_at"])
                logger.warning(
                    "outbox.failed",
                    extra={"message_id": message.pk, "kind": message.kind, "attempts": message.attempts},
                )
            else:
                done.append(message.pk)
    finally:
        connection.close()
    if done:
        OutboxMessage.objects.filter(pk__in=done).update(processed_at=now)
    return len(done)


def outbox_deliver(*, message_id: int) -> bool:
    """Do one outbox message now. False when it is gone, already done, not yet due again, or
    being worked by someone else. Harmless to repeat."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, processed_at__isnull=True, available_at__lte=now)
            .first()
        )
        if message is None:
            return False
        return _work([message], now) == 1


def outbox_drain(*, limit: int = DRAIN_BATCH, budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Work the pending outbox: routing by ticket priority first, then e-mails, in locked batches
    that other drains skip. Returns how many messages were done. Harmless to run concurrently."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        now = timezone.now()
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(processed_at__isnull=True, available_at__lte=now)
                .order_by("priority", "available_at", "id")[:limit]
            )
            if not batch:
                break
            total += _work(batch, now)
        if len(batch) < limit:
            break
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
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        ids = list(
            OutboxMessage.objects.filter(processed_at__lt=cutoff)
            .order_by("processed_at")
            .values_list("pk", flat=True)[:batch]
        )
        if ids:
            total += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    if total:
        logger.info("outbox.purged", extra={"count": total})
    return total
