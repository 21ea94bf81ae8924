"""The desk lead's own actions over the API, as on the web: correcting a first-response deadline
(`/desk/tickets/{id}/deadline/`) and who is on duty (`/desk/duty/`)."""

import datetime

import pytest
from django.utils import timezone

from organizations.models import AuditEvent
from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_lead_moves_a_deadline_and_the_warning_moves_with_it(client_for, customer, lead):
    # given
    ticket = TicketFactory(requester=customer)
    due = (ticket.first_response_due_at + datetime.timedelta(hours=1)).astimezone(datetime.UTC)
    # when
    response = client_for(lead).post(
        f"/api/v1/tickets/{ticket.pk}/deadline/", {"due_at": due.isoformat()}, format="json"
    )
    # then
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.first_response_due_at == due
    assert ticket.warning_due_at <= due
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.DEADLINE_CHANGED).count() == 1


def test_deadline_is_refused_to_an_engineer_and_a_customer(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    due = (ticket.first_response_due_at + datetime.timedelta(hours=1)).isoformat()
    before = ticket.first_response_due_at
    # when
    answers = [
        client_for(person).post(f"/api/v1/tickets/{ticket.pk}/deadline/", {"due_at": due}, format="json")
        for person in (engineer, customer)
    ]
    # then
    assert [a.status_code for a in answers] == [403, 403]
    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == before


def test_deadline_of_an_answered_ticket_or_a_bad_date_is_refused(client_for, customer, lead):
    # given
    ticket = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=ticket.pk).update(first_responded_at=timezone.now())
    client = client_for(lead)
    # when
    stopped = client.post(
        f"/api/v1/tickets/{ticket.pk}/deadline/", {"due_at": timezone.now().isoformat()}, format="json"
    )
    garbled = client.post(f"/api/v1/tickets/{ticket.pk}/deadline/", {"due_at": "yarın"}, format="json")
    # then
    assert stopped.status_code == 422
    assert (garbled.status_code, list(garbled.json()["error"]["fields"])) == (400, ["due_at"])


def test_engineer_goes_off_duty_and_sees_only_themself(client_for, engineer):
    # given
    PersonFactory(role=Role.SUPPORT_ENGINEER)
    client = client_for(engineer)
    # when
    changed = client.post("/api/v1/desk/duty/", {"on_duty": False}, format="json")
    listed = client.get("/api/v1/desk/duty/").json()
    # then
    assert (changed.status_code, changed.json()["is_on_duty"]) == (200, False)
    assert [row["id"] for row in listed] == [engineer.pk]
    assert AuditEvent.objects.filter(action="person.set_on_duty", actor=engineer).count() == 1


def test_engineer_cannot_set_a_colleagues_duty_but_the_lead_can(client_for, engineer, lead):
    # given
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER, is_on_duty=True)
    # when
    refused = client_for(engineer).post(
        "/api/v1/desk/duty/", {"person": colleague.pk, "on_duty": False}, format="json"
    )
    done = client_for(lead).post(
        "/api/v1/desk/duty/", {"person": colleague.pk, "on_duty": False}, format="json"
    )
    # then
    assert refused.status_code == 403
    assert (done.status_code, done.json()["is_on_duty"]) == (200, False)
    assert {row["id"] for row in client_for(lead).get("/api/v1/desk/duty/").json()} >= {
        engineer.pk,
        colleague.pk,
    }


def test_duty_is_the_desks_alone(client_for, customer, lead):
    # when
    listed = client_for(customer).get("/api/v1/desk/duty/")
    outsider = client_for(lead).post(
        "/api/v1/desk/duty/", {"person": customer.pk, "on_duty": True}, format="json"
    )
    # then
    assert (listed.status_code, outsider.status_code) == (403, 404)


def test_engineer_plans_their_own_break_and_sees_only_their_plans(client_for, engineer, lead):
    # given
    at = (timezone.now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER)
    client_for(lead).post(
        "/api/v1/desk/duty/changes/",
        {"person": colleague.pk, "at": (at + datetime.timedelta(hours=1)).isoformat(), "on_duty": True},
        format="json",
    )
    # when
    planned = client_for(engineer).post(
        "/api/v1/desk/duty/changes/", {"at": at.isoformat(), "on_duty": False}, format="json"
    )
    mine = client_for(engineer).get("/api/v1/desk/duty/changes/").json()
    desk = client_for(lead).get("/api/v1/desk/duty/changes/").json()
    # then
    assert planned.status_code == 201
    assert {key: planned.json()[key] for key in ("person", "on_duty")} == {
        "person": engineer.pk,
        "on_duty": False,
    }
    assert datetime.datetime.fromisoformat(planned.json()["at"]) == at
    assert [row["person"] for row in mine] == [engineer.pk]
    assert [row["person"] for row in desk] == [engineer.pk, colleague.pk]
    assert AuditEvent.objects.filter(action="person.plan_duty", actor=engineer).count() == 1


def test_a_duty_plan_in_the_past_or_for_a_colleague_by_an_engineer_is_refused(client_for, engineer, customer):
    # given
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER)
    later = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    client = client_for(engineer)
    # when
    past = client.post(
        "/api/v1/desk/duty/changes/",
        {"at": (timezone.now() - datetime.timedelta(minutes=1)).isoformat(), "on_duty": True},
        format="json",
    )
    colleagues = client.post(
        "/api/v1/desk/duty/changes/", {"person": colleague.pk, "at": later, "on_duty": True}, format="json"
    )
    outsider = client.post(
        "/api/v1/desk/duty/changes/", {"person": customer.pk, "at": later, "on_duty": True}, format="json"
    )
    customers = client_for(customer).get("/api/v1/desk/duty/changes/")
    # then
    assert (past.status_code, list(past.json()["error"]["fields"])) == (422, ["at"])
    assert (colleagues.status_code, outsider.status_code, customers.status_code) == (403, 404, 403)
