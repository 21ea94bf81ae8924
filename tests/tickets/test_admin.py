import datetime

import pytest
from django.utils import timezone

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.models import OutboxMessage, TicketEvent
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_staff_corrects_deadline_through_the_admin(staff_client):
    # given
    ticket = TicketFactory()
    new_due = timezone.localtime(ticket.first_response_due_at + datetime.timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    # when
    response = staff_client.post(
        f"/admin/tickets/ticket/{ticket.pk}/deadline/", {"due_at": new_due.strftime("%Y-%m-%d %H:%M")}
    )
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == new_due
    assert TicketEvent.objects.filter(ticket=ticket, kind="deadline_changed").count() == 1


def test_answered_ticket_deadline_is_refused_with_the_reason(staff_client):
    # given
    ticket = TicketFactory()
    ticket_reply(actor=PersonFactory(role=Role.SUPPORT_ENGINEER), ticket=ticket, body="On it.")
    ticket.refresh_from_db()
    due = ticket.first_response_due_at
    # when
    response = staff_client.post(
        f"/admin/tickets/ticket/{ticket.pk}/deadline/",
        {"due_at": timezone.localtime(due + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")},
    )
    # then
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == due


def test_ticket_change_page_offers_the_correction(staff_client):
    # given
    ticket = TicketFactory()
    # when
    response = staff_client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    # then
    assert response.status_code == 200
    assert f"/admin/tickets/ticket/{ticket.pk}/deadline/" in response.content.decode()


def test_outbox_is_listed_read_only(staff_client):
    # given
    TicketFactory()
    # when
    response = staff_client.get("/admin/tickets/outboxmessage/")
    # then
    assert response.status_code == 200
    assert OutboxMessage.objects.exists()
    assert staff_client.get("/admin/tickets/outboxmessage/add/").status_code == 403


def test_engineer_cannot_open_the_admin(client):
    # given
    ticket = TicketFactory()
    client.force_login(PersonFactory(role=Role.SUPPORT_ENGINEER))
    # when
    response = client.get(f"/admin/tickets/ticket/{ticket.pk}/deadline/")
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert TicketEvent.objects.filter(ticket=ticket, kind="deadline_changed").count() == 0
