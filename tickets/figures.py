"""The SLA figures of tickets, each defined once: whether the first response met its deadline or
breached it, first-response compliance, and the first response's service minutes. Reports,
performance, the board, the pages and the API read them from here (`Ticket.objects` offers them
as queryset methods); tests/tickets/test_figures.py fails when another module computes one itself.

- met: a first response at or before the deadline, and no breach recorded;
- breached: a breach recorded by the sweep, or a first response after the deadline (a late
  answer is a breach even before the sweep has recorded it);
- pending: neither yet: no first response and no breach recorded;
- compliance: met / (met + breached), over the tickets whose outcome is known;
- first-response minutes: service minutes (the ticket's own daily window and zone) from filing to
  the first response.

Service minutes. With a daily window [S, E) of W = E − S minutes in the ticket's zone, let
f(t) = (local day number of t) · W + clamp(local minute of day of t − S, 0, W): the service
minutes from an arbitrary origin up to t. The service time between a and b is f(b) − f(a). It
matches packages.calendar for the catalogue's windows (opening before closing, or closing at
24:00 written as 00:00) on days without a clock change; Istanbul has none."""

from django.db.models import F, FloatField, Func, Q

FIRST_RESPONSE_MET = Q(
    first_responded_at__isnull=False,
    first_responded_at__lte=F("first_response_due_at"),
    breached_at__isnull=True,
)
FIRST_RESPONSE_BREACHED = Q(breached_at__isnull=False) | Q(first_responded_at__gt=F("first_response_due_at"))
FIRST_RESPONSE_PENDING = Q(first_responded_at__isnull=True, breached_at__isnull=True)


class SLAState:
    """The values of a ticket's `sla_state` (pages, API): pending is shown as running."""

    RUNNING = "running"
    ANSWERED = "answered"
    BREACHED = "breached"
    CHOICES = [(RUNNING, RUNNING), (ANSWERED, ANSWERED), (BREACHED, BREACHED)]


STATE_CONDITIONS = {
    SLAState.RUNNING: FIRST_RESPONSE_PENDING,
    SLAState.ANSWERED: FIRST_RESPONSE_MET,
    SLAState.BREACHED: FIRST_RESPONSE_BREACHED,
}


def sla_state(ticket) -> str:
    """The same definition read from one loaded ticket's columns, for a page or an e-mail that
    already holds the ticket: answered (met), breached or running (pending)."""
    if ticket.breached_at is not None:
        return SLAState.BREACHED
    if ticket.first_responded_at is None:
        return SLAState.RUNNING
    if ticket.first_responded_at > ticket.first_response_due_at:
        return SLAState.BREACHED
    return SLAState.ANSWERED


def first_response_met(ticket) -> bool | None:
    """True when met, False when breached, None while pending (a survey's snapshot)."""
    return {SLAState.ANSWERED: True, SLAState.BREACHED: False}.get(sla_state(ticket))


def compliance(*, met: int, breached: int) -> float | None:
    """First-response compliance: met / (met + breached), to four places; None when no outcome
    is known yet."""
    decided = met + breached
    return round(met / decided, 4) if decided else None


def sql_condition(condition: Q, *, alias: str, connection) -> str:
    """One of the conditions above as an SQL boolean over rows `alias` of the tickets table, for
    hand-written SQL (the PostgreSQL day roll-up): compiled by Django from the same Q, so it cannot
    drift from the definition."""
    from tickets.models import Ticket

    query = Ticket.objects.filter(condition).query
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    if params:
        raise ValueError("an SLA condition compares columns only")
    return sql.replace(f"{connection.ops.quote_name(Ticket._meta.db_table)}.", f"{alias}.")


class _ServiceOrdinal(Func):
    """f(t) above, with the window and zone read from the ticket's own columns."""

    output_field = FloatField()

    def __init__(self, moment, prefix: str = ""):
        super().__init__(
            F(moment),
            F(f"{prefix}service_window_start"),
            F(f"{prefix}service_window_end"),
            F(f"{prefix}service_timezone"),
        )

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"{type(self).__name__} supports PostgreSQL and SQLite only")

    def _parts(self, compiler):
        parts = [compiler.compile(e) for e in self.source_expressions]
        # Column references compile without parameters, which lets each appear many times below.
        if any(params for _sql, params in parts):
            raise ValueError("service minutes are computed from columns only")
        return [sql for sql, _params in parts]

    def as_postgresql(self, compiler, connection, **extra):
        t, s, e, z = self._parts(compiler)
        local = f"({t} AT TIME ZONE {z})"
        start = f"(date_part('epoch', {s}) / 60.0)"
        end = f"(CASE WHEN date_part('epoch', {e}) = 0 THEN 1440.0 ELSE date_part('epoch', {e}) / 60.0 END)"
        width = f"({end} - {start})"
        epoch = f"(date_part('epoch', {local}) / 60.0)"
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
    """Service minutes from the ticket column `start` to `end`, as an SQL expression."""
    return _ServiceOrdinal(end, prefix) - _ServiceOrdinal(start, prefix)


FIRST_RESPONSE_START, FIRST_RESPONSE_END = "created_at", "first_responded_at"


def first_response_minutes(prefix: str = ""):
    """Service minutes from filing to the first response (NULL while there is none)."""
    return service_minutes_between(FIRST_RESPONSE_START, FIRST_RESPONSE_END, prefix)
