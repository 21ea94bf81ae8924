import datetime
from decimal import Decimal

import pytest

from bookings import services
from bookings.models import OnsiteRequest, Workshop
from organizations.roles import Role
from packages.models import Allotment
from tests.clients import login
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


def test_workshop_page_requests_a_workshop(browser_client, admin, premium):
    # when
    response = login(browser_client, admin).post(
        "/workshops/",
        {
            "topic": "Parsel sorgulama",
            "product": product().code,
            "date1": future_day(4),
            "date2": future_day(5),
            "participants": 8,
        },
        follow=True,
    )
    # then
    assert response.status_code == 200
    assert Workshop.objects.get().topic == "Parsel sorgulama"
    assert "12 of 12 left this contract year" in response.content.decode()


def test_workshop_page_keeps_what_was_typed_when_quota_is_used_up(browser_client, admin, premium):
    # given
    Allotment.objects.filter(subscription=premium, channel="workshops").update(used=12)
    # when
    response = login(browser_client, admin).post(
        "/workshops/", {"topic": "Kalsın", "date1": future_day(4), "date2": future_day(5), "participants": 8}
    )
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert "renews on" in page
    assert 'value="Kalsın"' in page


def test_workshop_page_is_locked_on_standard(browser_client, standard_admin):
    # when
    response = login(browser_client, standard_admin).get("/workshops/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="locked"' in page
    assert "Premium" in page


def test_locked_workshop_page_points_to_the_onsite_quote(browser_client, standard_admin):
    # when
    page = login(browser_client, standard_admin).get("/workshops/").content.decode()
    # then: what a Standard institution can buy instead
    assert 'href="/onsite/"' in page
    assert "your package does not include it" in page


def test_workshop_page_is_turkish_by_default(client, admin):
    # when
    response = login(client, admin).get("/workshops/")
    # then
    assert "Workshop talep et" in response.content.decode()


def test_institution_cancels_from_the_page(browser_client, admin, staff, trainer, premium):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when
    response = login(browser_client, admin).post(f"/workshops/{workshop.pk}/cancel/", follow=True)
    # then
    assert "given back" in response.content.decode()
    assert Allotment.objects.get(subscription=premium, channel="workshops").used == 0


def test_vendor_schedules_from_the_page(browser_client, admin, staff, trainer, premium):
    # given
    workshop = workshop_requested(admin)
    prefix = f"b{workshop.pk}"
    # when
    response = login(browser_client, staff).post(
        f"/vendor/workshops/{workshop.pk}/schedule/",
        {
            f"{prefix}-starts_at": future_time(9).strftime("%Y-%m-%dT%H:%M"),
            f"{prefix}-trainer": trainer.pk,
            f"{prefix}-meeting_url": "https://meet.test/q",
        },
        follow=True,
    )
    # then
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.SCHEDULED
    assert "one unit drawn" in response.content.decode()


def test_vendor_records_participants_among_the_institutions_people(
    browser_client, admin, staff, trainer, stranger_admin
):
    # given: a held workshop, two people of the institution and one of another
    workshop = workshop_held(admin, staff, trainer, attended=5)
    ayse = PersonFactory(institution=admin.institution, first_name="Ayşe", last_name="Yıldırım")
    PersonFactory(institution=admin.institution, first_name="Mehmet", last_name="Demir")
    client = login(browser_client, staff)
    listing = client.get("/vendor/workshops/").content.decode()
    form = client.get(f"/vendor/workshops/{workshop.pk}/participants/").content.decode()
    # when
    response = client.post(
        f"/vendor/workshops/{workshop.pk}/participants/", {"people": [ayse.pk]}, follow=True
    )
    # then
    assert f"/vendor/workshops/{workshop.pk}/participants/" in listing
    assert "Ayşe Yıldırım" in form and "Mehmet Demir" in form
    assert stranger_admin.username not in form and str(stranger_admin.email) not in form
    workshop.refresh_from_db()
    assert list(workshop.attendees.all()) == [ayse] and workshop.attended == 1
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/vendor/workshops/"
    assert "Ayşe Yıldırım" in page.split(f'data-testid="joined-{workshop.pk}"')[1].split("</dd>")[0]


def test_participants_of_another_institution_are_refused_on_the_page(
    browser_client, admin, staff, trainer, stranger_admin
):
    # given
    workshop = workshop_held(admin, staff, trainer, attended=5)
    # when
    response = login(browser_client, staff).post(
        f"/vendor/workshops/{workshop.pk}/participants/", {"people": [stranger_admin.pk]}
    )
    # then
    assert response.status_code == 400
    workshop.refresh_from_db()
    assert (workshop.attendees.count(), workshop.attended) == (0, 5)


def test_participants_page_is_for_held_workshops_and_booking_staff(client, admin, staff, trainer):
    # given
    scheduled = workshop_scheduled(admin, staff, trainer, starts_at=future_time(12))
    held = workshop_held(admin, staff, trainer)
    # when
    not_held = login(client, staff).get(f"/vendor/workshops/{scheduled.pk}/participants/")
    as_admin = login(client, admin).get(f"/vendor/workshops/{held.pk}/participants/")
    # then
    assert not_held.status_code == 404
    assert as_admin.status_code == 403


def test_vendor_workshop_page_costs_the_same_queries_for_more_rows(
    browser_client, admin, staff, django_assert_max_num_queries
):
    # given
    for _ in range(5):
        workshop_requested(admin)
    client = login(browser_client, staff)
    # when / then
    with django_assert_max_num_queries(12):
        response = client.get("/vendor/workshops/")
    assert response.content.decode().count("data-workshop=") == 5


def test_quote_answered_on_the_page_and_pdf_downloaded(browser_client, standard_admin, staff):
    # given
    visit = onsite_requested(standard_admin)
    services.onsite_quote(actor=staff, visit=visit, day_rate=Decimal("12500"), valid_until=future_day(5))
    client = login(browser_client, standard_admin)
    # when
    pdf = client.get(f"/onsite/{visit.pk}/quote.pdf")
    page = client.get("/onsite/").content.decode()
    client.post(f"/onsite/{visit.pk}/accept/")
    # then
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert "Accept the quote" in page
    visit.refresh_from_db()
    assert visit.status == OnsiteRequest.Status.ACCEPTED


def test_onsite_page_requests_consecutive_days(browser_client, admin):
    # when
    login(browser_client, admin).post(
        "/onsite/",
        {
            "first_day": future_day(8),
            "days": 2,
            "address": "Ankara",
            "purpose": "Eğitim",
            "contact_name": "Ali",
            "contact_phone": "0312",
        },
    )
    # then
    assert OnsiteRequest.objects.get().dates == [str(future_day(8)), str(future_day(9))]


def test_onboarding_page_shows_the_state_to_every_person_of_the_institution(browser_client, admin, staff):
    # given
    services.onboarding_record(
        actor=staff,
        institution=admin.institution,
        product=product(),
        version="9.1",
        purchased_on=datetime.date(2026, 10, 1),
    )
    customer = PersonFactory(role=Role.CUSTOMER, institution=admin.institution)
    # when
    page = login(browser_client, customer).get("/onboarding/").content.decode()
    # then
    assert "9.1" in page and "To be scheduled" in page


def test_calendar_shows_the_week_per_trainer(browser_client, admin, staff, trainer):
    # given
    workshop = workshop_scheduled(admin, staff, trainer)
    # when
    page = (
        login(browser_client, trainer)
        .get(f"/vendor/calendar/?week={workshop.starts_at.date()}")
        .content.decode()
    )
    # then
    assert f'data-person="{trainer.username}"' in page
    assert workshop.topic in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/workshops/{w}/cancel/"),
        ("post", "/onsite/{o}/accept/"),
        ("post", "/onsite/{o}/decline/"),
        ("get", "/onsite/{o}/quote.pdf"),
    ],
)
def test_another_institution_gets_404_on_every_page(client, admin, staff, stranger_admin, method, url):
    # given
    workshop = workshop_requested(admin)
    visit = onsite_requested(admin)
    # when
    response = getattr(login(client, stranger_admin), method)(url.format(w=workshop.pk, o=visit.pk))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url", ["/vendor/workshops/", "/vendor/onsite/", "/vendor/onboarding/", "/vendor/calendar/"]
)
def test_vendor_pages_are_refused_to_institution_admins(client, admin, url):
    # when
    response = login(client, admin).get(url)
    # then
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["/vendor/workshops/", "/vendor/onsite/", "/vendor/onboarding/", "/vendor/calendar/"]
)
def test_vendor_pages_render_for_booking_staff(client, staff, url):
    # when
    response = login(client, staff).get(url)
    # then
    assert response.status_code == 200
    assert b"style=" not in response.content and b"<script>" not in response.content


def test_home_page_allotments_move_as_workshops_are_drawn_and_given_back(
    browser_client, admin, staff, trainer
):
    # given
    client = login(browser_client, admin)
    workshop = workshop_scheduled(admin, staff, trainer)
    # when
    drawn = client.get("/").content.decode()
    services.workshop_cancel(actor=staff, workshop=workshop)
    returned = client.get("/").content.decode()
    # then
    assert "11 of 12 left" in drawn
    assert "12 of 12 left" in returned
