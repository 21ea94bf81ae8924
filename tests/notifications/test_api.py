"""GET|PATCH /api/v1/me/notifications/."""

import pytest
from rest_framework.test import APIClient

from notifications.models import NotificationPreference
from organizations.roles import Role
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/notifications/"


def client_for(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
    return client


def test_defaults_are_on_in_turkish_without_any_row(customer):
    # when
    body = client_for(customer).get(URL).json()
    # then
    assert body["language"] == "tr"
    assert body["preferences"]["desk_answered"] == "on"
    assert set(body["preferences"].values()) == {"on"}
    assert not NotificationPreference.objects.exists()


def test_admin_sees_quota_exhausted_as_mandatory(premium):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=premium.institution)
    # when
    kinds = {k["kind"]: k for k in client_for(admin).get(URL).json()["kinds"]}
    # then
    assert kinds["quota_exhausted"]["mandatory"] is True
    assert kinds["quota_exhausted"]["modes"] == ["on"]
    assert kinds["daily_digest"]["modes"] == ["on", "off"]


def test_patch_sets_modes_and_language(customer):
    # when
    response = client_for(customer).patch(
        URL, {"preferences": {"desk_answered": "digest", "resolved": "off"}, "language": "en"}, format="json"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["preferences"]["desk_answered"], body["preferences"]["resolved"], body["language"]) == (
        "digest",
        "off",
        "en",
    )


def test_turning_a_mandatory_kind_off_is_a_400_in_the_error_shape(engineer):
    # when
    response = client_for(engineer).patch(URL, {"preferences": {"sla_breach": "off"}}, format="json")
    # then
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "mandatory_notification"
    assert list(error["fields"]) == ["preferences.sla_breach"]
    assert not NotificationPreference.objects.exists()


def test_a_kind_the_person_does_not_receive_is_refused(customer):
    # when
    response = client_for(customer).patch(URL, {"preferences": {"sla_breach": "on"}}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_an_unknown_mode_is_refused(customer):
    # when
    response = client_for(customer).patch(URL, {"preferences": {"resolved": "sometimes"}}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["preferences.resolved"]


def test_without_credentials_is_401():
    # when
    response = APIClient().get(URL)
    # then
    assert response.status_code == 401
