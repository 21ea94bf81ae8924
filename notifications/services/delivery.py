"""Sending notifications through the one outbox (core.outbox). A pending notification is handed
to the outbox as one row, keyed by the notification (cause `notification:<id>`) and its address,
and marked sent in the same transaction: the outbox sends it, retries it with its one policy and
records whether it went. The e-mail is rendered when the outbox sends it, in the recipient's
language, by `notification_render` (registered with core as `notifications.notification` in
NotificationsConfig.ready)."""

import datetime
import logging

from core.outbox import Rendered, drain_in_batches, outbox_drain, outbox_enqueue_many, outbox_message

from ..emails import notification_email
from ..models import Notification
from ..selectors import languages_for

logger = logging.getLogger(__name__)

BATCH = 100
BUDGET_SECONDS = 20.0
RENDERER = "notifications.notification"

Status = Notification.Status


def notification_cause(notification_id: int) -> str:
    return f"notification:{notification_id}"


def notification_render(message) -> Rendered:
    """The outbox renderer: the e-mail of the notification the row names."""
    notification = Notification.objects.select_related(
        "ticket__institution", "ticket__product", "event__actor", "institution"
    ).get(pk=message.context["notification_id"])
    email = notification_email(notification)
    html = next((content for content, mimetype in email.alternatives if mimetype == "text/html"), "")
    headers = dict(email.extra_headers)
    if email.reply_to:
        headers["Reply-To"] = ", ".join(email.reply_to)
    return Rendered(subject=email.subject, body=email.body, html=html, headers=headers)


def _queue_locked(notifications: list[Notification], now: datetime.datetime) -> int:
    languages = languages_for(person_ids={n.recipient_id for n in notifications if n.recipient_id})
    outbox_enqueue_many(
        messages=[
            outbox_message(
                cause=notification_cause(notification.pk),
                recipient=notification.to_address,
                renderer=RENDERER,
                context={"notification_id": notification.pk},
                language=languages.get(notification.recipient_id, ""),
                available_at=now,
            )
            for notification in notifications
        ]
    )
    Notification.objects.filter(pk__in=[n.pk for n in notifications], status=Status.PENDING).update(
        status=Status.SENT, sent_at=now
    )
    return len(notifications)


def _due(now: datetime.datetime):
    """The notifications due now, oldest first, locked; rows other passes hold are skipped."""
    return (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(status=Status.PENDING, available_at__lte=now)
        .order_by("available_at", "id")
    )


def notification_queue(*, limit: int = BATCH, budget_seconds: float = BUDGET_SECONDS) -> int:
    """Hand the pending notifications that are due to the outbox, in locked batches other passes
    skip. Returns how many were handed over. Harmless to run twice or concurrently."""
    total = drain_in_batches(_due, _queue_locked, limit=limit, budget_seconds=budget_seconds)
    if total:
        logger.debug("notifications.queued", extra={"count": total})
    return total


def notification_drain(*, limit: int = BATCH, budget_seconds: float = BUDGET_SECONDS) -> int:
    """Hand the due notifications to the outbox and send what the outbox has due (the outbox's
    own worker path, run here so that a notification goes out in the same pass)."""
    queued = notification_queue(limit=limit, budget_seconds=budget_seconds)
    outbox_drain(budget_seconds=budget_seconds)
    return queued
