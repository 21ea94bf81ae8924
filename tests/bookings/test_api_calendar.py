"""The vendor's week over the API, as `/vendor/calendar/`."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from organizations.roles import Role
from tests.factories import PersonFactory
from tests.factories.bookings import workshop_scheduled

pytestmark = pytest.mark.django_db


def _app(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_the_week_lists_a_scheduled_workshop_with_its_trainer(admin, staff, trainer):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    day = timezone.localtime(workshop.starts_at).date()
    # when
    body = _app(trainer).get("/api/v1/vendor/calendar/", {"week": day.isoformat()}).json()
    # then
    assert body["monday"] == (day - datetime.timedelta(days=day.weekday())).isoformat()
    assert len(body["days"]) == 7
    entry = next(e for e in body["entries"] if e["kind"] == "workshop")
    assert (entry["id"], entry["title"], entry["day"]) == (workshop.pk, workshop.topic, day.isoformat())
    assert entry["person"] == {"id": trainer.pk, "name": "Deniz Ak"}
    assert entry["institution"] == admin.institution.name


def test_another_week_is_empty_and_a_bad_date_is_400(admin, staff, trainer):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    later = timezone.localtime(workshop.starts_at).date() + datetime.timedelta(days=14)
    app = _app(staff)
    # when
    empty = app.get("/api/v1/vendor/calendar/", {"week": later.isoformat()}).json()
    bad = app.get("/api/v1/vendor/calendar/", {"week": "2026-13-45"})
    # then
    assert [e for e in empty["entries"] if e["kind"] == "workshop"] == []
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["week"])


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.INSTITUTION_ADMIN])
def test_the_customer_side_cannot_read_the_vendors_week(role):
    # when
    response = _app(PersonFactory(role=role)).get("/api/v1/vendor/calendar/")
    # then
    assert response.status_code == 403
