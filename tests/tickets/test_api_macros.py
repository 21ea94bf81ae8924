"""GET|POST /api/v1/macros/ and DELETE /api/v1/macros/{id}/: the desk's, each person seeing the
shared macros and their own only."""

import pytest

from organizations.roles import Role
from tests.factories import MacroFactory, PersonFactory
from tickets.models import Macro

pytestmark = pytest.mark.django_db


def test_engineer_lists_the_shared_macros_and_their_own_only(client_for, engineer):
    # given
    mine = MacroFactory(owner=engineer, name="B")
    shared = MacroFactory(owner=None, name="A")
    MacroFactory(owner=PersonFactory(role=Role.SUPPORT_ENGINEER), name="C")
    # when
    response = client_for(engineer).get("/api/v1/macros/")
    # then
    assert response.status_code == 200
    assert [(m["id"], m["personal"]) for m in response.json()] == [(shared.pk, False), (mine.pk, True)]


def test_engineer_keeps_a_personal_macro(client_for, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/macros/",
        {"name": "Bekleniyor", "body": "Merhaba {{ requester.first_name }}", "status": "waiting"},
        format="json",
    )
    # then
    assert response.status_code == 201
    assert (response.json()["personal"], response.json()["status"]) == (True, "waiting")
    assert Macro.objects.get().owner == engineer


def test_engineer_asking_for_a_shared_macro_is_refused(client_for, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/macros/", {"name": "Herkese", "body": "Merhaba.", "personal": False}, format="json"
    )
    # then
    assert response.status_code == 403
    assert not Macro.objects.exists()


def test_desk_lead_keeps_a_shared_macro(client_for, lead):
    # when
    response = client_for(lead).post(
        "/api/v1/macros/", {"name": "Herkese", "body": "Merhaba.", "personal": False}, format="json"
    )
    # then
    assert response.status_code == 201
    assert Macro.objects.get().owner is None


def test_unknown_placeholder_is_a_422_naming_the_field(client_for, engineer):
    # when
    response = client_for(engineer).post(
        "/api/v1/macros/", {"name": "Kötü", "body": "{{ ticket.requester.password }}"}, format="json"
    )
    # then
    assert response.status_code == 422
    assert "body" in response.json()["error"]["fields"]


def test_customer_gets_403_on_both_methods(client_for, customer):
    # given
    client = client_for(customer)
    # when
    listed = client.get("/api/v1/macros/")
    kept = client.post("/api/v1/macros/", {"name": "X", "body": "Y"}, format="json")
    # then
    assert (listed.status_code, kept.status_code) == (403, 403)


def test_another_engineers_personal_macro_cannot_be_removed_and_reads_as_missing(client_for, engineer):
    # given
    theirs = MacroFactory(owner=PersonFactory(role=Role.SUPPORT_ENGINEER))
    # when
    response = client_for(engineer).delete(f"/api/v1/macros/{theirs.pk}/")
    # then
    assert response.status_code == 404
    assert Macro.objects.filter(pk=theirs.pk).exists()


def test_engineer_removes_their_own_macro(client_for, engineer):
    # given
    mine = MacroFactory(owner=engineer)
    # when
    response = client_for(engineer).delete(f"/api/v1/macros/{mine.pk}/")
    # then
    assert response.status_code == 204
    assert not Macro.objects.exists()


def test_list_query_count_does_not_grow_with_macros(client_for, engineer, django_assert_max_num_queries):
    # given
    for _ in range(5):
        MacroFactory(owner=engineer)
    client = client_for(engineer)
    # when / then: the token with its person, the macros
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/macros/")
    assert len(response.json()) == 5


def test_the_schema_describes_the_macros_endpoints(client):
    # when
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    # then
    assert set(paths["/api/v1/macros/"]) >= {"get", "post"}
    assert "delete" in paths["/api/v1/macros/{id}/"]
