"""The one error shape, whoever raises the error."""

import pytest
from rest_framework.test import APIClient

from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_unknown_api_path_is_a_json_404(client_for, customer):
    # when
    response = client_for(customer).get("/api/v1/no-such-thing/")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_malformed_id_is_the_same_404_as_a_missing_one(client_for, customer):
    # when
    malformed = client_for(customer).get("/api/v1/tickets/0.5/")
    missing = client_for(customer).get("/api/v1/tickets/999999/")
    # then
    assert (malformed.status_code, malformed.json()) == (missing.status_code, missing.json())


def test_unsupported_method_is_405_in_the_error_shape(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(customer).put(f"/api/v1/tickets/{ticket.pk}/", {"subject": "x"})
    # then
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_parse_error(client_for, customer):
    # when
    response = client_for(customer).post("/api/v1/tickets/", "{not json", content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_body_of_an_unreadable_type_is_a_documented_400(client_for, customer):
    # when
    response = client_for(customer).post("/api/v1/tickets/", "subject", content_type="text/plain")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_field_errors_are_listed_per_field(client_for, customer):
    # when
    error = client_for(customer).post("/api/v1/tickets/", {"subject": "x" * 201}).json()["error"]
    # then
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"subject", "description"}
    assert all(isinstance(message, str) for messages in error["fields"].values() for message in messages)


def test_messages_are_turkish_by_default_and_english_on_request(client_for, customer):
    # given
    client = client_for(customer)
    # when
    turkish = client.get("/api/v1/tickets/999999/").json()["error"]["message"]
    english = client.get("/api/v1/tickets/999999/", HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    # then
    assert (turkish, english) == ("Bulunamadı.", "Not found.")


def test_too_many_requests_are_throttled_per_person(client_for, customer, settings):
    # given
    _rates(settings, user="2/min")
    client = client_for(customer)
    client.get("/api/v1/me/")
    client.get("/api/v1/me/")
    # when
    response = client.get("/api/v1/me/")
    # then
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response.headers["Retry-After"]) == response.json()["error"]["retry_after"]


def test_one_persons_throttle_leaves_another_alone(client_for, customer, admin, settings):
    # given
    _rates(settings, user="1/min")
    client_for(customer).get("/api/v1/me/")
    # when
    response = client_for(admin).get("/api/v1/me/")
    # then
    assert response.status_code == 200


def test_write_throttle_counts_only_writes(client_for, customer, settings):
    # given
    _rates(settings, write="1/min")
    client = client_for(customer)
    client.post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # when
    read = client.get("/api/v1/tickets/")
    write = client.post("/api/v1/tickets/", {"subject": "S", "description": "D"})
    # then
    assert (read.status_code, write.status_code) == (200, 429)


def test_public_catalogue_keeps_its_own_shape(db):
    # when
    response = APIClient().get("/api/v1/packages/")
    # then
    assert isinstance(response.json(), list)
