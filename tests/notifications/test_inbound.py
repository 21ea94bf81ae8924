"""E-mail intake, the service behind both the IMAP poll and the provider webhook."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import OutboxMessage
from notifications.models import InboundMessage, Kind, Notification
from notifications.services.delivery import notification_drain
from notifications.services.inbound import inbound_receive, reply_trim
from organizations.roles import Role
from packages.models import Allotment
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory
from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services import ticket_change_status

from .mail import raw_mail, reply_mail

pytestmark = pytest.mark.django_db


def receive(raw: bytes) -> InboundMessage | None:
    return inbound_receive(raw=raw, source="imap")


def test_reply_trim_cuts_quoted_history_and_signature():
    # given
    text = "Yes, that fixed it.\nThanks\n\n-- \nAyşe, GIS unit\n\nOn Mon, 30 Nov 2026 Desk wrote:\n> old"
    # when
    trimmed = reply_trim(text)
    # then
    assert trimmed == "Yes, that fixed it.\nThanks"


def test_reply_trim_cuts_turkish_attribution_and_our_marker():
    # given
    text = "Tamam.\n30 Kas 2026 Pzt 10:00 tarihinde Destek <destek@x> şunu yazdı:\n##- Yanıt -##\neski"
    # then
    assert reply_trim(text) == "Tamam."


def test_reply_lands_on_its_ticket_as_the_customers_message(customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    record = receive(reply_mail(ticket=ticket, person=customer, body="Here is the log."))
    # then
    assert (record.outcome, record.ticket_id) == ("replied", ticket.pk)
    message = TicketMessage.objects.get(ticket=ticket)
    assert (message.author, message.body) == (customer, "Here is the log.")


def test_reply_to_resolved_ticket_reopens_it(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    receive(reply_mail(ticket=ticket, person=customer, body="Still broken."))
    # then
    ticket.refresh_from_db()
    assert ticket.status == "open"
    assert ticket.events.filter(kind="reopened").count() == 1


def test_reply_after_the_reopen_window_is_refused_politely(customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    Ticket.objects.filter(pk=ticket.pk).update(resolved_at=ticket.created_at.replace(year=2020))
    # when
    record = receive(reply_mail(ticket=ticket, person=customer, body="Still broken."))
    # then
    assert (record.outcome, record.reason) == ("refused", "reopen_expired")
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert Notification.objects.get(inbound=record).kind == Kind.INTAKE_REFUSED


def test_reply_keeps_attachments_within_the_limits(customer, settings):
    # given
    settings.ATTACHMENT_MAX_BYTES = 100
    ticket = TicketFactory(requester=customer)
    attachments = (
        ("error.log", b"short log", "text/plain"),
        ("big.pdf", b"x" * 200, "application/pdf"),
        ("run.exe", b"MZ", "application/octet-stream"),
    )
    # when
    receive(reply_mail(ticket=ticket, person=customer, body="Logs attached.", attachments=attachments))
    # then
    assert list(Attachment.objects.filter(ticket=ticket).values_list("original_name", flat=True)) == [
        "error.log"
    ]


def test_reply_with_nothing_above_the_quote_adds_nothing(customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    record = receive(reply_mail(ticket=ticket, person=customer, body=""))
    # then
    assert (record.outcome, record.reason) == ("refused", "empty")
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_reply_with_another_persons_token_is_refused(customer, premium):
    # given
    ticket = TicketFactory(requester=customer)
    colleague = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    # when
    record = receive(reply_mail(ticket=ticket, person=customer, body="Let me in.", sender=colleague.email))
    # then
    assert (record.outcome, record.reason) == ("refused", "sender_mismatch")
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert not Notification.objects.filter(inbound=record).exists()


def test_forged_sender_of_another_institution_cannot_attach(customer):
    # given
    ticket = TicketFactory(requester=customer)
    stranger = PersonFactory(role=Role.CUSTOMER, institution=SubscriptionFactory().institution)
    # when
    record = receive(reply_mail(ticket=ticket, person=stranger, body="Injected", sender=stranger.email))
    # then
    assert (record.outcome, record.reason) == ("refused", "not_visible")
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_tampered_token_is_refused(customer):
    # given
    ticket = TicketFactory(requester=customer)
    to = f"destek+{ticket.pk}-{customer.pk}-{'0' * 20}@slaportal.local"
    # when
    record = receive(raw_mail(sender=customer.email, to=to, body="Guess"))
    # then
    assert (record.outcome, record.reason) == ("refused", "bad_token")


def test_new_mail_from_a_known_person_files_a_ticket_on_the_written_quota(customer):
    # when
    record = receive(
        raw_mail(sender=customer.email, subject="Layer export fails", body="It stops.\n-- \nAyşe")
    )
    # then
    ticket = Ticket.objects.get(requester=customer)
    assert (record.outcome, record.ticket_id) == ("filed", ticket.pk)
    assert (ticket.subject, ticket.description) == ("Layer export fails", "It stops.")
    assert Allotment.objects.get(subscription__institution=customer.institution, channel="written").used == 1


def test_new_mail_with_exhausted_quota_gets_a_polite_reply_and_creates_nothing(customer):
    # given
    Allotment.objects.filter(subscription__institution=customer.institution, channel="written").update(
        used=1000
    )
    # when
    record = receive(raw_mail(sender=customer.email))
    # then
    assert (record.outcome, record.reason) == ("refused", "quota_exhausted")
    assert not Ticket.objects.filter(requester=customer).exists()
    reply = Notification.objects.get(inbound=record)
    assert (reply.kind, reply.to_address) == (Kind.INTAKE_REFUSED, customer.email)


def test_new_mail_without_a_contract_in_force_gets_a_polite_reply(db):
    # given
    person = PersonFactory(role=Role.CUSTOMER)
    # when
    record = receive(raw_mail(sender=person.email))
    # then
    assert (record.outcome, record.reason) == ("refused", "no_active_subscription")
    assert not Ticket.objects.exists()
    assert Notification.objects.get(inbound=record).recipient == person


def test_html_only_mail_is_read_as_text(customer):
    # given
    raw = (
        f"From: {customer.email}\r\nTo: destek@slaportal.local\r\nSubject: Map\r\n"
        "Message-ID: <html-1@client.example.test>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n\r\n<p>The map is <b>blank</b> &amp; slow.</p>\r\n"
    ).encode()
    # when
    receive(raw)
    # then
    assert Ticket.objects.get(requester=customer).description == "The map is blank & slow."


def test_unknown_sender_is_recorded_and_never_answered(db):
    # when
    record = receive(raw_mail(sender="someone@elsewhere.test"))
    notification_drain()
    # then: the mail is on record, nothing is written back to the address
    assert (record.outcome, record.reason, record.from_address) == (
        "refused",
        "unknown_sender",
        "someone@elsewhere.test",
    )
    assert InboundMessage.objects.filter(pk=record.pk).exists()
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(recipient="someone@elsewhere.test").exists()
    assert mail.outbox == []


def test_a_known_senders_refusal_is_answered_at_most_once_a_day(customer, time_machine):
    # given: the written quota is used up, and the customer writes three times within a day
    Allotment.objects.filter(subscription__institution=customer.institution, channel="written").update(
        used=1000
    )
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    first = receive(raw_mail(sender=customer.email))
    time_machine.move_to(start + datetime.timedelta(hours=2), tick=False)
    second = receive(raw_mail(sender=customer.email))
    time_machine.move_to(start + datetime.timedelta(hours=23), tick=False)
    third = receive(raw_mail(sender=customer.email))
    notification_drain()
    # when: a day after the first answer they write again
    time_machine.move_to(start + datetime.timedelta(days=1, minutes=1), tick=False)
    fourth = receive(raw_mail(sender=customer.email))
    notification_drain()
    # then: every mail is refused and recorded; the first and the fourth are answered
    assert [r.outcome for r in (first, second, third, fourth)] == ["refused"] * 4
    answered = list(
        Notification.objects.filter(kind=Kind.INTAKE_REFUSED).values_list("inbound_id", flat=True)
    )
    assert sorted(answered) == [first.pk, fourth.pk]
    assert [m.to for m in mail.outbox] == [[customer.email], [customer.email]]


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "junk"},
        {"Precedence": "list"},
    ],
    ids=["auto-submitted", "bulk", "junk", "list"],
)
def test_automatic_mail_is_ignored(customer, headers):
    # when
    record = receive(raw_mail(sender=customer.email, headers=headers))
    # then
    assert (record.outcome, record.reason) == ("ignored", "automatic")
    assert not Ticket.objects.exists()
    assert not Notification.objects.exists()


def test_delivery_status_notification_is_ignored(customer):
    # given
    raw = (
        f"From: {customer.email}\r\nTo: destek@slaportal.local\r\nSubject: Undelivered\r\n"
        "Message-ID: <dsn-1@mx.example.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--b--\r\n"
    ).encode()
    # when
    record = receive(raw)
    # then
    assert record.outcome == "ignored"
    assert not Ticket.objects.exists()


def test_the_same_message_id_is_handled_once(customer):
    # given
    raw = raw_mail(sender=customer.email, message_id="<once@client.example.test>")
    receive(raw)
    # when
    again = receive(raw)
    # then
    assert again is None
    assert Ticket.objects.filter(requester=customer).count() == 1
