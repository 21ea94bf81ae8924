"""Throughput of the service clock on the Istanbul calendar.

The inputs are spread over a whole year, at second resolution, inside and outside the
window, with deadlines from zero up to several service days away, so the figure
reflects the mix a help desk sees rather than one hot path. The day-window cache is
warmed before timing starts because a long-running process keeps it warm.
"""

from __future__ import annotations

import random
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from packages.calendar import ServiceCalendar

_SAMPLES = 2048
_SEED = 20260310


def _workload() -> tuple[ServiceCalendar, list[tuple[datetime, datetime, int]]]:
    calendar = ServiceCalendar(time(8), time(0), "Europe/Istanbul")
    zone = ZoneInfo(calendar.tz)
    rng = random.Random(_SEED)
    origin = datetime(2026, 1, 1, tzinfo=zone)
    year = 365 * 24 * 3600
    cases = []
    for _ in range(_SAMPLES):
        filed = origin + timedelta(seconds=rng.randrange(year))
        later = filed + timedelta(seconds=rng.randrange(5 * 24 * 3600))
        minutes = rng.choice((0, 1, 30, 60, 240, 960, 2880)) + rng.randrange(60)
        cases.append((filed, later, minutes))
    return calendar, cases


def clock_ops_per_second(seconds: float = 1.0) -> float:
    """Calls per second, counting each add and each between call as one operation."""
    calendar, cases = _workload()
    add = calendar.add_service_minutes
    between = calendar.service_minutes_between
    for filed, later, minutes in cases:
        add(filed, minutes)
        between(filed, later)
    operations = 0
    started = clock.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        for filed, later, minutes in cases:
            add(filed, minutes)
            between(filed, later)
        operations += 2 * len(cases)
        elapsed = clock.perf_counter() - started
    return operations / elapsed


if __name__ == "__main__":
    print(f"{clock_ops_per_second():,.0f} ops/s")
