"""Sending notifications: at least once, each on its own. A row is locked while it is sent and
marked sent in the same transaction, so two workers never both send it; one address the server
refuses is pushed back with a growing delay and, after MAX_ATTEMPTS, marked failed — it never
holds up the other rows of the batch."""

import datetime
import logging
import smtplib
import time

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from tickets.services.outbox import retry_delay

from ..emails import notification_email
from ..models import Notification

logger = logging.getLogger(__name__)

BATCH = 100
BUDGET_SECONDS = 20.0
MAX_ATTEMPTS = 6

Status = Notification.Status


def _send_locked(notifications: list[Notification], now: datetime.datetime) -> int:
    sent: list[int] = []
    connection = get_connection()
    try:
        for notification in notifications:
            try:
                notification_email(notification, connection=connection).send()
            except (smtplib.SMTPException, OSError) as exc:
                notification.attempts += 1
                notification.last_error = repr(exc)[:2000]
                if notification.attempts >= MAX_ATTEMPTS:
                    notification.status = Status.FAILED
                else:
                    notification.available_at = now + retry_delay(notification.attempts)
                notification.save(update_fields=["attempts", "last_error", "available_at", "status"])
                logger.warning(
                    "notifications.send_failed",
                    extra={"notification_id": notification.pk, "attempts": notification.attempts},
                )
            else:
                sent.append(notification.pk)
    finally:
        connection.close()
    if sent:
        Notification.objects.filter(pk__in=sent, status=Status.PENDING).update(
            status=Status.SENT, sent_at=now
        )
    return len(sent)


def _due(now: datetime.datetime):
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Status.PENDING, available_at__lte=now)
        .select_related("ticket__institution", "ticket__product", "event__actor", "institution")
    )


def notification_drain(*, limit: int = BATCH, budget_seconds: float = BUDGET_SECONDS) -> int:
    """Send the pending notifications that are due, in locked batches other drains skip.
    Returns how many were sent. Harmless to run twice or concurrently."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        now = timezone.now()
        with transaction.atomic():
            batch = list(_due(now).order_by("available_at", "id")[:limit])
            if not batch:
                break
            total += _send_locked(batch, now)
        if len(batch) < limit:
            break
    if total:
        logger.debug("notifications.sent", extra={"count": total})
    return total
