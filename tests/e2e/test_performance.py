"""The performance report in Chromium, at phone width."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_institution_admin_reads_the_performance_report_on_a_phone(demo, open_page, live_server):
    # when
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/institution/performance/?group_by=region")
    # then: Turkish, both charts drawn from their SVG, labelled fields, nothing wider than the phone
    expect(page.locator("h1")).to_have_text("Performans")
    for name in ("tickets", "usage"):
        chart = page.locator(f"[data-testid='chart-{name}'] img")
        expect(chart).to_have_count(1)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(page.get_by_label("İlk gün")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_standard_admin_sees_the_report_locked(demo, open_page, live_server):
    # when
    page = log_in(open_page(**PHONE), live_server, "standard-admin", "/institution/performance/")
    # then
    expect(page.locator("[data-testid='locked']")).to_contain_text("Premium")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
