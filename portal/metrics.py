"""What `/metrics` (slaportal.metrics) reads from the database at scrape time, registered in
PortalConfig.ready: the composition layer may read every app, the plumbing may read none. Every
figure comes from the rows themselves, so each web or worker process answers the same and a
restart loses nothing. docs/operations.md#monitoring says what each one means."""

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from core.heartbeats import INBOUND_MAIL, SLA_SWEEP
from core.outbox import outbox_backlog
from packages.selectors import quota_units_by_package_all_institutions
from tickets.models import SLAEvent
from tickets.selectors import (
    engine_heartbeat_at,
    outbox_backlog_all_institutions,
    sla_breach_lag_all_institutions,
    sla_event_counts_all_institutions,
)

# The sweep runs every second and the target is a breach recorded within 5 s of its deadline; the
# longer buckets show an outage of the beat or the workers.
SWEEP_LAG_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)


def sla_metrics():
    counts = sla_event_counts_all_institutions()
    breaches = CounterMetricFamily("slaportal_sla_breaches", "First-response SLA breaches recorded.")
    breaches.add_metric([], counts.get(SLAEvent.Kind.BREACHED, 0))
    warnings = CounterMetricFamily(
        "slaportal_sla_warnings", "SLA warnings recorded (a share of the first-response time passed)."
    )
    warnings.add_metric([], counts.get(SLAEvent.Kind.WARNING_SENT, 0))
    cumulative, lag_sum, total = sla_breach_lag_all_institutions(buckets=SWEEP_LAG_BUCKETS)
    lag = HistogramMetricFamily(
        "slaportal_sla_sweep_lag_seconds", "Time from a first-response deadline to the recorded breach."
    )
    lag.add_metric(
        [],
        buckets=[(str(bound), count) for bound, count in zip(SWEEP_LAG_BUCKETS, cumulative, strict=True)]
        + [("+Inf", total)],
        sum_value=lag_sum,
    )
    yield from (breaches, warnings, lag)


def outbox_metrics():
    depth = GaugeMetricFamily(
        "slaportal_outbox_depth",
        "Outbox rows waiting to be done, by kind (route: ticket routing; email, push: messages).",
        labels=["kind"],
    )
    age = GaugeMetricFamily(
        "slaportal_outbox_oldest_age_seconds",
        "Age of the oldest outbox row waiting, by kind.",
        labels=["kind"],
    )
    # Routing rows wait in tickets' own table; e-mail and push in core's outbox.
    backlog = outbox_backlog_all_institutions() | outbox_backlog()
    for kind in ("route", "email", "push"):
        rows, oldest = backlog.get(kind, (0, 0.0))
        depth.add_metric([kind], rows)
        age.add_metric([kind], oldest)
    yield from (depth, age)


def heartbeat_metrics():
    for name, metric, help_text in (
        (
            INBOUND_MAIL,
            "slaportal_inbound_mail_last_fetch_timestamp_seconds",
            "When the support mailbox was last read (Unix time).",
        ),
        (
            SLA_SWEEP,
            "slaportal_sla_sweep_last_run_timestamp_seconds",
            "When the SLA sweep last completed (Unix time).",
        ),
    ):
        at = engine_heartbeat_at(name=name)
        if at is not None:
            gauge = GaugeMetricFamily(metric, help_text)
            gauge.add_metric([], at.timestamp())
            yield gauge


def quota_metrics():
    drawn = CounterMetricFamily(
        "slaportal_quota_units_drawn",
        "Quota units drawn from contracts, by package and channel.",
        labels=["package", "channel"],
    )
    returned = CounterMetricFamily(
        "slaportal_quota_units_returned",
        "Quota units given back (a consumption reversed), by package and channel.",
        labels=["package", "channel"],
    )
    for package, channel, units_drawn, units_returned in quota_units_by_package_all_institutions():
        drawn.add_metric([package, channel], units_drawn)
        returned.add_metric([package, channel], units_returned)
    yield from (drawn, returned)


COLLECTORS = (sla_metrics, outbox_metrics, heartbeat_metrics, quota_metrics)
