"""A person with data in every app, through the real services: what the KVKK export and the
anonymisation are tested on."""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookings.services import onsite_request
from learning.services import training_register
from organizations.models import User
from organizations.roles import Role
from organizations.services import person_add
from performance.services import usage_events_ingest
from reports.services.surveys import survey_answer, survey_for_ticket
from tickets.models import Ticket
from tickets.services import ticket_change_status, ticket_reply
from tickets.services.filing import attachment_add

from .learning import TrainingFactory
from .organizations import PersonFactory
from .performance import ProductFactory, UsageKeyFactory, usage_event
from .tickets import TicketFactory

EMAIL = "zeynep.kvkkoglu@belediye.example"
PHONE = "+90 312 444 55 66"
FIRST_NAME = "Zeynepkvk"
LAST_NAME = "Kvkkoğlu"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"
ATTACHMENT_TEXT = b"Zeynepkvk Kvkkoglu'nun ekran goruntusu"


@dataclass
class PersonWithData:
    person: User
    admin: User
    engineer: User
    ticket: Ticket


def person_with_data(admin: User) -> PersonWithData:
    """An institution admin's colleague (also an admin, so they can ask for on-site days with
    their phone) who filed a ticket with an attachment, wrote a reply, answered its survey,
    registered for a training and has product usage; the engineer's answer names them."""
    person = person_add(
        actor=admin,
        institution=admin.institution,
        username="zeynep.k",
        email=EMAIL,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        role=Role.INSTITUTION_ADMIN,
        password="kvkk-test-pass-2026",
    )
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    ticket = TicketFactory(
        requester=person, subject="Harita katmanı açılmıyor", description=f"Bana {PHONE} numarasından ulaşın."
    )
    attachment_add(
        actor=person,
        ticket=ticket,
        upload=SimpleUploadedFile("ekran.txt", ATTACHMENT_TEXT, content_type="text/plain"),
    )
    ticket_reply(actor=engineer, ticket=ticket, body=f"Merhaba {FULL_NAME}, {EMAIL} adresine yazdık.")
    ticket_reply(actor=person, ticket=ticket, body=f"Teşekkürler. {FULL_NAME}")
    ticket = ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    survey = survey_for_ticket(ticket=ticket)
    survey_answer(actor=person, survey=survey, ticket=ticket, score=5, comment="Hızlı çözüldü.", via="web")
    training_register(actor=person, training=TrainingFactory())
    onsite_request(
        actor=person,
        dates=[timezone.localdate() + datetime.timedelta(days=20)],
        address="Atatürk Bulvarı 1, Ankara",
        purpose="Kurulum",
        contact_name=FULL_NAME,
        contact_phone=PHONE,
    )
    key = UsageKeyFactory(institution=admin.institution, actor=admin)
    ProductFactory(code="netcad")
    result = usage_events_ingest(key=key, payload={"events": [usage_event(username=person.username)]})
    assert result.rejected == [], result.rejected
    return PersonWithData(person=person, admin=admin, engineer=engineer, ticket=ticket)
