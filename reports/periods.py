"""The period a report covers: whole days in Istanbul time, from the first to the last day
inclusive, at most MAX_YEARS long. The database compares instants, so a period becomes the
half-open range [first day 00:00, day after the last 00:00) in the service time zone."""

import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_YEARS = 3
PERIOD_KINDS = [
    ("month", gettext_lazy("Month")),
    ("quarter", gettext_lazy("Quarter")),
    ("contract_year", gettext_lazy("Contract year")),
    ("custom", gettext_lazy("Custom range")),
]


class PeriodError(Exception):
    def __init__(self, code: str, field: str = "range"):
        super().__init__(code)
        self.code = code
        self.field = field

    def message(self) -> str:
        return {
            "malformed": _("Give the dates as YYYY-MM-DD (or a date and time with its time zone)."),
            "naive": _(
                "A time without a time zone is ambiguous; add one (for example +03:00) or give a date."
            ),
            "reversed": _("The end of the period comes before its start."),
            "too_long": _("A report covers at most %(years)s years.") % {"years": MAX_YEARS},
            "missing": _("Give both the start and the end of the period."),
            "month": _("Give the month as YYYY-MM."),
            "quarter": _("Give the quarter as YYYY-Q1 to YYYY-Q4."),
            "no_contract": _("There is no contract to take the year from; choose another period."),
        }[self.code]


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date

    @property
    def starts_at(self) -> datetime.datetime:
        return datetime.datetime.combine(self.first, datetime.time.min, tzinfo=zone())

    @property
    def ends_at(self) -> datetime.datetime:
        """The instant just after the period (exclusive bound)."""
        return datetime.datetime.combine(
            self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone()
        )

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before, a calendar month before a calendar month."""
        if self.first.day == 1 and self.last == _month_end(self.first):
            months = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1
            year, month = divmod(self.first.year * 12 + self.first.month - 1 - months, 12)
            first = datetime.date(year, month + 1, 1)
            return Period(first, self.first - datetime.timedelta(days=1))
        last = self.first - datetime.timedelta(days=1)
        return Period(last - datetime.timedelta(days=self.days - 1), last)

    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"


def period_checked(first: datetime.date, last: datetime.date) -> Period:
    if last < first:
        raise PeriodError("reversed")
    if last >= _add_years(first, MAX_YEARS):
        raise PeriodError("too_long")
    return Period(first, last)


def month_period(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise PeriodError("month")
    first = datetime.date(int(match[1]), int(match[2]), 1)
    return Period(first, _month_end(first))


def last_full_month(today: datetime.date) -> Period:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return Period(last.replace(day=1), last)


def parse_bound(text: str, *, end: bool) -> datetime.date:
    """A query string's date: YYYY-MM-DD, or an aware ISO datetime read as its Istanbul day.
    A naive datetime is refused rather than guessed."""
    text = (text or "").strip()
    if not text:
        raise PeriodError("missing")
    try:
        day = parse_date(text)
    except ValueError:
        raise PeriodError("malformed") from None
    if day is not None:
        return day
    try:
        moment = parse_datetime(text.replace(" ", "+") if "T" in text else text)
    except ValueError:
        raise PeriodError("malformed") from None
    if moment is None:
        raise PeriodError("malformed")
    if moment.tzinfo is None:
        raise PeriodError("naive")
    local = moment.astimezone(zone())
    if end and local.timetz().replace(tzinfo=None) == datetime.time.min:
        # An exclusive end at midnight covers the day before.
        return local.date() - datetime.timedelta(days=1)
    return local.date()


def period_from_query(first: str, last: str) -> Period:
    return period_checked(parse_bound(first, end=False), parse_bound(last, end=True))


def period_resolve(
    *,
    kind: str,
    month: str = "",
    quarter: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    today: datetime.date,
    contract_start: datetime.date | None = None,
) -> Period:
    """The period a report form asks for."""
    if kind == "custom":
        if start is None or end is None:
            raise PeriodError("missing")
        return period_checked(start, end)
    if kind == "quarter":
        match = re.fullmatch(r"(\d{4})-?Q([1-4])", (quarter or "").strip().upper())
        if not match:
            if quarter:
                raise PeriodError("quarter")
            current = (today.month - 1) // 3
            year, index = (today.year, current - 1) if current else (today.year - 1, 3)
        else:
            year, index = int(match[1]), int(match[2]) - 1
        first = datetime.date(year, index * 3 + 1, 1)
        return Period(first, _month_end(datetime.date(year, index * 3 + 3, 1)))
    if kind == "contract_year":
        if contract_start is None:
            raise PeriodError("no_contract")
        return Period(contract_start, _add_years(contract_start, 1) - datetime.timedelta(days=1))
    return month_period(month) if month else last_full_month(today)
