"""Thin Celery wrappers over organizations' services."""

from celery import shared_task

from .services import duty_changes_apply as _duty_changes_apply


# Not retried: the next beat runs it again within the minute.
@shared_task(name="organizations.duty_changes_apply", time_limit=60, soft_time_limit=50)
def duty_changes_apply() -> None:
    _duty_changes_apply()
