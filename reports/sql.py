"""SQL expressions the report figures are built from, for PostgreSQL and (as a fallback for the
development setup) SQLite: minutes between two instants, service minutes between two instants,
and percentiles.

Service minutes. With a daily window [S, E) of W = E − S minutes in the ticket's zone, let
f(t) = (local day number of t) · W + clamp(local minute of day of t − S, 0, W): the service
minutes from an arbitrary origin up to t. The service time between a and b is f(b) − f(a). It
matches packages.calendar for the catalogue's windows (opening before closing, or closing at
24:00 written as 00:00) on days without a clock change; Istanbul has none."""

import math

from django.db import connections
from django.db.models import Aggregate, F, FloatField, Func, QuerySet


class _Vendor(Func):
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"{type(self).__name__} supports PostgreSQL and SQLite only")


class MinutesBetween(_Vendor):
    """Wall-clock minutes from the first instant to the second."""

    def __init__(self, start, end):
        super().__init__(F(start) if isinstance(start, str) else start, F(end) if isinstance(end, str) else end)

    def as_postgresql(self, compiler, connection, **extra):
        (a, pa), (b, pb) = (compiler.compile(e) for e in self.source_expressions)
        return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 60.0)", (*pb, *pa)

    def as_sqlite(self, compiler, connection, **extra):
        (a, pa), (b, pb) = (compiler.compile(e) for e in self.source_expressions)
        return f"((julianday({b}) - julianday({a})) * 1440.0)", (*pb, *pa)


class _ServiceOrdinal(_Vendor):
    """f(t) above, with the window and zone read from the ticket's own columns."""

    def __init__(self, moment, prefix: str = ""):
        super().__init__(
            F(moment),
            F(f"{prefix}service_window_start"),
            F(f"{prefix}service_window_end"),
            F(f"{prefix}service_timezone"),
        )

    def _parts(self, compiler):
        parts = [compiler.compile(e) for e in self.source_expressions]
        # Column references compile without parameters, which lets each appear many times below.
        if any(params for _sql, params in parts):
            raise ValueError("service minutes are computed from columns only")
        return [sql for sql, _params in parts]

    def as_postgresql(self, compiler, connection, **extra):
        t, s, e, z = self._parts(compiler)
        local = f"({t} AT TIME ZONE {z})"
        start = f"(EXTRACT(EPOCH FROM {s}) / 60.0)"
        end = f"(CASE WHEN EXTRACT(EPOCH FROM {e}) = 0 THEN 1440.0 ELSE EXTRACT(EPOCH FROM {e}) / 60.0 END)"
        width = f"({end} - {start})"
        epoch = f"(EXTRACT(EPOCH FROM {local}) / 60.0)"
        day = f"FLOOR({epoch} / 1440.0)"
        minute = f"({epoch} - {day} * 1440.0)"
        return f"({day} * {width} + LEAST(GREATEST({minute} - {start}, 0), {width}))", ()

    def as_sqlite(self, compiler, connection, **extra):
        t, s, e, z = self._parts(compiler)
        conn_tz = connection.timezone_name or "UTC"
        local_date = f"django_datetime_cast_date({t}, {z}, '{conn_tz}')"
        local_time = f"django_datetime_cast_time({t}, {z}, '{conn_tz}')"
        day = f"CAST(julianday({local_date}) - 2440587.5 AS INTEGER)"
        minute = f"((julianday('2000-01-01 ' || {local_time}) - julianday('2000-01-01')) * 1440.0)"
        start = f"(CAST(substr({s}, 1, 2) AS INTEGER) * 60 + CAST(substr({s}, 4, 2) AS INTEGER))"
        end_raw = f"(CAST(substr({e}, 1, 2) AS INTEGER) * 60 + CAST(substr({e}, 4, 2) AS INTEGER))"
        end = f"(CASE WHEN {end_raw} = 0 THEN 1440 ELSE {end_raw} END)"
        width = f"({end} - {start})"
        return f"({day} * {width} + MIN(MAX({minute} - {start}, 0), {width}))", ()


def service_minutes_between(start: str, end: str, prefix: str = ""):
    """Service minutes from the ticket column `start` to `end` (e.g. filing to first response)."""
    return _ServiceOrdinal(end, prefix) - _ServiceOrdinal(start, prefix)


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the continuous percentile of the expression."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentiles(queryset: QuerySet, expression, fractions: dict[str, float]) -> dict[str, float | None]:
    """The continuous percentiles of the expression over the queryset's rows: percentile_cont in
    one aggregate on PostgreSQL; elsewhere the one or two rows around each position, read with
    ORDER BY … LIMIT 2 OFFSET k and interpolated as percentile_cont does."""
    if connections[queryset.db].vendor == "postgresql":
        return queryset.aggregate(**{name: Percentile(expression, f) for name, f in fractions.items()})
    ordered = queryset.annotate(_v=expression).filter(_v__isnull=False).order_by("_v")
    count = ordered.count()
    result: dict[str, float | None] = {}
    for name, fraction in fractions.items():
        if count == 0:
            result[name] = None
            continue
        position = fraction * (count - 1)
        low = math.floor(position)
        values = [float(v) for v in ordered.values_list("_v", flat=True)[low : low + 2]]
        upper = values[1] if len(values) > 1 else values[0]
        result[name] = values[0] + (upper - values[0]) * (position - low)
    return result
