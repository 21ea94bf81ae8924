"""The HTTP benchmark: every request of issue 16's budgets, over HTTP, against a real server.

    python manage.py seed_demo                      # the demo people it signs in as
    python manage.py bench_http                     # 1,000,000 tickets, 200,000 open, 20,000 past deadline
    python manage.py bench_http --tickets 100000 --at-risk 2000 --requests 100   # a quick run

It fills the configured database with bench_sla's generator (institutions whose slug starts with
"bench-", deleted at the end unless --keep), starts gunicorn as in production (2 workers × 4
threads, production settings, a free port), signs in as the demo people (premium-user1, engineer1,
lead) through the login form and with API tokens, then sends the requests one after another,
interleaved, --requests rounds, and prints p50, p95 and the SQL statements per request. The server
counts them itself: QUERY_COUNT_HEADER turns on the `X-Query-Count` header for that server only.
Last, --clients clients file tickets for --throughput-seconds: filings per second.

The demo customer's written quota is made unlimited for the run and put back as it was after; the
tickets the run files are deleted. Use a scratch database all the same.
"""

import datetime
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from organizations.models import User
from packages.models import Allotment, Channel, QuotaEntry
from packages.selectors import subscription_in_force
from slaportal.api.services import api_token_issue
from slaportal.benchserver import database_url, free_port, gunicorn_start
from tickets.models import OPEN_STATUSES, Ticket
from tickets.services import ticket_file

from .bench_sla import Command as SlaBenchmark
from .bench_sla import percentile

CUSTOMER, ENGINEER, LEAD = "premium-user1", "engineer1", "lead"

FILED_SUBJECT = "bench_http filing"
# seed_demo's password (portal is above tickets in the layers, so it is not imported).
PASSWORD = "demo-pass-2026"


class Client:
    """One kept-alive HTTP connection with its cookies, as a browser or an app holds it."""

    def __init__(self, port: int, headers: dict | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.headers = headers or {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            response, content, elapsed = self._send(method, path, body, sent)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # gunicorn closes a kept-alive connection idle longer than its keepalive (2 s); a
            # browser opens a new one, and so does this client, timing the request afresh.
            self.connection.close()
            response, content, elapsed = self._send(method, path, body, sent)
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response, content, elapsed

    def _send(self, method: str, path: str, body: bytes | None, headers: dict):
        started = time.perf_counter()
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        return response, content, time.perf_counter() - started

    def log_in(self, username: str) -> None:
        _, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
        response, _, _ = self.request(
            "POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if response.status != 302:
            raise CommandError(f"{username} could not sign in (HTTP {response.status}); run seed_demo first.")


class Command(SlaBenchmark):
    help = "Benchmark the pages and the API over HTTP under gunicorn: p50, p95 and SQL queries per request."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--open", type=int, help="open tickets (default: a fifth of --tickets)")
        parser.add_argument("--institutions", type=int, default=2000)
        parser.add_argument("--at-risk", type=int, default=20_000, help="open tickets past their deadline")
        parser.add_argument("--requests", type=int, default=200, help="rounds of every request")
        parser.add_argument("--clients", type=int, default=8, help="concurrent clients filing tickets")
        parser.add_argument("--throughput-seconds", type=float, default=10.0)
        parser.add_argument("--json", help="also write the figures to this file")
        parser.add_argument("--keep", action="store_true", help="keep the generated data")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="measure the data an earlier --keep run left, when it has --tickets tickets, instead of generating it",
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("bench_http needs PostgreSQL: gunicorn's workers share the database with it.")
        opts["open"] = opts["tickets"] // 5 if opts["open"] is None else opts["open"]
        opts["at_risk"] = min(opts["at_risk"], opts["open"])
        people = {p.username: p for p in User.objects.filter(username__in=(CUSTOMER, ENGINEER, LEAD))}
        if len(people) != 3:
            raise CommandError("The demo people are missing: run `python manage.py seed_demo` first.")
        self.say("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
        reuse = opts["reuse"] and self.bench_tickets().count() == opts["tickets"]
        if opts["reuse"]:
            self.say("reusing the kept data", "yes" if reuse else "no: its size differs, generating")
        if not reuse:
            self.cleanup()
        server = None
        quota = self.quota_lift(people[CUSTOMER])
        try:
            if not reuse:
                self.generate(opts)
            self.put_at_risk(opts["at_risk"])
            ticket = ticket_file(actor=people[CUSTOMER], subject=FILED_SUBJECT, description="Okunan talep.")
            port = free_port()
            server = self.serve(port)
            figures = self.measure(port, people, ticket.pk, opts["requests"])
            figures["filings per second"] = self.throughput(port, people[CUSTOMER], opts)
            self.report(figures, opts)
        finally:
            if server is not None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            self.quota_restore(quota)
            if not opts["keep"]:
                self.cleanup()

    # --- data -----------------------------------------------------------------------------------

    def put_at_risk(self, count: int) -> None:
        """Move the deadline of `count` open tickets into the past: half recorded as breached by
        the sweep, half not yet, as on a bad day."""
        now = timezone.now()
        ids = list(
            self.bench_tickets()
            .filter(status__in=OPEN_STATUSES)
            .order_by("id")
            .values_list("id", flat=True)[:count]
        )
        half = len(ids) // 2
        past = {
            "first_response_due_at": now - datetime.timedelta(minutes=5),
            "warning_due_at": now - datetime.timedelta(minutes=15),
        }
        Ticket.objects.filter(pk__in=ids[:half]).update(**past, warned_at=now, breached_at=now)
        Ticket.objects.filter(pk__in=ids[half:]).update(**past)
        # As autovacuum would leave the table after the sweep's writes: the visibility map set
        # again, so the board's count reads its indexes alone (index-only scans).
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Ticket._meta.db_table}")

    def quota_lift(self, customer: User) -> tuple[Allotment, bool, int]:
        subscription = subscription_in_force(institution=customer.institution)
        allotment = Allotment.objects.get(subscription=subscription, channel=Channel.WRITTEN)
        kept = (allotment, allotment.is_unlimited, allotment.used)
        Allotment.objects.filter(pk=allotment.pk).update(is_unlimited=True)
        return kept

    def quota_restore(self, kept: tuple[Allotment, bool, int]) -> None:
        allotment, is_unlimited, used = kept
        filed = Ticket.objects.filter(
            subject=FILED_SUBJECT, institution_id=allotment.subscription.institution_id
        )
        QuotaEntry.objects.filter(
            reference_type="ticket", reference_id__in=[str(pk) for pk in filed.values_list("pk", flat=True)]
        ).delete()
        filed.delete()
        Allotment.objects.filter(pk=allotment.pk).update(is_unlimited=is_unlimited, used=used)

    # --- the server -----------------------------------------------------------------------------

    def serve(self, port: int) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "slaportal.settings.production",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": database_url(),
            # Production refuses to start without these; the benchmark sends no real e-mail.
            "SITE_URL": f"http://127.0.0.1:{port}",
            "EMAIL_URL": "consolemail://",
            "QUERY_COUNT_HEADER": "true",
            # The throttles would measure themselves: one person sends every request here.
            "API_THROTTLE_USER": "1000000/min",
            "API_THROTTLE_WRITE": "1000000/min",
        }
        server = gunicorn_start(
            port=port,
            args=["-w", "2", "--threads", "4"],
            env=env,
            seconds=60,
            ready=lambda: Client(port).request("GET", "/health/live/")[0].status == 200,
        )
        self.say("gunicorn, production settings, 2 workers × 4 threads", f"port {port}")
        return server

    # --- measurements ---------------------------------------------------------------------------

    def measure(self, port: int, people: dict, ticket_id: int, rounds: int) -> dict:
        browsers = {}
        for username in (CUSTOMER, ENGINEER, LEAD):
            browsers[username] = Client(port)
            browsers[username].log_in(username)
        apps = {
            username: Client(port, {"Authorization": f"Token {api_token_issue(actor=people[username]).key}"})
            for username in (CUSTOMER, ENGINEER)
        }
        filing = json.dumps({"subject": FILED_SUBJECT, "description": "Ölçüm için açılan talep."}).encode()
        # The engineer answers a ticket of its own, so the ticket read above keeps its conversation.
        answered = ticket_file(actor=people[CUSTOMER], subject=FILED_SUBJECT, description="Yanıtlanan talep.")
        reply = json.dumps({"body": "Ölçüm için yazılan yanıt."}).encode()
        plan = [
            ("/desk/queue/", browsers[ENGINEER], "GET", "/desk/queue/", None),
            ("/desk/board/", browsers[LEAD], "GET", "/desk/board/", None),
            ("/ (customer home)", browsers[CUSTOMER], "GET", "/", None),
            ("/tickets/", browsers[CUSTOMER], "GET", "/tickets/", None),
            ("/tickets/<id>/", browsers[CUSTOMER], "GET", f"/tickets/{ticket_id}/", None),
            ("GET /api/v1/queue/", apps[ENGINEER], "GET", "/api/v1/queue/", None),
            ("GET /api/v1/tickets/", apps[CUSTOMER], "GET", "/api/v1/tickets/", None),
            ("GET /api/v1/tickets/{id}/", apps[CUSTOMER], "GET", f"/api/v1/tickets/{ticket_id}/", None),
            ("POST /api/v1/tickets/", apps[CUSTOMER], "POST", "/api/v1/tickets/", filing),
            (
                "POST /api/v1/tickets/{id}/replies/",
                apps[ENGINEER],
                "POST",
                f"/api/v1/tickets/{answered.pk}/replies/",
                reply,
            ),
        ]
        samples = {label: [] for label, *_ in plan}
        queries = {label: [] for label, *_ in plan}
        # One round unmeasured: the workers import, connect and fill their caches first.
        for index in range(rounds + 1):
            for label, client, method, path, body in plan:
                headers = {"Content-Type": "application/json"} if body else {}
                response, _, elapsed = client.request(method, path, body, headers)
                if response.status >= 400:
                    raise CommandError(f"{label} answered HTTP {response.status}.")
                if index:
                    samples[label].append(elapsed)
                    queries[label].append(int(response.getheader("X-Query-Count", "-1")))
        return {
            label: {
                "p50_ms": round(statistics.median(samples[label]) * 1000, 1),
                "p95_ms": round(percentile(samples[label], 0.95) * 1000, 1),
                "queries": max(queries[label]),
            }
            for label in samples
        }

    def throughput(self, port: int, customer: User, opts) -> float:
        token = api_token_issue(actor=customer).key
        body = json.dumps({"subject": FILED_SUBJECT, "description": "Ölçüm için açılan talep."}).encode()
        stop = time.monotonic() + opts["throughput_seconds"]
        filed = []

        def client_loop():
            client = Client(port, {"Authorization": f"Token {token}", "Content-Type": "application/json"})
            count = 0
            while time.monotonic() < stop:
                response, _, _ = client.request("POST", "/api/v1/tickets/", body)
                count += response.status == 201
            filed.append(count)

        started = time.monotonic()
        threads = [threading.Thread(target=client_loop) for _ in range(opts["clients"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return round(sum(filed) / (time.monotonic() - started), 1)

    def report(self, figures: dict, opts) -> None:
        self.stdout.write("")
        self.stdout.write(f"{'request':<36} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
        for label, row in figures.items():
            if isinstance(row, dict):
                self.stdout.write(
                    f"{label:<36} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['queries']:>8}"
                )
        self.stdout.write(
            f"{'filings per second':<36} {figures['filings per second']:>8.1f}  ({opts['clients']} clients, "
            f"{opts['throughput_seconds']:g} s)"
        )
        if opts["json"]:
            Path(opts["json"]).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
