"""Thin Celery wrappers for the composition layer's periodic work."""

from celery import shared_task

from .privacy.retention import retention_apply


# Not retried: beat runs it again the next night, and it carries on from what is left.
@shared_task(name="portal.apply_retention", time_limit=6 * 3600, soft_time_limit=6 * 3600 - 300)
def apply_retention() -> None:
    retention_apply()
