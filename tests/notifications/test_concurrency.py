"""Two dispatch passes at once, each on its own PostgreSQL connection: every event becomes one
notification and every notification one e-mail."""

import pytest

from notifications.models import Kind, Notification
from notifications.services.delivery import notification_drain
from notifications.services.fanout import notification_fanout
from tests.factories import TicketFactory
from tests.tickets.test_sla_concurrency import run_together
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def dispatch_pass(_: int) -> None:
    notification_fanout()
    notification_drain(limit=3)


def test_two_concurrent_dispatches_send_each_notification_once(postgres, smtp_sink, customer, engineer):
    # given: ten tickets, each answered by the desk
    tickets = [TicketFactory(requester=customer) for _ in range(10)]
    for ticket in tickets:
        ticket_reply(actor=engineer, ticket=ticket, body=f"Answer to #{ticket.pk}")
    # when
    run_together(2, dispatch_pass)
    run_together(2, dispatch_pass)
    # then
    assert Notification.objects.filter(kind=Kind.DESK_ANSWERED).count() == 10
    assert Notification.objects.exclude(status="sent").count() == 0
    assert len(smtp_sink.to(customer.email)) == 20
    assert len({m["Message-ID"] for m in smtp_sink.messages}) == 20
