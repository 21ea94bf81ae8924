"""The outbox: every e-mail the product sends is a row of core.OutboxMessage, one per recipient and
cause, written in the transaction of the change that calls for it and sent after that commits.

- Queue: `outbox_enqueue` / `outbox_enqueue_many`, in the caller's transaction. The key
  (channel, cause, recipient) is unique: queuing a cause again for a recipient is a no-op, so a
  retried cause never writes a second row and never reaches anyone twice. A rolled back change
  leaves no row.
- Send: one path. After commit the task `core.outbox_drain` is sent; beat runs the same task
  every few seconds for rows whose message was lost or whose try failed. A row is locked while
  sent (skip locked: two workers never both send it) and marked sent in the same transaction.
- Retry: one policy. A refused or failed send waits `retry_delay(attempts)` — 30 s doubling,
  at most an hour — and after MAX_ATTEMPTS tries the row is failed. Each row is one recipient,
  so a failure for one never sends again to another.
- Purge: one job (`core.outbox_purge`) deletes sent and failed rows older than
  settings.OUTBOX_RETENTION_DAYS; pending rows are never touched.

Core imports no app: an app gives rendered content, or names a renderer it registered with
`outbox_renderer_register` (rendered at send time, in the row's language). The language of a
person's messages is `recipient_language` (core.languages: decided by the app that keeps that
choice); without one every message is in the site's language."""

import base64
import datetime
import logging
import smtplib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation

from slaportal.celery import publish
from slaportal.tracing import outbox_trace_carrier, traced

from .languages import email_language
from .models import OutboxMessage

logger = logging.getLogger(__name__)

Channel = OutboxMessage.Channel
Status = OutboxMessage.Status

DRAIN_BATCH = 200
# A pass stops taking new batches after this long, well inside the drain task's time limit.
DRAIN_BUDGET_SECONDS = 20.0
PURGE_BATCH = 1000
# The retry policy: 30 s after the first failure, doubling, at most an hour; failed for good
# after the sixth try (about half an hour after the first).
RETRY_BASE = datetime.timedelta(seconds=30)
RETRY_BACKOFF_MAX = datetime.timedelta(hours=1)
MAX_ATTEMPTS = 6
# What a failed send raises: the mail server refused or could not be reached.
SEND_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long a message waits after its `attempts`-th failed try: 30 s doubling, at most an hour."""
    return min(RETRY_BASE * 2 ** min(max(attempts - 1, 0), 10), RETRY_BACKOFF_MAX)


@dataclass(frozen=True)
class Rendered:
    """What a renderer gives: the message as it is sent."""

    subject: str
    body: str
    html: str = ""
    # (file name, content, MIME type), as EmailMessage.attach takes them
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


Renderer = Callable[[OutboxMessage], Rendered]
_RENDERERS: dict[str, Renderer] = {}


def outbox_renderer_register(name: str, renderer: Renderer) -> None:
    """Name a function that renders a row's content when it is sent (from its `context`, under
    its `language`). A renderer raises ObjectDoesNotExist when what it renders is gone: the row
    is then failed without a send."""
    _RENDERERS[name] = renderer


def recipient_language(person_id: int | None) -> str:
    """The language a person's messages are written in (core.languages: the choice the app that
    keeps it registered); the site's language when unknown."""
    return email_language(person_id)


def encode_attachments(attachments: Iterable[tuple[str, bytes, str]]) -> list[dict]:
    return [
        {"name": name, "content": base64.b64encode(content).decode("ascii"), "mimetype": mimetype}
        for name, content, mimetype in attachments
    ]


def outbox_message(
    *,
    cause: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    html: str = "",
    attachments: Iterable[tuple[str, bytes, str]] = (),
    headers: dict | None = None,
    language: str = "",
    renderer: str = "",
    context: dict | None = None,
    channel: str = Channel.EMAIL,
    available_at: datetime.datetime | None = None,
) -> OutboxMessage | None:
    """A row for the outbox (not saved), or None when there is nobody to write to."""
    recipient = (recipient or "").strip()
    if not recipient:
        return None
    context = dict(context or {})
    # The trace of the change that asks for the message, so its sending joins it (slaportal/tracing.py).
    if trace := outbox_trace_carrier():
        context["trace"] = trace
    return OutboxMessage(
        channel=channel,
        cause=cause[:200],
        recipient=recipient,
        subject=subject,
        body=body,
        html=html,
        attachments=encode_attachments(attachments),
        headers=headers or {},
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        renderer=renderer,
        context=context,
        next_attempt_at=available_at or timezone.now(),
    )


def outbox_enqueue_many(*, messages: Iterable[OutboxMessage | None]) -> int:
    """Store rows in the caller's transaction and have them sent after it commits. A row whose key
    (channel, cause, recipient) is already there is skipped. Returns how many were given."""
    rows = [message for message in messages if message is not None]
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    outbox_pending_after_commit()
    return len(rows)


def outbox_enqueue(**fields) -> OutboxMessage | None:
    """Queue one message (the arguments of `outbox_message`) in the caller's transaction:
    the row stored, or the row already there for this cause and recipient; None for nobody."""
    message = outbox_message(**fields)
    if message is None:
        return None
    key = {"channel": message.channel, "cause": message.cause, "recipient": message.recipient}
    existing = OutboxMessage.objects.filter(**key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return OutboxMessage.objects.get(**key)
    outbox_pending_after_commit()
    return message


def delete_in_batches(rows, *, batch: int, budget_seconds: float) -> int:
    """Delete the ordered queryset's rows, `batch` at a time in short statements, until none is
    left or the time budget is spent (the next run continues). Returns how many were deleted."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        ids = list(rows.values_list("pk", flat=True)[:batch])
        if ids:
            total += rows.model.objects.filter(pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    return total


def drain_in_batches(
    due: Callable[[datetime.datetime], models.QuerySet],
    work: Callable[[list, datetime.datetime], int],
    *,
    limit: int,
    budget_seconds: float,
) -> int:
    """Hand the rows of `due(now)` (locked, skipping rows others hold, in the order to work them)
    to `work(rows, now)`, `limit` at a time, each batch in its own transaction, until a batch
    comes short or the time budget is spent (the next run continues). Returns the sum of what
    `work` returned."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        now = timezone.now()
        with transaction.atomic():
            batch = list(due(now)[:limit])
            if not batch:
                break
            total += work(batch, now)
        if len(batch) < limit:
            break
    return total


def outbox_backlog(*, now: datetime.datetime | None = None) -> dict[str, tuple[int, float]]:
    """The messages waiting to be sent, by channel (email, push): how many rows and the age in
    seconds of the oldest. What /metrics reads of the outbox."""
    now = now or timezone.now()
    rows = (
        OutboxMessage.objects.filter(status=Status.PENDING)
        .values("channel")
        .annotate(depth=models.Count("id"), oldest=models.Min("created_at"))
    )
    return {row["channel"]: (row["depth"], max((now - row["oldest"]).total_seconds(), 0.0)) for row in rows}


def outbox_pending_after_commit() -> None:
    """Have the outbox drained once the current transaction commits (beat does it otherwise)."""
    transaction.on_commit(lambda: publish("core.outbox_drain", queue="celery"))


def _render(message: OutboxMessage) -> Rendered:
    if not message.renderer:
        return Rendered(
            subject=message.subject,
            body=message.body,
            html=message.html,
            attachments=[
                (item["name"], base64.b64decode(item["content"]), item["mimetype"])
                for item in message.attachments
            ],
            headers=message.headers,
        )
    renderer = _RENDERERS.get(message.renderer)
    if renderer is None:
        raise LookupError(f"no outbox renderer named {message.renderer!r}")
    with translation.override(message.language or settings.LANGUAGE_CODE):
        return renderer(message)


def _email(message: OutboxMessage, rendered: Rendered, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=rendered.headers,
        connection=connection,
    )
    if rendered.html:
        email.attach_alternative(rendered.html, "text/html")
    for name, content, mimetype in rendered.attachments:
        email.attach(name, content, mimetype)
    return email


def _fail(message: OutboxMessage, error: str, now: datetime.datetime, *, final: bool = False) -> None:
    message.attempts += 1
    message.last_error = error[:2000]
    if final or message.attempts >= MAX_ATTEMPTS:
        message.status = Status.FAILED
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
    message.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    logger.warning(
        "outbox.failed",
        extra={
            "message_id": message.pk,
            "cause": message.cause,
            "attempts": message.attempts,
            "status": message.status,
        },
    )


def _work(messages: list[OutboxMessage], now: datetime.datetime) -> int:
    """Send each locked row; mark the sent ones and push the failed ones back (or fail them)."""
    sent: list[int] = []
    connection = get_connection()
    try:
        for message in messages:
            if message.channel != Channel.EMAIL:
                continue
            try:
                rendered = _render(message)
            except (ObjectDoesNotExist, LookupError) as exc:
                _fail(message, repr(exc), now, final=True)
                continue
            try:
                with traced("outbox.email", carrier=message.context.get("trace")):
                    _email(message, rendered, connection).send()
            except SEND_ERRORS as exc:
                _fail(message, repr(exc), now)
            else:
                sent.append(message.pk)
    finally:
        connection.close()
    if sent:
        OutboxMessage.objects.filter(pk__in=sent, status=Status.PENDING).update(
            status=Status.SENT, sent_at=now
        )
    return len(sent)


def _due(now: datetime.datetime):
    """The e-mails due now, oldest first, locked; rows other workers hold are skipped."""
    return (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(status=Status.PENDING, channel=Channel.EMAIL, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
    )


def outbox_deliver(*, message_id: int) -> bool:
    """Send one row now. False when it is gone, already sent or failed, not yet due again, being
    sent by someone else, or refused this time. Harmless to repeat."""
    now = timezone.now()
    with transaction.atomic():
        message = _due(now).filter(pk=message_id).first()
        if message is None:
            return False
        return _work([message], now) == 1


def outbox_drain(*, limit: int = DRAIN_BATCH, budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Send the due rows, oldest first, in locked batches that other drains skip. Returns how
    many were sent. Harmless to run twice or concurrently."""
    total = drain_in_batches(_due, _work, limit=limit, budget_seconds=budget_seconds)
    if total:
        logger.debug("outbox.drained", extra={"count": total})
    return total


def outbox_purge(
    *,
    now: datetime.datetime | None = None,
    batch: int = PURGE_BATCH,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
) -> int:
    """Delete sent and failed rows older than OUTBOX_RETENTION_DAYS, oldest first, in batches of
    `batch` rows (each its own short statement), until none is left or the time budget is spent
    (the next run continues). Pending rows are never touched. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    rows = (
        OutboxMessage.objects.filter(created_at__lt=cutoff)
        .exclude(status=Status.PENDING)
        .order_by("created_at")
    )
    total = delete_in_batches(rows, batch=batch, budget_seconds=budget_seconds)
    if total:
        logger.info("outbox.purged", extra={"count": total})
    return total
