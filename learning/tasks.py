"""Thin Celery wrappers of the learning services."""

from celery import shared_task

from . import services


# Not retried: beat runs it again within a minute, and each reminder is a guarded update.
@shared_task(name="learning.training_reminder_sweep", time_limit=120, soft_time_limit=100)
def training_reminder_sweep() -> None:
    services.training_reminder_sweep()
