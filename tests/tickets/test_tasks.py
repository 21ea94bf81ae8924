import datetime
import smtplib
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

from core import tasks as core_tasks
from core.models import OutboxMessage as CoreOutboxMessage
from core.outbox import outbox_drain
from organizations.roles import Role
from slaportal.celery import app, broker_reset
from tests.factories import PersonFactory, TicketFactory
from tickets import dispatch, tasks
from tickets.models import OutboxMessage, Ticket
from tickets.services.sla import sla_breach_record

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")
DEAD_BROKER = "redis://127.0.0.1:6390/0"


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection closed")


@pytest.fixture
def sent(monkeypatch):
    """What dispatch hands to the broker: (task name, args, queue, eta)."""
    calls = []

    def publish(name, *, args=(), queue=None, eta=None):
        calls.append((name, list(args), queue, eta))
        return True

    monkeypatch.setattr(dispatch, "publish", publish)
    return calls


@pytest.fixture
def dead_broker(monkeypatch):
    broker_reset()
    monkeypatch.setattr(app.conf, "broker_write_url", DEAD_BROKER)
    yield DEAD_BROKER
    broker_reset()


def test_filing_sends_routing_on_its_priority_queue_then_the_timers(
    sent, time_machine, django_capture_on_commit_callbacks
):
    # given: a Premium (priority 2) customer at 10:00
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST), tick=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory()
    # then
    route_message = OutboxMessage.objects.get(ticket=ticket, kind="route")
    assert sent == [
        ("tickets.outbox_deliver", [route_message.pk], "routing_p2", None),
        ("tickets.sla_warning", [ticket.pk], "sla", ticket.warning_due_at),
        ("tickets.sla_breach", [ticket.pk], "sla", ticket.first_response_due_at),
        ("tickets.forecast_refresh", [], "celery", None),
    ]


def test_timers_beyond_the_eta_horizon_are_left_to_the_sweep(
    sent, time_machine, django_capture_on_commit_callbacks
):
    # given: filed at 23:30, due at 08:30 the next morning, nine hours away
    time_machine.move_to(datetime.datetime(2026, 11, 20, 23, 30, tzinfo=IST), tick=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        TicketFactory()
    # then: routing and the forecast's refresh, no timer
    assert [name for name, *_ in sent] == ["tickets.outbox_deliver", "tickets.forecast_refresh"]


def test_eta_horizon_stays_below_the_redis_visibility_timeout():
    # then: a timer waiting for its ETA is never redelivered by Redis
    longest = dispatch.ETA_HORIZON.total_seconds() + tasks.sla_breach.time_limit
    assert longest < settings.REDIS_VISIBILITY_TIMEOUT


def test_filing_with_the_broker_down_succeeds_quickly(dead_broker, django_capture_on_commit_callbacks):
    # when
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory()
    elapsed = time.monotonic() - started
    # then: filed, deadline stored, routing waiting in the outbox
    assert elapsed < 3
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.first_response_due_at is not None
    assert OutboxMessage.objects.filter(ticket=ticket, kind="route", processed_at__isnull=True).exists()


def test_sweep_does_the_work_of_a_filing_made_while_the_broker_was_down(
    dead_broker, django_capture_on_commit_callbacks
):
    # given
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory()
    # when: the beat's drain runs once the broker is back
    tasks.outbox_drain.apply()
    # then
    assert Ticket.objects.get(pk=ticket.pk).assignee == engineer


def test_breach_while_the_broker_is_down_is_emailed_by_the_drain(dead_broker, time_machine, mailoutbox):
    # given: a breach recorded while nothing can be sent
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST), tick=False)
    lead = PersonFactory(role=Role.DESK_LEAD)
    ticket = TicketFactory()
    time_machine.move_to(ticket.first_response_due_at, tick=False)
    sla_breach_record(ticket_id=ticket.pk)
    # when
    outbox_drain()
    # then
    assert [m.to for m in mailoutbox] == [[lead.email]]


def test_email_refused_by_the_mail_server_stays_in_the_outbox(settings, time_machine):
    # given
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST), tick=False)
    settings.EMAIL_BACKEND = "tests.tickets.test_tasks.RefusingMailServer"
    PersonFactory(role=Role.DESK_LEAD)
    ticket = TicketFactory()
    time_machine.move_to(ticket.first_response_due_at, tick=False)
    sla_breach_record(ticket_id=ticket.pk)
    # when
    outbox_drain()
    # then: tried once, kept for later
    message = CoreOutboxMessage.objects.get()
    assert message.status == CoreOutboxMessage.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at > ticket.first_response_due_at


def test_breach_email_drained_twice_is_sent_once(mailoutbox, time_machine):
    # given
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST), tick=False)
    PersonFactory(role=Role.DESK_LEAD)
    ticket = TicketFactory()
    time_machine.move_to(ticket.first_response_due_at, tick=False)
    sla_breach_record(ticket_id=ticket.pk)
    # when: the drain task runs twice (after the commit, and by beat)
    core_tasks.outbox_drain.apply()
    core_tasks.outbox_drain.apply()
    # then
    assert len(mailoutbox) == 1


def test_every_beat_entry_names_a_registered_task():
    # given
    app.loader.import_default_modules()
    # then
    assert {entry["task"] for entry in app.conf.beat_schedule.values()} <= set(app.tasks)


def test_tests_never_send_to_a_shared_broker():
    # then
    assert app.conf.broker_write_url == "memory://"
