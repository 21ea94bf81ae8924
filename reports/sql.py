"""SQL expressions the report figures are built from, for PostgreSQL and (as a fallback for the
development setup) SQLite: minutes between two instants and percentiles. Service minutes are
defined once, in tickets.figures (`service_minutes_between`, `first_response_minutes`); the
PostgreSQL statements here compute the same f(b) − f(a) over a derived table, and
tests/reports/test_sql.py checks them against it."""

import math

from django.db import connections
from django.db.models import Aggregate, Count, F, FloatField, Func, Q, QuerySet

from tickets.figures import service_minutes_between


class _Vendor(Func):
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"{type(self).__name__} supports PostgreSQL and SQLite only")


class MinutesBetween(_Vendor):
    """Wall-clock minutes from the first instant to the second."""

    def __init__(self, start, end):
        super().__init__(
            F(start) if isinstance(start, str) else start, F(end) if isinstance(end, str) else end
        )

    def as_postgresql(self, compiler, connection, **extra):
        (a, pa), (b, pb) = (compiler.compile(e) for e in self.source_expressions)
        return pg_minutes_between(a, b), (*pb, *pa)

    def as_sqlite(self, compiler, connection, **extra):
        (a, pa), (b, pb) = (compiler.compile(e) for e in self.source_expressions)
        return f"((julianday({b}) - julianday({a})) * 1440.0)", (*pb, *pa)


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont: the continuous percentile of the expression."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class Percentiles(Aggregate):
    """percentile_cont over an array of fractions, answering an array (PostgreSQL)."""

    function = "PERCENTILE_CONT"
    name = "Percentiles"
    template = "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: list[float], **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(
            expression,
            fractions=", ".join(repr(float(f)) for f in fractions),
            output_field=ArrayField(FloatField()),
            **extra,
        )


def percentiles(queryset: QuerySet, expression, fractions: dict[str, float]) -> dict[str, float | None]:
    """The continuous percentiles of the expression over the queryset's rows: percentile_cont in
    one aggregate on PostgreSQL; elsewhere the one or two rows around each position, read with
    ORDER BY … LIMIT 2 OFFSET k and interpolated as percentile_cont does."""
    if connections[queryset.db].vendor == "postgresql":
        # One percentile_cont over an array of fractions: one sort for all of them.
        values = queryset.order_by().aggregate(_p=Percentiles(expression, list(fractions.values())))["_p"]
        return dict(zip(fractions, values or [None] * len(fractions), strict=True))
    ordered = queryset.order_by().annotate(_v=expression).filter(_v__isnull=False).order_by("_v")
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


def pg_minutes_between(a: str, b: str) -> str:
    """Wall-clock minutes from the instant `a` to the instant `b` (SQL expressions), PostgreSQL."""
    return f"(date_part('epoch', ({b} - {a})) / 60.0)"


def pg_service_parts(alias: str, start: str, end: str) -> str:
    """The select list PG_SERVICE_MINUTES reads, over rows `alias` that carry the ticket's service
    window and zone: a and b, the instants `start` and `end` as local minutes since the epoch; s,
    the window's first minute of the day; w, its length in minutes."""
    return f"""date_part('epoch', ({alias}.{start} AT TIME ZONE {alias}.service_timezone)) / 60.0 AS a,
               date_part('epoch', ({alias}.{end} AT TIME ZONE {alias}.service_timezone)) / 60.0 AS b,
               date_part('epoch', {alias}.service_window_start) / 60.0 AS s,
               (CASE WHEN date_part('epoch', {alias}.service_window_end) = 0 THEN 1440.0
                     ELSE date_part('epoch', {alias}.service_window_end) / 60.0 END)
               - date_part('epoch', {alias}.service_window_start) / 60.0 AS w"""


# The service minutes from a to b, over pg_service_parts read as `y`: f(b) - f(a), f as in
# tickets.figures.
PG_SERVICE_MINUTES = """(FLOOR(y.b / 1440.0) * y.w + LEAST(GREATEST(y.b - FLOOR(y.b / 1440.0) * 1440.0 - y.s, 0), y.w))
                      - (FLOOR(y.a / 1440.0) * y.w + LEAST(GREATEST(y.a - FLOOR(y.a / 1440.0) * 1440.0 - y.s, 0), y.w))"""


def service_minutes_stats(
    queryset: QuerySet,
    start: str,
    end: str,
    fractions: dict[str, float],
    edges: tuple[int, ...] = (),
    groups: list[tuple] | None = None,
) -> list[dict]:
    """Percentiles of the service minutes from column `start` to `end`, for each group of rows
    whose `start` falls in [from, to) (one group of every row when groups is None), and for the
    first group a histogram (counts per [edge, next edge), the last open-ended), in one query.

    On PostgreSQL the service minutes are computed once per row in a derived table, the
    percentiles with one percentile_cont over an array of fractions per group (one sort each),
    the histogram with width_bucket — several times faster than repeating the expression in each
    aggregate. Elsewhere, the portable expressions above, a query or two per figure."""
    names = list(fractions)
    groups = groups or [(None, None)]
    if connections[queryset.db].vendor != "postgresql":
        return _service_minutes_stats_portable(queryset, start, end, fractions, edges, groups)
    rows = queryset.order_by().values(
        start, end, "service_window_start", "service_window_end", "service_timezone"
    )
    inner, inner_params = rows.query.sql_with_params()
    cases, case_params = [], []
    for index, (low, high) in enumerate(groups):
        if low is None:
            cases.append(f"WHEN TRUE THEN {index}")
        else:
            cases.append(f"WHEN x.{start} >= %s AND x.{start} < %s THEN {index}")
            case_params += [low, high]
    array = ", ".join(repr(float(fractions[n])) for n in names)
    selects = [
        # Numbers formatted from floats and ints only.
        f"(SELECT percentile_cont(ARRAY[{array}]::float8[]) WITHIN GROUP (ORDER BY v) FROM m WHERE g = {index})"  # noqa: S608
        for index in range(len(groups))
    ]
    if edges:
        edge_sql = ", ".join(str(int(e)) for e in edges[1:])
        selects.append(
            f"(SELECT array_agg(ARRAY[k, c]) FROM (SELECT width_bucket(v, ARRAY[{edge_sql}]::float8[]) AS k, "  # noqa: S608
            "COUNT(*) AS c FROM m WHERE g = 0 GROUP BY 1) AS h)"
        )
    sql = f"""
        WITH m AS (
            SELECT {PG_SERVICE_MINUTES} AS v, y.g
            FROM (
                SELECT {pg_service_parts("x", start, end)},
                       CASE {" ".join(cases)} END AS g
                FROM ({inner}) AS x
            ) AS y
        )
        SELECT {", ".join(selects)}
    """  # noqa: S608 - column names from the code, values as parameters
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, [*case_params, *inner_params])
        row = cursor.fetchone()
    results = [
        dict(zip(names, row[index] or [None] * len(names), strict=True)) for index in range(len(groups))
    ]
    if edges:
        counts = {int(k): int(c) for k, c in (row[len(groups)] or [])}
        results[0]["histogram"] = [counts.get(i, 0) for i in range(len(edges))]
    return results


def _service_minutes_stats_portable(queryset, start, end, fractions, edges, groups) -> list[dict]:
    expression = service_minutes_between(start, end)
    results = []
    for index, (low, high) in enumerate(groups):
        rows = queryset if low is None else queryset.filter(**{f"{start}__gte": low, f"{start}__lt": high})
        result = percentiles(rows, expression, fractions)
        if edges and index == 0:
            annotated = rows.annotate(_sm=expression)
            bounds = list(zip(edges, [*edges[1:], None], strict=True))
            aggregates = {
                f"b{i}": Count(
                    "id", filter=Q(_sm__gte=low_) if high_ is None else Q(_sm__gte=low_, _sm__lt=high_)
                )
                for i, (low_, high_) in enumerate(bounds)
            }
            counts = annotated.aggregate(**aggregates)
            result["histogram"] = [counts[f"b{i}"] for i in range(len(bounds))]
        results.append(result)
    return results
