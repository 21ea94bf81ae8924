"""The Celery application, the one beat schedule of the product, and the one way web code sends
a task without ever waiting on (or failing because of) the broker."""

import logging
import os
import time
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init, worker_process_init
from kombu import Queue

from .queues import QUEUES, SWEEP_QUEUE

# Production, like wsgi.py and asgi.py: a worker or beat started the ordinary way is a server
# process, and `import slaportal.wsgi` runs this module first (the package imports its Celery
# app), so this default is the one every server gets. manage.py and dev.py choose local settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slaportal.settings.production")

logger = logging.getLogger(__name__)

app = Celery("slaportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every queue, declared once (slaportal/queues.py) in the order a worker serves them: the Redis
# transport option `queue_order_strategy: priority` takes from the first non-empty queue in this
# order. A plain `celery -A slaportal worker` consumes all of them; `dev.py run` splits them over
# its two workers with `-Q sla_sweep` / `-X sla_sweep`.
app.conf.task_queues = [Queue(name, routing_key=name) for name in QUEUES]

# One beat process sends this schedule at a time (docker-compose runs one `beat` replica; `dev.py
# run` embeds it in its sweep worker). On PostgreSQL more may run for failover: only the holder of
# the lease in slaportal/beat.py sends. Two sending would be harmless — every task is a guarded
# update — but would double the load for nothing.


def _options(queue: str, expires: int) -> dict:
    # `expires` is read by Celery's own scheduler, `expire_seconds` by django-celery-beat's
    # DatabaseScheduler (the one configured); either way a stale run is dropped, not queued up.
    return {"queue": queue, "expires": expires, "expire_seconds": expires}


app.conf.beat_schedule = {
    # Breaches and warnings. Per-ticket timers (ETA tasks) fire at the second for deadlines known
    # less than ETA_HORIZON ahead; this pass is what makes the rest — tickets filed out of hours,
    # timers lost with a worker or a Redis outage, corrected deadlines — land within 2 s too: a
    # 1 s interval puts the worst case at about 1 s plus the pass itself and its wait in the
    # queue (at 2 s, the timers a killed worker host held were recorded up to 1.96 s late on a
    # saturated machine in the harness of scale/, at the edge of the 2 s it must hold). A pass
    # with nothing due is one probe of the partial index ticket_breach_due (well under 1 ms) and
    # one heartbeat UPDATE. Expiry drops passes that queued up behind a long one instead of
    # running them in a row.
    "sla-sweep": {
        "task": "tickets.sla_sweep",
        "schedule": timedelta(seconds=1),
        "options": _options(SWEEP_QUEUE, 10),
    },
    # The outbox (core.outbox): every e-mail whose message was lost or whose try failed and is due
    # again. Five seconds keeps a breach e-mail prompt after an outage without polling the table
    # more than needed; the task sent after the commit that queued a message normally got there first.
    "outbox-drain": {
        "task": "core.outbox_drain",
        "schedule": timedelta(seconds=5),
        "options": _options("sla", 20),
    },
    # Sent and failed outbox rows past OUTBOX_RETENTION_DAYS, deleted in batches. Every 15 minutes
    # keeps each run short; nothing depends on how soon an old row goes.
    "outbox-purge": {
        "task": "core.outbox_purge",
        "schedule": timedelta(minutes=15),
        "options": _options("celery", 600),
    },
    # The routing of new tickets whose message was lost (broker down): tickets' routing rows.
    "routing-drain": {
        "task": "tickets.outbox_drain",
        "schedule": timedelta(seconds=5),
        "options": _options("sla", 20),
    },
    # The breach forecast for the desk lead's board, the API and the alert: the queue moves by the
    # minute, and a refresh (under a second at 10,000 open tickets) is also sent after every
    # filing, first response and duty change, so the minute only bounds how stale it can get.
    "forecast-refresh": {
        "task": "tickets.forecast_refresh",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 50),
    },
    # Planned duty changes (shift starts and ends, breaks) take effect within the minute.
    "duty-changes": {
        "task": "organizations.duty_changes_apply",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 50),
    },
    # Tickets still unrouted half a minute after filing (no engineer was on duty, or the routing
    # outbox row found nobody): routing is not a deadline, so every 30 s is prompt enough.
    "route-unrouted": {
        "task": "tickets.route_unrouted",
        "schedule": timedelta(seconds=30),
        "options": _options("routing_p1", 60),
    },
    # Processed routing rows past OUTBOX_RETENTION_DAYS, in batches, like the outbox's.
    "routing-purge": {
        "task": "tickets.outbox_purge",
        "schedule": timedelta(minutes=15),
        "options": _options("celery", 600),
    },
    # Quota notices whose e-mail has not gone out yet (the task after the consumption normally
    # sends it at once); a minute is prompt enough for a note to the institution admin.
    "quota-notices": {
        "task": "packages.quota_notice_sweep",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 120),
    },
    # Idempotency-Key records past IDEMPOTENCY_RETENTION (a day): nothing waits on their removal,
    # so hourly keeps the table at about a day of keys, each run a few small batches.
    "idempotency-purge": {
        "task": "core.idempotency_purge",
        "schedule": timedelta(hours=1),
        "options": _options("celery", 1800),
    },
    # Customer notifications: new ticket events turned into e-mails and pushes and sent. Five
    # seconds keeps an answer's e-mail and push prompt; a pass with nothing new is one primary-key range probe.
    "notifications-dispatch": {
        "task": "notifications.dispatch",
        "schedule": timedelta(seconds=5),
        "options": _options("celery", 20),
    },
    # The support mailbox: a reply by e-mail within a minute is as prompt as people expect, and
    # the mail server is not polled more often than its operators would like.
    "notifications-imap": {
        "task": "notifications.imap_poll",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 110),
    },
    # The daily digest, once each morning before the working day (Europe/Istanbul), covering the
    # day before; a second run the same day adds nothing.
    "notifications-digest": {
        "task": "notifications.daily_digest",
        "schedule": crontab(hour=7, minute=0),
        "options": _options("celery", 3600),
    },
    # Training reminders 24 h and 1 h before the start: the registration's reminder columns are
    # the outbox, so a lost run is only a delay. A reminder a minute late is still on time, and a
    # pass with nothing due is a range probe of the index of published sessions by start.
    "training-reminders": {
        "task": "learning.training_reminder_sweep",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 120),
    },
    # Resolved tickets into the suggestions (learning.articles.suggestion_ticket_index): an answer
    # offered to the institution five minutes after its resolution is soon enough, and each pass
    # takes a bounded batch of those not indexed yet.
    "suggestion-ticket-index": {
        "task": "learning.suggestion_ticket_index",
        "schedule": timedelta(minutes=5),
        "options": _options("celery", 240),
    },
    # Satisfaction surveys: make the survey of each resolution (its question is the resolution
    # e-mail of the notifications app) and remind once after three days. A survey is on the ticket
    # page the moment it is resolved whatever this pass does; a minute is prompt for a reminder.
    "survey-sweep": {
        "task": "reports.survey_sweep",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 120),
    },
    # The institution report's day roll-up: extend it to yesterday and rebuild the days tickets
    # changed in. A report never waits for it (the days it has not rebuilt yet are read from the
    # tickets), so a minute only bounds how many such days a report computes itself.
    "report-days-refresh": {
        "task": "reports.report_days_refresh",
        "schedule": timedelta(seconds=60),
        "options": _options("celery", 120),
    },
    # The monthly report goes out on the 1st at 09:00 (CELERY_TIMEZONE is Istanbul): the start of
    # the first working morning of the month. Each institution and month has one delivery row, so
    # a beat that fires twice, or late, sends nothing twice.
    "monthly-reports": {
        "task": "reports.monthly_reports",
        "schedule": crontab(minute=0, hour=9, day_of_month=1),
        "options": _options("celery", 6 * 3600),
    },
    # Monthly reports whose e-mail failed (mail server down) or whose message was lost: every ten
    # minutes is prompt for a monthly e-mail, and a pass with nothing pending is one index probe.
    "report-delivery-drain": {
        "task": "reports.report_delivery_drain",
        "schedule": timedelta(minutes=10),
        "options": _options("celery", 600),
    },
    # Product usage figures: the reports read per person/product/day rows, so the raw events are
    # rolled up once a day, at night (Istanbul) when the products send little and yesterday is
    # complete. Late batches mark their days again and are picked up the next night; the day
    # in progress is reported from the next morning on.
    "usage-rollup": {
        "task": "performance.usage_rollup",
        "schedule": crontab(hour=1, minute=15),
        "options": _options("celery", 6 * 3600),
    },
    # Institutions' LDAP directories: people IT removed (or moved out of every mapped group) lose
    # access. They already lose it at their next sign-in; the nightly pass covers those who stay
    # signed in or never come back, at an hour when the directories are quiet.
    "directory-sync": {
        "task": "organizations.directory_sync",
        "schedule": crontab(hour=2, minute=30),
        "options": _options("celery", 6 * 3600),
    },
    # Raw events older than the retention (13 months) go once a day, in batches, after the
    # rollup: a day's delay in deleting is nothing against a 13-month retention.
    "usage-purge": {
        "task": "performance.usage_purge",
        "schedule": crontab(hour=3, minute=30),
        "options": _options("celery", 6 * 3600),
    },
    # KVKK's periodic destruction: the retention rules count in days, so once a night is enough;
    # 04:00 Istanbul, after the usage purge, when the desk is closed and the batches meet no one.
    "apply-retention": {
        "task": "portal.apply_retention",
        "schedule": crontab(hour=4, minute=0),
        "options": _options("celery", 6 * 3600),
    },
}


@worker_init.connect(weak=False)
@worker_process_init.connect(weak=False)
def _tracing(**kwargs):
    # In each worker process (after the fork, as the Celery instrumentation requires); off unless
    # OTEL_ENABLED (slaportal/tracing.py).
    from .tracing import tracing_setup

    tracing_setup()


# After a failed send, further sends are skipped for this long: during an outage each request
# would otherwise pay the connection timeout again. The sweep does the work once Redis is back.
BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def publish(name: str, *, args: list | tuple = (), queue: str | None = None, eta=None) -> bool:
    """Send the task registered under `name`, never raising and never retrying: False when the
    broker is unreachable. Callers use it after commit for work the database already records
    (outbox rows, deadline columns), so a message that is not sent is only a delay, never a loss.
    Tasks go by name so that the code that sends one never imports the module that runs it
    (tasks import services, and services send tasks)."""
    from kombu.exceptions import OperationalError

    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    options = {"retry": False}
    if queue:
        options["queue"] = queue
    if eta is not None:
        options["eta"] = eta
    try:
        app.send_task(name, args=list(args), **options)
    except (OperationalError, OSError) as exc:
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("celery.publish_failed", extra={"task": name, "error": repr(exc)})
        return False
    return True


def broker_reset() -> None:
    """Forget pooled broker connections and the back-off, after the broker URL changed."""
    global _broker_down_until
    _broker_down_until = 0.0
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()
