"""Learning services in Chromium at phone width: a customer registers for a training and plays
the recording of a past one."""

import datetime
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_registers_for_a_training_and_plays_a_recording(demo, open_page, live_server):
    # given: a customer on a phone, on the list of sessions
    page = log_in(open_page(**PHONE), live_server, "premium-user1", "/learning/?view=list")
    assert _fits_the_phone(page)

    # when: they open the session limited to three places and register
    page.get_by_role("link", name="Netcad ile parsel sorgulama (canlı eğitim)").click()
    expect(page.get_by_test_id("places")).to_have_text("3 yerden 3 boş")
    page.get_by_role("button", name="Kaydol").click()

    # then: registered, one place fewer, and the page still fits the phone
    expect(page.locator(".notice.success")).to_contain_text("Katılım kaydınız alındı")
    expect(page.get_by_test_id("registration")).to_contain_text("Kayıtlı")
    expect(page.get_by_test_id("places")).to_have_text("3 yerden 2 boş")
    assert _fits_the_phone(page)

    # and the month view marks the session, without overflowing the phone
    session_id = re.search(r"/learning/trainings/(\d+)/$", page.url).group(1)
    month = timezone.localdate() + datetime.timedelta(days=3)  # the demo session is three days ahead
    page.goto(f"{live_server.url}/learning/?view=month&month={month:%Y-%m}")
    expect(page.locator(f"a.session.mine[data-training='{session_id}']")).to_have_count(1)
    assert _fits_the_phone(page)

    # when: they open the past session and play its recording
    page.goto(f"{live_server.url}/learning/?view=list")
    page.get_by_role("link", name="Netcad'de katman stilleri").click()
    video = page.get_by_test_id("recording").locator("video")
    expect(video).to_be_visible()
    video.evaluate("v => { v.muted = true; return v.play(); }")

    # then: the video plays
    # (polled from here: a wait_for_function expression is an eval the page's CSP refuses)
    deadline = time.monotonic() + 10
    while video.evaluate("v => v.currentTime") <= 0.2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert video.evaluate("v => v.currentTime") > 0.2
    assert video.evaluate("v => v.error === null && !v.paused")
    assert _fits_the_phone(page)


def test_library_at_phone_width_finds_an_inflected_word(demo, open_page, live_server):
    # given
    page = log_in(open_page(**PHONE), live_server, "premium-user1", "/learning/library/")
    # when
    page.get_by_role("searchbox", name="Ara").fill("belediyeler")
    page.get_by_role("button", name="Ara").click()
    # then
    expect(page.locator("article.library-item h2")).to_contain_text(["Örnek adres veri seti"])
    assert _fits_the_phone(page)
