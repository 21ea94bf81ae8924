"""Two workers at once, each on its own PostgreSQL connection: the guarded updates and SKIP LOCKED
must let every breach be recorded exactly once."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from core.models import OutboxMessage
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tickets.models import SLAEvent, TicketEvent
from tickets.services.sla import sla_breach_record, sla_breach_sweep

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
IST = ZoneInfo("Europe/Istanbul")
FILED = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)


def run_together(count: int, work) -> list:
    """Run work(i) in `count` threads released at the same moment; each thread has its own
    database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_breach_task_running_twice_concurrently_records_one_breach(postgres):
    # given
    PersonFactory(role=Role.DESK_LEAD)
    ticket = TicketFactory(at=FILED)
    after = ticket.first_response_due_at + datetime.timedelta(seconds=1)
    # when: two deliveries of the same timer run at the same moment
    results = run_together(2, lambda _: sla_breach_record(ticket_id=ticket.pk, now=after))
    # then
    assert sorted(results) == [False, True]
    assert SLAEvent.objects.filter(ticket=ticket, kind="breached").count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").count() == 1
    assert OutboxMessage.objects.filter(cause=f"tickets.sla_breach:{ticket.pk}").count() == 1


def test_two_concurrent_sweeps_breach_each_ticket_once(postgres):
    # given: thirty tickets past their deadline
    PersonFactory(role=Role.DESK_LEAD)
    customer = customer_with_subscription("premium")
    tickets = [TicketFactory(requester=customer, at=FILED) for _ in range(30)]
    after = tickets[0].first_response_due_at + datetime.timedelta(seconds=1)

    def sweep(_):
        done = 0
        while (batch := sla_breach_sweep(now=after, limit=4)) > 0:
            done += batch
        return done

    # when
    results = run_together(2, sweep)
    # then: between them they breached all thirty, none twice
    assert sum(results) == 30
    assert SLAEvent.objects.filter(kind="breached").count() == 30
    assert TicketEvent.objects.filter(kind="sla_breached").count() == 30
