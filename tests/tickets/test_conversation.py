import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from packages.errors import QuotaExhausted
from tests.factories import TicketFactory, customer_with_subscription
from tickets.models import Ticket
from tickets.services import (
    ticket_change_status,
    ticket_log_call,
    ticket_log_remote,
    ticket_note,
    ticket_reopen,
    ticket_reply,
)

pytestmark = pytest.mark.django_db


def test_reply_by_engineer_sets_first_response(engineer):
    # given
    ticket = TicketFactory()
    # when
    ticket_reply(actor=engineer, ticket=ticket, body="Please send the log.")
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.sla_state == "answered" and ticket.status == Ticket.Status.OPEN


def test_internal_note_is_not_a_first_response(engineer):
    # given
    ticket = TicketFactory()
    # when
    ticket_note(actor=engineer, ticket=ticket, body="Looks like the 2025 bug.")
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_customer_reply_is_not_a_first_response():
    # given
    ticket = TicketFactory()
    # when
    ticket_reply(actor=ticket.requester, ticket=ticket, body="Any news?")
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None


def test_customer_cannot_add_internal_note():
    # given
    ticket = TicketFactory()
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_note(actor=ticket.requester, ticket=ticket, body="x")


def test_second_reply_keeps_first_response_time(engineer):
    # given
    ticket = TicketFactory()
    ticket_reply(actor=engineer, ticket=ticket, body="first")
    ticket.refresh_from_db()
    first = ticket.first_responded_at
    # when
    ticket_reply(actor=engineer, ticket=ticket, body="second")
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at == first


def test_call_consumes_phone_quota_and_answers(engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    # when
    ticket_log_call(actor=engineer, ticket=ticket, body="Walked through the settings.", duration_minutes=12)
    # then
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None
    assert ticket.subscription.allotments.get(channel="phone").used == 1


def test_remote_session_needs_a_call_first(engineer):
    # given
    ticket = TicketFactory()
    # when / then
    with pytest.raises(ValidationError):
        ticket_log_remote(actor=engineer, ticket=ticket, body="Connected.")


def test_exhausted_phone_quota_refuses_the_call(engineer):
    # given
    ticket = TicketFactory(requester=customer_with_subscription("standard"))
    ticket.subscription.allotments.filter(channel="phone").update(used=20)
    # when / then
    with pytest.raises(QuotaExhausted):
        ticket_log_call(actor=engineer, ticket=ticket, body="x")
    assert not ticket.messages.exists()


def test_reopen_within_seven_days(engineer):
    # given
    ticket = TicketFactory()
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    with time_machine.travel(datetime.timedelta(days=6)):
        ticket = ticket_reopen(actor=ticket.requester, ticket=ticket)
    # then
    assert ticket.status == Ticket.Status.OPEN


def test_reopen_after_seven_days_is_refused(engineer):
    # given
    ticket = TicketFactory()
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when / then
    with time_machine.travel(datetime.timedelta(days=8)), pytest.raises(ValidationError):
        ticket_reopen(actor=ticket.requester, ticket=ticket)


def test_customer_cannot_put_ticket_waiting():
    # given
    ticket = TicketFactory()
    # when / then
    with pytest.raises(ValidationError):
        ticket_change_status(actor=ticket.requester, ticket=ticket, status="waiting")
