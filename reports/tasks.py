"""Thin Celery wrappers for surveys and the monthly reports."""

from celery import shared_task

from . import surveys


# Not retried: the next beat runs the sweep again.
@shared_task(name="reports.survey_sweep", time_limit=120, soft_time_limit=100)
def survey_sweep() -> None:
    surveys.survey_sweep()

