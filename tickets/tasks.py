"""Thin Celery wrappers: each takes ids, calls one service and returns quietly when the row is
gone or the work is already done. Retries are for named transient errors only (the database
went away or a lock timed out); the SLA tasks have short time limits, since the sweep behind
them will do their work if they fail."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .forecast.services import forecast_refresh as _forecast_refresh
from .services.outbox import outbox_deliver as _outbox_deliver
from .services.outbox import outbox_drain as _outbox_drain
from .services.outbox import outbox_purge as _outbox_purge
from .services.routing import ticket_route_unrouted
from .services.sla import sla_breach_record, sla_warning_record
from .services.sla import sla_sweep as _sla_sweep

TRANSIENT = (OperationalError, InterfaceError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 1, "retry_backoff_max": 30, "max_retries": 5}


@shared_task(name="tickets.sla_breach", time_limit=30, soft_time_limit=25, **RETRY)
def sla_breach(ticket_id: int) -> None:
    sla_breach_record(ticket_id=ticket_id)


@shared_task(name="tickets.sla_warning", time_limit=30, soft_time_limit=25, **RETRY)
def sla_warning(ticket_id: int) -> None:
    sla_warning_record(ticket_id=ticket_id)


# The sweeps are not retried: the next beat runs them again within seconds.
@shared_task(name="tickets.sla_sweep", time_limit=60, soft_time_limit=50)
def sla_sweep() -> None:
    _sla_sweep()


@shared_task(name="tickets.outbox_deliver", time_limit=60, soft_time_limit=50, **RETRY)
def outbox_deliver(message_id: int) -> None:
    _outbox_deliver(message_id=message_id)


@shared_task(name="tickets.outbox_drain", time_limit=60, soft_time_limit=50)
def outbox_drain() -> None:
    _outbox_drain()


@shared_task(name="tickets.route_unrouted", time_limit=60, soft_time_limit=50)
def route_unrouted() -> None:
    ticket_route_unrouted()


@shared_task(name="tickets.outbox_purge", time_limit=60, soft_time_limit=50)
def outbox_purge() -> None:
    _outbox_purge()


# Not retried: the beat refreshes the forecast again within the minute.
@shared_task(name="tickets.forecast_refresh", time_limit=30, soft_time_limit=25)
def forecast_refresh() -> None:
    _forecast_refresh()
