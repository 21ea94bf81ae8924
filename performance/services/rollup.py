"""The daily figures reports read, computed from the raw events, and the purge of old events.

Active time comes from session pairs: a `session_start` and the next `session_end` of the same
person and product. A session crossing midnight (Europe/Istanbul) gives each day the part that
falls in it and counts as a session on the day it started. A start followed by another start, or
with no end within USAGE_SESSION_MAX_HOURS, lost its end (a crash, a machine switched off) and
gives no time. Recomputing a day replaces its figures, so running the rollup twice is harmless."""

import datetime
import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organizations.models import Institution

from ..models import UsageDay, UsageDirtyDay, UsageEvent, UsageEventKind, UsageFeatureDay

logger = logging.getLogger(__name__)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def _sessions(events, max_length: datetime.timedelta):
    """(person, product, version, start, end) for each closed session, from events ordered by
    person, product and time."""
    open_start: dict[tuple, tuple] = {}
    for person_id, product, version, kind, occurred_at in events:
        group = (person_id, product)
        if kind == UsageEventKind.SESSION_START:
            open_start[group] = (occurred_at, version)
        elif kind == UsageEventKind.SESSION_END:
            started = open_start.pop(group, None)
            if started is not None and datetime.timedelta(0) <= occurred_at - started[0] <= max_length:
                yield person_id, product, started[1], started[0], occurred_at


def usage_days_rollup(*, institution_id: int, day: datetime.date) -> int:
    """Recompute one institution's figures for one day from its raw events (people matched at
    ingestion only). Returns how many person/product/version rows the day now has."""
    start, end = _day_bounds(day)
    max_length = datetime.timedelta(hours=settings.USAGE_SESSION_MAX_HOURS)
    base = UsageEvent.objects.for_institution(institution_id).filter(person__isnull=False)
    session_events = (
        base.filter(
            occurred_at__gte=start - max_length,
            occurred_at__lt=end + max_length,
            kind__in=[UsageEventKind.SESSION_START, UsageEventKind.SESSION_END],
        )
        .order_by("person_id", "product", "occurred_at", "kind")
        .values_list("person_id", "product", "version", "kind", "occurred_at")
    )
    figures: dict[tuple, dict] = defaultdict(lambda: {"active_seconds": 0, "sessions": 0, "feature_uses": 0})
    for person_id, product, version, began, ended in _sessions(
        session_events.iterator(chunk_size=5000), max_length
    ):
        overlap = (min(ended, end) - max(began, start)).total_seconds()
        if overlap <= 0 and not start <= began < end:
            continue
        row = figures[(person_id, product, version)]
        row["active_seconds"] += max(int(overlap), 0)
        if start <= began < end:
            row["sessions"] += 1
    feature_uses: dict[tuple, int] = defaultdict(int)
    features = base.filter(
        occurred_at__gte=start, occurred_at__lt=end, kind=UsageEventKind.FEATURE_USED
    ).values_list("person_id", "product", "version", "feature")
    for person_id, product, version, feature in features.iterator(chunk_size=5000):
        figures[(person_id, product, version)]["feature_uses"] += 1
        feature_uses[(person_id, product, feature)] += 1

    with transaction.atomic():
        UsageDay.objects.for_institution(institution_id).filter(on=day).delete()
        UsageFeatureDay.objects.for_institution(institution_id).filter(on=day).delete()
        UsageDay.objects.bulk_create(
            [
                UsageDay(
                    institution_id=institution_id,
                    person_id=person_id,
                    product=product,
                    version=version,
                    on=day,
                    **row,
                )
                for (person_id, product, version), row in figures.items()
            ],
            batch_size=1000,
        )
        UsageFeatureDay.objects.bulk_create(
            [
                UsageFeatureDay(
                    institution_id=institution_id,
                    person_id=person_id,
                    product=product,
                    feature=feature,
                    on=day,
                    uses=uses,
                )
                for (person_id, product, feature), uses in feature_uses.items()
            ],
            batch_size=1000,
        )
    return len(figures)


def usage_dirty_days_rollup(*, limit: int = 500) -> int:
    """Recompute the days that received events since their last rollup, with the day before and
    after each (a session crossing midnight gives time to both days). A day marked again while
    this ran keeps its mark for the next run. Returns how many days were recomputed."""
    marks = list(UsageDirtyDay.objects.order_by("on")[:limit])
    days = set()
    for mark in marks:
        for offset in (-1, 0, 1):
            days.add((mark.institution_id, mark.on + datetime.timedelta(days=offset)))
    for institution_id, day in sorted(days):
        usage_days_rollup(institution_id=institution_id, day=day)
    for mark in marks:
        UsageDirtyDay.objects.filter(pk=mark.pk, marked_at=mark.marked_at).delete()
    logger.debug("usage.rollup", extra={"days": len(days), "marks": len(marks)})
    return len(days)


def usage_events_purge(*, now: datetime.datetime | None = None, max_batches: int = 100) -> int:
    """Delete raw events older than USAGE_EVENT_RETENTION_MONTHS, USAGE_PURGE_BATCH rows at a
    time so no statement holds locks for long. The daily figures stay. Returns the rows deleted;
    the next run continues where max_batches stopped this one."""
    cutoff = (now or timezone.now()) - relativedelta(months=settings.USAGE_EVENT_RETENTION_MONTHS)
    deleted, batches = 0, 0
    # Institution by institution, so each batch is read from the (institution, occurred_at) index.
    for institution in Institution.objects.order_by("pk"):
        while batches < max_batches:
            ids = list(
                UsageEvent.objects.for_institution(institution)
                .filter(occurred_at__lt=cutoff)
                .order_by("occurred_at")
                .values_list("pk", flat=True)[: settings.USAGE_PURGE_BATCH]
            )
            if not ids:
                break
            count, _ = UsageEvent.objects.filter(pk__in=ids).delete()
            deleted += count
            batches += 1
    logger.info("usage.purge", extra={"deleted": deleted, "cutoff": cutoff.isoformat()})
    return deleted
