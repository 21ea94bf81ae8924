"""Service-time clock: business-hours arithmetic over a daily window in an IANA zone.

A service-level target is measured in *service minutes*, the time that passes while
the desk is staffed. The desk keeps a daily window expressed in local wall-clock time,
so the problem has two halves that live in different worlds. The window boundaries are
a promise about what the clock on the office wall says, so they are resolved afresh for
every local date. Service time is what the customer actually waits, so it is counted in
absolute elapsed seconds. That is why a window spanning a daylight-saving change holds
an hour (or, on Lord Howe Island, half an hour) more or less service on that day, and
why every computation runs on UTC instants and converts back only for the answer.

Boundary resolution. A boundary is the first instant at which the local clock reads the
boundary time or later. One rule covers the awkward days: a boundary inside a
spring-forward gap becomes the instant the gap ends (the desk opens as soon as it can),
and a boundary inside a repeated fall-back hour takes its first occurrence (``fold=0``),
so no window opens late, closes twice, or runs backwards.

Window shape. ``end < start`` means the window wraps past midnight and closes on the
next local date; ``end == time(0)`` is how "until 24:00" is written. ``start == end``
means the desk never closes and the calendar degenerates to plain elapsed time.

Clock start and deadlines. Work filed outside the window waits for the next opening, so
adding zero minutes to a closed instant yields that opening, while adding zero minutes
to an open instant yields the instant itself. A deadline is the instant at which the
last minute has been served: when the minutes run out exactly at closing time the
deadline is the closing instant, not the next opening, because that is when the
customer has had the promised service. Hence ``add(add(t, a), b) == add(t, a + b)``
holds for every ``b > 0``, and for ``b == 0`` unless ``add(t, a)`` is a closing instant.

Cost. Each local date's window is resolved once and memoised per calendar, so an
operation costs one cached lookup per day crossed, however many minutes are involved.
Results are exact to the microsecond; only ``service_minutes_between`` returns a float.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["ServiceCalendar"]

_SECOND = timedelta(seconds=1)
_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_WINDOW_CACHE_DAYS = 4096

Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class ServiceCalendar:
    """A daily service window in an IANA time zone; see the module docstring."""

    start: time
    end: time
    tz: str
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _always_open: bool = field(init=False, repr=False, compare=False)
    _wraps: bool = field(init=False, repr=False, compare=False)
    _window: Callable[[int], Window] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive datetime.time, got {value!r}")
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown IANA time zone: {self.tz!r}") from exc
        window = lru_cache(maxsize=_WINDOW_CACHE_DAYS)(self._resolve_window)
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "_always_open", self.start == self.end)
        object.__setattr__(self, "_wraps", self.end < self.start)
        object.__setattr__(self, "_window", window)

    def __reduce__(self) -> tuple[type[ServiceCalendar], tuple[time, time, str]]:
        return type(self), (self.start, self.end, self.tz)

    def is_open(self, at: datetime) -> bool:
        """Whether the service clock is running at ``at``."""
        instant = _to_utc(at)
        if self._always_open:
            return True
        return self._locate(instant, self._first_day(at, instant))[1] <= instant

    def next_opening(self, at: datetime) -> datetime:
        """The instant the clock starts for work filed at ``at`` (``at`` if open)."""
        instant = _to_utc(at)
        if not self._always_open:
            opens = self._locate(instant, self._first_day(at, instant))[1]
            instant = max(opens, instant)
        return instant.astimezone(self._zone)

    def add_service_minutes(self, at: datetime, minutes: int | float) -> datetime:
        """The deadline reached once ``minutes`` of service have elapsed from ``at``."""
        if not 0 <= minutes < math.inf:
            raise ValueError(f"minutes must be finite and >= 0, got {minutes!r}")
        remaining = _MINUTE * minutes
        cursor = _to_utc(at)
        if self._always_open:
            return (cursor + remaining).astimezone(self._zone)
        day, opens, closes = self._locate(cursor, self._first_day(at, cursor))
        if opens > cursor:
            cursor = opens
        while remaining > closes - cursor:
            remaining -= closes - cursor
            day, cursor, closes = self._locate(closes, day + 1)
        return (cursor + remaining).astimezone(self._zone)

    def service_minutes_between(self, a: datetime, b: datetime) -> float:
        """Service minutes elapsing from ``a`` to ``b``; zero when ``b <= a``."""
        begin, finish = _to_utc(a), _to_utc(b)
        if finish <= begin:
            return 0.0
        if self._always_open:
            return (finish - begin) / _MINUTE
        served = timedelta()
        day, opens, closes = self._locate(begin, self._first_day(a, begin))
        if opens < begin:
            opens = begin
        while opens < finish:
            served += (closes if closes < finish else finish) - opens
            day, opens, closes = self._locate(closes, day + 1)
        return served / _MINUTE

    def _first_day(self, at: datetime, instant: datetime) -> int:
        """Ordinal of the earliest local date whose window may contain ``instant``.

        A window that wraps past midnight opens on the previous date. The wall date of
        ``at`` is used directly when it cannot run ahead of the instant's true date,
        which holds for every ``fold=0`` reading in the calendar's own zone.
        """
        if at.tzinfo is self._zone and not at.fold:
            local_date = at.toordinal()
        else:
            local_date = instant.astimezone(self._zone).toordinal()
        return local_date - 1 if self._wraps else local_date

    def _locate(self, instant: datetime, day: int) -> tuple[int, datetime, datetime]:
        """The first non-empty window from local ``day`` on that closes after ``instant``."""
        window = self._window
        while True:
            opens, closes = window(day)
            if closes > instant and opens < closes:
                return day, opens, closes
            day += 1

    def _resolve_window(self, day: int) -> Window:
        opening_date = date.fromordinal(day)
        closing_date = opening_date + _DAY if self._wraps else opening_date
        return (
            self._resolve(datetime.combine(opening_date, self.start)),
            self._resolve(datetime.combine(closing_date, self.end)),
        )

    def _resolve(self, wall: datetime) -> datetime:
        """The first UTC instant at which the local clock reads ``wall`` or later."""
        zone = self._zone
        before = wall.replace(tzinfo=zone, fold=0).utcoffset()
        after = wall.replace(tzinfo=zone, fold=1).utcoffset()
        if before >= after:
            return (wall - before).replace(tzinfo=UTC)
        # ``wall`` lies in a gap; zone transitions fall on whole UTC seconds, so the
        # end of the gap is found by bisecting the seconds between the two readings.
        floor = (wall - after).replace(tzinfo=UTC, microsecond=0)
        seconds = range((after - before) // _SECOND + 2)

        def reads_at_least_wall(second: int) -> bool:
            local = (floor + second * _SECOND).astimezone(zone)
            return local.replace(tzinfo=None) >= wall

        first = bisect.bisect_left(seconds, True, key=reads_at_least_wall)
        return floor + first * _SECOND


def _to_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    zone = moment.tzinfo
    if zone is None or (not isinstance(zone, (ZoneInfo, timezone)) and moment.utcoffset() is None):
        raise ValueError(f"expected an aware datetime, got naive {moment!r}")
    return moment.astimezone(UTC)
