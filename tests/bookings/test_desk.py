import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from bookings.models import ContactRequest
from bookings.services import contact_request_add
from core.models import OutboxMessage
from organizations.models import DutyChange
from organizations.roles import Role
from organizations.services import person_set_on_duty
from packages.models import Allotment
from tests.factories import PersonFactory, TicketFactory
from tickets.models import Ticket
from tickets.services import ticket_file, ticket_log_call


@pytest.fixture
def ticket(customer):
    return TicketFactory(requester=customer)


@pytest.fixture
def lead(db):
    return PersonFactory(role=Role.DESK_LEAD, email="lead@example.test")


def test_customer_asks_for_a_call_and_the_desk_leads_are_mailed(customer, ticket, lead):
    # when
    request = contact_request_add(actor=customer, ticket=ticket, kind="call", preferred_times="14:00–17:00")
    again = contact_request_add(actor=customer, ticket=ticket, kind="call", preferred_times="yarın")
    # then
    assert again == request
    assert ContactRequest.objects.count() == 1
    assert OutboxMessage.objects.filter(recipient=lead.email).count() == 1


def test_a_logged_call_after_the_request_does_it(customer, ticket, engineer, browser_client):
    # given
    contact_request_add(actor=customer, ticket=ticket, kind="call", preferred_times="14:00–17:00")
    browser_client.force_login(engineer)
    before = browser_client.get("/desk/queue/").content.decode()
    # when
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı")
    after = browser_client.get("/desk/queue/").content.decode()
    # then
    assert 'data-testid="contact-requests"' in before and f"#{ticket.pk}" in before
    assert 'data-testid="contact-requests"' not in after
    page = browser_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Done" in page


def test_customer_of_another_institution_cannot_ask_on_the_ticket(ticket, browser_client):
    # given
    stranger = PersonFactory(role=Role.CUSTOMER, institution=TicketFactory().institution)
    browser_client.force_login(stranger)
    # when
    response = browser_client.post(
        f"/tickets/{ticket.pk}/contact-request/new/", {"contact-kind": "call", "contact-preferred_times": "x"}
    )
    # then
    assert response.status_code == 404
    assert ContactRequest.objects.count() == 0


def test_customer_asks_from_the_ticket_page(customer, ticket, browser_client):
    # given
    browser_client.force_login(customer)
    # when
    response = browser_client.post(
        f"/tickets/{ticket.pk}/contact-request/new/",
        {"contact-kind": "remote", "contact-preferred_times": "Pazartesi 10:00"},
        follow=True,
    )
    # then
    assert "The desk will contact you" in response.content.decode()
    assert ContactRequest.objects.get().kind == "remote"


def test_desk_lead_corrects_a_deadline_from_the_ticket_page(ticket, lead, browser_client):
    # given
    browser_client.force_login(lead)
    new_due = timezone.localtime(ticket.first_response_due_at) + datetime.timedelta(hours=2)
    # when
    response = browser_client.post(
        f"/desk/tickets/{ticket.pk}/deadline/", {"due_at": new_due.strftime("%Y-%m-%dT%H:%M")}
    )
    # then
    assert response.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == new_due.replace(second=0, microsecond=0)
    assert "Correct the deadline" in browser_client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_an_engineer_cannot_correct_a_deadline(ticket, engineer, client):
    # given
    client.force_login(engineer)
    # when
    response = client.get(f"/desk/tickets/{ticket.pk}/deadline/")
    # then
    assert response.status_code == 403


def test_engineer_goes_off_duty_and_the_lead_puts_them_back(engineer, lead, browser_client):
    # given
    browser_client.force_login(engineer)
    # when
    browser_client.post("/desk/duty/", {"person": engineer.pk, "on_duty": "0"})
    engineer.refresh_from_db()
    off = engineer.is_on_duty
    browser_client.force_login(lead)
    page = browser_client.get("/desk/duty/").content.decode()
    browser_client.post("/desk/duty/", {"person": engineer.pk, "on_duty": "1"})
    engineer.refresh_from_db()
    # then
    assert off is False
    assert f'data-person="{engineer.username}"' in page
    assert engineer.is_on_duty is True


def test_the_lead_plans_an_engineers_break_on_the_duty_page(engineer, lead, browser_client):
    # given
    browser_client.force_login(lead)
    at = timezone.localtime() + datetime.timedelta(hours=2)
    # when
    response = browser_client.post(
        "/desk/duty/",
        {
            "plan": "1",
            "plan-person": engineer.pk,
            "plan-at": at.strftime("%Y-%m-%dT%H:%M"),
            "plan-is_on_duty": "0",
        },
    )
    page = browser_client.get("/desk/duty/").content.decode()
    # then
    change = DutyChange.objects.get()
    assert (response.status_code, change.person, change.is_on_duty) == (302, engineer, False)
    assert f'data-change="{change.pk}"' in page


def test_a_duty_change_planned_in_the_past_is_refused_on_the_page(engineer, browser_client):
    # given
    browser_client.force_login(engineer)
    at = timezone.localtime() - datetime.timedelta(hours=1)
    # when
    response = browser_client.post(
        "/desk/duty/",
        {
            "plan": "1",
            "plan-person": engineer.pk,
            "plan-at": at.strftime("%Y-%m-%dT%H:%M"),
            "plan-is_on_duty": "0",
        },
    )
    # then
    assert (response.status_code, DutyChange.objects.count()) == (400, 0)
    assert "Choose a moment in the future." in response.content.decode()


def test_an_engineer_cannot_set_a_colleagues_duty(engineer):
    # given
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when / then
    with pytest.raises(PermissionDenied):
        person_set_on_duty(actor=engineer, person=colleague, is_on_duty=False)


def test_desk_files_for_a_caller_on_the_phone_quota_with_the_clock_from_the_call(
    customer, engineer, browser_client, premium
):
    # given: a call 20 minutes ago, inside the service window
    called_at = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    browser_client.force_login(engineer)
    # when
    with time_machine.travel(called_at + datetime.timedelta(minutes=20), tick=False):
        response = browser_client.post(
            "/desk/tickets/new/",
            {
                "requester": customer.username,
                "channel": "phone",
                "called_at": called_at.strftime("%Y-%m-%dT%H:%M"),
                "kind": "question",
                "subject": "Lisans aktivasyonu",
                "description": "Telefonla bildirildi.",
            },
        )
    # then
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.channel, ticket.requester, ticket.created_at) == ("phone", customer, called_at)
    assert ticket.first_response_due_at == called_at + datetime.timedelta(
        minutes=premium.first_response_minutes
    )
    used = dict(Allotment.objects.filter(subscription=premium).values_list("channel", "used"))
    assert (used["phone"], used["written"]) == (1, 0)


def test_a_customer_cannot_file_on_another_channel(customer):
    # when / then
    with pytest.raises(PermissionDenied):
        ticket_file(actor=customer, subject="x", description="y", channel="phone")
