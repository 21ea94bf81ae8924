"""Thin Celery wrappers of the learning services."""

from celery import shared_task

from . import articles, services


# Not retried: beat runs it again within a minute, and each reminder is a guarded update.
@shared_task(name="learning.training_reminder_sweep", time_limit=120, soft_time_limit=100)
def training_reminder_sweep() -> None:
    services.training_reminder_sweep()


# Not retried: the next pass (five minutes later) takes whatever this one left.
@shared_task(name="learning.suggestion_ticket_index", time_limit=240, soft_time_limit=200)
def suggestion_ticket_index() -> None:
    articles.suggestion_ticket_index(limit=2000)
