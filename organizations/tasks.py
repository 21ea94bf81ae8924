"""Thin Celery wrappers over organizations' services."""

import importlib.util
import logging

from celery import shared_task

from .services import duty_changes_apply as _duty_changes_apply


# Not retried: the next beat runs it again within the minute.
@shared_task(name="organizations.duty_changes_apply", time_limit=60, soft_time_limit=50)
def duty_changes_apply() -> None:
    _duty_changes_apply()


# Not retried: a directory that is down tonight is synced tomorrow, and its people still lose
# access at their next sign-in.
@shared_task(name="organizations.directory_sync", time_limit=3600, soft_time_limit=3300)
def directory_sync() -> None:
    if importlib.util.find_spec("ldap") is None:
        logging.getLogger(__name__).warning("directory.sync_unavailable: python-ldap is not installed")
        return
    from .ldap_directory import ldap_directory_sync_all_institutions

    ldap_directory_sync_all_institutions()
