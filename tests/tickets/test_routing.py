import datetime

import pytest
from django.utils import timezone

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tickets.dispatch import routing_queue
from tickets.models import OutboxMessage, Ticket, TicketEvent
from tickets.services import ticket_assign
from tickets.services.outbox import outbox_drain
from tickets.services.routing import ticket_route, ticket_route_unrouted

pytestmark = pytest.mark.django_db


def test_routing_picks_the_on_duty_engineer_with_least_open_work():
    # given: a busy engineer, an idle one, an idle one off duty and an inactive one
    lead = PersonFactory(role=Role.DESK_LEAD)
    busy = PersonFactory(role=Role.SUPPORT_ENGINEER)
    idle = PersonFactory(role=Role.SUPPORT_ENGINEER)
    PersonFactory(role=Role.SUPPORT_ENGINEER, is_on_duty=False)
    PersonFactory(role=Role.SUPPORT_ENGINEER, is_active=False)
    for _ in range(2):
        ticket_assign(actor=lead, ticket=TicketFactory(), assignee=busy)
    ticket = TicketFactory()
    # when
    engineer_id = ticket_route(ticket_id=ticket.pk)
    # then
    ticket.refresh_from_db()
    assert engineer_id == idle.pk
    assert ticket.assignee == idle and ticket.routed_at is not None


def test_routing_twice_assigns_once():
    # given
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    ticket = TicketFactory()
    # when
    ticket_route(ticket_id=ticket.pk)
    second = ticket_route(ticket_id=ticket.pk)
    # then
    assert second is None
    assert TicketEvent.objects.filter(ticket=ticket, kind="assigned").count() == 1


def test_routing_keeps_a_hand_made_assignment():
    # given
    lead = PersonFactory(role=Role.DESK_LEAD)
    chosen = PersonFactory(role=Role.SUPPORT_ENGINEER)
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    ticket = ticket_assign(actor=lead, ticket=TicketFactory(), assignee=chosen)
    # when
    ticket_route(ticket_id=ticket.pk)
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == chosen and ticket.routed_at is not None


def test_routing_with_nobody_on_duty_leaves_the_ticket_for_the_sweep():
    # given
    PersonFactory(role=Role.SUPPORT_ENGINEER, is_on_duty=False)
    ticket = TicketFactory()
    # when
    ticket_route(ticket_id=ticket.pk)
    # then
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.routed_at is None


def test_outbox_drain_routes_priority_one_before_priority_four():
    # given: a Standard (priority 4) ticket filed before a Premium+ (priority 1) one, two idle engineers
    first = PersonFactory(role=Role.SUPPORT_ENGINEER)
    second = PersonFactory(role=Role.SUPPORT_ENGINEER)
    standard = TicketFactory(requester=customer_with_subscription("standard"))
    premium_plus = TicketFactory(requester=customer_with_subscription("premium_plus"))
    # when
    outbox_drain()
    # then: the priority-1 ticket was routed first and took the first engineer
    assert Ticket.objects.get(pk=premium_plus.pk).assignee == first
    assert Ticket.objects.get(pk=standard.pk).assignee == second
    assert not OutboxMessage.objects.filter(processed_at__isnull=True).exists()


def test_sweep_routes_old_unrouted_tickets_by_priority(time_machine):
    # given: two tickets nobody could take when they were filed
    time_machine.move_to(timezone.now(), tick=False)
    standard = TicketFactory(requester=customer_with_subscription("standard"))
    premium_plus = TicketFactory(requester=customer_with_subscription("premium_plus"))
    first = PersonFactory(role=Role.SUPPORT_ENGINEER)
    second = PersonFactory(role=Role.SUPPORT_ENGINEER)
    time_machine.shift(datetime.timedelta(minutes=1))
    # when
    routed = ticket_route_unrouted()
    # then
    assert routed == 2
    assert Ticket.objects.get(pk=premium_plus.pk).assignee == first
    assert Ticket.objects.get(pk=standard.pk).assignee == second


def test_sweep_leaves_fresh_tickets_to_the_routing_task():
    # given
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    TicketFactory()
    # when
    routed = ticket_route_unrouted()
    # then
    assert routed == 0


def test_each_priority_has_its_own_routing_queue():
    # then
    assert [routing_queue(p) for p in (1, 2, 3, 4)] == [
        "routing_p1",
        "routing_p2",
        "routing_p3",
        "routing_p4",
    ]
