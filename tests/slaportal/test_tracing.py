"""OpenTelemetry: a ticket filed on the web, its routing in a Celery worker and the e-mail its SLA
timer sends are one trace, recorded here by an in-memory exporter. The worker runs in a thread of
the test process on Celery's in-memory broker, so its spans land in the same exporter."""

import datetime

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from organizations.roles import Role
from slaportal.celery import app, broker_reset
from slaportal.tracing import outbox_trace_carrier, tracing_setup, tracing_teardown
from tests.factories import PersonFactory, customer_with_subscription
from tests.reliability.processes import wait_for
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def exporter():
    spans = InMemorySpanExporter()
    tracing_setup(exporter=spans, batch=False)
    yield spans
    tracing_teardown()


@pytest.fixture
def memory_broker(monkeypatch):
    broker_reset()
    for name in ("broker_url", "broker_read_url", "broker_write_url"):
        monkeypatch.setattr(app.conf, name, "memory://")
    yield
    broker_reset()


def test_tracing_is_off_by_default():
    # then: nothing is installed and no trace is kept with outbox rows
    assert outbox_trace_carrier() == {}


def test_a_filing_its_routing_and_its_e_mail_are_one_trace(
    postgres, client, exporter, memory_broker, time_machine
):
    # PostgreSQL: a worker writes in its own thread while the test does (SQLite locks the table).
    # given: an engineer on duty, a desk lead to warn, and a customer who files on the web
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    PersonFactory(role=Role.DESK_LEAD, email="lead@vendor.example")
    customer = customer_with_subscription()
    client.force_login(customer)
    # when: the ticket is filed, its deadline passes, and a worker runs what the filing sent
    response = client.post("/api/v1/tickets/", {"subject": "Harita açılmıyor", "description": "…"})
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    time_machine.move_to(ticket.first_response_due_at + datetime.timedelta(seconds=5))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        done = wait_for(
            lambda: (
                Ticket.objects.filter(
                    pk=ticket.pk, routed_at__isnull=False, breached_at__isnull=False
                ).exists()
                and len(mail.outbox) > 0
            ),
            timeout=30,
        )
    # then: the web request, the routing and the breach e-mail share the trace of the request
    assert done
    spans = exporter.get_finished_spans()
    request = next(
        s
        for s in spans
        if s.kind.name == "SERVER" and "tickets" in (s.attributes.get("http.route") or s.name)
    )
    by_name = {s.name: s for s in spans if s.context.trace_id == request.context.trace_id}
    assert "ticket.route" in by_name
    assert "outbox.email" in by_name
    assert any(name.startswith("run/tickets.outbox_deliver") for name in by_name)
    assert any(name.startswith("run/tickets.sla_breach") for name in by_name)
