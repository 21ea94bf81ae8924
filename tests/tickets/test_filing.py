import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.roles import Role
from packages.errors import QuotaExhausted
from packages.models import Allotment, QuotaEntry
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tickets.models import SLAEvent, Ticket, TicketEvent
from tickets.services import ticket_file

pytestmark = pytest.mark.django_db
IST = ZoneInfo("Europe/Istanbul")


def test_filing_snapshots_contract_and_computes_deadline():
    # given: a Premium customer filing at 23:30 Istanbul
    customer = customer_with_subscription("premium")
    filed_at = datetime.datetime(2026, 11, 20, 23, 30, tzinfo=IST)
    # when
    ticket = TicketFactory(requester=customer, at=filed_at)
    # then
    assert (ticket.priority, ticket.first_response_minutes) == (2, 60)
    assert ticket.first_response_due_at == datetime.datetime(2026, 11, 21, 8, 30, tzinfo=IST)
    assert ticket.warning_due_at == datetime.datetime(2026, 11, 21, 8, 18, tzinfo=IST)
    assert ticket.status == Ticket.Status.NEW and ticket.sla_state == "running"


def test_filing_consumes_one_written_unit_with_ticket_reference():
    # given
    customer = customer_with_subscription("standard")
    # when
    ticket = TicketFactory(requester=customer)
    # then
    entry = QuotaEntry.objects.get()
    assert (entry.channel, entry.reference_type, entry.reference_id) == ("written", "ticket", str(ticket.pk))
    assert Allotment.objects.get(channel="written", subscription=ticket.subscription).used == 1


def test_filing_writes_history_and_clock_started():
    # when
    ticket = TicketFactory()
    # then
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)) == ["created"]
    event = SLAEvent.objects.get(ticket=ticket)
    assert event.kind == "clock_started" and event.terms["first_response_minutes"] == 60


def test_exhausted_written_quota_refuses_and_writes_nothing():
    # given: Standard's 20 written tickets are used
    customer = customer_with_subscription("standard")
    for _ in range(20):
        TicketFactory(requester=customer)
    # when
    with pytest.raises(QuotaExhausted):
        TicketFactory(requester=customer, subject="The twenty-first")
    # then
    assert not Ticket.objects.filter(subject="The twenty-first").exists()
    assert Ticket.objects.count() == 20


def test_bug_report_creates_development_item():
    # when
    ticket = TicketFactory(kind="bug")
    # then
    assert ticket.development_item.state == "received"


def test_vendor_staff_cannot_file():
    # given
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_file(actor=engineer, subject="x", description="y")


def test_refused_attachment_type_writes_nothing():
    # given
    customer = customer_with_subscription("standard")
    upload = SimpleUploadedFile("payload.exe", b"MZ", content_type="application/octet-stream")
    # when
    with pytest.raises(ValidationError) as error:
        ticket_file(actor=customer, subject="s", description="d", attachments=[upload])
    # then
    assert "attachments" in error.value.message_dict
    assert not Ticket.objects.exists() and not QuotaEntry.objects.exists()


def test_filing_logs_one_line_naming_the_ticket(caplog):
    # given
    customer = customer_with_subscription("premium")
    # when
    with caplog.at_level(logging.INFO):
        ticket = ticket_file(actor=customer, subject="Harita açılmıyor", description="Katman yüklenmiyor")
    # then: the console's one line for a filing
    [record] = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert record.getMessage() == "ticket.filed"
    assert (record.ticket_id, record.institution_id) == (ticket.pk, customer.institution_id)
