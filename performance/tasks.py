from celery import shared_task

from .services import usage_dirty_days_rollup, usage_events_purge


@shared_task(name="performance.usage_rollup", time_limit=1800, soft_time_limit=1700)
def usage_rollup() -> int:
    return usage_dirty_days_rollup()


@shared_task(name="performance.usage_purge", time_limit=1800, soft_time_limit=1700)
def usage_purge() -> int:
    return usage_events_purge()
