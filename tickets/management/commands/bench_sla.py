"""The SLA engine's benchmark. Prints figures, asserts nothing.

    python manage.py bench_sla                      # the issue's size: 1,000,000 tickets, 200,000 open
    python manage.py bench_sla --tickets 20000 --open 5000 --institutions 100 --due 2000   # a quick run

It measures, on the configured database: clock operations per second; the desk queue's first page
(50) over 200 requests (through the web view when it exists, and through the selector it uses);
the breach sweep with --due tickets due in the same minute; and the lag from deadline to recorded
breach for --lag-tickets tickets whose deadlines fall over the next seconds, either with the sweep
run in this process at its beat interval (the worst case: every per-ticket timer lost) or, with
--worker, with a real Celery worker and beat on the configured broker (timers and sweep).

The data lives under institutions whose slug starts with "bench-" and is deleted at the end
(and at the start, left over from a --keep run). Use a scratch database all the same.
"""

import contextlib
import datetime
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.models import OutboxMessage as CoreOutboxMessage
from core.outbox import outbox_drain
from organizations.models import Institution, User
from organizations.roles import Role
from organizations.services import person_groups_sync
from packages.calendar_bench import clock_ops_per_second
from packages.models import Package, Subscription
from slaportal.celery import app
from tickets import dispatch
from tickets.models import OutboxMessage, SLAEvent, Ticket, TicketEvent
from tickets.selectors import ticket_queue_all_institutions
from tickets.services.sla import sla_breach_sweep, sla_sweep

PREFIX = "bench-"
STAFF = ("bench-engineer", "bench-lead")
BATCH = 5000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Command(BaseCommand):
    help = "Benchmark the SLA engine: clock, queue page, breach sweep and breach lag. Prints figures."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--open", type=int, default=200_000)
        parser.add_argument("--institutions", type=int, default=2000)
        parser.add_argument("--due", type=int, default=100_000, help="open tickets due in the same minute")
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--lag-tickets", type=int, default=200)
        parser.add_argument("--lag-seconds", type=float, default=20.0, help="deadlines spread over this long")
        parser.add_argument(
            "--worker", action="store_true", help="measure the lag with a real worker and beat"
        )
        parser.add_argument("--keep", action="store_true", help="keep the generated data")
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="only the mass deadline: --due tickets due within --sweep-spread seconds, swept as in production",
        )
        parser.add_argument(
            "--sweep-spread", type=float, default=60.0, help="the deadlines of --sweep fall over this long"
        )

    def say(self, label: str, value: str) -> None:
        self.stdout.write(f"{label:<52} {value}")

    def handle(self, *args, **opts):
        if opts["open"] > opts["tickets"] or opts["due"] + opts["lag_tickets"] > opts["open"]:
            self.stderr.write("Need tickets >= open >= due + lag-tickets.")
            return
        self.say("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
        if opts["sweep"]:
            self.cleanup()
            try:
                self.generate(opts)
                self.mass_deadline(opts["due"], opts["sweep_spread"], opts["worker"])
            finally:
                if not opts["keep"]:
                    self.cleanup()
            return
        self.say("clock operations per second", f"{clock_ops_per_second(2.0):,.0f}")
        self.cleanup()
        try:
            engineer = self.generate(opts)
            self.queue_page(engineer, opts["requests"])
            self.sweep(opts["due"])
            if opts["worker"]:
                self.lag_with_worker(opts["lag_tickets"], opts["lag_seconds"])
            else:
                self.lag_with_sweep_loop(opts["lag_tickets"], opts["lag_seconds"])
        finally:
            if not opts["keep"]:
                self.cleanup()

    # --- data -----------------------------------------------------------------------------------

    def generate(self, opts) -> User:
        started = time.perf_counter()
        count = opts["institutions"]
        packages = list(Package.objects.order_by("priority"))
        institutions = Institution.objects.bulk_create(
            [Institution(name=f"Bench {i}", slug=f"{PREFIX}{i}") for i in range(count)], batch_size=BATCH
        )
        today = timezone.localdate()
        subscriptions = Subscription.objects.bulk_create(
            [
                Subscription(
                    institution=institution,
                    package=package,
                    starts_on=today - datetime.timedelta(days=100),
                    ends_on=today + datetime.timedelta(days=264),
                    **Subscription.terms_from(package),
                )
                for i, institution in enumerate(institutions)
                for package in [packages[i % len(packages)]]
            ],
            batch_size=BATCH,
        )
        requesters = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}customer-{i}", institution=institution)
                for i, institution in enumerate(institutions)
            ],
            batch_size=BATCH,
        )
        engineer = User.objects.create(
            username=STAFF[0],
            email="bench-engineer@example.test",
            is_on_duty=False,
            role=Role.SUPPORT_ENGINEER,
        )
        lead = User.objects.create(username=STAFF[1], email="bench-lead@example.test", role=Role.DESK_LEAD)
        for person in (engineer, lead):
            person_groups_sync(person=person)
        rows = [
            (
                i,
                institution.pk,
                subscription.pk,
                requester.pk,
                subscription.priority,
                subscription.first_response_minutes,
            )
            for i, (institution, subscription, requester) in enumerate(
                zip(institutions, subscriptions, requesters, strict=True)
            )
        ]
        if connection.vendor == "postgresql":
            self.tickets_postgresql(rows, opts)
        else:
            self.tickets_bulk(rows, opts)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.say(
            f"generated {opts['tickets']:,} tickets ({opts['open']:,} open, {count:,} institutions)",
            f"{time.perf_counter() - started:.1f} s",
        )
        return engineer

    def tickets_postgresql(self, rows, opts) -> None:
        """One INSERT … SELECT over generate_series: open tickets first (deadlines from one to 25
        hours ahead, unanswered), then answered, closed history from the past months."""
        with connection.cursor() as cursor, transaction.atomic():
            cursor.execute(
                "CREATE TEMP TABLE bench_map (idx int PRIMARY KEY, institution_id bigint, subscription_id bigint, "
                "requester_id bigint, priority smallint, minutes int) ON COMMIT DROP"
            )
            cursor.executemany("INSERT INTO bench_map VALUES (%s, %s, %s, %s, %s, %s)", rows)
            cursor.execute(
                f"""
                INSERT INTO {Ticket._meta.db_table} (
                    institution_id, subscription_id, requester_id, kind, subject, description, channel, status,
                    priority, first_response_minutes, service_window_start, service_window_end, service_timezone,
                    created_at, updated_at, first_response_due_at, warning_due_at, first_responded_at,
                    routed_at, closed_at)
                SELECT m.institution_id, m.subscription_id, m.requester_id, 'question', 'Bench ticket ' || g,
                       'Generated by bench_sla.', 'written',
                       CASE WHEN g < %(open)s THEN (ARRAY['new', 'open', 'waiting'])[1 + g %% 3] ELSE 'closed' END,
                       m.priority, m.minutes, '08:00', '00:00', 'Europe/Istanbul',
                       t.created, t.created, t.due, t.due - interval '10 minutes',
                       CASE WHEN g < %(open)s THEN NULL ELSE t.created + interval '5 minutes' END,
                       t.created,
                       CASE WHEN g < %(open)s THEN NULL ELSE t.created + interval '1 day' END
                FROM generate_series(0, %(total)s - 1) AS g
                JOIN bench_map m ON m.idx = g %% %(institutions)s
                CROSS JOIN LATERAL (
                    SELECT CASE WHEN g < %(open)s THEN now() - (g %% 3600) * interval '1 second'
                                ELSE now() - interval '30 days' - (g %% 8000000) * interval '1 second' END AS created,
                           CASE WHEN g < %(open)s THEN now() + interval '1 hour' + (g %% 86400) * interval '1 second'
                                ELSE now() - interval '30 days' - (g %% 8000000) * interval '1 second'
                                     + m.minutes * interval '1 minute' END AS due
                ) AS t
                """,  # noqa: S608 - table names from the models, values as parameters
                {"open": opts["open"], "total": opts["tickets"], "institutions": len(rows)},
            )

    def tickets_bulk(self, rows, opts) -> None:
        now = timezone.now()
        batch = []
        for g in range(opts["tickets"]):
            _, institution_id, subscription_id, requester_id, priority, minutes = rows[g % len(rows)]
            is_open = g < opts["open"]
            created = (
                now - datetime.timedelta(seconds=g % 3600)
                if is_open
                else now - datetime.timedelta(days=30, seconds=g)
            )
            due = (
                now + datetime.timedelta(hours=1, seconds=g % 86400)
                if is_open
                else created + datetime.timedelta(minutes=minutes)
            )
            batch.append(
                Ticket(
                    institution_id=institution_id,
                    subscription_id=subscription_id,
                    requester_id=requester_id,
                    subject=f"Bench ticket {g}",
                    description="Generated by bench_sla.",
                    status=("new", "open", "waiting")[g % 3] if is_open else "closed",
                    priority=priority,
                    first_response_minutes=minutes,
                    service_window_start=datetime.time(8),
                    service_window_end=datetime.time(0),
                    service_timezone="Europe/Istanbul",
                    first_response_due_at=due,
                    warning_due_at=due - datetime.timedelta(minutes=10),
                    first_responded_at=None if is_open else created + datetime.timedelta(minutes=5),
                    routed_at=created,
                    closed_at=None if is_open else created + datetime.timedelta(days=1),
                )
            )
            if len(batch) == BATCH:
                Ticket.objects.bulk_create(batch)
                batch = []
        Ticket.objects.bulk_create(batch)

    def bench_tickets(self):
        return Ticket.objects.filter(institution__slug__startswith=PREFIX)

    def cleanup(self) -> None:
        institutions = list(Institution.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
        if institutions:
            started = time.perf_counter()
            ids = "SELECT id FROM organizations_institution WHERE slug LIKE %s"
            with connection.cursor() as cursor, transaction.atomic():
                cursor.execute(
                    f"DELETE FROM {OutboxMessage._meta.db_table} WHERE ticket_id IN "  # noqa: S608
                    f"(SELECT id FROM {Ticket._meta.db_table} WHERE institution_id IN ({ids}))",
                    [PREFIX + "%"],
                )
                cursor.execute(
                    f"DELETE FROM {CoreOutboxMessage._meta.db_table} WHERE cause IN "  # noqa: S608
                    f"(SELECT k || t.id FROM {Ticket._meta.db_table} t, "
                    f"unnest(ARRAY['tickets.sla_breach:', 'tickets.sla_warning:']) AS k "
                    f"WHERE t.institution_id IN ({ids}))",
                    [PREFIX + "%"],
                )
                for model in (TicketEvent, SLAEvent, Ticket, Subscription, User):
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE institution_id IN ({ids})",  # noqa: S608
                        [PREFIX + "%"],
                    )
                cursor.execute(f"DELETE FROM {Institution._meta.db_table} WHERE slug LIKE %s", [PREFIX + "%"])  # noqa: S608
            self.say("removed the benchmark data", f"{time.perf_counter() - started:.1f} s")
        User.objects.filter(username__in=STAFF).delete()

    # --- measurements ---------------------------------------------------------------------------

    def timed(self, label: str, requests: int, call) -> None:
        call()
        samples = []
        for _ in range(requests):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        self.say(label, f"p50 {ms(statistics.median(samples))}, p95 {ms(percentile(samples, 0.95))}")

    def queue_page(self, engineer: User, requests: int) -> None:
        self.timed(
            f"queue first page (50), selector, {requests} requests",
            requests,
            lambda: list(ticket_queue_all_institutions(engineer=engineer)[:50]),
        )
        try:
            url = reverse("ticket-queue")
        except NoReverseMatch:
            self.say("queue first page (50), web view", "not measured: no view named ticket-queue yet")
            return
        client = Client()
        client.force_login(engineer)
        with override_settings(DEBUG=False):
            status = client.get(url).status_code
            if status != 200:
                self.say("queue first page (50), web view", f"not measured: {url} answered {status}")
                return
            self.timed(
                f"queue first page (50), web view {url}, {requests} requests",
                requests,
                lambda: client.get(url),
            )

    def sweep(self, due: int) -> None:
        """Make `due` open tickets due within the last minute, then run the breach sweep until
        nothing is due."""
        now = timezone.now()
        ids = list(
            self.bench_tickets()
            .filter(status__in=("new", "open", "waiting"))
            .order_by("pk")
            .values_list("pk", flat=True)[:due]
        )
        with connection.cursor() as cursor:
            for start in range(0, len(ids), BATCH):
                chunk = ids[start : start + BATCH]
                cursor.execute(
                    f"UPDATE {Ticket._meta.db_table} SET first_response_due_at = %s, warning_due_at = %s "  # noqa: S608
                    f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                    [now - datetime.timedelta(seconds=30), now - datetime.timedelta(minutes=10), *chunk],
                )
            if connection.vendor == "postgresql":
                cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
        started = time.perf_counter()
        breached = 0
        while (batch := sla_breach_sweep()) > 0:
            breached += batch
        elapsed = time.perf_counter() - started
        self.say(
            f"breach sweep, {due:,} tickets due in the same minute",
            f"{elapsed:.1f} s ({breached:,} breached, {breached / elapsed:,.0f}/s)",
        )
        started = time.perf_counter()
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            sent = 0
            while (done := outbox_drain(limit=500, budget_seconds=600)) > 0:
                sent += done
        self.say(
            "outbox drain of their e-mails (dummy mail backend)",
            f"{time.perf_counter() - started:.1f} s ({sent:,} e-mails)",
        )

    def mass_deadline(self, due: int, spread: float, worker: bool) -> None:
        """`due` open tickets whose deadlines fall over `spread` seconds starting shortly, already
        warned (as they would have been), with no per-ticket timer sent: the sweep alone records
        them, run as beat runs it — the task tickets.sla_sweep every beat interval — either in this
        process, one pass after another, or with --worker by a real worker and beat. Prints the lag
        from each deadline to its recorded breach (SLAEvent.recorded_at) and to its e-mail's outbox
        rows (core.OutboxMessage.created_at)."""
        now = timezone.now()
        first = now + datetime.timedelta(seconds=15)
        step = spread / max(due - 1, 1)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {Ticket._meta.db_table} AS t
                SET first_response_due_at = %(first)s + s.n * %(step)s * interval '1 second',
                    warning_due_at = %(first)s + s.n * %(step)s * interval '1 second' - interval '10 minutes',
                    warned_at = %(now)s
                FROM (
                    SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM {Ticket._meta.db_table}
                    WHERE institution_id IN (SELECT id FROM {Institution._meta.db_table} WHERE slug LIKE %(prefix)s)
                      AND status IN ('new', 'open', 'waiting') AND first_responded_at IS NULL AND breached_at IS NULL
                    ORDER BY id LIMIT %(due)s
                ) AS s
                WHERE t.id = s.id
                """,  # noqa: S608 - table names from the models, values as parameters
                {"first": first, "step": step, "now": now, "prefix": PREFIX + "%", "due": due},
            )
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
        last = first + datetime.timedelta(seconds=spread)
        self.say(
            f"{due:,} deadlines from",
            f"{timezone.localtime(first):%H:%M:%S} to {timezone.localtime(last):%H:%M:%S}",
        )
        if worker:
            with self.worker_and_beat():
                self.wait_until(last + datetime.timedelta(seconds=60), first, last, due)
            how = "a real worker (-c 2) and beat"
        else:
            how = "the task tickets.sla_sweep in this process every beat interval"
            passes = self.sweep_passes(last + datetime.timedelta(seconds=60), first, last, due)
            self.say("sweep passes, longest", f"{len(passes)}, {max(passes):.2f} s")
        self.report_mass_lag(first, last, due, how)

    def recorded_between(self, first, last) -> int:
        return SLAEvent.objects.filter(
            kind="breached",
            occurred_at__gte=first,
            occurred_at__lte=last,
            institution__slug__startswith=PREFIX,
        ).count()

    def sweep_passes(self, give_up, first, last, due) -> list[float]:
        # The task beat sends, by its name, run here as the worker would run it.
        app.loader.import_default_modules()
        sla_sweep_task = app.tasks["tickets.sla_sweep"]
        interval = app.conf.beat_schedule["sla-sweep"]["schedule"].total_seconds()
        passes = []
        while timezone.now() < give_up:
            started = time.monotonic()
            sla_sweep_task()
            passes.append(time.monotonic() - started)
            if timezone.now() > last and self.recorded_between(first, last) >= due:
                break
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
        return passes

    def wait_until(self, give_up, first, last, due) -> None:
        while timezone.now() < give_up:
            time.sleep(1.0)
            if timezone.now() > last and self.recorded_between(first, last) >= due:
                break

    def report_mass_lag(self, first, last, due: int, how: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT count(*),
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.95) WITHIN GROUP (ORDER BY lag),
                       max(lag)
                FROM (SELECT extract(epoch FROM e.recorded_at - e.occurred_at) AS lag
                      FROM {SLAEvent._meta.db_table} e
                      JOIN {Institution._meta.db_table} i ON i.id = e.institution_id
                      WHERE e.kind = 'breached' AND e.occurred_at BETWEEN %(first)s AND %(last)s
                        AND i.slug LIKE %(prefix)s) AS lags
                """,  # noqa: S608 - table names from the models, values as parameters
                {"first": first, "last": last, "prefix": PREFIX + "%"},
            )
            recorded, p50, p95, worst = cursor.fetchone()
            cursor.execute(
                f"""
                SELECT count(*), percentile_cont(0.95) WITHIN GROUP (ORDER BY lag), max(lag), max(queued)
                FROM (SELECT extract(epoch FROM o.created_at - t.first_response_due_at) AS lag, o.created_at AS queued
                      FROM {CoreOutboxMessage._meta.db_table} o
                      JOIN {Ticket._meta.db_table} t ON o.cause = 'tickets.sla_breach:' || t.id
                      JOIN {Institution._meta.db_table} i ON i.id = t.institution_id
                      WHERE t.first_response_due_at BETWEEN %(first)s AND %(last)s
                        AND i.slug LIKE %(prefix)s) AS lags
                """,  # noqa: S608 - table names from the models, values as parameters
                {"first": first, "last": last, "prefix": PREFIX + "%"},
            )
            emails, email_p95, email_worst, last_queued = cursor.fetchone()
        self.say("swept by", how)
        if not recorded:
            self.say("breaches recorded", f"none of {due:,}")
            return
        self.say(
            "deadline → recorded_at",
            f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s ({recorded:,}/{due:,} recorded)",
        )
        if emails:
            self.say(
                "deadline → e-mail in the outbox",
                f"p95 {email_p95:.2f} s, max {email_worst:.2f} s ({emails:,} e-mails; the last "
                f"{(last_queued - last).total_seconds():.2f} s after the last deadline)",
            )
        self.say("load average (1, 5, 15 min)", ", ".join(f"{load:.1f}" for load in os.getloadavg()))

    def lag_tickets(self, count: int, spread: float):
        """`count` open, unanswered tickets whose deadlines fall over the next `spread` seconds."""
        start = timezone.now() + datetime.timedelta(seconds=3)
        ids = list(
            self.bench_tickets()
            .filter(status__in=("new", "open", "waiting"), breached_at__isnull=True)
            .order_by("-pk")
            .values_list("pk", flat=True)[:count]
        )
        deadlines = {}
        with connection.cursor() as cursor:
            for i, pk in enumerate(ids):
                due = start + datetime.timedelta(seconds=spread * i / max(count, 1))
                deadlines[pk] = due
                cursor.execute(
                    f"UPDATE {Ticket._meta.db_table} SET first_response_due_at = %s, warning_due_at = %s WHERE id = %s",  # noqa: S608
                    [due, due + dispatch.ETA_HORIZON + datetime.timedelta(hours=1), pk],
                )
        return deadlines

    def report_lag(self, deadlines: dict, label: str) -> None:
        events = dict(
            SLAEvent.objects.filter(ticket_id__in=list(deadlines), kind="breached").values_list(
                "ticket_id", "recorded_at"
            )
        )
        lags = [(events[pk] - due).total_seconds() for pk, due in deadlines.items() if pk in events]
        if not lags:
            self.say(label, "no breach recorded")
            return
        self.say(
            label,
            f"p50 {statistics.median(lags):.2f} s, p95 {percentile(lags, 0.95):.2f} s, p99 {percentile(lags, 0.99):.2f} s, "
            f"max {max(lags):.2f} s ({len(lags)}/{len(deadlines)} recorded)",
        )

    def lag_with_sweep_loop(self, count: int, spread: float) -> None:
        interval = app.conf.beat_schedule["sla-sweep"]["schedule"].total_seconds()
        deadlines = self.lag_tickets(count, spread)
        last = max(deadlines.values())
        while timezone.now() < last + datetime.timedelta(seconds=2 * interval):
            started = time.monotonic()
            sla_sweep()
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
        self.report_lag(deadlines, f"breach lag, sweep only every {interval:g} s (all timers lost)")

    @contextlib.contextmanager
    def worker_and_beat(self):
        """A real Celery worker with beat (-B, 2 processes) on the configured broker; e-mails it
        drains go to the dummy mail backend."""
        log = Path(settings.BASE_DIR) / "var" / "bench-worker.log"
        log.parent.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "slaportal.settings.local"),
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "slaportal",
                "worker",
                "-B",
                "-l",
                "info",
                "-c",
                "2",
                "-n",
                f"bench-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        try:
            waited = time.monotonic()
            while "ready." not in log.read_text() and time.monotonic() - waited < 60:
                time.sleep(0.2)
            yield worker
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()

    def lag_with_worker(self, count: int, spread: float) -> None:
        broker = app.conf.broker_write_url
        with self.worker_and_beat():
            deadlines = self.lag_tickets(count, spread)
            # Only the breach timers: warning times beyond the horizon are not sent at all.
            beyond = dispatch.ETA_HORIZON + datetime.timedelta(hours=1)
            for pk, due in deadlines.items():
                dispatch.sla_timers(ticket_id=pk, due_at=due, warning_at=due + beyond)
            last = max(deadlines.values())
            while timezone.now() < last + datetime.timedelta(seconds=6):
                time.sleep(0.5)
            self.report_lag(deadlines, f"breach lag, real worker and beat on {broker.split('@')[-1]}")
