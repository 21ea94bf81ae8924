import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.outbox import outbox_drain
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets import tasks
from tickets.models import SLAEvent, Ticket, TicketEvent
from tickets.services import ticket_assign, ticket_change_status, ticket_reply
from tickets.services.sla import sla_breach_record, sla_sweep, sla_warning_record, ticket_deadline_correct

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")
# A Premium ticket (60 service minutes) filed at 10:00 warns at 10:48 and is due at 11:00.
FILED = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
WARNING = datetime.datetime(2026, 11, 20, 10, 48, tzinfo=IST)
DUE = datetime.datetime(2026, 11, 20, 11, 0, tzinfo=IST)


@pytest.fixture
def desk(time_machine):
    time_machine.move_to(FILED, tick=False)
    lead = PersonFactory(role=Role.DESK_LEAD, username="lead")
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER, username="engineer")
    return lead, engineer


@pytest.fixture
def assigned_ticket(desk):
    lead, engineer = desk
    ticket = TicketFactory()
    ticket_assign(actor=lead, ticket=ticket, assignee=engineer)
    return ticket


def test_filed_ticket_has_stored_deadline_and_warning(assigned_ticket):
    # then
    assert (assigned_ticket.warning_due_at, assigned_ticket.first_response_due_at) == (WARNING, DUE)


def test_breach_is_not_recorded_before_the_deadline(assigned_ticket, time_machine):
    # given
    time_machine.move_to(DUE - datetime.timedelta(seconds=1), tick=False)
    # when
    recorded = sla_breach_record(ticket_id=assigned_ticket.pk)
    # then
    assert recorded is False
    assert Ticket.objects.get(pk=assigned_ticket.pk).breached_at is None


def test_breach_task_delivered_twice_records_one_breach(assigned_ticket, time_machine):
    # given
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    # when: the same message is delivered twice
    tasks.sla_breach.apply(args=[assigned_ticket.pk])
    tasks.sla_breach.apply(args=[assigned_ticket.pk])
    # then
    ticket = Ticket.objects.get(pk=assigned_ticket.pk)
    assert ticket.breached_at == DUE and ticket.sla_state == "breached"
    assert SLAEvent.objects.filter(ticket=ticket, kind="breached").count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").count() == 1


def test_breach_emails_desk_leads_and_assignee_once_each(assigned_ticket, time_machine, mailoutbox):
    # given: the breach recorded by the timer and again attempted by the sweep
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    sla_breach_record(ticket_id=assigned_ticket.pk)
    sla_sweep()
    # when
    outbox_drain()
    outbox_drain()
    # then: one e-mail to each of them
    assert sorted(m.to[0] for m in mailoutbox) == ["engineer@example.test", "lead@example.test"]
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert all(f"#{assigned_ticket.pk}" in m.subject for m in mailoutbox)
    assert all(f"/tickets/{assigned_ticket.pk}/" in m.body for m in mailoutbox)


def test_sweeps_log_one_line_per_breach_and_nothing_while_idle(assigned_ticket, time_machine, caplog):
    # given: a sweep and an outbox drain with nothing to do, as beat runs them every few seconds
    with caplog.at_level(logging.DEBUG):
        sla_sweep()
        outbox_drain()
        idle = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
        caplog.clear()
        # when: the deadline passes, the sweep records the breach and the drain sends its e-mail
        time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
        sla_sweep()
        outbox_drain()
        sla_sweep()
    # then: one line for the breach; the runs' own counts are DEBUG's
    assert idle == []
    assert [(r.getMessage(), r.kind, r.count) for r in caplog.records if r.levelno >= logging.INFO] == [
        ("sla.recorded", "breached", 1)
    ]
    assert "outbox.drained" in [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]


def test_breach_sla_log_carries_deadline_and_terms(assigned_ticket, time_machine):
    # given
    time_machine.move_to(DUE + datetime.timedelta(seconds=3), tick=False)
    # when
    sla_sweep()
    # then
    event = SLAEvent.objects.get(ticket=assigned_ticket, kind="breached")
    assert (event.occurred_at, event.deadline_at) == (DUE, DUE)
    assert event.terms["first_response_minutes"] == 60 and event.terms["priority"] == 2


def test_warning_task_delivered_twice_warns_once(assigned_ticket, time_machine, mailoutbox):
    # given
    time_machine.move_to(WARNING + datetime.timedelta(seconds=1), tick=False)
    # when
    tasks.sla_warning.apply(args=[assigned_ticket.pk])
    tasks.sla_warning.apply(args=[assigned_ticket.pk])
    sla_sweep()
    outbox_drain()
    # then
    assert SLAEvent.objects.filter(ticket=assigned_ticket, kind="warning_sent").count() == 1
    assert TicketEvent.objects.filter(ticket=assigned_ticket, kind="sla_warning").count() == 1
    assert sorted(m.to for m in mailoutbox) == [["engineer@example.test"], ["lead@example.test"]]


def test_warning_is_not_sent_after_a_first_response(assigned_ticket, desk, time_machine):
    # given
    ticket_reply(actor=desk[1], ticket=assigned_ticket, body="Looking into it.")
    time_machine.move_to(WARNING + datetime.timedelta(seconds=1), tick=False)
    # when
    warned = sla_warning_record(ticket_id=assigned_ticket.pk)
    # then
    assert warned is False
    assert not SLAEvent.objects.filter(ticket=assigned_ticket, kind="warning_sent").exists()


def test_sweep_after_the_deadline_records_breach_without_a_late_warning(assigned_ticket, time_machine):
    # given: no worker ran before the deadline
    time_machine.move_to(DUE + datetime.timedelta(minutes=5), tick=False)
    # when
    counts = sla_sweep()
    # then
    assert counts == {"breached": 1, "warned": 0}
    assert not SLAEvent.objects.filter(ticket=assigned_ticket, kind="warning_sent").exists()


def test_first_response_after_breach_keeps_the_breach(assigned_ticket, desk, time_machine):
    # given
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    sla_sweep()
    time_machine.move_to(DUE + datetime.timedelta(minutes=10), tick=False)
    # when
    ticket_reply(actor=desk[1], ticket=assigned_ticket, body="Sorry for the wait.")
    # then
    ticket = Ticket.objects.get(pk=assigned_ticket.pk)
    assert ticket.first_responded_at is not None
    assert ticket.breached_at == DUE and ticket.sla_state == "breached"


def test_answered_ticket_is_never_breached(assigned_ticket, desk, time_machine):
    # given
    ticket_reply(actor=desk[1], ticket=assigned_ticket, body="On it.")
    time_machine.move_to(DUE + datetime.timedelta(hours=1), tick=False)
    # when
    counts = sla_sweep()
    # then
    assert counts["breached"] == 0
    assert Ticket.objects.get(pk=assigned_ticket.pk).sla_state == "answered"


def test_ticket_withdrawn_without_answer_is_not_breached(assigned_ticket, time_machine):
    # given: the requester closes (withdraws) the ticket before any answer
    ticket_change_status(actor=assigned_ticket.requester, ticket=assigned_ticket, status=Ticket.Status.CLOSED)
    time_machine.move_to(DUE + datetime.timedelta(hours=1), tick=False)
    # when
    recorded = sla_breach_record(ticket_id=assigned_ticket.pk)
    # then
    assert recorded is False


def test_breach_task_for_a_missing_ticket_returns_quietly():
    # when
    result = tasks.sla_breach.apply(args=[987654])
    # then
    assert result.successful()


def test_sweep_works_in_bounded_batches(desk, time_machine):
    # given: five tickets past their deadline
    for _ in range(5):
        TicketFactory()
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    # when
    counts = sla_sweep(limit=2)
    # then
    assert counts["breached"] == 5
    assert SLAEvent.objects.filter(kind="breached").count() == 5


def test_corrected_earlier_deadline_is_honoured(assigned_ticket, desk, time_machine):
    # given: at 10:10 the desk lead moves the deadline to 10:30
    time_machine.move_to(FILED + datetime.timedelta(minutes=10), tick=False)
    corrected = datetime.datetime(2026, 11, 20, 10, 30, tzinfo=IST)
    ticket_deadline_correct(actor=desk[0], ticket=assigned_ticket, due_at=corrected)
    time_machine.move_to(corrected + datetime.timedelta(seconds=1), tick=False)
    # when
    counts = sla_sweep()
    # then
    assert counts["breached"] == 1
    assert Ticket.objects.get(pk=assigned_ticket.pk).breached_at == corrected


def test_corrected_later_deadline_silences_the_old_timer(assigned_ticket, desk, time_machine):
    # given: the deadline moved from 11:00 to 12:00
    ticket_deadline_correct(
        actor=desk[0], ticket=assigned_ticket, due_at=datetime.datetime(2026, 11, 20, 12, 0, tzinfo=IST)
    )
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    # when: the timer sent for 11:00 fires
    recorded = sla_breach_record(ticket_id=assigned_ticket.pk)
    # then
    assert recorded is False
    assert Ticket.objects.get(pk=assigned_ticket.pk).sla_state == "running"


def test_deadline_correction_moves_the_warning_proportionally(assigned_ticket, desk):
    # when: 50 service minutes instead of 60
    ticket = ticket_deadline_correct(
        actor=desk[0], ticket=assigned_ticket, due_at=datetime.datetime(2026, 11, 20, 10, 50, tzinfo=IST)
    )
    # then: 80 % of 50 minutes
    assert ticket.warning_due_at == datetime.datetime(2026, 11, 20, 10, 40, tzinfo=IST)


def test_deadline_correction_is_logged(assigned_ticket, desk):
    # when
    ticket_deadline_correct(
        actor=desk[0], ticket=assigned_ticket, due_at=datetime.datetime(2026, 11, 20, 12, 0, tzinfo=IST)
    )
    # then
    event = TicketEvent.objects.get(ticket=assigned_ticket, kind="deadline_changed")
    assert event.actor == desk[0] and datetime.datetime.fromisoformat(event.data["old"]) == DUE
    assert SLAEvent.objects.get(ticket=assigned_ticket, kind="deadline_changed").terms["previous_deadline"]


def test_support_engineer_cannot_correct_a_deadline(assigned_ticket, desk):
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_deadline_correct(
            actor=desk[1], ticket=assigned_ticket, due_at=DUE + datetime.timedelta(hours=1)
        )


def test_deadline_of_a_breached_ticket_cannot_be_corrected(assigned_ticket, desk, time_machine):
    # given
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    sla_sweep()
    # when / then
    with pytest.raises(ValidationError):
        ticket_deadline_correct(
            actor=desk[0], ticket=assigned_ticket, due_at=DUE + datetime.timedelta(hours=1)
        )
