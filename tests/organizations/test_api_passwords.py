"""Passwords over the API, as the web's password pages: change one's own, ask for the reset
e-mail, set a new password with its link."""

import re

import pytest
from rest_framework.test import APIClient

from core.outbox import outbox_drain
from organizations.models import AuditEvent
from tests.factories import PersonFactory
from tests.factories.organizations import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Yeni-Parola-2026!"


def test_changing_my_password_signs_out_other_devices_and_gives_a_new_token(client_for, customer):
    # given
    app = client_for(customer)
    other_device = client_for(customer)
    # when
    response = app.post(
        "/api/v1/me/password/", {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )
    # then
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.check_password(NEW)
    assert other_device.get("/api/v1/me/").status_code == 401
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert fresh.get("/api/v1/me/").status_code == 200
    assert AuditEvent.objects.filter(action="person.password_change", target_id=str(customer.pk)).count() == 1


def test_a_wrong_old_password_or_a_weak_new_one_changes_nothing(client_for, customer):
    # given
    app = client_for(customer)
    # when
    wrong = app.post("/api/v1/me/password/", {"old_password": "yanlis", "new_password": NEW}, format="json")
    weak = app.post("/api/v1/me/password/", {"old_password": PASSWORD, "new_password": "123"}, format="json")
    # then
    assert (wrong.status_code, list(wrong.json()["error"]["fields"])) == (422, ["old_password"])
    assert (weak.status_code, list(weak.json()["error"]["fields"])) == (422, ["new_password"])
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_reset_sends_the_webs_email_and_its_link_sets_a_new_password_once(customer, mailoutbox):
    # given
    customer.email = "ayse@belediye.example"
    customer.save(update_fields=["email"])
    # when
    asked = APIClient().post("/api/v1/auth/password-reset/", {"email": customer.email}, format="json")
    outbox_drain()
    uid, token = re.search(r"/reset/([^/]+)/([^/]+)/", mailoutbox[0].body).groups()
    body = {"uid": uid, "token": token, "new_password": NEW}
    first = APIClient().post("/api/v1/auth/password-reset/confirm/", body, format="json")
    again = APIClient().post(
        "/api/v1/auth/password-reset/confirm/", body | {"new_password": NEW + "x"}, format="json"
    )
    # then
    assert (asked.status_code, len(mailoutbox)) == (202, 1)
    assert (first.status_code, again.status_code) == (204, 422)
    assert list(again.json()["error"]["fields"]) == ["token"]
    customer.refresh_from_db()
    assert customer.check_password(NEW)


def test_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(db, mailoutbox):
    # given
    PersonFactory(email="biri@belediye.example")
    # when
    response = APIClient().post("/api/v1/auth/password-reset/", {"email": "yok@example.com"}, format="json")
    # then
    assert (response.status_code, len(mailoutbox)) == (202, 0)
