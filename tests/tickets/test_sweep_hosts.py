"""Sweep consumers on several worker hosts, each on its own PostgreSQL connection: the whole sweep
(breaches, then warnings) run by four at once records every breach and warning exactly once, and
rows held by a consumer that dies mid-batch are skipped by the others, then recorded once its
session is gone."""

import datetime

import psycopg2
import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tests.reliability.processes import database_url
from tickets.models import SLAEvent, Ticket, TicketEvent
from tickets.services.sla import sla_sweep

from .test_sla_concurrency import FILED, run_together

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _tickets(count: int) -> list[Ticket]:
    customer = customer_with_subscription("premium")
    return [TicketFactory(requester=customer, at=FILED) for _ in range(count)]


def test_four_concurrent_sweeps_record_every_breach_and_warning_once(postgres, time_machine):
    # given: forty tickets past their deadline and twenty past only their warning time
    PersonFactory(role=Role.DESK_LEAD)
    breached = _tickets(40)
    due = breached[0].first_response_due_at
    warned = _tickets(20)
    Ticket.objects.filter(pk__in=[t.pk for t in warned]).update(
        first_response_due_at=due + datetime.timedelta(hours=1)
    )
    time_machine.move_to(due + datetime.timedelta(seconds=1), tick=False)
    # when: four hosts sweep at the same moment, in small batches
    results = run_together(4, lambda _: sla_sweep(limit=3))
    # then: between them every breach and every warning once, none twice, none skipped
    assert sum(r["breached"] for r in results) == 40
    assert SLAEvent.objects.filter(kind="breached").count() == 40
    assert TicketEvent.objects.filter(kind="sla_breached").count() == 40
    assert set(SLAEvent.objects.filter(kind="breached").values_list("ticket_id", flat=True)) == {
        t.pk for t in breached
    }
    assert set(SLAEvent.objects.filter(kind="warning_sent").values_list("ticket_id", flat=True)) == {
        t.pk for t in warned
    }
    assert TicketEvent.objects.filter(kind="sla_warning").count() == 20


def test_rows_held_by_a_dying_consumer_are_skipped_then_recorded_once(postgres, time_machine):
    # given: twelve tickets past their deadline, four of them locked by a consumer mid-batch
    PersonFactory(role=Role.DESK_LEAD)
    tickets = _tickets(12)
    time_machine.move_to(tickets[0].first_response_due_at + datetime.timedelta(seconds=1), tick=False)
    held = [t.pk for t in tickets[:4]]
    dying = psycopg2.connect(database_url())
    try:
        with dying.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Ticket._meta.db_table} WHERE id = ANY(%s) FOR UPDATE", [held])  # noqa: S608
            cursor.execute("SELECT pg_backend_pid()")
            dying_pid = cursor.fetchone()[0]
        # when: two other hosts sweep while it holds them
        first = run_together(2, lambda _: sla_sweep(limit=5))
        # then: they record the eight others and leave the four alone
        assert sum(r["breached"] for r in first) == 8
        assert not SLAEvent.objects.filter(ticket_id__in=held, kind="breached").exists()
        # when: the consumer's host dies (its session ends, its transaction rolls back) and a sweep runs
        with psycopg2.connect(database_url()) as admin, admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dying_pid])
        admin.close()
        second = run_together(2, lambda _: sla_sweep(limit=5))
        # then: the four are recorded once, and nothing else again
        assert sum(r["breached"] for r in second) == 4
        assert SLAEvent.objects.filter(kind="breached").count() == 12
        assert TicketEvent.objects.filter(kind="sla_breached").count() == 12
        assert set(SLAEvent.objects.filter(kind="breached").values_list("ticket_id", flat=True)) == {
            t.pk for t in tickets
        }
    finally:
        dying.close()
