import io
import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Institution, User
from packages.models import Allotment, Channel
from tickets.management.commands.bench_http import CUSTOMER, ENGINEER, FILED_SUBJECT, LEAD, PASSWORD
from tickets.models import Ticket

REQUESTS = [
    "/desk/queue/",
    "/desk/board/",
    "/ (customer home)",
    "/tickets/",
    "/tickets/<id>/",
    "GET /api/v1/queue/",
    "GET /api/v1/tickets/",
    "GET /api/v1/tickets/{id}/",
    "POST /api/v1/tickets/",
    "POST /api/v1/tickets/{id}/replies/",
]


@pytest.mark.django_db(transaction=True)
def test_bench_http_prints_every_request_with_its_timing_and_queries(postgres):
    # given
    call_command("seed_demo", stdout=io.StringIO())
    # the server runs on production settings, which do not read the tests' fast password hashes
    hasher = PBKDF2PasswordHasher()
    for person in User.objects.filter(username__in=[CUSTOMER, ENGINEER, LEAD]):
        User.objects.filter(pk=person.pk).update(
            password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
        )
    written = Allotment.objects.get(subscription__institution__slug="premium", channel=Channel.WRITTEN)
    out = io.StringIO()
    # when
    call_command(
        "bench_http",
        tickets=300,
        institutions=5,
        at_risk=60,
        requests=3,
        clients=2,
        throughput_seconds=0.5,
        stdout=out,
    )
    # then
    table = out.getvalue()
    for label in REQUESTS:
        row = re.search(rf"^{re.escape(label)}\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+)$", table, re.MULTILINE)
        assert row, f"{label} missing from:\n{table}"
        p50, p95, queries = float(row[1]), float(row[2]), int(row[3])
        assert 0 < p50 <= p95
        assert queries > 0
    assert float(re.search(r"^filings per second\s+(\d+\.\d)", table, re.MULTILINE)[1]) > 0
    # and the run leaves the database as it found it
    assert not Institution.objects.filter(slug__startswith="bench-").exists()
    assert not Ticket.objects.filter(subject=FILED_SUBJECT).exists()
    written_after = Allotment.objects.get(pk=written.pk)
    assert (written_after.is_unlimited, written_after.used) == (written.is_unlimited, written.used)


@pytest.mark.django_db
def test_query_count_header_is_off_unless_the_setting_turns_it_on(client, customer):
    # given
    client.force_login(customer)
    # when
    response = client.get("/tickets/")
    # then
    assert response.status_code == 200
    assert "X-Query-Count" not in response


@pytest.mark.django_db
def test_query_count_header_counts_every_statement_of_the_request(client, customer, settings):
    # given
    settings.MIDDLEWARE = ["slaportal.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    client.force_login(customer)
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tickets/")
    # then
    assert int(response["X-Query-Count"]) == len(queries) > 0
