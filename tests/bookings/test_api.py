import datetime

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from bookings import services
from bookings.models import OnsiteRequest, Workshop
from bookings.services import onboarding_record
from organizations.roles import Role
from packages.models import Allotment
from tests.factories import PersonFactory
from tests.factories.bookings import (
    future_day,
    future_time,
    onsite_requested,
    product,
    workshop_held,
    workshop_requested,
    workshop_scheduled,
)


def _me_quota(client, channel):
    return client.get("/api/v1/me/").json()["subscription"]["quotas"][channel]


def test_institution_admin_requests_a_workshop(client_for, admin):
    # when
    response = client_for(admin).post(
        "/api/v1/workshops/",
        {
            "topic": "Netcad 8",
            "preferred_dates": [str(future_day(5)), str(future_day(6))],
            "participants": 12,
        },
        format="json",
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["participants"], body["unit_returned"]) == ("requested", 12, False)
    assert body["preferred_dates"] == [str(future_day(5)), str(future_day(6))]


def test_workshop_list_shows_only_the_institutions_own(client_for, admin, stranger_admin):
    # given
    workshop_requested(admin)
    workshop_requested(stranger_admin)
    # when
    body = client_for(admin).get("/api/v1/workshops/").json()
    # then
    assert [w["institution"]["id"] for w in body["results"]] == [admin.institution_id]


def test_workshops_are_locked_on_standard_with_the_packages_that_have_them(
    client_for, standard_admin, catalogue
):
    # when
    response = client_for(standard_admin).get("/api/v1/workshops/")
    # then
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "feature_locked"
    assert sorted(error["packages"]) == sorted([catalogue["premium"].name, catalogue["premium_plus"].name])


def test_exhausted_workshops_are_refused_with_the_renewal_date(client_for, admin, premium):
    # given
    Allotment.objects.filter(subscription=premium, channel="workshops").update(used=F("allotment"))
    # when
    response = client_for(admin).post(
        "/api/v1/workshops/",
        {"topic": "GIS", "preferred_dates": [str(future_day(5)), str(future_day(6))], "participants": 3},
        format="json",
    )
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["channel"], error["renews_on"]) == (
        "quota_exhausted",
        "workshops",
        premium.renews_on.isoformat(),
    )


def test_me_quota_moves_as_a_workshop_is_scheduled_and_given_back(client_for, admin, staff, trainer):
    # given
    workshop = workshop_requested(admin)
    admin_client, staff_client = client_for(admin), client_for(staff)
    before = _me_quota(admin_client, "workshops")
    # when
    scheduled = staff_client.post(
        f"/api/v1/workshops/{workshop.pk}/schedule/",
        {
            "starts_at": future_time(10).isoformat(),
            "trainer": trainer.pk,
            "meeting_url": "https://meet.test/a",
        },
        format="json",
    )
    during = _me_quota(admin_client, "workshops")
    cancelled = admin_client.post(f"/api/v1/workshops/{workshop.pk}/cancel/", {}, format="json")
    after = _me_quota(admin_client, "workshops")
    # then
    assert scheduled.status_code == 200 and scheduled.json()["trainer"]["id"] == trainer.pk
    assert cancelled.json()["unit_returned"] is True
    assert (before["used"], before["remaining"]) == (0, 12)
    assert (during["used"], during["remaining"]) == (1, 11)
    assert (after["used"], after["remaining"]) == (0, 12)


def test_only_booking_staff_schedule_and_decline(client_for, admin, trainer):
    # given
    workshop = workshop_requested(admin)
    # when
    schedule = client_for(admin).post(
        f"/api/v1/workshops/{workshop.pk}/schedule/",
        {
            "starts_at": future_time(10).isoformat(),
            "trainer": trainer.pk,
            "meeting_url": "https://meet.test/a",
        },
        format="json",
    )
    decline = client_for(trainer).post(
        f"/api/v1/workshops/{workshop.pk}/decline/", {"reason": "x"}, format="json"
    )
    # then
    assert (schedule.status_code, decline.status_code) == (403, 403)


def test_decline_by_staff(client_for, admin, staff):
    # given
    workshop = workshop_requested(admin)
    # when
    response = client_for(staff).post(
        f"/api/v1/workshops/{workshop.pk}/decline/", {"reason": "Takvim dolu"}, format="json"
    )
    # then
    assert (response.status_code, response.json()["status"], response.json()["reason"]) == (
        200,
        "declined",
        "Takvim dolu",
    )


def test_trainer_overlap_is_a_field_error(client_for, admin, staff, trainer):
    # given
    workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=10))
    other = workshop_requested(admin)
    # when
    response = client_for(staff).post(
        f"/api/v1/workshops/{other.pk}/schedule/",
        {
            "starts_at": future_time(10, hour=11).isoformat(),
            "trainer": trainer.pk,
            "meeting_url": "https://m.test/b",
        },
        format="json",
    )
    # then
    assert response.status_code == 422
    assert "trainer" in response.json()["error"]["fields"]


def test_a_customer_who_is_not_the_admin_is_refused(client_for, premium):
    # given
    customer = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    # when
    response = client_for(customer).get("/api/v1/workshops/")
    # then
    assert response.status_code == 403


# (method, path as in the schema, body) for every operation on one booking; the tenancy test
# checks that this table covers the schema.
BOOKING_ENDPOINTS = [
    ("get", "/api/v1/workshops/{id}/", None),
    ("post", "/api/v1/workshops/{id}/cancel/", {}),
    (
        "post",
        "/api/v1/workshops/{id}/schedule/",
        {"starts_at": "2030-01-02T10:00:00Z", "trainer": 1, "meeting_url": "https://m.test"},
    ),
    ("post", "/api/v1/workshops/{id}/decline/", {"reason": "x"}),
    ("post", "/api/v1/workshops/{id}/participants/", {"people": []}),
    ("get", "/api/v1/onsite-requests/{id}/", None),
    ("post", "/api/v1/onsite-requests/{id}/accept/", {}),
    ("post", "/api/v1/onsite-requests/{id}/decline/", {}),
    ("post", "/api/v1/onsite-requests/{id}/confirm/", {"engineer": 1}),
    ("post", "/api/v1/onsite-requests/{id}/quote/", {"day_rate": "100.00", "valid_until": "2030-01-01"}),
    ("post", "/api/v1/onsite-requests/{id}/complete/", {"report": "x"}),
    ("post", "/api/v1/onsite-requests/{id}/cancel/", {}),
    ("get", "/api/v1/onsite-requests/{id}/quote-pdf/", None),
    ("get", "/api/v1/onboarding/{id}/", None),
    ("post", "/api/v1/onboarding/{id}/schedule/", {"starts_at": "2030-01-01T10:00:00Z", "engineer": 1}),
    ("post", "/api/v1/onboarding/{id}/complete/", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), BOOKING_ENDPOINTS)
def test_another_institution_gets_404_and_changes_nothing(
    client_for, admin, staff, stranger_admin, method, path, body
):
    # given
    ids = {
        "workshops": workshop_requested(admin).pk,
        "onsite-requests": onsite_requested(admin).pk,
        "onboarding": onboarding_record(
            actor=staff,
            institution=admin.institution,
            product=product(),
            version="1",
            purchased_on=datetime.date(2026, 1, 1),
        ).pk,
    }
    url = path.replace("{id}", str(ids[path.split("/")[3]]))
    # when
    response = getattr(client_for(stranger_admin), method)(url, body, format="json")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert set(Workshop.objects.values_list("status", flat=True)) == {"requested"}
    assert set(OnsiteRequest.objects.values_list("status", flat=True)) == {"requested"}


def test_premium_onsite_days_are_drawn_on_confirmation(client_for, admin, staff, trainer):
    # given
    created = client_for(admin).post(
        "/api/v1/onsite-requests/",
        {"dates": [str(future_day(20)), str(future_day(21))], "address": "Ankara", "purpose": "Kurulum"},
        format="json",
    )
    pk = created.json()["id"]
    # when
    confirmed = client_for(staff).post(
        f"/api/v1/onsite-requests/{pk}/confirm/", {"engineer": trainer.pk}, format="json"
    )
    # then
    assert created.status_code == 201 and created.json()["included"] is True
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    quota = _me_quota(client_for(admin), "onsite_days")
    assert (quota["used"], quota["remaining"]) == (2, 4)


def test_standard_quote_workflow_through_the_api(client_for, standard_admin, staff, trainer):
    # given
    created = client_for(standard_admin).post(
        "/api/v1/onsite-requests/",
        {
            "dates": [str(future_day(20)), str(future_day(21)), str(future_day(22))],
            "address": "İzmir",
            "purpose": "Eğitim",
        },
        format="json",
    )
    pk = created.json()["id"]
    # when
    quoted = client_for(staff).post(
        f"/api/v1/onsite-requests/{pk}/quote/",
        {"day_rate": "12500.00", "valid_until": str(future_day(7))},
        format="json",
    )
    accepted = client_for(standard_admin).post(f"/api/v1/onsite-requests/{pk}/accept/", {}, format="json")
    confirmed = client_for(staff).post(
        f"/api/v1/onsite-requests/{pk}/confirm/", {"engineer": trainer.pk}, format="json"
    )
    # then
    assert created.json()["included"] is False
    quote = quoted.json()["quote"]
    assert (quote["net_total"], quote["vat_total"], quote["gross_total"]) == (
        "37500.00",
        "7500.00",
        "45000.00",
    )
    assert accepted.json()["status"] == "accepted"
    assert confirmed.json()["status"] == "confirmed"
    assert _me_quota(client_for(standard_admin), "onsite_days")["used"] == 0


def test_quoting_a_premium_request_is_a_conflict(client_for, admin, staff):
    # given
    visit = onsite_requested(admin)
    # when
    response = client_for(staff).post(
        f"/api/v1/onsite-requests/{visit.pk}/quote/",
        {"day_rate": "100.00", "valid_until": str(future_day(3))},
        format="json",
    )
    # then
    assert response.status_code == 409


def test_onboarding_items_are_listed_for_the_institution(client_for, admin, staff, stranger_admin):
    # given
    onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="8.5",
        purchased_on=datetime.date(2026, 1, 5),
    )
    # when
    own = client_for(admin).get("/api/v1/onboarding/").json()["results"]
    other = client_for(stranger_admin).get("/api/v1/onboarding/").json()["results"]
    # then
    assert [(i["version"], i["status"]) for i in own] == [("8.5", "pending")]
    assert other == []


def test_vendor_records_who_joined_through_the_api(client_for, admin, staff, trainer):
    # given
    workshop = workshop_held(admin, staff, trainer, attended=7)
    ayse, mehmet = PersonFactory(institution=admin.institution), PersonFactory(institution=admin.institution)
    # when
    response = client_for(staff).post(
        f"/api/v1/workshops/{workshop.pk}/participants/", {"people": [ayse.pk, mehmet.pk]}, format="json"
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["attended"] == 2
    assert sorted(p["id"] for p in body["participants_joined"]) == sorted([ayse.pk, mehmet.pk])
    listed = client_for(admin).get(f"/api/v1/workshops/{workshop.pk}/").json()
    assert len(listed["participants_joined"]) == 2


def test_participants_through_the_api_are_checked(client_for, admin, staff, trainer, stranger_admin):
    # given
    held = workshop_held(admin, staff, trainer, attended=7)
    scheduled = workshop_scheduled(admin, staff, trainer, starts_at=future_time(12))
    ayse = PersonFactory(institution=admin.institution)
    # when
    stranger = client_for(staff).post(
        f"/api/v1/workshops/{held.pk}/participants/", {"people": [stranger_admin.pk]}, format="json"
    )
    not_held = client_for(staff).post(
        f"/api/v1/workshops/{scheduled.pk}/participants/", {"people": [ayse.pk]}, format="json"
    )
    by_admin = client_for(admin).post(
        f"/api/v1/workshops/{held.pk}/participants/", {"people": [ayse.pk]}, format="json"
    )
    other_institution = client_for(stranger_admin).post(
        f"/api/v1/workshops/{held.pk}/participants/", {"people": []}, format="json"
    )
    # then
    assert (stranger.status_code, list(stranger.json()["error"]["fields"])) == (422, ["people"])
    assert (not_held.status_code, not_held.json()["error"]["code"]) == (409, "invalid_transition")
    assert by_admin.status_code == 403
    assert other_institution.status_code == 404
    held.refresh_from_db()
    assert (held.attendees.count(), held.attended) == (0, 7)


def test_workshop_list_costs_the_same_queries_for_more_rows(
    client_for, admin, staff, trainer, django_assert_max_num_queries
):
    # given
    for hour in (9, 12, 15):
        workshop_scheduled(admin, staff, trainer, starts_at=future_time(10, hour=hour))
    client = client_for(staff)
    # when / then
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/workshops/")
    assert len(response.json()["results"]) == 3


def test_onsite_list_costs_the_same_queries_for_more_rows(
    client_for, admin, staff, trainer, django_assert_max_num_queries
):
    # given
    for first in (10, 20, 30):
        onsite_requested(admin, days=1, first=first)
    client = client_for(admin)
    # when / then
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/onsite-requests/")
    assert len(response.json()["results"]) == 3


def test_quote_pdf_is_downloaded_by_its_signed_url_without_credentials(client_for, standard_admin, staff):
    # given
    visit = onsite_requested(standard_admin)
    client_for(staff).post(
        f"/api/v1/onsite-requests/{visit.pk}/quote/",
        {"day_rate": "12500.00", "valid_until": str(future_day(5))},
        format="json",
    )
    # when
    pdf_url = client_for(standard_admin).get(f"/api/v1/onsite-requests/{visit.pk}/").json()["quote"]["pdf"]
    response = APIClient().get(pdf_url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def _onsite_body(days: int, **extra) -> dict:
    return {
        "dates": [str(future_day(10 + i)) for i in range(days)],
        "address": "Atatürk Bulvarı 1, Ankara",
        "purpose": "Kurulum",
        **extra,
    }


def test_onsite_request_over_the_remaining_days_is_409_with_remaining(client_for, admin, premium):
    # given: 4 of 6 days left
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=2)
    # when
    response = client_for(admin).post("/api/v1/onsite-requests/", _onsite_body(5), format="json")
    # then
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["remaining"], error["requested"]) == ("quota_exhausted", 4, 5)


def test_onsite_request_with_quote_extra_quotes_the_days_beyond(client_for, admin, premium):
    # given
    Allotment.objects.filter(subscription=premium, channel="onsite_days").update(used=2)
    # when
    response = client_for(admin).post(
        "/api/v1/onsite-requests/", _onsite_body(5, quote_extra=True), format="json"
    )
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["days"], body["included_days"], body["priced_days"], body["status"]) == (
        5,
        4,
        1,
        "requested",
    )


def test_onsite_cancel_answers_days_returned(client_for, admin, staff, trainer, premium):
    # given
    visit = services.onsite_confirm(actor=staff, visit=onsite_requested(admin, days=2), engineer=trainer)
    # when
    response = client_for(admin).post(f"/api/v1/onsite-requests/{visit.pk}/cancel/", {}, format="json")
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["days_returned"]) == ("cancelled", 2)
    assert _me_quota(client_for(admin), "onsite_days")["used"] == 0


def test_onsite_cancel_of_another_institutions_request_is_404(client_for, admin, stranger_admin):
    # given
    visit = onsite_requested(stranger_admin)
    # when
    response = client_for(admin).post(f"/api/v1/onsite-requests/{visit.pk}/cancel/", {}, format="json")
    # then
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.status == OnsiteRequest.Status.REQUESTED
