"""The ingestion benchmark. Prints figures, asserts nothing.

    python manage.py bench_usage                          # 100,000 events in batches of 1,000
    python manage.py bench_usage --events 20000 --clients 4 --workers 2

It starts gunicorn (--workers sync workers) on a free local port against the configured database,
sends --events events in batches of --batch from --clients client threads over keep-alive HTTP
connections to POST /api/v1/usage/events/ with an installation key, and prints the events stored
per second and the SQL queries one batch costs (measured in this process on the same view).
With --url it sends to a server already running instead of starting one.

Its data lives under the institution with the slug "benchusage" (people, key, events) and is
deleted at the end unless --keep. Use a scratch database all the same.
"""

import datetime
import http.client
import json
import os
import threading
import time
import uuid
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organizations.models import Institution, User
from organizations.roles import Role
from packages.models import Package, Product
from packages.selectors import subscription_get_active
from packages.services import subscription_sell
from performance.models import UsageDirtyDay, UsageEvent, UsageKey
from performance.services import usage_key_issue
from slaportal.benchserver import database_url, free_port, gunicorn_start

SLUG = "benchusage"
PRODUCT = "bench-product"
PEOPLE = 50


class Command(BaseCommand):
    help = "Measure usage-event ingestion over HTTP through gunicorn: events per second, queries per batch."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=1000)
        parser.add_argument("--clients", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--url", default="", help="Send to this running server instead of starting gunicorn."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the benchmark's data.")

    def handle(self, *args, **options):
        if options["batch"] > 1000 or options["batch"] < 1:
            raise CommandError("--batch must be between 1 and 1000.")
        self._cleanup()
        key, raw, usernames = self._setup()
        server = None
        try:
            if options["url"]:
                base = options["url"].rstrip("/")
            else:
                server, base = self._start_gunicorn(options["workers"])
            batches = self._batches(usernames, options["events"], options["batch"])
            self.stdout.write(
                f"database: {connection.vendor}; {options['events']} events in {len(batches)} batches of "
                f"{options['batch']}; {options['clients']} clients; "
                + (f"server {base}" if options["url"] else f"gunicorn with {options['workers']} workers")
            )
            self._send(base, raw, batches[:1])  # warm-up: connections, imports, caches
            accepted_before = UsageEvent.objects.filter(key_prefix=key.prefix).count()
            started = time.perf_counter()
            accepted = self._send(base, raw, batches[1:], clients=options["clients"])
            elapsed = time.perf_counter() - started
            stored = UsageEvent.objects.filter(key_prefix=key.prefix).count() - accepted_before
            sent = options["events"]
            self.stdout.write(
                f"ingestion: {sent} events sent, {accepted} accepted, {stored} stored in {elapsed:.2f} s: "
                f"{stored / elapsed if elapsed else 0:,.0f} events/s ({len(batches) - 1} requests, "
                f"{(len(batches) - 1) / elapsed if elapsed else 0:.1f} requests/s)"
            )
            self.stdout.write(
                f"SQL queries per request: {self._queries_per_request(raw, usernames, options['batch'])}"
            )
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=20)
            if not options["keep"]:
                self._cleanup()

    def _setup(self):
        institution, _created = Institution.objects.get_or_create(slug=SLUG, defaults={"name": "Bench usage"})
        Product.objects.get_or_create(code=PRODUCT, defaults={"name": "Bench product"})
        if subscription_get_active(institution=institution) is None:
            subscription_sell(
                actor=None,
                institution=institution,
                package=Package.objects.get(code="premium_plus"),
                starts_on=timezone.localdate() - datetime.timedelta(days=1),
                user_cap=1000,
                figures={},
            )
        admin, _created = User.objects.get_or_create(
            username=f"{SLUG}-admin", defaults={"institution": institution, "role": Role.INSTITUTION_ADMIN}
        )
        usernames = [f"{SLUG}-{n}" for n in range(PEOPLE)]
        User.objects.bulk_create(
            [User(username=name, institution=institution, role=Role.CUSTOMER) for name in usernames],
            ignore_conflicts=True,
        )
        key, raw = usage_key_issue(actor=admin, institution=institution, name="bench")
        return key, raw, usernames

    def _cleanup(self):
        institution = Institution.objects.filter(slug=SLUG).first()
        if institution is None:
            return
        UsageEvent.objects.filter(institution=institution).delete()
        UsageDirtyDay.objects.filter(institution=institution).delete()
        # The institution, people and contract stay (audit rows point at them); keys are revoked.
        UsageKey.objects.filter(institution=institution).update(revoked=True, revoked_at=timezone.now())

    def _batches(self, usernames, total, size) -> list[bytes]:
        now = timezone.now()
        kinds = ["session_start", "feature_used", "feature_used", "session_end"]
        batches, count = [], 0
        while count < total + size:  # one extra batch for the warm-up
            events = []
            for i in range(min(size, total + size - count)):
                n = count + i
                events.append(
                    {
                        "id": str(uuid.uuid4()),
                        "username": usernames[n % len(usernames)],
                        "product": PRODUCT,
                        "version": "1.0",
                        "kind": kinds[n % 4],
                        "feature": "query" if kinds[n % 4] == "feature_used" else None,
                        "occurred_at": (now - datetime.timedelta(seconds=total + size - n)).isoformat(),
                    }
                )
            count += len(events)
            batches.append(json.dumps({"events": events}).encode())
        return batches

    def _start_gunicorn(self, workers: int):
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "slaportal.settings.local"),
            # The benchmark measures ingestion, not the per-key throttle.
            "API_THROTTLE_USAGE": "1000000/min",
        }
        server = gunicorn_start(port=port, args=["-w", str(workers)], env=env, seconds=30)
        return server, f"http://127.0.0.1:{port}"

    def _send(self, base: str, raw: str, batches: list[bytes], clients: int = 1) -> int:
        target = urlsplit(base)
        path = f"{target.path.rstrip('/')}/api/v1/usage/events/"
        headers = {"Authorization": f"Api-Key {raw}", "Content-Type": "application/json"}
        accepted, errors, lock = [0], [], threading.Lock()
        queue = list(batches)

        def work():
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
            try:
                while True:
                    with lock:
                        if not queue or errors:
                            return
                        body = queue.pop()
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    if response.status != 200:
                        with lock:
                            errors.append(f"{response.status} {data[:300]!r}")
                        return
                    with lock:
                        accepted[0] += json.loads(data)["accepted"]
            finally:
                conn.close()

        threads = [threading.Thread(target=work) for _ in range(max(1, clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise CommandError(f"ingestion refused a batch: {errors[0]}")
        return accepted[0]

    def _queries_per_request(self, raw: str, usernames, size: int) -> int:
        body = self._batches(usernames, 0, size)[0]
        client = Client(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/api/v1/usage/events/", data=body, content_type="application/json")
        if response.status_code != 200:
            raise CommandError(f"ingestion refused the measured batch: {response.status_code}")
        return len(queries)
