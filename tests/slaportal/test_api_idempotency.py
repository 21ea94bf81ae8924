import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.client import encode_multipart
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.test import APIClient

from organizations.roles import Role
from packages.models import Allotment
from slaportal.api.idempotency import request_fingerprint
from slaportal.api.services import api_token_issue
from tests.factories import IdempotencyRecordFactory, PersonFactory, TicketFactory, customer_with_subscription
from tickets.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db
NEW_TICKET = {"subject": "Export fails", "description": "At 40 %."}


def _written_used(person) -> int:
    return Allotment.objects.get(subscription__institution=person.institution, channel="written").used


def test_retry_with_the_same_key_returns_the_first_ticket(client_for, customer):
    # given
    client = client_for(customer)
    first = client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="3f1c-retry")
    # when
    retry = client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="3f1c-retry")
    # then
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert _written_used(customer) == 1


def test_a_new_key_files_a_new_ticket(client_for, customer):
    # given
    client = client_for(customer)
    client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="key-1")
    # when
    client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="key-2")
    # then
    assert Ticket.objects.count() == 2


def test_the_same_key_from_another_person_is_theirs(client_for, customer, premium):
    # given
    colleague = PersonFactory(institution=premium.institution, role=Role.CUSTOMER)
    client_for(customer).post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="shared-key")
    # when
    response = client_for(colleague).post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="shared-key")
    # then
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).requester == colleague


def test_a_refused_request_is_not_remembered(client_for, customer):
    # given: the first attempt lacked the description
    client = client_for(customer)
    client.post("/api/v1/tickets/", {"subject": "S"}, HTTP_IDEMPOTENCY_KEY="fix-and-retry")
    # when
    response = client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="fix-and-retry")
    # then
    assert response.status_code == 201
    assert Ticket.objects.count() == 1


def test_an_overlong_key_is_refused(client_for, customer):
    # when
    response = client_for(customer).post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="k" * 201)
    # then
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["Idempotency-Key"]
    assert not Ticket.objects.exists()


def test_retried_call_log_consumes_the_phone_quota_once(client_for, customer, engineer):
    # given
    ticket = TicketFactory(requester=customer)
    client = client_for(engineer)
    client.post(f"/api/v1/tickets/{ticket.pk}/calls/", {"body": "Called."}, HTTP_IDEMPOTENCY_KEY="call-1")
    # when
    retry = client.post(
        f"/api/v1/tickets/{ticket.pk}/calls/", {"body": "Called."}, HTTP_IDEMPOTENCY_KEY="call-1"
    )
    # then
    assert retry.status_code == 201
    assert TicketMessage.objects.filter(ticket=ticket, kind="call").count() == 1
    assert Allotment.objects.get(subscription=ticket.subscription, channel="phone").used == 1


def test_a_key_is_bound_to_its_endpoint(client_for, customer, engineer):
    # given: the same key on calls of two tickets
    first, second = TicketFactory(requester=customer), TicketFactory(requester=customer)
    client = client_for(engineer)
    client.post(f"/api/v1/tickets/{first.pk}/calls/", {"body": "Called."}, HTTP_IDEMPOTENCY_KEY="same")
    # when
    client.post(f"/api/v1/tickets/{second.pk}/calls/", {"body": "Called."}, HTTP_IDEMPOTENCY_KEY="same")
    # then
    assert Allotment.objects.get(subscription=first.subscription, channel="phone").used == 2


def test_the_same_key_with_another_body_is_refused_and_files_nothing(client_for, customer):
    # given
    client = client_for(customer)
    client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="reused")
    # when: a new request under the key of the first
    response = client.post(
        "/api/v1/tickets/", {"subject": "Another", "description": "Else."}, HTTP_IDEMPOTENCY_KEY="reused"
    )
    # then
    assert response.status_code == 422
    assert response.json() == {
        "error": {
            "code": "idempotency_key_mismatch",
            "message": response.json()["error"]["message"],
            "fields": {},
        }
    }
    assert "Idempotent-Replayed" not in response.headers
    assert Ticket.objects.count() == 1
    assert _written_used(customer) == 1


def test_the_mismatch_message_is_turkish_by_default(client_for, customer):
    # given
    client = client_for(customer)
    client.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="reused")
    # when
    response = client.post(
        "/api/v1/tickets/", {**NEW_TICKET, "subject": "Other"}, HTTP_IDEMPOTENCY_KEY="reused"
    )
    # then
    assert response.json()["error"]["message"].startswith("Bu Idempotency-Key")


def test_a_retry_with_the_fields_in_another_order_is_the_same_request(client_for, customer):
    # given
    client = client_for(customer)
    first = client.post(
        "/api/v1/tickets/",
        '{"subject": "Export fails", "description": "At 40 %."}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="ordered",
    )
    # when
    retry = client.post(
        "/api/v1/tickets/",
        '{"description": "At 40 %.", "subject": "Export fails"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="ordered",
    )
    # then
    assert (retry.status_code, retry.json()) == (first.status_code, first.json())
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_a_record_kept_from_before_bodies_were_compared_still_replays(client_for, customer):
    # given: an answer stored without a fingerprint
    IdempotencyRecordFactory(
        person=customer,
        key="legacy",
        scope="POST /api/v1/tickets/",
        request_hash="",
        response_body={"id": 41},
    )
    # when
    response = client_for(customer).post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="legacy")
    # then
    assert (response.status_code, response.json()) == (201, {"id": 41})
    assert not Ticket.objects.exists()


def _multipart_request(boundary: str, content: bytes) -> Request:
    upload = SimpleUploadedFile("log.txt", content, content_type="text/plain")
    body = encode_multipart(boundary, {"body": "See the log.", "file": upload})
    django_request = RequestFactory().post(
        "/api/v1/tickets/1/attachments/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return Request(django_request, parsers=[JSONParser(), FormParser(), MultiPartParser()])


def test_a_multipart_fingerprint_reads_the_files_not_the_boundary():
    # given: the same fields and file under two boundaries, and a file with other bytes
    first, same = _multipart_request("BoUnDaRy-1", b"line 1"), _multipart_request("other-boundary", b"line 1")
    changed = _multipart_request("BoUnDaRy-1", b"line 2")
    # when
    fingerprints = [request_fingerprint(r) for r in (first, same, changed)]
    # then: and the view can still read the upload
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]
    assert first.data["file"].read() == b"line 1"


def _concurrently(requests: list) -> list:
    """Run the callables at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait()
            results[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _token_client(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
    return client


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_file_one_ticket(postgres):
    # given: four copies of one request in flight at once
    person = customer_with_subscription("standard")
    clients = [_token_client(person) for _ in range(4)]
    # when
    responses = _concurrently(
        [lambda c=c: c.post("/api/v1/tickets/", NEW_TICKET, HTTP_IDEMPOTENCY_KEY="burst") for c in clients]
    )
    # then
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert Ticket.objects.count() == 1
    assert _written_used(person) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_call_logs_consume_once(postgres):
    # given
    person = customer_with_subscription("standard")
    ticket = TicketFactory(requester=person)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    clients = [_token_client(engineer) for _ in range(4)]
    # when
    responses = _concurrently(
        [
            lambda c=c: c.post(
                f"/api/v1/tickets/{ticket.pk}/calls/", {"body": "Called."}, HTTP_IDEMPOTENCY_KEY="c1"
            )
            for c in clients
        ]
    )
    # then
    assert {r.status_code for r in responses} == {201}
    assert TicketMessage.objects.filter(ticket=ticket, kind="call").count() == 1
    assert Allotment.objects.get(subscription=ticket.subscription, channel="phone").used == 1
