"""Ticket events → one notification per event, recipient and kind."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import FanoutCursor, Kind, Notification, NotificationPreference
from notifications.services.fanout import CURSOR, SETTLE, notification_fanout
from organizations.roles import Role
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tickets.models import TicketEvent
from tickets.services import (
    development_item_update,
    ticket_assign,
    ticket_change_status,
    ticket_reopen,
    ticket_reply,
    ticket_share,
)

pytestmark = pytest.mark.django_db


def kinds_for(person) -> list[str]:
    return list(Notification.objects.filter(recipient=person).order_by("id").values_list("kind", flat=True))


def test_share_with_a_person_tells_them(engineer):
    # given
    subscription = SubscriptionFactory(package_code="premium")
    requester = PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)
    colleague = PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)
    ticket = TicketFactory(requester=requester)
    # when
    ticket_share(actor=requester, ticket=ticket, person=colleague)
    notification_fanout()
    # then
    assert kinds_for(colleague) == [Kind.SHARE_GIVEN]


def test_share_with_a_unit_tells_its_people_and_they_hear_of_the_resolution(engineer):
    # given: a unit of two customers, and someone in another unit
    subscription = SubscriptionFactory(package_code="premium")
    institution = subscription.institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    requester = PersonFactory(role=Role.CUSTOMER, institution=institution)
    first, second = (PersonFactory(role=Role.CUSTOMER, unit=unit) for _ in range(2))
    elsewhere = PersonFactory(role=Role.CUSTOMER, unit=UnitFactory(region=unit.region))
    ticket = TicketFactory(requester=requester)
    # when
    ticket_share(actor=requester, ticket=ticket, unit=unit)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    notification_fanout()
    # then
    assert kinds_for(first) == kinds_for(second) == [Kind.SHARE_GIVEN, Kind.RESOLVED]
    assert kinds_for(elsewhere) == []


def test_development_state_change_tells_the_requester(engineer):
    # given
    ticket = TicketFactory(kind="feature")
    # when
    development_item_update(
        actor=engineer, item=ticket.development_item, state="planned", planned_on=datetime.date(2027, 3, 1)
    )
    notification_fanout()
    # then
    assert kinds_for(ticket.requester) == [Kind.TICKET_FILED, Kind.DEVELOPMENT_UPDATED]


def test_reopen_by_the_customer_tells_the_assignee_not_the_customer(engineer, customer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_assign(actor=engineer, ticket=ticket, assignee=engineer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    notification_fanout()
    # when
    ticket_reopen(actor=customer, ticket=ticket)
    notification_fanout()
    # then
    assert kinds_for(engineer) == [Kind.REOPENED]
    assert Kind.REOPENED not in kinds_for(customer)


def test_digest_only_kind_is_held(customer, engineer):
    # given
    NotificationPreference.objects.create(person=customer, kind=Kind.TICKET_FILED, mode="digest")
    # when
    TicketFactory(requester=customer)
    notification_fanout()
    # then
    assert Notification.objects.get(recipient=customer).status == "held"


def test_cursor_moves_only_past_settled_events(customer):
    # given
    TicketFactory(requester=customer)
    TicketEvent.objects.update(created_at=timezone.now() - SETTLE - datetime.timedelta(seconds=1))
    settled = TicketEvent.objects.order_by("-id").first().pk
    TicketFactory(requester=customer)
    # when
    notification_fanout()
    # then
    assert FanoutCursor.objects.get(name=CURSOR).last_event_id == settled
    assert Notification.objects.filter(kind=Kind.TICKET_FILED).count() == 2


def test_events_before_the_cursor_are_not_notified_again(customer):
    # given
    TicketFactory(requester=customer)
    notification_fanout()
    Notification.objects.all().delete()
    FanoutCursor.objects.filter(name=CURSOR).update(
        last_event_id=TicketEvent.objects.order_by("-id").first().pk
    )
    # when
    notification_fanout()
    # then
    assert not Notification.objects.exists()


def test_fanout_query_count_does_not_grow_with_the_events(customer, engineer, django_assert_max_num_queries):
    # given: twenty tickets, each answered by the desk
    for _ in range(20):
        ticket_reply(actor=engineer, ticket=TicketFactory(requester=customer), body="Answer")
    # when
    with django_assert_max_num_queries(12):
        notification_fanout()
    # then
    assert Notification.objects.filter(kind=Kind.DESK_ANSWERED).count() == 20
