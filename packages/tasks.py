"""Thin Celery wrappers for quota notices: take ids, call one service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    name="packages.quota_notice_send",
    time_limit=60,
    soft_time_limit=50,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    max_retries=5,
)
def quota_notice_send(notice_id: int) -> None:
    services.quota_notice_send(notice_id=notice_id)


# Not retried: beat runs it again within a minute.
@shared_task(name="packages.quota_notice_sweep", time_limit=120, soft_time_limit=100)
def quota_notice_sweep() -> None:
    services.quota_notice_sweep()
