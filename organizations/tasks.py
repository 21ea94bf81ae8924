"""Thin Celery wrappers over organizations' services."""

from celery import shared_task

from .backends import ldap_directory_sync_all_institutions
from .services import duty_changes_apply as _duty_changes_apply


# Not retried: the next beat runs it again within the minute.
@shared_task(name="organizations.duty_changes_apply", time_limit=60, soft_time_limit=50)
def duty_changes_apply() -> None:
    _duty_changes_apply()


# Not retried: a directory that is down tonight is synced tomorrow, and its people still lose
# access at their next sign-in.
@shared_task(name="organizations.directory_sync", time_limit=3600, soft_time_limit=3300)
def directory_sync() -> None:
    ldap_directory_sync_all_institutions()
