"""Outbound notifications through a real SMTP server on loopback (aiosmtpd)."""

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import MAX_ATTEMPTS
from notifications.models import Kind, Notification, NotificationPreference, NotificationProfile
from notifications.services.delivery import notification_cause, notification_drain
from notifications.services.fanout import notification_fanout
from notifications.tasks import dispatch as dispatch_task
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.services import ticket_assign, ticket_change_status, ticket_reply

pytestmark = pytest.mark.django_db


def dispatch() -> None:
    """What beat runs every five seconds, run in this process."""
    dispatch_task()


def test_filed_ticket_mail_names_ticket_deadline_institution_and_link(smtp_sink, customer, settings):
    # given
    settings.SITE_URL = "https://portal.example.test"
    ticket = TicketFactory(requester=customer, subject="Export fails")
    # when
    dispatch()
    # then
    [mail] = smtp_sink.to(customer.email)
    assert mail["Subject"].strip().startswith(f"[#{ticket.pk}] Export fails")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert customer.institution.name in text
    assert f"https://portal.example.test/tickets/{ticket.pk}/" in text
    assert str(ticket.first_response_due_at.astimezone().year) in text


def test_each_mail_has_its_own_message_id_and_threads_on_the_ticket(smtp_sink, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    dispatch()
    ticket_reply(actor=engineer, ticket=ticket, body="Please try version 5.2.")
    # when
    dispatch()
    # then
    filed, answered = smtp_sink.to(customer.email)
    assert filed["Message-ID"] != answered["Message-ID"]
    assert filed["References"] == answered["References"] == f"<ticket-{ticket.pk}@slaportal.local>"
    assert answered["In-Reply-To"] == f"<ticket-{ticket.pk}@slaportal.local>"


def test_desk_answer_is_mailed_once_even_when_dispatch_runs_twice(smtp_sink, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Please try version 5.2.")
    # when
    dispatch()
    dispatch()
    # then
    answers = [
        m
        for m in smtp_sink.to(customer.email)
        if "Please try version 5.2." in m.get_body(("plain",)).get_content()
    ]
    assert len(answers) == 1
    assert Notification.objects.filter(ticket=ticket, kind=Kind.DESK_ANSWERED).count() == 1


def test_mail_is_written_in_the_recipients_language(smtp_sink, customer, engineer):
    # given
    NotificationProfile.objects.create(person=customer, language="en")
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Answer")
    # when
    dispatch()
    # then
    mail = smtp_sink.to(customer.email)[-1]
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert '<html lang="en">' in html
    assert "The desk answered" in mail["Subject"]


def test_turkish_is_the_default_language(smtp_sink, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Yanıt")
    # when
    dispatch()
    # then
    mail = smtp_sink.to(customer.email)[-1]
    assert '<html lang="tr">' in mail.get_body(preferencelist=("html",)).get_content()
    assert "Destek yanıtladı" in mail["Subject"]


def test_mail_carries_reply_address_and_one_click_unsubscribe(smtp_sink, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Answer")
    # when
    dispatch()
    # then
    mail = smtp_sink.to(customer.email)[-1]
    assert mail["Reply-To"].startswith(f"destek+{ticket.pk}-{customer.pk}-")
    assert mail["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/notifications/unsubscribe/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["Auto-Submitted"] == "auto-generated"


def test_waiting_resolved_and_development_changes_reach_requester_and_shared_people(smtp_sink, engineer):
    # given
    ticket = TicketFactory(kind="bug")
    customer = ticket.requester
    ticket_change_status(actor=engineer, ticket=ticket, status="waiting")
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    dispatch()
    # then
    kinds = set(Notification.objects.filter(recipient=customer, status="sent").values_list("kind", flat=True))
    assert kinds == {Kind.TICKET_FILED, Kind.WAITING_ON_CUSTOMER, Kind.RESOLVED}
    assert len(smtp_sink.to(customer.email)) == 3


def test_assignee_hears_of_the_customers_reply_and_the_customer_not_of_their_own(
    smtp_sink, customer, engineer
):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_assign(actor=engineer, ticket=ticket, assignee=engineer)
    ticket_reply(actor=customer, ticket=ticket, body="More details")
    # when
    dispatch()
    # then
    assert [m["Subject"].strip() for m in smtp_sink.to(engineer.email)] == [
        f"[#{ticket.pk}] {ticket.subject} — Yeni yanıt"
    ]
    assert not Notification.objects.filter(recipient=customer, kind=Kind.CUSTOMER_REPLIED).exists()


def test_kind_turned_off_sends_nothing(smtp_sink, customer, engineer):
    # given
    NotificationPreference.objects.create(person=customer, kind=Kind.DESK_ANSWERED, mode="off")
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Answer")
    # when
    dispatch()
    # then
    assert Notification.objects.get(kind=Kind.DESK_ANSWERED).status == "skipped"
    assert len(smtp_sink.to(customer.email)) == 1


def test_refused_address_is_retried_with_backoff_without_blocking_others(smtp_sink, premium, engineer):
    # given
    refused = PersonFactory(role=Role.CUSTOMER, institution=premium.institution, email="gone@example.test")
    other = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    smtp_sink.refused.add("gone@example.test")
    TicketFactory(requester=refused)
    TicketFactory(requester=other)
    # when
    dispatch()
    # then: the notification is in the outbox, whose row waits for its next try
    notification = Notification.objects.get(recipient=refused)
    failing = OutboxMessage.objects.get(cause=notification_cause(notification.pk))
    assert (failing.status, failing.attempts, failing.recipient) == ("pending", 1, refused.email)
    assert failing.next_attempt_at > failing.created_at
    assert len(smtp_sink.to(other.email)) == 1


def test_refused_address_is_marked_failed_after_the_last_attempt(smtp_sink, customer):
    # given
    smtp_sink.refused.add(customer.email)
    TicketFactory(requester=customer)
    notification_fanout()
    notification_drain()
    OutboxMessage.objects.update(attempts=MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    # when
    notification_drain()
    # then
    failed = OutboxMessage.objects.get(recipient=customer.email)
    assert (failed.status, failed.attempts) == ("failed", MAX_ATTEMPTS)
    assert "550" in failed.last_error
