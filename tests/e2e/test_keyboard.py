"""The portal with a keyboard alone, and with a screen reader's ears: every action reached with Tab
in an order that shows where the focus is; a refused form puts the focus on its first error; the
live countdowns are announced politely, not every second."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in
from tickets.models import Ticket
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  return {
    what: el.outerHTML.slice(0, 120),
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth,
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
  };
}"""


def tab_to(page, target, limit=150):
    """Presses Tab until `target` has the focus. Every element the focus passes on the way must be
    on screen and show a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is not None:
            assert focused["onScreen"], f"focus is off screen on {focused['what']}"
            assert focused["ring"], f"focus shows no ring on {focused['what']}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with Tab in {limit} presses")


def test_customer_skips_files_replies_shares_and_switches_language_with_the_keyboard(
    demo, open_page, live_server
):
    # given
    page = log_in(open_page(), live_server, "premium-user1", "/tickets/new/")
    colleague = User.objects.get(username="premium-user2")

    # when: the first Tab
    page.keyboard.press("Tab")
    # then: it reaches the skip link, shown while focused, which moves the focus to the content
    skip = page.get_by_role("link", name="İçeriğe geç")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    # when: the ticket is filed by keyboard alone
    tab_to(page, page.locator("input[name=subject]"))
    page.keyboard.type("Klavyeyle açılan talep")
    tab_to(page, page.locator("textarea[name=description]"))
    page.keyboard.type("Fare kullanmadan yazıldı.")
    tab_to(page, page.get_by_role("button", name="Talebi aç"))
    page.keyboard.press("Enter")
    # then (a redirect keeps the skip link's #content)
    page.wait_for_url(re.compile(r".*/tickets/\d+/(#content)?$"))
    expect(page.locator("h1")).to_contain_text("Klavyeyle açılan talep")

    # when: a reply
    tab_to(page, page.locator("textarea[name=reply-body]"))
    page.keyboard.type("Ek bilgi: sorun sabah başladı.")
    tab_to(page, page.get_by_role("button", name="Yanıtı gönder"))
    page.keyboard.press("Enter")
    # then
    expect(page.locator(".notice.success")).to_contain_text("Yanıtınız gönderildi")

    # when: a share with a colleague: the form opened from the share panel, which focuses its
    # first field, then the option chosen with the arrow keys
    tab_to(page, page.get_by_test_id("share-open"))
    page.keyboard.press("Enter")
    expect(page.locator("select[name=share-person]")).to_be_focused()
    while page.locator("select[name=share-person]").input_value() != str(colleague.pk):
        page.keyboard.press("ArrowDown")
    tab_to(page, page.get_by_test_id("share-panel").get_by_role("button", name="Paylaş"))
    page.keyboard.press("Enter")
    # then
    expect(page.locator(".notice.success")).to_contain_text("Talep paylaşıldı")

    # when: the language switch, from the top of the page
    tab_to(page, page.get_by_test_id("lang-switch"))
    page.keyboard.press("Enter")
    # then
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_engineer_filters_the_queue_and_replies_with_the_keyboard(demo, open_page, live_server):
    # given
    ticket = ticket_file(
        actor=User.objects.get(username="premium-user1"), subject="Kuyruktan klavyeyle", description="—"
    )
    page = log_in(open_page(), live_server, "engineer1", "/desk/queue/")
    package = page.locator("select[name=package]")

    # when: a filter is changed with the arrow keys
    tab_to(page, package)
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    # then: the page does not reload under the person; the Filter button applies it
    assert "package=" not in page.url
    chosen = package.input_value()
    tab_to(page, page.get_by_role("button", name="Süz"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*package={chosen}.*"))

    # when: the ticket is opened and answered from the keyboard
    tab_to(page, page.get_by_role("link", name="Temizle"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/desk/queue/$"))
    tab_to(page, page.locator(f"tr[data-ticket='{ticket.pk}'] a"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/tickets/{ticket.pk}/$"))
    tab_to(page, page.locator("textarea[name=reply-body]"))
    page.keyboard.type("Bakıyoruz.")
    tab_to(page, page.get_by_role("button", name="Yanıtı gönder"))
    page.keyboard.press("Enter")

    # then
    expect(page.locator(".notice.success")).to_contain_text("Yanıtınız gönderildi")


def test_refused_form_focuses_its_first_error_tied_to_the_field_and_keeps_the_text(
    demo, open_page, live_server
):
    # given
    page = log_in(open_page(), live_server, "premium-user1", "/tickets/new/")
    page.fill("textarea[name=description]", "Konu yazmayı unuttum.")

    # when
    page.get_by_role("button", name="Talebi aç").click()

    # then: the subject has the focus, is marked invalid and described by its error
    subject = page.locator("input[name=subject]")
    expect(subject).to_be_focused()
    expect(subject).to_have_attribute("aria-invalid", "true")
    described_by = subject.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{id_}").inner_text().strip() for id_ in described_by if "error" in id_)
    expect(page.locator("textarea[name=description]")).to_have_value("Konu yazmayı unuttum.")


def test_failed_login_focuses_the_error(demo, open_page, live_server):
    # given
    page = open_page()
    page.goto(f"{live_server.url}/accounts/login/")

    # when
    page.fill("input[name=username]", "premium-user1")
    page.fill("input[name=password]", "wrong-password")
    page.click("[data-testid=login-submit]")

    # then
    expect(page.locator("form .notice.error")).to_be_focused()
    expect(page.locator("input[name=username]")).to_have_value("premium-user1")


def test_countdown_is_announced_politely_once_a_minute_and_when_its_state_changes(
    demo, open_page, live_server
):
    # given: a ticket whose warning time comes in 90 seconds
    ticket = ticket_file(
        actor=User.objects.get(username="premium-user1"), subject="Sayaç duyurusu", description="—"
    )
    Ticket.objects.filter(pk=ticket.pk).update(warning_due_at=timezone.now() + datetime.timedelta(seconds=90))
    page = open_page()
    page.clock.install()
    log_in(page, live_server, "premium-user1", f"/tickets/{ticket.pk}/")
    countdown = page.locator("[data-sla=running]")
    announcer = page.locator("[data-sla-announcer]")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert countdown.get_attribute("aria-live") in (None, "off")

    # when: a few seconds pass
    before = countdown.inner_text()
    page.clock.run_for(3_000)
    # then: the countdown moved, and nothing was announced
    assert countdown.inner_text() != before
    expect(announcer).to_have_text("")

    # when: a minute passes
    page.clock.run_for(60_000)
    # then: the time left is announced, in minutes
    expect(announcer).to_contain_text("Sayaç duyurusu")
    expect(announcer).to_contain_text("dk kaldı")
    announced = announcer.inner_text()

    # when: seconds pass within the next minute
    page.clock.run_for(10_000)
    # then: the same announcement stands
    expect(announcer).to_have_text(announced)

    # when: the warning time comes
    page.clock.run_for(25_000)
    # then: it is announced at once
    expect(countdown).to_have_class(re.compile("sla-near"))
    expect(announcer).to_contain_text("Uyarı zamanı geldi")


def test_queue_refresh_announces_its_new_count_not_its_table(demo, open_page, live_server, settings):
    # given
    settings.DESK_REFRESH_SECONDS = 1
    page = log_in(open_page(), live_server, "engineer1", "/desk/queue/")
    announcer = page.locator("[data-sla-announcer]")
    assert page.locator("#queue").get_attribute("aria-live") is None

    # when: a ticket arrives while the queue is open
    ticket = ticket_file(
        actor=User.objects.get(username="premiumplus-user1"), subject="Yeni geldi", description="—"
    )

    # then: the new count is announced
    expect(page.locator(f"tr[data-ticket='{ticket.pk}']")).to_be_visible(timeout=8_000)
    expect(announcer).to_contain_text("açık talep")
    assert announcer.inner_text() == page.get_by_test_id("queue-count").inner_text()
