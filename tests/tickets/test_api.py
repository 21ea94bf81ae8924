import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from organizations.roles import Role
from packages.models import Allotment, Product
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    TicketFactory,
    UnitFactory,
    customer_with_subscription,
)
from tickets.models import Ticket
from tickets.services import ticket_change_status, ticket_note, ticket_reply

pytestmark = pytest.mark.django_db

# The engineer's first reply: the token with the person and institution, the ticket, then in its
# savepoint (BEGIN and COMMIT outside a test) the ticket locked, the message, its history event,
# the first response (the UPDATE, the SLA moment and its history event) and the ticket put in
# progress (the UPDATE and its history event).
REPLY_QUERIES = 12


def test_customer_files_with_subject_and_description_only(client_for, customer):
    # when
    response = client_for(customer).post(
        "/api/v1/tickets/", {"subject": "Export fails", "description": "At 40 %."}
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["subject"], body["kind"], body["product"], body["status"]) == (
        "Export fails",
        "question",
        None,
        "new",
    )
    assert Ticket.objects.get(pk=body["id"]).requester == customer


def test_ticket_representation_carries_the_sla(client_for, customer):
    # when
    body = client_for(customer).post("/api/v1/tickets/", {"subject": "S", "description": "D"}).json()
    # then
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["priority"] == 2
    assert datetime.datetime.fromisoformat(body["first_response_due_at"]) == ticket.first_response_due_at
    assert body["first_responded_at"] is None
    assert body["sla_state"] == "running"


def test_filing_names_a_product_by_code(client_for, customer):
    # given
    Product.objects.get_or_create(code="netcad-gis", defaults={"name": "Netcad GIS"})
    # when
    body = (
        client_for(customer)
        .post("/api/v1/tickets/", {"subject": "S", "description": "D", "product": "netcad-gis"})
        .json()
    )
    # then
    assert body["product"] == {"code": "netcad-gis", "name": "Netcad GIS"}


def test_unknown_product_is_a_field_error(client_for, customer):
    # when
    response = client_for(customer).post(
        "/api/v1/tickets/", {"subject": "S", "description": "D", "product": "nope"}
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["product"]
    assert not Ticket.objects.exists()


def test_bug_report_shows_its_development_item(client_for, customer):
    # when
    body = (
        client_for(customer)
        .post("/api/v1/tickets/", {"subject": "S", "description": "D", "kind": "bug"})
        .json()
    )
    # then
    assert body["development_item"]["state"] == "received"
    assert body["development_item"]["planned_on"] is None


def test_exhausted_written_quota_is_409_with_channel_allotment_and_renewal(client_for):
    # given: Standard's 20 written tickets are used
    person = customer_with_subscription("standard")
    for _ in range(20):
        TicketFactory(requester=person)
    # when
    response = client_for(person).post("/api/v1/tickets/", {"subject": "The 21st", "description": "D"})
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["channel"], error["allotment"]) == ("quota_exhausted", "written", 20)
    assert error["renews_on"] == person.institution.subscriptions.get().renews_on.isoformat()
    assert not Ticket.objects.filter(subject="The 21st").exists()


def test_quota_message_follows_accept_language(client_for):
    # given
    person = customer_with_subscription("standard")
    for _ in range(20):
        TicketFactory(requester=person)
    client = client_for(person)
    # when
    english = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"}, HTTP_ACCEPT_LANGUAGE="en")
    turkish = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert english.json()["error"]["message"].startswith("Your Written support allotment of 20")
    assert turkish.json()["error"]["message"] != english.json()["error"]["message"]


def test_filing_without_a_contract_is_409(client_for, premium):
    # given
    person = PersonFactory(role=Role.CUSTOMER)
    # when
    response = client_for(person).post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_active_subscription"


def test_engineer_filing_without_a_requester_is_refused(client_for, engineer):
    # when: the desk files for nobody
    response = client_for(engineer).post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert response.status_code == 400
    assert "requester" in response.json()["error"]["fields"]


def test_customer_lists_only_own_tickets(client_for, customer, premium):
    # given
    mine = TicketFactory(requester=customer)
    TicketFactory(requester=PersonFactory(institution=premium.institution, role=Role.CUSTOMER))
    # when
    results = client_for(customer).get("/api/v1/tickets/").json()["results"]
    # then
    assert [t["id"] for t in results] == [mine.pk]


def test_admin_lists_the_whole_institution_newest_first(client_for, customer, admin):
    # given
    older, newer = TicketFactory(requester=customer), TicketFactory(requester=customer)
    # when
    results = client_for(admin).get("/api/v1/tickets/").json()["results"]
    # then
    assert [t["id"] for t in results] == [newer.pk, older.pk]


def test_list_filters_by_status(client_for, customer):
    # given
    closed = TicketFactory(requester=customer)
    TicketFactory(requester=customer)
    ticket_change_status(actor=customer, ticket=closed, status="closed")
    # when
    results = client_for(customer).get("/api/v1/tickets/?status=closed").json()["results"]
    # then
    assert [t["id"] for t in results] == [closed.pk]


def test_list_filters_by_sla_state(client_for, customer, engineer):
    # given
    answered = TicketFactory(requester=customer)
    TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=answered, body="Looking into it.")
    # when
    results = client_for(customer).get("/api/v1/tickets/?sla_state=answered").json()["results"]
    # then
    assert [t["id"] for t in results] == [answered.pk]


def test_list_is_cursor_paginated(client_for, customer):
    # given
    tickets = [TicketFactory(requester=customer) for _ in range(3)]
    client = client_for(customer)
    # when
    first = client.get("/api/v1/tickets/?page_size=2").json()
    second = client.get(first["next"]).json()
    # then
    assert [t["id"] for t in first["results"] + second["results"]] == [t.pk for t in reversed(tickets)]
    assert second["next"] is None


def test_list_query_count_does_not_grow_with_tickets(
    client_for, admin, customer, django_assert_max_num_queries
):
    # given
    for kind in ("question", "bug", "feature", "problem", "bug", "question"):
        TicketFactory(requester=customer, kind=kind)
    client = client_for(admin)
    # when / then: token and person, role, page — however many tickets the page holds
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/tickets/")
    assert len(response.json()["results"]) == 6


def test_detail_query_count_is_capped(client_for, customer, engineer, django_assert_max_num_queries):
    # given: a bug report, so it has a development item, answered and assigned
    ticket = TicketFactory(requester=customer, kind="bug")
    ticket_reply(actor=engineer, ticket=ticket, body="Looking.")
    client = client_for(customer)
    # when / then: the token with the person and institution, the ticket with its relations and
    # development item
    with django_assert_max_num_queries(2):
        response = client.get(f"/api/v1/tickets/{ticket.pk}/")
    assert response.json()["development_item"]["state"] == "received"


def test_reply_query_count_is_capped(client_for, customer, engineer, django_assert_max_num_queries):
    # given: the engineer's first reply, which also answers the SLA clock
    ticket = TicketFactory(requester=customer)
    client = client_for(engineer)
    # when / then
    with django_assert_max_num_queries(REPLY_QUERIES):
        response = client.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "On it."})
    assert response.status_code == 201


def test_ticket_representation_is_what_the_declared_fields_give(client_for, customer, engineer):
    # given: tickets with and without product, assignee, development item, answer and breach
    from rest_framework import serializers

    from tickets.api.serializers import TicketSerializer
    from tickets.selectors import ticket_get_visible
    from tickets.services import ticket_assign, ticket_escalate_to_development

    product = Product.objects.create(code="tapu", name="Tapu")
    plain = TicketFactory(requester=customer)
    busy = TicketFactory(requester=customer, kind="problem")
    Ticket.objects.filter(pk=busy.pk).update(product=product, breached_at=timezone.now())
    ticket_assign(actor=engineer, ticket=busy, assignee=engineer)
    ticket_escalate_to_development(
        actor=engineer, ticket=busy, expected_on=datetime.date(2027, 1, 5), note="Not"
    )
    ticket_reply(actor=engineer, ticket=busy, body="Fixed soon.")
    ticket_change_status(actor=engineer, ticket=busy, status="resolved")
    for filed, language in ((plain, "en"), (busy, "en"), (busy, "tr")):
        ticket = ticket_get_visible(person=customer, pk=filed.pk)
        serializer = TicketSerializer(ticket)
        with translation.override(language):
            # when
            written = serializer.to_representation(ticket)
            # then: the same keys in the same order, and the same values, labels in the language
            declared = serializers.ModelSerializer.to_representation(TicketSerializer(ticket), ticket)
        assert list(written) == list(declared)
        assert written == declared
    assert written["status_label"] == "Çözüldü"
    assert written["development_item"]["planned_on"] == "2027-01-05"
    assert written["assignee"]["id"] == engineer.pk


@pytest.mark.parametrize("key", [None, "filing-1"], ids=["plain", "idempotency-key"])
def test_filing_query_count_is_capped(client_for, premium, key, django_assert_max_num_queries):
    # given: a customer placed in a unit of a region, as most are
    unit = UnitFactory(region=RegionFactory(institution=premium.institution))
    client = client_for(PersonFactory(role=Role.CUSTOMER, unit=unit))
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    # when / then: token with person and institution, contract, ticket, quota (update, entry,
    # what remains), history, SLA clock, outbox and the filing's savepoint (two statements); the
    # key adds its record, its answer and two savepoint pairs (one of them is the transaction
    # BEGIN and COMMIT outside a test)
    with django_assert_max_num_queries(16 if key else 10):
        response = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"}, **headers)
    assert response.status_code == 201


@pytest.mark.parametrize("kind", ["question", "bug"])
def test_filing_answers_what_reading_the_ticket_back_shows(client_for, customer, kind):
    # given
    client = client_for(customer)
    # when
    filed = client.post("/api/v1/tickets/", {"subject": "S", "description": "D", "kind": kind}).json()
    # then
    assert filed == client.get(f"/api/v1/tickets/{filed['id']}/").json()


def test_customer_closes_own_ticket_with_patch(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "closed"})
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "closed"


def test_customer_cannot_put_a_ticket_back_to_waiting(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "waiting"})
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_customer_cannot_assign_with_patch(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).patch(f"/api/v1/tickets/{ticket.pk}/", {"assignee": engineer.pk})
    # then
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_engineers_reply_answers_the_ticket(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "On it."})
    # then
    assert response.status_code == 201
    assert response.json()["from_support"] is True
    assert client_for(customer).get(f"/api/v1/tickets/{ticket.pk}/").json()["sla_state"] == "answered"


def test_reply_on_a_closed_ticket_is_422(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=customer, ticket=ticket, status="closed")
    # when
    response = client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "Hello?"})
    # then
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "rejected"


def test_customer_does_not_see_internal_notes(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=ticket, body="Public")
    ticket_note(actor=engineer, ticket=ticket, body="Internal")
    # when
    messages = client_for(customer).get(f"/api/v1/tickets/{ticket.pk}/replies/").json()
    # then
    assert [m["body"] for m in messages] == ["Public"]


def test_engineer_sees_internal_notes(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_note(actor=engineer, ticket=ticket, body="Internal")
    # when
    messages = client_for(engineer).get(f"/api/v1/tickets/{ticket.pk}/replies/").json()
    # then
    assert [(m["kind"], m["body"]) for m in messages] == [("note", "Internal")]


def test_conversation_query_count_does_not_grow(
    client_for, customer, engineer, django_assert_max_num_queries
):
    # given
    ticket = TicketFactory(requester=customer)
    for n in range(5):
        ticket_reply(actor=engineer if n % 2 else customer, ticket=ticket, body=f"Message {n}")
    client = client_for(customer)
    # when / then
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/tickets/{ticket.pk}/replies/")
    assert len(response.json()) == 5


def test_file_is_attached_and_downloaded(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    client = client_for(customer)
    # when
    uploaded = client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("error.log", b"Traceback ...", content_type="text/plain")},
        format="multipart",
    )
    # then
    assert uploaded.status_code == 201
    download = client.get(uploaded.json()["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"Traceback ..."
    assert [a["name"] for a in client.get(f"/api/v1/tickets/{ticket.pk}/attachments/").json()] == [
        "error.log"
    ]


def test_refused_file_type_is_a_field_error(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("setup.exe", b"MZ")},
        format="multipart",
    )
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["file"]
    assert not ticket.attachments.exists()


def test_too_large_file_is_a_field_error(client_for, customer, settings):
    # given
    settings.ATTACHMENT_MAX_BYTES = 10
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("big.txt", b"x" * 11)},
        format="multipart",
    )
    # then
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


def test_resolved_ticket_is_reopened(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    response = client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/reopen/")
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "open"


def test_reopening_long_after_resolution_is_409(client_for, customer, engineer, settings):
    # given
    ticket = TicketFactory(requester=customer)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    # when
    with time_machine.travel(timezone.now() + datetime.timedelta(days=settings.TICKET_REOPEN_DAYS + 1)):
        response = client_for(customer).post(f"/api/v1/tickets/{ticket.pk}/reopen/")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reopen_expired"


def test_customer_sees_the_development_items_progress(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer, kind="feature")
    client_for(engineer).patch(
        f"/api/v1/tickets/{ticket.pk}/development-item/", {"state": "planned", "planned_on": "2027-03-01"}
    )
    # when
    item = client_for(customer).get(f"/api/v1/tickets/{ticket.pk}/").json()["development_item"]
    # then
    assert (item["state"], item["planned_on"]) == ("planned", "2027-03-01")


def test_new_written_allotment_is_consumed_once_per_ticket(client_for, customer):
    # when
    client_for(customer).post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert Allotment.objects.get(subscription__institution=customer.institution, channel="written").used == 1


def test_other_subscription_tickets_stay_separate(client_for):
    # given: two institutions, each with its own contract
    SubscriptionFactory(package_code="standard")
    person = customer_with_subscription("professional")
    # when
    response = client_for(person).post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert response.json()["priority"] == 3
