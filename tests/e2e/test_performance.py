"""The performance report in Chromium, at phone width."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_institution_admin_reads_the_performance_report_on_a_phone(demo, open_page, live_server):
    # when
    page = log_in(
        open_page(**PHONE), live_server, "premium-admin", "/institution/performance/?group_by=region"
    )
    # then: Turkish, both charts drawn from their SVG, labelled fields, nothing wider than the phone
    expect(page.locator("h1")).to_have_text("Performans")
    for name in ("tickets", "usage"):
        chart = page.locator(f"[data-testid='chart-{name}'] img")
        expect(chart).to_have_count(1)
        chart.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    expect(page.get_by_label("İlk gün")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_demo_premium_admin_sees_product_usage_and_the_pdf_link(demo, open_page, live_server):
    # given: seed_demo sent three weeks of usage up to yesterday
    today = timezone.localdate()
    query = (
        f"?group_by=person&from={(today - datetime.timedelta(days=30)).isoformat()}&to={today.isoformat()}"
    )
    # when
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/institution/performance/")
    page.goto(f"{live_server.url}/institution/performance/{query}")
    # then: premium-user1's hours are more than zero, and the PDF is offered beside the XLSX
    user1 = User.objects.get(username="premium-user1")
    hours = page.locator(f"tr[data-row='{user1.pk}'] td[data-label='Saat']").inner_text()
    assert float(hours.replace(",", ".")) > 0
    expect(page.get_by_test_id("downloads").get_by_role("link", name="PDF olarak indir")).to_have_count(1)


def test_standard_admin_sees_the_report_locked(demo, open_page, live_server):
    # when
    page = log_in(open_page(**PHONE), live_server, "standard-admin", "/institution/performance/")
    # then
    expect(page.locator("[data-testid='locked']")).to_contain_text("Premium")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
