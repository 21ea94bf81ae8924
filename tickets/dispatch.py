"""Hand-off from committed writes to the Celery workers. Called through transaction.on_commit;
sending never blocks long or fails the request that wrote the data (slaportal.celery.publish):
the rows themselves — deadline columns, outbox rows — are the record of what is to be done, and
the periodic sweeps do whatever a lost or unsent message would have done. Tasks are named, not
imported (tickets.tasks imports the services that call this module)."""

import datetime
import logging

from django.utils import timezone

from slaportal.celery import publish

logger = logging.getLogger(__name__)

# Per-ticket timers are sent with an ETA only for moments less than this far ahead. With Redis,
# a task waiting for its ETA stays unacknowledged and is redelivered after the broker's
# visibility timeout (3 h, slaportal/settings/base.py), so this must stay below it with room for
# the task's time limit. 2.5 h covers the longest first-response time sold (120 min) for tickets
# filed inside the window; the rest are caught by the sweep every second.
ETA_HORIZON = datetime.timedelta(hours=2, minutes=30)


def routing_queue(priority: int) -> str:
    """The Celery queue for routing a ticket of this contract priority (1 is served first)."""
    return f"routing_p{min(max(int(priority), 1), 4)}"


def sla_timers(*, ticket_id: int, due_at: datetime.datetime, warning_at: datetime.datetime) -> int:
    """Send the warning and breach timers of a ticket whose moments fall within ETA_HORIZON.
    Returns how many were sent."""
    now = timezone.now()
    sent = 0
    for task, moment in (("tickets.sla_warning", warning_at), ("tickets.sla_breach", due_at)):
        if moment - now <= ETA_HORIZON:
            sent += publish(task, args=[ticket_id], queue="sla", eta=max(moment, now))
    return sent


def ticket_filed(
    *,
    ticket_id: int,
    route_message_id: int,
    priority: int,
    due_at: datetime.datetime,
    warning_at: datetime.datetime,
) -> None:
    """After a ticket is filed: its routing on its priority's queue, then its SLA timers."""
    if publish("tickets.outbox_deliver", args=[route_message_id], queue=routing_queue(priority)):
        sla_timers(ticket_id=ticket_id, due_at=due_at, warning_at=warning_at)
        forecast_stale()
    else:
        logger.warning("dispatch.ticket_filed_deferred", extra={"ticket_id": ticket_id})


def forecast_stale() -> None:
    """A ticket was filed or answered, or someone went on or off duty: refresh the forecast (one
    refresh takes well under a second at 10,000 open tickets; the beat does it every minute too)."""
    publish("tickets.forecast_refresh", queue="celery")
