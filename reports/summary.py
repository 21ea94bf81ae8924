"""The day roll-up of the institution report, on PostgreSQL.

A yearly report of a large institution would otherwise read every ticket of the year twice (the
counts, then the first-response service minutes, each computed per row with time-zone
arithmetic). ReportDay keeps, per institution, day (in the service time zone), kind, channel and
product: how many tickets were filed that day, how many of them met or breached the
first-response deadline and their service minutes to the first response; how many were resolved
that day and their resolution minutes. The minutes are arrays of the exact values, so medians,
90th percentiles and histograms are the same numbers the tickets give.

Fresh and exact at any moment:
- a statement trigger on the tickets table (migration 0002) writes a ReportDayChange row for the
  filing and resolution instants of every ticket a statement inserts, deletes or changes in a
  column the figures use (before and after the change);
- report_days_refresh (beat, every minute) extends the roll-up to yesterday and rebuilds the
  days the change rows name, deleting those rows in the same transaction;
- a report reads the change rows first, then the roll-up for the days that are covered and
  unchanged, and computes every other day — today, a day changed since the last refresh, a day
  not yet covered — from the tickets with the very SQL that builds the roll-up. Reading the change
  rows before the roll-up is what keeps a refresh committing in between harmless: a day read as
  changed is computed from the tickets, whichever version of the roll-up the next query sees.

Only the whole institution is rolled up: a manager's part of the tree and the vendor's filtered
views read the tickets (reports.figures)."""

import datetime

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.utils import timezone

from packages.models import Product
from tickets.figures import (
    FIRST_RESPONSE_BREACHED,
    FIRST_RESPONSE_END,
    FIRST_RESPONSE_MET,
    FIRST_RESPONSE_START,
    sql_condition,
)
from tickets.models import Ticket

from .models import ReportDayCoverage
from .periods import Period
from .sql import PG_SERVICE_MINUTES, pg_minutes_between, pg_service_parts

# pg_try_advisory_xact_lock key: one refresh at a time.
LOCK_KEY = 7_305_001
# The first-response histogram's lower edges in service minutes (the last bucket is open-ended).
HISTOGRAM_EDGES = (0, 15, 30, 60, 90, 120)
MAX_RUNS = 20
# The percentile sorts' memory (PostgreSQL's work_mem, for that one statement): enough to sort a
# year's values of the largest institution in memory.
PERCENTILE_WORK_MEM = "32MB"

# The service minutes from filing to the first response, and the resolution minutes, by the
# expressions reports.sql computes the figures from the tickets with (so the same values).
SERVICE_MINUTES = PG_SERVICE_MINUTES
SERVICE_PARTS = f"SELECT {pg_service_parts('t', FIRST_RESPONSE_START, FIRST_RESPONSE_END)}"
RESOLUTION_MINUTES = pg_minutes_between("t.created_at", "t.resolved_at")
ROW_COLUMNS = (
    "day, kind, channel, product_id, filed, met, breached, resolved, resolution_minutes_sum, "
    "first_response_minutes, first_response_histogram, resolution_minutes"
)
# The first-response histogram's buckets: width_bucket over the edges after the first
# (0 below 15 minutes, …, 5 from 120 on), as reports.sql.service_minutes_stats counts them.
BUCKETS = ", ".join(
    f"COUNT(*) FILTER (WHERE t.first_responded_at IS NOT NULL AND width_bucket(v.minutes, "
    f"ARRAY[{', '.join(str(e) for e in HISTOGRAM_EDGES[1:])}]::float8[]) = {i})"
    for i in range(len(HISTOGRAM_EDGES))
)


def _bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    period = Period(first, last)
    return period.starts_at, period.ends_at


def _runs(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    runs: list[list[datetime.date]] = []
    for day in days:
        if runs and day == runs[-1][1] + datetime.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _in_ranges(column: str, ranges: list[tuple[datetime.datetime, datetime.datetime]]) -> tuple[str, list]:
    sql = " OR ".join(f"({column} >= %s AND {column} < %s)" for _range in ranges)
    return f"({sql})", [bound for pair in ranges for bound in pair]


def day_rows_sql(
    days: list[tuple[datetime.date, datetime.date]], institution_id: int | None = None
) -> tuple[str, list]:
    """The ReportDay rows (institution_id and ROW_COLUMNS) of the day runs, computed from the
    tickets of one institution (or of all), in one statement."""
    ranges = [_bounds(a, b) for a, b in days]
    filed_in, filed_params = _in_ranges("t.created_at", ranges)
    resolved_in, resolved_params = _in_ranges("t.resolved_at", ranges)
    own = "t.institution_id = %s AND " if institution_id is not None else ""
    own_params = [institution_id] if institution_id is not None else []
    table = Ticket._meta.db_table
    # Met and breached compiled from their one definition (tickets.figures), over the rows `t`.
    met = sql_condition(FIRST_RESPONSE_MET, alias="t", connection=connection)
    breached = sql_condition(FIRST_RESPONSE_BREACHED, alias="t", connection=connection)
    sql = f"""
        SELECT COALESCE(f.institution_id, r.institution_id) AS institution_id, COALESCE(f.day, r.day) AS day,
               COALESCE(f.kind, r.kind) AS kind, COALESCE(f.channel, r.channel) AS channel,
               COALESCE(f.product_id, r.product_id) AS product_id,
               COALESCE(f.filed, 0) AS filed, COALESCE(f.met, 0) AS met, COALESCE(f.breached, 0) AS breached,
               COALESCE(r.resolved, 0) AS resolved, COALESCE(r.minutes_sum, 0) AS resolution_minutes_sum,
               COALESCE(f.minutes, '{{}}'::float8[]) AS first_response_minutes,
               COALESCE(f.histogram, ARRAY[{", ".join("0" for _e in HISTOGRAM_EDGES)}]) AS first_response_histogram,
               COALESCE(r.minutes, '{{}}'::float8[]) AS resolution_minutes
        FROM (
            SELECT t.institution_id, (t.created_at AT TIME ZONE %s)::date AS day, t.kind, t.channel, t.product_id,
                   COUNT(*) AS filed, COUNT(*) FILTER (WHERE {met}) AS met,
                   COUNT(*) FILTER (WHERE {breached}) AS breached,
                   array_agg(v.minutes) FILTER (WHERE t.first_responded_at IS NOT NULL) AS minutes,
                   ARRAY[{BUCKETS}]::integer[] AS histogram
            FROM {table} t
            CROSS JOIN LATERAL (SELECT {SERVICE_MINUTES} AS minutes FROM ({SERVICE_PARTS}) AS y) AS v
            WHERE {own}{filed_in}
            GROUP BY 1, 2, 3, 4, 5
        ) AS f
        FULL JOIN (
            SELECT t.institution_id, (t.resolved_at AT TIME ZONE %s)::date AS day, t.kind, t.channel, t.product_id,
                   COUNT(*) AS resolved, SUM({RESOLUTION_MINUTES}) AS minutes_sum,
                   array_agg({RESOLUTION_MINUTES}) AS minutes
            FROM {table} t
            WHERE {own}{resolved_in}
            GROUP BY 1, 2, 3, 4, 5
        ) AS r
        ON f.institution_id = r.institution_id AND f.day = r.day AND f.kind = r.kind AND f.channel = r.channel
           AND COALESCE(f.product_id, 0) = COALESCE(r.product_id, 0)
    """  # noqa: S608 - table and column names from the code, values as parameters
    zone_name = settings.TIME_ZONE
    return sql, [zone_name, *own_params, *filed_params, zone_name, *own_params, *resolved_params]


def _rebuild(
    cursor, days: list[tuple[datetime.date, datetime.date]], institution_id: int | None = None
) -> int:
    if not days:
        return 0
    own = "institution_id = %s AND " if institution_id is not None else ""
    own_params = [institution_id] if institution_id is not None else []
    where = " OR ".join("(day >= %s AND day <= %s)" for _run in days)
    cursor.execute(
        f"DELETE FROM reports_reportday WHERE {own}({where})",  # noqa: S608
        [*own_params, *[d for run in days for d in run]],
    )
    select, params = day_rows_sql(days, institution_id)
    cursor.execute(f"INSERT INTO reports_reportday (institution_id, {ROW_COLUMNS}) {select}", params)  # noqa: S608
    return cursor.rowcount


def report_days_refresh(*, today: datetime.date | None = None) -> dict:
    """Extend the roll-up to yesterday and rebuild the days changed since the last pass. Harmless
    to repeat or to run concurrently (one pass at a time holds the lock; the others return)."""
    if connection.vendor != "postgresql":
        return {"skipped": True}
    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    result = {"extended": 0, "rebuilt": 0, "rows": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return {"skipped": True}
        coverage, _created = ReportDayCoverage.objects.select_for_update().get_or_create(pk=1)
        cursor.execute(
            "WITH gone AS (DELETE FROM reports_reportdaychange RETURNING institution_id, at) "
            "SELECT DISTINCT institution_id, (at AT TIME ZONE %s)::date FROM gone",
            [settings.TIME_ZONE],
        )
        changed: dict[int, set[datetime.date]] = {}
        for institution_id, day in cursor.fetchall():
            if coverage.last_day is not None and day <= coverage.last_day:
                changed.setdefault(institution_id, set()).add(day)
        for institution_id, days in sorted(changed.items()):
            runs = _runs(sorted(days))
            if len(runs) > MAX_RUNS:  # many scattered days (a bulk change): one range is cheaper
                runs = [(runs[0][0], runs[-1][1])]
            result["rows"] += _rebuild(cursor, runs, institution_id)
            result["rebuilt"] += len(days)
        start = coverage.last_day + datetime.timedelta(days=1) if coverage.last_day else None
        if start is None:
            cursor.execute(f"SELECT MIN(created_at) FROM {Ticket._meta.db_table}")  # noqa: S608
            earliest = cursor.fetchone()[0]
            start = timezone.localdate(earliest) if earliest else today
        if start <= yesterday:
            result["rows"] += _rebuild(cursor, [(start, yesterday)])
            result["extended"] = (yesterday - start).days + 1
        if coverage.last_day is None or coverage.last_day < yesterday:
            coverage.last_day = yesterday
            coverage.save(update_fields=["last_day", "updated_at"])
    return result


# --- reading ---------------------------------------------------------------------------------


def _reading():
    """The connection the figures are read from: the replica for a report read routed there
    (slaportal/db_router.py), else the primary."""
    return connections[router.db_for_read(Ticket)]


def _plan(institution_id: int, first: datetime.date, last: datetime.date):
    """The days of [first, last] to read from the roll-up (as an exclusion list within the
    covered range) and the runs of days to compute from the tickets."""
    starts_at, ends_at = _bounds(first, last)
    with _reading().cursor() as cursor:
        # The change rows first, then the coverage and the roll-up (see the module's doc).
        cursor.execute(
            "SELECT DISTINCT (at AT TIME ZONE %s)::date FROM reports_reportdaychange "
            "WHERE institution_id = %s AND at >= %s AND at < %s",
            [settings.TIME_ZONE, institution_id, starts_at, ends_at],
        )
        changed = {row[0] for row in cursor.fetchall()}
    covered_to = ReportDayCoverage.objects.filter(pk=1).values_list("last_day", flat=True).first()
    raw, day = [], first
    while day <= last:  # days, not tickets: at most the length of the periods read
        if covered_to is None or day > covered_to or day in changed:
            raw.append(day)
        day += datetime.timedelta(days=1)
    summary_to = min(last, covered_to) if covered_to else None
    return summary_to, sorted(changed), _runs(raw)


def _days_cte(institution_id: int, periods: list[Period]) -> tuple[str, list]:
    first, last = min(p.first for p in periods), max(p.last for p in periods)
    summary_to, changed, raw = _plan(institution_id, first, last)
    parts, params = [], []
    if summary_to is not None:
        parts.append(
            f"SELECT {ROW_COLUMNS} FROM reports_reportday WHERE institution_id = %s AND day >= %s AND day <= %s "  # noqa: S608
            "AND NOT (day = ANY(%s::date[]))"
        )
        params += [institution_id, first, summary_to, changed]
    if raw:
        select, raw_params = day_rows_sql(raw, institution_id)
        parts.append(f"SELECT {ROW_COLUMNS} FROM ({select}) AS raw")  # noqa: S608
        params += raw_params
    if not parts:
        parts.append(f"SELECT {ROW_COLUMNS} FROM reports_reportday WHERE FALSE")  # noqa: S608
    cases = " ".join(f"WHEN day >= %s AND day <= %s THEN {i}" for i in range(len(periods)))
    params += [d for p in periods for d in (p.first, p.last)]
    sql = f"WITH d AS ({' UNION ALL '.join(parts)}), x AS (SELECT d.*, CASE {cases} END AS g FROM d)"  # noqa: S608
    return sql, params


def _periods_disjoint(periods: list[Period]) -> bool:
    ordered = sorted(periods, key=lambda p: p.first)
    return all(a.last < b.first for a, b in zip(ordered, ordered[1:], strict=False))


def usable(periods: list[Period]) -> bool:
    return connection.vendor == "postgresql" and _periods_disjoint(periods)


def day_figures(institution_id: int, periods: list[Period], *, detail: bool) -> list[dict]:
    """Per period, from the roll-up (and the tickets of the days it does not hold): filed, met,
    breached, resolved, resolution minutes (sum, median, 90th percentile), first-response
    service minutes (median, 90th percentile, histogram); with detail, the filed and resolved
    counts per kind, channel and product id of the first period. Two queries."""
    cte, params = _days_cte(institution_id, periods)
    results = [
        {
            "filed": 0,
            "met": 0,
            "breached": 0,
            "resolved": 0,
            "resolution_sum": 0.0,
            "resolution": (None, None),
            "first_response": (None, None),
            "filed_by": {"kind": {}, "channel": {}, "product": {}},
            "resolved_by": {"kind": {}, "channel": {}, "product": {}},
        }
        for _period in periods
    ]
    sets = "(g), (g, kind), (g, channel), (g, product_id)"
    histogram = ", ".join(f"SUM(first_response_histogram[{i + 1}])" for i in range(len(HISTOGRAM_EDGES)))
    reading = _reading()
    with reading.cursor() as cursor:
        cursor.execute(
            f"""{cte}
            SELECT g, kind, channel, product_id, GROUPING(kind), GROUPING(channel), GROUPING(product_id),
                   SUM(filed), SUM(met), SUM(breached), SUM(resolved), SUM(resolution_minutes_sum), {histogram}
            FROM x WHERE g IS NOT NULL GROUP BY GROUPING SETS ({sets})""",  # noqa: S608
            params,
        )
        for (
            g,
            kind,
            channel,
            product,
            no_kind,
            no_channel,
            no_product,
            filed,
            met,
            breached,
            resolved,
            total,
            *hist,
        ) in cursor.fetchall():
            result = results[g]
            if no_kind and no_channel and no_product:
                result.update(
                    filed=int(filed),
                    met=int(met),
                    breached=int(breached),
                    resolved=int(resolved),
                    resolution_sum=float(total or 0),
                    histogram=[int(c or 0) for c in hist],
                )
                continue
            field, key = (
                ("kind", kind)
                if not no_kind
                else ("channel", channel)
                if not no_channel
                else ("product", product)
            )
            if filed:
                result["filed_by"][field][key] = int(filed)
            if resolved:
                result["resolved_by"][field][key] = int(resolved)
        # One scalar subquery per period and measure: each sorts its own values once (a GROUP BY g
        # would sort them all by g first, spilling to disk at a year's size).
        columns = [
            f"(SELECT percentile_cont(ARRAY[0.5, 0.9]::float8[]) WITHIN GROUP (ORDER BY v) "  # noqa: S608
            f"FROM x, unnest(x.{measure}) AS v WHERE x.g = {i})"
            for i in range(len(periods))
            for measure in ("first_response_minutes", "resolution_minutes")
        ]
        with transaction.atomic(using=reading.alias):
            # A year's 200,000 values take about 6 MB to sort in memory: with the default 4 MB of
            # work_mem the sort spills to disk. Raised for this statement only (set back after it,
            # should the caller's transaction go on).
            cursor.execute("SELECT current_setting('work_mem')")
            previous = cursor.fetchone()[0]
            cursor.execute("SELECT set_config('work_mem', %s, true)", [PERCENTILE_WORK_MEM])
            cursor.execute(f"{cte} SELECT {', '.join(columns)}", params)
            row = cursor.fetchone()
            cursor.execute("SELECT set_config('work_mem', %s, true)", [previous])
        for i, result in enumerate(results):
            result["first_response"] = tuple(row[2 * i] or (None, None))
            result["resolution"] = tuple(row[2 * i + 1] or (None, None))
    return results


def product_names(ids) -> dict:
    """The names of the products (the catalogue is shared by every institution)."""
    return dict(Product.objects.filter(pk__in=[i for i in ids if i is not None]).values_list("pk", "name"))
