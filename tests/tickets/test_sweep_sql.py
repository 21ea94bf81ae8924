"""The set-based sweep (PostgreSQL) writes what the per-ticket path writes: the same history
event, SLA log entry and e-mail for every ticket, once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.models import OutboxMessage
from notifications.models import NotificationProfile
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.models import SLAEvent, Ticket, TicketEvent
from tickets.services import ticket_assign
from tickets.services.sla import _desk_leads, _emails, sla_breach_sweep, sla_terms, sla_warning_sweep
from tickets.services.sweep_sql import EMAIL_FIELDS, email_cause, format_pattern

FIELDS = ("cause", "recipient", "language", "subject", "body", "status")

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")
FILED = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=IST)
DUE = datetime.datetime(2026, 11, 20, 11, 0, tzinfo=IST)


@pytest.fixture
def desk(time_machine, postgres):
    time_machine.move_to(FILED, tick=False)
    lead = PersonFactory(role=Role.DESK_LEAD, username="lead")
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER, username="Engineer")
    return lead, engineer


def _expected_emails(kind: str, ticket_id: int) -> list[dict]:
    """The outbox rows the per-ticket path writes for the ticket, one per recipient."""
    ticket = Ticket.objects.select_related("institution", "assignee").get(pk=ticket_id)
    rows = _emails(ticket, _desk_leads(), kind)
    return sorted(({f: getattr(row, f) for f in FIELDS} for row in rows), key=lambda row: row["recipient"])


def _written_emails(kind: str, ticket_id: int) -> list[dict]:
    rows = OutboxMessage.objects.filter(cause=email_cause(kind, ticket_id)).order_by("recipient")
    return list(rows.values(*FIELDS))


def test_format_pattern_numbers_fields_and_keeps_percent_signs():
    # when
    pattern = format_pattern("#%(id)s at %(due)s, 100%% of %(id)s", EMAIL_FIELDS)
    # then
    assert pattern == "#%1$s at %5$s, 100%% of %1$s"


def test_set_based_breach_sweep_writes_what_the_per_ticket_path_writes(desk, time_machine):
    # given: an assigned ticket whose subject holds format characters and quotes, and an
    # unassigned one whose deadline has microseconds and seconds
    lead, engineer = desk
    tricky = TicketFactory(subject="Yüzde %50 “%(institution)s” 'tırnak' %s")
    ticket_assign(actor=lead, ticket=tricky, assignee=engineer)
    plain = TicketFactory()
    Ticket.objects.filter(pk=plain.pk).update(
        first_response_due_at=DUE + datetime.timedelta(seconds=7, microseconds=123456)
    )
    now = DUE + datetime.timedelta(minutes=2)
    time_machine.move_to(now, tick=False)
    # when
    marked = sla_breach_sweep()
    sla_breach_sweep()
    # then
    assert marked == 2
    for ticket in (tricky, plain):
        ticket = Ticket.objects.get(pk=ticket.pk)
        assert ticket.breached_at == ticket.first_response_due_at
        written = _written_emails(SLAEvent.Kind.BREACHED, ticket.pk)
        assert written and written == _expected_emails(SLAEvent.Kind.BREACHED, ticket.pk)
        log = SLAEvent.objects.get(ticket=ticket, kind=SLAEvent.Kind.BREACHED)
        assert (log.occurred_at, log.deadline_at, log.recorded_at) == (
            ticket.first_response_due_at,
            ticket.first_response_due_at,
            now,
        )
        assert log.terms == sla_terms(ticket)
        event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.SLA_BREACHED)
        assert event.data == {
            "due_at": ticket.first_response_due_at.isoformat(),
            "recorded_at": now.astimezone(datetime.UTC).isoformat(),
        }
        assert event.actor is None


def test_set_based_warning_sweep_writes_what_the_per_ticket_path_writes(desk, time_machine):
    # given: an assigned ticket past its warning time, before its deadline
    lead, engineer = desk
    ticket = TicketFactory()
    ticket_assign(actor=lead, ticket=ticket, assignee=engineer)
    now = DUE - datetime.timedelta(minutes=5)
    time_machine.move_to(now, tick=False)
    # when
    marked = sla_warning_sweep()
    # then
    ticket.refresh_from_db()
    assert marked == 1
    assert ticket.warned_at == now
    assert ticket.breached_at is None
    written = _written_emails(SLAEvent.Kind.WARNING_SENT, ticket.pk)
    assert [row["recipient"] for row in written] == sorted([lead.email, engineer.email])
    assert written == _expected_emails(SLAEvent.Kind.WARNING_SENT, ticket.pk)
    log = SLAEvent.objects.get(ticket=ticket, kind=SLAEvent.Kind.WARNING_SENT)
    assert (log.occurred_at, log.terms) == (ticket.warning_due_at, sla_terms(ticket))


def test_each_sla_email_is_in_its_recipients_language_on_both_paths(desk, time_machine):
    # given: the desk lead reads e-mail in English, the engineer in Turkish, a second lead has no choice
    lead, engineer = desk
    NotificationProfile.objects.create(person=lead, language="en")
    NotificationProfile.objects.create(person=engineer, language="tr")
    other_lead = PersonFactory(role=Role.DESK_LEAD, username="other-lead")
    ticket = TicketFactory()
    ticket_assign(actor=lead, ticket=ticket, assignee=engineer)
    time_machine.move_to(DUE + datetime.timedelta(minutes=1), tick=False)
    # when: the request that runs the sweep is in English
    with translation.override("en"):
        sla_breach_sweep()
    # then
    written = _written_emails(SLAEvent.Kind.BREACHED, ticket.pk)
    assert written == _expected_emails(SLAEvent.Kind.BREACHED, ticket.pk)
    by_recipient = {row["recipient"]: row for row in written}
    assert {address: row["language"] for address, row in by_recipient.items()} == {
        lead.email: "en",
        engineer.email: "tr",
        other_lead.email: settings.LANGUAGE_CODE,
    }
    assert by_recipient[lead.email]["subject"] == f"Ticket #{ticket.pk} missed its first-response deadline"
    with translation.override("tr"):
        turkish = _("Ticket #%(id)s missed its first-response deadline") % {"id": ticket.pk}
    assert turkish != by_recipient[lead.email]["subject"]
    assert by_recipient[engineer.email]["subject"] == by_recipient[other_lead.email]["subject"] == turkish


def test_set_based_sweep_writes_no_email_when_nobody_is_to_be_told(time_machine, postgres):
    # given: no desk lead, an unassigned ticket past its deadline
    time_machine.move_to(FILED, tick=False)
    ticket = TicketFactory()
    time_machine.move_to(DUE + datetime.timedelta(seconds=1), tick=False)
    # when
    marked = sla_breach_sweep()
    # then
    assert marked == 1
    assert not OutboxMessage.objects.filter(cause=email_cause(SLAEvent.Kind.BREACHED, ticket.pk)).exists()
    assert SLAEvent.objects.filter(ticket=ticket, kind=SLAEvent.Kind.BREACHED).count() == 1
