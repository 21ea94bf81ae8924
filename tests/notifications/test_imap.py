"""Intake from a real IMAP server: a dovecot of the test's own on loopback."""

import imaplib

import pytest

from notifications.models import InboundMessage
from notifications.services.imap import imap_poll
from organizations.roles import Role
from packages.models import Allotment
from tests.factories import PersonFactory, TicketFactory
from tickets.models import Ticket, TicketMessage

from .mail import raw_mail, reply_mail

pytestmark = pytest.mark.django_db


def deliver(config: dict, *raws: bytes) -> None:
    client = imaplib.IMAP4(config["HOST"], config["PORT"])
    client.login(config["USER"], config["PASSWORD"])
    for raw in raws:
        client.append("INBOX", None, None, raw)
    client.logout()


def unseen(config: dict) -> int:
    client = imaplib.IMAP4(config["HOST"], config["PORT"])
    client.login(config["USER"], config["PASSWORD"])
    client.select("INBOX")
    _, data = client.uid("SEARCH", None, "UNSEEN")
    client.logout()
    return len(data[0].split())


def test_reply_fetched_by_imap_threads_onto_its_ticket(imap_server, customer):
    # given
    ticket = TicketFactory(requester=customer)
    deliver(imap_server, reply_mail(ticket=ticket, person=customer, body="Attached the log."))
    # when
    handled = imap_poll()
    # then
    assert handled == 1
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True)) == [
        "Attached the log."
    ]
    assert unseen(imap_server) == 0


def test_new_mail_fetched_by_imap_files_a_ticket_and_uses_one_written_unit(imap_server, customer):
    # given
    deliver(imap_server, raw_mail(sender=customer.email, subject="Cannot log in"))
    # when
    imap_poll()
    # then
    assert list(Ticket.objects.filter(requester=customer).values_list("subject", flat=True)) == [
        "Cannot log in"
    ]
    assert Allotment.objects.get(subscription__institution=customer.institution, channel="written").used == 1


def test_duplicate_fetch_adds_nothing(imap_server, customer):
    # given
    raw = raw_mail(sender=customer.email, message_id="<twice@client.example.test>")
    deliver(imap_server, raw, raw)
    # when
    imap_poll()
    imap_poll()
    # then
    assert Ticket.objects.filter(requester=customer).count() == 1
    assert InboundMessage.objects.count() == 1


def test_auto_reply_fetched_by_imap_creates_nothing(imap_server, customer):
    # given
    deliver(
        imap_server,
        raw_mail(sender=customer.email, subject="Out of office", headers={"Auto-Submitted": "auto-replied"}),
    )
    # when
    imap_poll()
    # then
    assert not Ticket.objects.exists()
    assert InboundMessage.objects.get().outcome == "ignored"


def test_reply_with_another_persons_token_fetched_by_imap_is_refused(imap_server, customer, premium):
    # given
    ticket = TicketFactory(requester=customer)
    colleague = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    deliver(imap_server, reply_mail(ticket=ticket, person=customer, body="Not mine", sender=colleague.email))
    # when
    imap_poll()
    # then
    assert not TicketMessage.objects.filter(ticket=ticket).exists()
    assert InboundMessage.objects.get().outcome == "refused"
