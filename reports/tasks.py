"""Thin Celery wrappers for surveys and the monthly reports."""

from celery import shared_task

from . import summary
from .services import delivery, surveys


# Not retried: the next beat runs the sweep again.
@shared_task(name="reports.survey_sweep", time_limit=120, soft_time_limit=100)
def survey_sweep() -> None:
    surveys.survey_sweep()


# Not retried: the next beat runs it again; a pass that finds another running returns at once.
@shared_task(name="reports.report_days_refresh", time_limit=600, soft_time_limit=570)
def report_days_refresh() -> None:
    summary.report_days_refresh()


@shared_task(name="reports.monthly_reports", time_limit=600, soft_time_limit=570)
def monthly_reports() -> None:
    delivery.report_delivery_schedule_last_month()
    delivery.report_delivery_drain()


@shared_task(name="reports.report_delivery_drain", time_limit=600, soft_time_limit=570)
def report_delivery_drain() -> None:
    delivery.report_delivery_drain()
