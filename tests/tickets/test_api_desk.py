"""The support desk's actions and queue, and that the customer side cannot reach them."""

import datetime
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from organizations.roles import Role
from packages.models import Allotment, QuotaEntry
from packages.services import quota_consume
from tests.factories import PersonFactory, TicketFactory, customer_with_subscription
from tests.factories.bookings import product
from tickets import selectors
from tickets.api.serializers import QueueTicketSerializer
from tickets.models import DevelopmentItem, Ticket, TicketEvent, TicketMessage
from tickets.services import (
    ticket_assign,
    ticket_escalate_to_development,
    ticket_file,
    ticket_log_call,
    ticket_reply,
)

pytestmark = pytest.mark.django_db


def test_logged_call_consumes_phone_quota_and_answers(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/calls/", {"body": "Walked through the export.", "duration_minutes": 15}
    )
    # then
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["duration_minutes"]) == ("call", 15)
    assert Allotment.objects.get(subscription=ticket.subscription, channel="phone").used == 1
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "answered"


def test_remote_session_follows_a_call(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_log_call(actor=engineer, ticket=ticket, body="Could not solve by phone.")
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/remote-sessions/", {"body": "Fixed it."}
    )
    # then
    assert response.status_code == 201
    assert Allotment.objects.get(subscription=ticket.subscription, channel="remote").used == 1


def test_remote_session_before_any_call_is_422(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(
        f"/api/v1/tickets/{ticket.pk}/remote-sessions/", {"body": "Fixed it."}
    )
    # then
    assert response.status_code == 422
    assert Allotment.objects.get(subscription=ticket.subscription, channel="remote").used == 0


def test_call_on_exhausted_phone_quota_is_409_with_fields(client_for, engineer):
    # given: Standard's 20 phone calls are used
    person = customer_with_subscription("standard")
    ticket = TicketFactory(requester=person)
    for n in range(20):
        quota_consume(
            actor=None, institution=person.institution, channel="phone", reference_type="test", reference_id=n
        )
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/calls/", {"body": "Called."})
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["channel"], error["allotment"]) == ("quota_exhausted", "phone", 20)
    assert error["renews_on"] == ticket.subscription.renews_on.isoformat()
    assert not TicketMessage.objects.filter(ticket=ticket).exists()


def test_engineer_adds_internal_note(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "Known issue."})
    # then
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert Ticket.objects.get(pk=ticket.pk).sla_state == "running"


def test_engineer_changes_status(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "waiting"})
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "waiting"


def test_engineer_assigns_to_another_engineer(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    colleague = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": colleague.pk})
    # then
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == colleague.pk


def test_assigning_to_a_customer_is_a_field_error(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": customer.pk})
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["assignee"]


def test_engineer_assigns_with_patch(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"assignee": engineer.pk, "status": "open"}
    )
    # then
    assert response.status_code == 200
    assert (response.json()["assignee"]["id"], response.json()["status"]) == (engineer.pk, "open")


def test_escalation_creates_the_development_item_once(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer, kind="problem")
    client = client_for(engineer)
    # when
    first = client.post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", {"expected_on": "2027-01-15", "note": "Fix planned."}
    )
    second = client.post(f"/api/v1/tickets/{ticket.pk}/escalate/", {})
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["planned_on"] == "2027-01-15"
    assert DevelopmentItem.objects.filter(tickets=ticket).count() == 1


def test_development_item_update_keeps_what_is_not_sent(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer, kind="bug")
    client = client_for(engineer)
    client.patch(f"/api/v1/tickets/{ticket.pk}/development-item/", {"planned_on": "2027-02-01"})
    # when
    response = client.patch(f"/api/v1/tickets/{ticket.pk}/development-item/", {"state": "triaged"})
    # then
    assert (response.json()["state"], response.json()["planned_on"]) == ("triaged", "2027-02-01")


def test_ticket_without_development_item_answers_404(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).get(f"/api/v1/tickets/{ticket.pk}/development-item/")
    # then
    assert response.status_code == 404


# --- the customer side cannot reach the desk's actions ------------------------------------------

DESK_ACTIONS = [
    ("post", "notes/", {"body": "x"}),
    ("post", "calls/", {"body": "x"}),
    ("post", "remote-sessions/", {"body": "x"}),
    ("post", "status/", {"status": "open"}),
    ("post", "assign/", {"assignee": None}),
    ("post", "escalate/", {}),
    ("patch", "development-item/", {"state": "released"}),
]


@pytest.mark.parametrize(("method", "suffix", "payload"), DESK_ACTIONS, ids=[a[1] for a in DESK_ACTIONS])
@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTITUTION_ADMIN])
def test_customer_side_cannot_reach_desk_actions(client_for, premium, method, suffix, payload, role):
    # given: a ticket the person can see
    person = PersonFactory(institution=premium.institution, role=role)
    ticket = TicketFactory(requester=person, kind="bug")
    events_before = TicketEvent.objects.filter(ticket=ticket).count()
    # when
    response = getattr(client_for(person), method)(f"/api/v1/tickets/{ticket.pk}/{suffix}", payload)
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert TicketEvent.objects.filter(ticket=ticket).count() == events_before
    assert QuotaEntry.objects.filter(channel__in=["phone", "remote"]).count() == 0


def test_customer_cannot_read_the_queue(client_for, customer):
    # when
    response = client_for(customer).get("/api/v1/queue/")
    # then
    assert response.status_code == 403


# --- the queue ----------------------------------------------------------------------------------


def test_queue_orders_by_priority_then_deadline(client_for, engineer):
    # given: a Standard ticket filed before a Premium+ one
    standard = TicketFactory(requester=customer_with_subscription("standard"))
    plus = TicketFactory(requester=customer_with_subscription("premium_plus"))
    premium = TicketFactory(requester=customer_with_subscription("premium"))
    # when
    results = client_for(engineer).get("/api/v1/queue/").json()["results"]
    # then
    assert [t["id"] for t in results] == [plus.pk, premium.pk, standard.pk]


def test_queue_leaves_out_closed_tickets(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    client = client_for(engineer)
    client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "resolved"})
    client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "closed"})
    # when
    results = client.get("/api/v1/queue/").json()["results"]
    # then
    assert results == []


def test_queue_filters_mine(client_for, customer, engineer):
    # given
    mine = TicketFactory(requester=customer)
    TicketFactory(requester=customer)
    ticket_assign(actor=engineer, ticket=mine, assignee=engineer)
    # when
    results = client_for(engineer).get("/api/v1/queue/?scope=mine").json()["results"]
    # then
    assert [t["id"] for t in results] == [mine.pk]


def test_queue_filters_by_package(client_for, engineer):
    # given
    TicketFactory(requester=customer_with_subscription("standard"))
    plus = TicketFactory(requester=customer_with_subscription("premium_plus"))
    # when
    results = client_for(engineer).get("/api/v1/queue/?package=premium_plus").json()["results"]
    # then
    assert [t["id"] for t in results] == [plus.pk]


def test_queue_refuses_a_status_that_is_not_open(client_for, engineer):
    # when
    response = client_for(engineer).get("/api/v1/queue/?status=closed")
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


def test_queue_query_count_does_not_grow(client_for, engineer, django_assert_max_num_queries):
    # given
    for code in ("standard", "professional", "premium", "premium_plus"):
        TicketFactory(requester=customer_with_subscription(code), kind="bug")
    client = client_for(engineer)
    # when / then: the token with its person, the page with its relations, the page's open contact requests
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/queue/")
    assert len(response.json()["results"]) == 4


def test_queue_rows_are_what_the_ticket_serializer_shows(client_for, customer, engineer):
    # given: tickets with and without a product, an assignee with a full name, a development item
    # with an expected date, an answered and a breached ticket
    with_product = ticket_file(actor=customer, subject="Ürün", description="D", product=product("netcad-gis"))
    escalated = TicketFactory(requester=customer, kind="bug")
    ticket_assign(actor=engineer, ticket=escalated, assignee=engineer)
    ticket_escalate_to_development(
        actor=engineer, ticket=escalated, expected_on=datetime.date(2027, 3, 1), note="12.1 sürümünde"
    )
    answered = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=answered, body="Bakıyoruz.")
    breached = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=breached.pk).update(breached_at=timezone.now())
    # when
    results = client_for(engineer).get("/api/v1/queue/").json()["results"]
    # then
    queue = selectors.ticket_queue_all_institutions(engineer=engineer).select_related(
        "requester", "development_item"
    )
    expected = json.loads(json.dumps(QueueTicketSerializer(queue, many=True).data, cls=DjangoJSONEncoder))
    assert len(results) == 4
    assert {t["id"] for t in results} == {with_product.pk, escalated.pk, answered.pk, breached.pk}
    assert results == expected


# --- the counting rule over the API (docs/contract.md) --------------------------------------------


def test_calls_answer_whether_a_unit_was_drawn(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    url = f"/api/v1/tickets/{ticket.pk}/calls/"
    # when: two calls on one ticket
    first = client_for(engineer).post(url, {"body": "Arandı."})
    second = client_for(engineer).post(url, {"body": "Yeniden arandı."})
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["counted"], second.json()["counted"]) == (True, False)
    assert Allotment.objects.get(subscription=ticket.subscription, channel="phone").used == 1


def test_remote_sessions_answer_whether_a_unit_was_drawn(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    url = f"/api/v1/tickets/{ticket.pk}/remote-sessions/"
    # when
    first = client_for(engineer).post(url, {"body": "Bağlanıldı."})
    second = client_for(engineer).post(url, {"body": "Yeniden bağlanıldı."})
    # then
    assert (first.json()["counted"], second.json()["counted"]) == (True, False)
    assert Allotment.objects.get(subscription=ticket.subscription, channel="remote").used == 1


def test_desk_files_a_phone_ticket_for_a_caller(client_for, customer, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/tickets/",
        {
            "subject": "Arayan",
            "description": "Telefonda anlatıldı.",
            "requester": customer.pk,
            "channel": "phone",
        },
        format="json",
    )
    # then: filed for the customer, answered at filing, one phone unit and no written one
    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.requester == customer and ticket.channel == "phone"
    assert body["first_responded_at"] is not None
    assert ticket.first_responded_at is not None
    uses = dict(Allotment.objects.filter(subscription=ticket.subscription).values_list("channel", "used"))
    assert (uses["phone"], uses["written"]) == (1, 0)


def test_desk_files_a_remote_ticket_for_a_caller(client_for, customer, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/tickets/",
        {"subject": "Uzak", "description": "Oturumda.", "requester": customer.pk, "channel": "remote"},
        format="json",
    )
    # then
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert Allotment.objects.get(subscription=ticket.subscription, channel="remote").used == 1


def test_desk_filing_for_an_unknown_person_is_refused(client_for, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/tickets/", {"subject": "S", "description": "D", "requester": 999999}, format="json"
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["requester"]


def test_customer_naming_a_requester_is_refused(client_for, customer):
    # given: a colleague of the same institution
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    # when
    response = client_for(customer).post(
        "/api/v1/tickets/", {"subject": "S", "description": "D", "requester": colleague.pk}, format="json"
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["requester"]
    assert not Ticket.objects.exists()


def test_customer_naming_the_phone_channel_is_refused(client_for, customer):
    # when
    response = client_for(customer).post(
        "/api/v1/tickets/", {"subject": "S", "description": "D", "channel": "phone"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["channel"]


def test_me_shows_each_channel_with_allotment_used_remaining_unlimited(client_for, customer, engineer):
    # given: one written ticket, called on twice
    ticket = TicketFactory(requester=customer)
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.")
    ticket_log_call(actor=engineer, ticket=ticket, body="Yeniden arandı.")
    # when
    quotas = client_for(customer).get("/api/v1/me/").json()["subscription"]["quotas"]
    # then
    assert quotas["written"] == {
        "included": True,
        "unlimited": False,
        "allotment": 1000,
        "used": 1,
        "remaining": 999,
    }
    assert (quotas["phone"]["used"], quotas["phone"]["remaining"]) == (1, 999)
    assert {"allotment", "used", "remaining", "unlimited"} <= set(quotas["onsite_days"])
