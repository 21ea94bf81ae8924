"""Thin Celery wrappers for core's records."""

from celery import shared_task

from . import services


# Not retried: beat runs it again at the next interval and it resumes where it stopped.
@shared_task(name="core.idempotency_purge", time_limit=300, soft_time_limit=240)
def idempotency_purge() -> None:
    services.idempotency_purge()
