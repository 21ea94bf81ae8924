"""Thin Celery wrappers for core's records."""

from celery import shared_task

from . import outbox, services


# Not retried: beat runs it again at the next interval and it resumes where it stopped.
@shared_task(name="core.idempotency_purge", time_limit=300, soft_time_limit=240)
def idempotency_purge() -> None:
    services.idempotency_purge()


# The outbox's one worker path: sent after a commit that queued messages, and run by beat for the
# rows whose message was lost or whose try failed. Not retried: the next beat runs it again.
@shared_task(name="core.outbox_drain", time_limit=60, soft_time_limit=50)
def outbox_drain() -> None:
    outbox.outbox_drain()


# Sent and failed rows past OUTBOX_RETENTION_DAYS, in batches; the next run goes on.
@shared_task(name="core.outbox_purge", time_limit=60, soft_time_limit=50)
def outbox_purge() -> None:
    outbox.outbox_purge()
