"""Bookings in Chromium, on a phone: the institution admin requests a workshop and cancels it in
time to get the unit back; vendor staff schedule a request; a Standard admin accepts a quote."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import services
from bookings.models import OnsiteRequest, Workshop
from organizations.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _day(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_institution_admin_requests_a_workshop_and_cancels_it_in_time(demo, open_page, live_server):
    # given
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/workshops/")
    expect(page.get_by_test_id("allotment")).to_contain_text("12 haktan 12 kaldı")

    # when: the admin asks for a workshop on two days
    page.get_by_label("Konu").fill("Parsel sorgulama eğitimi")
    page.get_by_label("Birinci tercih edilen tarih").fill(_day(9))
    page.get_by_label("İkinci tercih edilen tarih").fill(_day(10))
    page.get_by_label("Beklenen katılımcı sayısı").fill("14")
    page.get_by_role("button", name="Talebi gönder").click()
    page.wait_for_url(re.compile(r".*/workshops/$"))

    # then: it is listed as requested, nothing drawn, and nothing overflows the phone's width
    expect(page.locator(".notice.success")).to_contain_text("Workshop talebiniz gönderildi")
    workshop = Workshop.objects.get(topic="Parsel sorgulama eğitimi")
    row = page.locator(f"tr[data-workshop='{workshop.pk}']")
    expect(row).to_contain_text("Talep edildi")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and once vendor staff schedule it a week ahead, one unit is drawn
    starts_at = timezone.now() + datetime.timedelta(days=7)
    services.workshop_schedule(
        actor=User.objects.get(username="staff"),
        workshop=workshop,
        starts_at=starts_at,
        trainer=User.objects.get(username="engineer1"),
        meeting_url="https://meet.example.com/parsel",
    )
    page.reload()
    expect(page.get_by_test_id("allotment")).to_contain_text("12 haktan 11 kaldı")

    # and cancelling more than 48 hours before the start gives it back
    row.get_by_role("button", name="İptal et").click()
    expect(page.locator(".notice.success")).to_contain_text("hakkı iade edildi")
    expect(page.get_by_test_id("allotment")).to_contain_text("12 haktan 12 kaldı")
    expect(page.locator(f"tr[data-workshop='{workshop.pk}']")).to_contain_text("Hak iade edildi")


def test_vendor_staff_schedule_a_requested_workshop_on_a_phone(demo, open_page, live_server):
    # given: the demo's request of Premium
    workshop = Workshop.objects.filter(status=Workshop.Status.REQUESTED).order_by("pk").first()
    trainer = User.objects.get(username="engineer2")
    page = log_in(open_page(**PHONE), live_server, "staff", "/vendor/workshops/")
    card = page.locator(f"article[data-workshop='{workshop.pk}']")

    # when
    card.locator("summary", has_text="Planla").click()
    card.get_by_label("Başlangıç").fill(f"{_day(6)}T10:00")
    card.get_by_label("Eğitmen").select_option(str(trainer.pk))
    card.get_by_label("Toplantı bağlantısı").fill("https://meet.example.com/egitim")
    card.get_by_role("button", name="Planla ve bir hak düş").click()
    page.wait_for_url(re.compile(r".*/vendor/workshops/$"))

    # then
    expect(page.locator(".notice.success")).to_contain_text("Workshop planlandı")
    expect(page.locator(f"article[data-workshop='{workshop.pk}']")).to_contain_text("Planlandı")
    workshop.refresh_from_db()
    assert (workshop.status, workshop.trainer) == (Workshop.Status.SCHEDULED, trainer)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and the trainer finds it on the vendor calendar of that week
    calendar = log_in(open_page(**PHONE), live_server, "engineer2", f"/vendor/calendar/?week={_day(6)}")
    expect(calendar.locator("section[data-person='engineer2']")).to_contain_text(workshop.topic)


def test_standard_admin_accepts_a_quote_on_a_phone(demo, open_page, live_server):
    # given: the demo's quoted request of Standard
    visit = OnsiteRequest.objects.get(status=OnsiteRequest.Status.QUOTED)
    page = log_in(open_page(**PHONE), live_server, "standard-admin", "/onsite/")
    expect(page.get_by_test_id(f"quote-{visit.pk}")).to_contain_text("KDV")

    # when
    page.get_by_test_id(f"accept-{visit.pk}").click()

    # then
    expect(page.locator(".notice.success")).to_contain_text("Teklif kabul edildi")
    expect(page.locator(f"article[data-onsite='{visit.pk}']")).to_contain_text("Teklif kabul edildi")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_vendor_records_who_joined_a_held_workshop_on_a_phone(demo, open_page, live_server):
    # given: a demo workshop request, scheduled and held
    import time_machine

    staff = User.objects.get(username="staff")
    workshop = Workshop.objects.filter(institution__slug="premium").order_by("pk").first()
    workshop = services.workshop_schedule(
        actor=staff,
        workshop=workshop,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        trainer=User.objects.get(username="engineer1"),
        meeting_url="https://meet.example.com/imar",
    )
    with time_machine.travel(workshop.starts_at + datetime.timedelta(hours=2), tick=False):
        services.workshop_mark_held(actor=staff, workshop=workshop, attended=4)
    page = log_in(open_page(**PHONE), live_server, "staff", "/vendor/workshops/")
    # when: staff open "record participants" and tick two people of the institution
    page.get_by_test_id(f"participants-{workshop.pk}").click()
    page.wait_for_url(re.compile(rf".*/vendor/workshops/{workshop.pk}/participants/$"))
    page.get_by_label(re.compile(r"premium-user1 \(")).check()
    page.get_by_label(re.compile(r"premium-unit \(")).check()
    page.get_by_role("button", name="Katılanları kaydet").click()
    page.wait_for_url(re.compile(r".*/vendor/workshops/$"))
    # then
    expect(page.locator(".notice.success")).to_contain_text("Katılanlar kaydedildi")
    expect(page.get_by_test_id(f"joined-{workshop.pk}")).to_contain_text("premium-user1")
    workshop.refresh_from_db()
    assert workshop.attended == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
