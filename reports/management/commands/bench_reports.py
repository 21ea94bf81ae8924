"""The report's benchmark on PostgreSQL. Prints figures, asserts nothing.

    python manage.py bench_reports                                   # 1,000,000 tickets, 200,000 in one institution
    python manage.py bench_reports --tickets 100000 --largest 20000  # a quick run

It generates a year of tickets (each institution's spread over the last 365 days, answered, some
breached, most resolved, of every kind and channel), the largest institution's surveys and quota
ledger, rolls the days up as the beat does (reports.summary), then times the figures of the
largest institution's report over its contract year — everything the page computes
(reports.services.report_figures without the cache) — the API summary, and for comparison the
page's figures computed from the tickets alone.

The data lives under institutions whose slug starts with "bench-r-" and is deleted at the end
(and at the start, left over from a --keep run). Use a scratch database all the same."""

import datetime
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Institution, User
from packages.models import Allotment, Package, QuotaEntry, Subscription
from reports.figures import full
from reports.models import ReportDay, ReportDayChange, Survey
from reports.periods import Period
from reports.selectors import report_scope_institution
from reports.services import report_figures, report_summary
from reports.summary import report_days_refresh
from tickets.models import Ticket, TicketEvent

PREFIX = "bench-r-"
BATCH = 5000


class Command(BaseCommand):
    help = "Benchmark the institution report at scale on PostgreSQL. Prints figures."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--largest", type=int, default=200_000, help="tickets of the largest institution")
        parser.add_argument("--institutions", type=int, default=2000)
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--keep", action="store_true", help="keep the generated data")

    def say(self, label: str, value: str) -> None:
        self.stdout.write(f"{label:<60} {value}")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_reports measures PostgreSQL: set DATABASE_URL=postgres://…")
        if opts["largest"] > opts["tickets"]:
            raise CommandError("Need tickets >= largest.")
        self.say("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
        self.cleanup()
        try:
            largest = self.generate(opts)
            self.measure(largest, opts["runs"])
        finally:
            if not opts["keep"]:
                self.cleanup()

    def generate(self, opts) -> Institution:
        started = time.perf_counter()
        package = Package.objects.get(code="premium")
        today = timezone.localdate()
        institutions = Institution.objects.bulk_create(
            [Institution(name=f"Bench report {i}", slug=f"{PREFIX}{i}") for i in range(opts["institutions"])],
            batch_size=BATCH,
        )
        subscriptions = Subscription.objects.bulk_create(
            [
                Subscription(
                    institution=institution,
                    package=package,
                    starts_on=today - datetime.timedelta(days=364),
                    ends_on=today,
                    priority=package.priority,
                    first_response_minutes=package.first_response_minutes,
                    service_window_start=package.service_window_start,
                    service_window_end=package.service_window_end,
                    service_timezone=package.service_timezone,
                )
                for institution in institutions
            ],
            batch_size=BATCH,
        )
        Allotment.objects.bulk_create(
            [
                Allotment(subscription=s, channel=channel, allotment=figure)
                for s in subscriptions
                for channel, figure in (
                    ("written", 1000000),
                    ("phone", 5000),
                    ("remote", 5000),
                    ("onsite_days", 6),
                )
            ],
            batch_size=BATCH,
        )
        requesters = User.objects.bulk_create(
            [User(username=f"{PREFIX}customer-{i}", institution=inst) for i, inst in enumerate(institutions)],
            batch_size=BATCH,
        )
        engineer = User.objects.create(username=f"{PREFIX}engineer")
        rows = [
            (i, inst.pk, sub.pk, req.pk)
            for i, (inst, sub, req) in enumerate(zip(institutions, subscriptions, requesters, strict=True))
        ]
        largest, rest = opts["largest"], opts["tickets"] - opts["largest"]
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute(
                "CREATE TEMP TABLE bench_r_map (idx int PRIMARY KEY, institution_id bigint, subscription_id bigint, "
                "requester_id bigint) ON COMMIT DROP"
            )
            cursor.executemany("INSERT INTO bench_r_map VALUES (%s, %s, %s, %s)", rows)
            # The largest institution (idx 0) gets `largest` tickets; the others share the rest.
            cursor.execute(
                f"""
                INSERT INTO {Ticket._meta.db_table} (
                    institution_id, subscription_id, requester_id, assignee_id, kind, subject, description, channel,
                    status, priority, first_response_minutes, service_window_start, service_window_end,
                    service_timezone, created_at, updated_at, first_response_due_at, warning_due_at,
                    first_responded_at, breached_at, routed_at, resolved_at)
                SELECT m.institution_id, m.subscription_id, m.requester_id, %(engineer)s,
                       (ARRAY['question', 'problem', 'bug', 'feature'])[1 + g %% 4], 'Bench ticket ' || g,
                       'Generated by bench_reports.', (ARRAY['written', 'written', 'phone', 'remote'])[1 + g %% 4],
                       CASE WHEN g %% 10 < 8 THEN 'resolved' ELSE 'open' END, 2, 60, '08:00', '00:00',
                       'Europe/Istanbul', t.created, t.created, t.created + interval '60 minutes',
                       t.created + interval '48 minutes',
                       t.created + (g %% 90) * interval '1 minute',
                       CASE WHEN g %% 90 > 60 THEN t.created + interval '60 minutes' END,
                       t.created,
                       CASE WHEN g %% 10 < 8 THEN t.created + (1 + g %% 72) * interval '1 hour' END
                FROM generate_series(0, %(total)s - 1) AS g
                JOIN bench_r_map m ON m.idx = CASE WHEN g < %(largest)s THEN 0 ELSE 1 + g %% (%(count)s - 1) END
                CROSS JOIN LATERAL (
                    -- Each institution's tickets spread evenly over the last 365 days.
                    SELECT now() - interval '1 hour' - interval '364 days' * CASE
                        WHEN g < %(largest)s THEN g::float8 / %(largest)s
                        ELSE (g - %(largest)s)::float8 / GREATEST(%(total)s - %(largest)s, 1) END AS created
                ) AS t
                """,  # noqa: S608 - table names from the models, values as parameters
                {"engineer": engineer.pk, "total": largest + rest, "largest": largest, "count": len(rows)},
            )
            big = institutions[0]
            # The largest institution's resolutions, a fifth of them answered.
            cursor.execute(
                f"""
                INSERT INTO {TicketEvent._meta.db_table} (ticket_id, institution_id, kind, data, created_at)
                SELECT id, institution_id, 'status_changed', '{{"old": "open", "new": "resolved"}}', resolved_at
                FROM {Ticket._meta.db_table} WHERE institution_id = %(big)s AND resolved_at IS NOT NULL AND id %% 5 = 0
                """,  # noqa: S608
                {"big": big.pk},
            )
            cursor.execute(
                f"""
                INSERT INTO {Survey._meta.db_table} (
                    ticket_id, institution_id, resolution_event_id, requester_id, resolved_at, expires_at,
                    engineer_id, first_response_met, package, resolution_minutes, score, comment, answered_at,
                    answered_via, created_at)
                SELECT e.ticket_id, e.institution_id, e.id, t.requester_id, e.created_at,
                       e.created_at + interval '30 days', t.assignee_id, t.breached_at IS NULL, 'premium',
                       EXTRACT(EPOCH FROM (t.resolved_at - t.created_at)) / 60, 1 + t.id %% 5,
                       CASE WHEN t.id %% 7 = 0 THEN 'Yorum ' || t.id ELSE '' END,
                       e.created_at + interval '1 hour', 'link', e.created_at
                FROM {TicketEvent._meta.db_table} e JOIN {Ticket._meta.db_table} t ON t.id = e.ticket_id
                WHERE e.institution_id = %(big)s
                """,  # noqa: S608
                {"big": big.pk},
            )
            cursor.execute(
                f"""
                INSERT INTO {QuotaEntry._meta.db_table} (
                    subscription_id, institution_id, channel, units, consumed_at, reference_type, reference_id, note)
                SELECT subscription_id, institution_id, 'written', 1, created_at, 'ticket', id::text, ''
                FROM {Ticket._meta.db_table} WHERE institution_id = %(big)s
                """,  # noqa: S608
                {"big": big.pk},
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.say(
            f"generated {opts['tickets']:,} tickets ({largest:,} in the largest institution)",
            f"{time.perf_counter() - started:.1f} s",
        )
        # What the beat does every minute: here it rolls up the generated days (or rebuilds the
        # days the generation changed, when an earlier roll-up exists).
        started = time.perf_counter()
        refreshed = report_days_refresh()
        with connection.cursor() as cursor:
            # The refresh deleted every change row the generation wrote: without the vacuum
            # autovacuum would do in time, the changed-days lookup walks their dead index entries.
            cursor.execute("VACUUM ANALYZE reports_reportday")
            cursor.execute("VACUUM ANALYZE reports_reportdaychange")
        self.say(
            "day roll-up refresh (reports.summary.report_days_refresh)",
            f"{time.perf_counter() - started:.1f} s ({refreshed.get('rows', 0):,} rows)",
        )
        return big

    def measure(self, institution: Institution, runs: int) -> None:
        scope = report_scope_institution(institution=institution)
        period = Period(scope.subscription.starts_on, scope.subscription.ends_on)
        self.say("tickets in the report's period", f"{scope.tickets.count():,}")
        result, first = None, {}
        for label, call in (
            (
                "page figures, contract year (report_figures)",
                lambda: report_figures(scope=scope, period=period),
            ),
            ("API summary, contract year", lambda: report_summary(scope=scope, period=period)),
            (
                "page figures, from the tickets alone (no day roll-up)",
                lambda: full(scope.tickets, scope.surveys, scope.items, period, scope.subscription),
            ),
        ):
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                figures = call()
                timings.append(time.perf_counter() - started)
                result = result or figures
                first.setdefault(label, figures)
            self.say(
                label,
                f"median {statistics.median(timings) * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms ({runs} runs)",
            )
        page, tickets_alone = (
            first["page figures, contract year (report_figures)"],
            first["page figures, from the tickets alone (no day roll-up)"],
        )
        self.say("  the roll-up's figures equal the tickets'", "yes" if page == tickets_alone else "NO")
        self.say(
            "  filed / breaches / compliance",
            f"{result['tickets_filed']:,} / {result['breaches']:,} / {result['first_response_compliance']}",
        )

    def cleanup(self) -> None:
        institutions = Institution.objects.filter(slug__startswith=PREFIX)
        if not institutions.exists():
            return
        ids = list(institutions.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            for model in (Survey, TicketEvent, QuotaEntry, Ticket, ReportDay, ReportDayChange):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE institution_id = ANY(%s)",  # noqa: S608
                    [ids],
                )
        Allotment.objects.filter(subscription__institution_id__in=ids).delete()
        Subscription.objects.filter(institution_id__in=ids).delete()
        User.objects.filter(username__startswith=PREFIX).delete()
        institutions.delete()
