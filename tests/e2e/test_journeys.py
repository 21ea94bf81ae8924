"""The product as people meet it, in Chromium: Turkish by default, as a customer, an engineer
and a customer whose quota has run out."""

import datetime
import re

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import User
from packages.models import Allotment
from packages.selectors import subscription_get_active
from tests.e2e.conftest import log_in
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _queue_order(page) -> list[int]:
    return [
        int(n)
        for n in page.locator("tr[data-ticket]").evaluate_all("rows => rows.map(r => r.dataset.ticket)")
    ]


def test_premium_ticket_is_answered_in_time_ahead_of_older_standard(demo, open_page, live_server):
    # given: a Standard ticket filed ten minutes earlier
    older = ticket_file(
        actor=User.objects.get(username="standard-user1"),
        subject="Lisans sunucusu yanıt vermiyor",
        description="Sabahtan beri bağlanamıyoruz.",
        at=timezone.now() - datetime.timedelta(minutes=10),
    )
    customer = log_in(open_page(), live_server, "premium-user1", "/tickets/new/")

    # when: the Premium customer files a ticket
    customer.select_option("select[name=kind]", "problem")
    customer.fill("input[name=subject]", "Parsel sorgusu boş dönüyor")
    customer.fill("textarea[name=description]", "Ada 112 parsel 5 sorgusu sonuç vermiyor.")
    customer.get_by_role("button", name="Talebi aç").click()
    customer.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    filed = int(re.search(r"/tickets/(\d+)/$", customer.url).group(1))

    # then: engineer1 sees it ahead of the older Standard ticket, and replies
    engineer = log_in(open_page(), live_server, "engineer1", "/desk/queue/")
    order = _queue_order(engineer)
    assert order.index(filed) < order.index(older.pk)
    engineer.locator(f"tr[data-ticket='{filed}'] a").click()
    engineer.fill("textarea[name=reply-body]", "Sorgu motorunu güncelledik, tekrar dener misiniz?")
    engineer.get_by_role("button", name="Yanıtı gönder").click()
    expect(engineer.locator(".notice.success")).to_contain_text("Yanıtınız gönderildi")

    # and the customer sees the reply and the first response made in time, in Turkish
    customer.reload()
    expect(customer.locator(".message[data-kind=reply]")).to_contain_text("Sorgu motorunu güncelledik")
    expect(customer.get_by_test_id("sla")).to_have_text("Zamanında yanıtlandı")


def test_standard_user_with_exhausted_quota_is_told_and_loses_nothing(demo, open_page, live_server):
    # given: the Standard institution has used its 20 written tickets
    subscription = subscription_get_active(
        institution=User.objects.get(username="standard-user1").institution
    )
    Allotment.objects.filter(subscription=subscription, channel="written").update(used=F("allotment"))
    page = log_in(open_page(), live_server, "standard-user1", "/tickets/new/")

    # then: the form says so before anything is typed
    expect(page.get_by_test_id("filing-blocked")).to_contain_text("Yazılı destek hakkınız doldu")

    # when: the person writes the request anyway and submits it
    page.select_option("select[name=kind]", "bug")
    page.fill("input[name=subject]", "Rapor çıktısı bozuk")
    page.fill("textarea[name=description]", "PDF raporunda Türkçe karakterler bozuk görünüyor.")
    page.get_by_role("button", name="Talebi aç").click()

    # then: refused with the reason, and everything typed is still there
    expect(page.locator("form .notice.error")).to_contain_text("hakkınız doldu")
    expect(page.locator("input[name=subject]")).to_have_value("Rapor çıktısı bozuk")
    expect(page.locator("textarea[name=description]")).to_have_value(
        "PDF raporunda Türkçe karakterler bozuk görünüyor."
    )
    expect(page.locator("select[name=kind]")).to_have_value("bug")


def test_language_switch_turns_the_page_into_english_and_back(demo, open_page, live_server):
    # given
    page = log_in(open_page(), live_server, "premium-user1")
    expect(page.locator("h2#sub-title")).to_have_text("Destek sözleşmeniz")

    # when
    page.get_by_test_id("lang-switch").click()

    # then
    expect(page.locator("h2#sub-title")).to_have_text("Your support contract")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # when
    page.get_by_test_id("lang-switch").click()

    # then
    expect(page.locator("h2#sub-title")).to_have_text("Destek sözleşmeniz")
    expect(page.locator("html")).to_have_attribute("lang", "tr")


def test_queue_refreshes_without_reload_and_counts_down(demo, open_page, live_server, settings):
    # given
    settings.DESK_REFRESH_SECONDS = 1
    engineer = log_in(open_page(), live_server, "engineer1", "/desk/queue/")
    engineer.evaluate("window.__notReloaded = true")

    # when: a ticket is filed while the queue is open
    ticket = ticket_file(
        actor=User.objects.get(username="premiumplus-user1"),
        subject="Yeni gelen talep",
        description="Canlı kuyruk.",
    )

    # then: its row appears on the same page, with a running countdown
    row = engineer.locator(f"tr[data-ticket='{ticket.pk}']")
    expect(row).to_be_visible(timeout=8_000)
    expect(row.locator("[data-sla=running]")).to_contain_text("kaldı")
    assert engineer.evaluate("window.__notReloaded") is True
