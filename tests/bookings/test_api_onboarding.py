"""The welcome service (İlk Karşılama) over the API: the institution admin asks for it, vendor
staff record, schedule and complete it."""

import datetime

import time_machine
from django.utils import timezone

from bookings.models import OnboardingItem
from core.models import OutboxMessage
from tests.factories.bookings import product


def _ask(client, **extra):
    body = {"product": product().code, "version": "8.5", "purchased_on": "2026-01-05", **extra}
    return client.post("/api/v1/onboarding/", body, format="json")


def test_institution_admin_asks_for_a_welcome_service_and_staff_are_mailed(client_for, admin, staff):
    # when
    response = _ask(client_for(admin))
    # then
    assert response.status_code == 201
    assert (response.json()["version"], response.json()["status"]) == ("8.5", "pending")
    item = OnboardingItem.objects.get()
    assert (item.institution, item.recorded_by) == (admin.institution, admin)
    assert OutboxMessage.objects.filter(recipient=staff.email).exists()


def test_a_customer_who_is_not_the_admin_cannot_ask(client_for, customer):
    # when
    response = _ask(client_for(customer))
    # then
    assert response.status_code == 403
    assert not OnboardingItem.objects.exists()


def test_a_purchase_date_in_the_future_is_refused(client_for, admin):
    # when
    response = _ask(client_for(admin), purchased_on=str(timezone.localdate() + datetime.timedelta(days=2)))
    # then
    assert response.status_code == 422
    assert "purchased_on" in response.json()["error"]["fields"]


def test_staff_record_schedule_and_complete_through_the_api(client_for, admin, staff, trainer):
    # given
    client = client_for(staff)
    recorded = _ask(client, institution=admin.institution.slug).json()
    starts_at = (timezone.now() + datetime.timedelta(days=3)).isoformat()
    # when
    scheduled = client.post(
        f"/api/v1/onboarding/{recorded['id']}/schedule/",
        {"starts_at": starts_at, "engineer": trainer.pk},
        format="json",
    )
    early = client.post(f"/api/v1/onboarding/{recorded['id']}/complete/", {"note": "Erken."}, format="json")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3, hours=2), tick=False):
        completed = client.post(
            f"/api/v1/onboarding/{recorded['id']}/complete/", {"note": "Kuruldu."}, format="json"
        )
    # then
    assert early.status_code == 422
    assert scheduled.status_code == 200
    assert scheduled.json()["engineer"]["id"] == trainer.pk
    assert (completed.json()["status"], completed.json()["note"]) == ("completed", "Kuruldu.")


def test_the_institution_admin_cannot_schedule(client_for, admin, trainer):
    # given
    item = _ask(client_for(admin)).json()
    # when
    response = client_for(admin).post(
        f"/api/v1/onboarding/{item['id']}/schedule/",
        {"starts_at": (timezone.now() + datetime.timedelta(days=3)).isoformat(), "engineer": trainer.pk},
        format="json",
    )
    # then
    assert response.status_code == 403


def test_another_institution_cannot_reach_the_item(client_for, admin, stranger_admin):
    # given
    item = _ask(client_for(admin)).json()
    # when
    response = client_for(stranger_admin).get(f"/api/v1/onboarding/{item['id']}/")
    # then
    assert response.status_code == 404
