"""Contact requests over the API: a customer asks on a ticket for a call or a remote session;
the desk sees the open ones in its queue."""

import pytest

from bookings.models import ContactRequest
from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory
from tickets.services import ticket_log_call

REQUEST = {"kind": "call", "preferred_times": ["hafta içi 14:00–17:00", "cuma sabah"], "note": "Dahili 204"}


@pytest.fixture
def ticket(customer):
    return TicketFactory(requester=customer)


def test_customer_asks_for_a_call_and_gets_201(client_for, customer, ticket):
    # when
    response = client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["preferred_times"], body["note"]) == (
        "call",
        REQUEST["preferred_times"],
        "Dahili 204",
    )
    assert body["is_done"] is False
    assert ContactRequest.objects.get().requested_by == customer


def test_the_ticket_lists_its_requests_for_the_desk(client_for, customer, ticket, engineer):
    # given
    client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json")
    # when
    listed = client_for(engineer).get(f"/api/v1/tickets/{ticket.pk}/contact-requests/").json()
    # then
    assert [(r["kind"], r["preferred_times"]) for r in listed] == [("call", REQUEST["preferred_times"])]


def test_open_requests_are_listed_in_the_queue_until_the_call_is_logged(
    client_for, customer, ticket, engineer
):
    # given
    client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/contact-requests/",
        {"kind": "remote", "preferred_times": ["yarın 10:00"]},
        format="json",
    )
    desk = client_for(engineer)
    # when
    before = {row["id"]: row["contact_requests"] for row in desk.get("/api/v1/queue/").json()["results"]}
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json")
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    after = {row["id"]: row["contact_requests"] for row in desk.get("/api/v1/queue/").json()["results"]}
    # then
    assert [(r["kind"], r["preferred_times"]) for r in before[ticket.pk]] == [("remote", ["yarın 10:00"])]
    assert [r["kind"] for r in after[ticket.pk]] == ["remote"]


def test_queue_with_contact_requests_costs_the_same_queries_for_more_rows(
    client_for, customer, engineer, django_assert_max_num_queries
):
    # given
    for _ in range(5):
        ticket = TicketFactory(requester=customer)
        client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json")
    desk = client_for(engineer)
    # when / then: auth, the page of tickets, one query for every row's requests
    with django_assert_max_num_queries(5):
        response = desk.get("/api/v1/queue/")
    assert sum(len(row["contact_requests"]) for row in response.json()["results"]) == 5


def test_without_a_preferred_time_is_400(client_for, customer, ticket):
    # when
    response = client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/contact-requests/",
        {"kind": "call", "preferred_times": []},
        format="json",
    )
    # then
    assert response.status_code == 400
    assert "preferred_times" in response.json()["error"]["fields"]


def test_vendor_staff_cannot_ask(client_for, ticket, engineer):
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json"
    )
    # then
    assert response.status_code == 403


def test_another_institutions_customer_gets_404(client_for, ticket):
    # given
    stranger = PersonFactory(
        role=Role.CUSTOMER, institution=SubscriptionFactory(package_code="premium").institution
    )
    # when
    responses = [
        client_for(stranger).post(f"/api/v1/tickets/{ticket.pk}/contact-requests/", REQUEST, format="json"),
        client_for(stranger).get(f"/api/v1/tickets/{ticket.pk}/contact-requests/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404, 404]
    assert not ContactRequest.objects.exists()
