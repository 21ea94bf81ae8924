"""The desk's ticket page in the browser: a macro answered with the keyboard alone, two desk
members seeing each other on one ticket, and the grouped menu folding behind its button on a
phone. Every page opened here is audited with axe (open_page) at the width it is opened at."""

import re

import pytest
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in
from tests.factories import MacroFactory
from tickets.models import Ticket
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _ticket(subject="Katman dışa aktarımı duruyor") -> Ticket:
    requester = User.objects.get(username="premium-user1")
    requester.first_name = "Ayşe"
    requester.save(update_fields=["first_name"])
    return ticket_file(actor=requester, subject=subject, description="Dışa aktarım %40'ta duruyor.")


def test_engineer_answers_a_ticket_with_a_macro_using_only_the_keyboard(demo, open_page, live_server):
    # given: a ticket and engineer1's macro that also puts the ticket on the customer
    ticket = _ticket()
    engineer = User.objects.get(username="engineer1")
    MacroFactory(
        owner=engineer,
        name="Ekran görüntüsü iste",
        body="Merhaba {{ requester.first_name }}, #{{ ticket.id }} için ekran görüntüsü gönderir misiniz?",
        status="waiting",
    )
    page = log_in(open_page(), live_server, "engineer1", f"/tickets/{ticket.pk}/")
    expect(page.locator("h1")).to_contain_text(f"#{ticket.pk}")

    # when: "?" shows the shortcuts, Escape closes them
    page.keyboard.press("?")
    dialog = page.locator("dialog[data-shortcuts]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Makro seç")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # and: "m" goes to the macros, an arrow picks the first, Tab and Enter insert it
    page.keyboard.press("m")
    expect(page.locator("[data-macro-select]")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.locator("[data-macro-insert]")).to_be_focused()
    page.keyboard.press("Enter")

    # then: the answer is filled in for this ticket, in the reply box, which has the focus
    box = page.locator("textarea[name=reply-body]")
    expect(box).to_be_focused()
    expect(box).to_have_value(f"Merhaba Ayşe, #{ticket.pk} için ekran görüntüsü gönderir misiniz?")

    # when: Ctrl+Enter sends it
    page.keyboard.press("Control+Enter")

    # then: sent, and the macro's status set
    expect(page.locator(".notice.success")).to_contain_text("Yanıtınız gönderildi")
    expect(page.get_by_test_id("status")).to_have_text("Müşteri yanıtı bekleniyor")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.WAITING
    assert ticket.messages.get().author == engineer


def test_two_desk_members_on_one_ticket_see_each_other_within_five_seconds(demo, open_page, live_server):
    # given: engineer1 has the ticket open
    ticket = _ticket()
    first = log_in(open_page(), live_server, "engineer1", f"/tickets/{ticket.pk}/")
    expect(first.locator("h1")).to_contain_text(f"#{ticket.pk}")

    # when: engineer2 opens it in another browser
    second = log_in(open_page(), live_server, "engineer2", f"/tickets/{ticket.pk}/")

    # then: each sees the other, within 5 s
    expect(second.get_by_test_id("presence")).to_contain_text("engineer1", timeout=5_000)
    expect(first.get_by_test_id("presence")).to_contain_text("engineer2", timeout=5_000)

    # when: engineer2 starts typing an answer
    second.locator("textarea[name=reply-body]").press_sequentially("Bakıyorum")

    # then: engineer1 is told within 5 s
    expect(first.get_by_test_id("presence")).to_contain_text("engineer2 yanıt yazıyor", timeout=5_000)


def test_a_reply_crossing_a_newer_message_asks_first_and_keeps_the_text(demo, open_page, live_server):
    # given: engineer1 is writing while the customer adds a message
    ticket = _ticket()
    page = log_in(open_page(), live_server, "engineer1", f"/tickets/{ticket.pk}/")
    page.locator("textarea[name=reply-body]").fill("Sürümünüzü günceller misiniz?")
    from tickets.services import ticket_reply

    ticket_reply(actor=ticket.requester, ticket=ticket, body="Bu arada hata kodu 0x45.")

    # when
    page.get_by_role("button", name="Yanıtı gönder").click()

    # then: asked first, the new message shown, the text kept
    expect(page.get_by_test_id("stale-reply")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("hata kodu 0x45")
    expect(page.locator("textarea[name=reply-body]")).to_have_value("Sürümünüzü günceller misiniz?")

    # when: sent anyway
    page.get_by_role("button", name="Yine de gönder").click()

    # then
    expect(page.locator(".notice.success")).to_contain_text("Yanıtınız gönderildi")
    assert ticket.messages.filter(body="Sürümünüzü günceller misiniz?").exists()


@pytest.mark.parametrize("width", [390, 1280])
def test_ticket_page_and_menu_at_phone_and_desktop_width(demo, open_page, live_server, width):
    # given
    ticket = _ticket()
    page = log_in(open_page(width=width), live_server, "engineer1", f"/tickets/{ticket.pk}/")
    nav = page.get_by_role("navigation", name="Ana menü")
    toggle = nav.get_by_role("button", name="Menü")
    queue = nav.get_by_role("link", name="Kuyruk")

    if width < 768:
        # then: on a phone the menu folds behind its button, which opens it from the keyboard
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(queue).to_be_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(queue).to_be_visible()
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
    else:
        # then: on a desktop the groups are open and the button is not there
        expect(toggle).to_be_hidden()
        expect(queue).to_be_visible()
    # and: the groups the desk uses, no customer's items
    expect(nav.locator("[data-nav-group=desk]")).to_have_count(1)
    expect(nav.get_by_role("link", name="Yeni talep")).to_have_count(0)

    # when: the queue is opened from the menu
    if width < 768:
        toggle.click()
    queue.click()
    page.wait_for_url(re.compile(r".*/desk/queue/$"))

    # then: it is marked as the current page, the only one
    expect(page.locator("nav[data-nav] a[aria-current=page]")).to_have_text("Kuyruk")
    # and: no horizontal overflow at this width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_customer_ticket_page_and_locked_features_on_the_home_page(demo, open_page, live_server, width):
    # given: a Standard institution's admin, without region management, workshops or performance
    page = log_in(open_page(width=width), live_server, "standard-admin", "/")
    nav = page.get_by_role("navigation", name="Ana menü")

    # then: the locked features are not in the menu, but once on the home page with what they give
    expect(nav.get_by_role("link", name="Bölgeler ve birimler")).to_have_count(0)
    expect(nav.get_by_role("link", name="Workshop'lar")).to_have_count(0)
    locked = page.get_by_test_id("locked-features")
    expect(locked).to_contain_text("Bölge bazlı organizasyon yönetimi")
    expect(locked.locator("li")).to_have_count(3)
    expect(nav.locator("[data-nav-group=support]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # when: one of the institution's tickets is opened
    ticket = ticket_file(
        actor=User.objects.get(username="standard-user1"), subject="Lisans sorusu", description="Lisans?"
    )
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")

    # then: the conversation and the reply form, nothing of the desk's
    expect(page.get_by_test_id("timeline")).to_contain_text("Lisans?")
    expect(page.locator("textarea[name=reply-body]")).to_be_visible()
    expect(page.locator("[data-composer] input[name=composer-mode]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
