"""The installable web app in Chromium: the manifest and service worker a phone installs it from,
the recent tickets kept for reading offline, and the outbox that files offline exactly once."""

import io
import json
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import BROWSER_ARGS, log_in
from tickets.models import Ticket, TicketMessage
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SUBJECT = "Çevrimdışı yazılan talep"


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def controlled(page):
    """Wait until the service worker controls the page (it claims the pages it finds on activation)."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_the_manifest_has_what_installation_needs_and_the_service_worker_registers(
    demo, open_page, live_server
):
    # given
    page = log_in(open_page(), live_server, "premium-user1", "/")
    # when
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    manifest = json.loads(response.body())
    registration_scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    worker = page.request.get(live_server.url + "/sw.js")
    # then: the fields Chromium's installability check reads
    assert response.headers["content-type"].startswith("application/manifest+json")
    assert manifest["name"] and manifest["short_name"]
    assert (manifest["display"], manifest["start_url"], manifest["theme_color"]) == (
        "standalone",
        "/?source=app",
        "#0b5cad",
    )
    sizes = {}
    for icon in manifest["icons"]:
        image = Image.open(io.BytesIO(page.request.get(live_server.url + icon["src"]).body()))
        sizes[icon["sizes"]] = (image.format, image.size)
    assert sizes == {"192x192": ("PNG", (192, 192)), "512x512": ("PNG", (512, 512))}
    assert registration_scope == live_server.url + "/"
    assert worker.headers["service-worker-allowed"] == "/"


def test_chromium_finds_nothing_stopping_installation(demo, chromium_path, live_server, tmp_path):
    # given: a phone's browser, with a profile of its own (a private window is never offered the
    # install), on the page the person opens, controlled by the service worker
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium_path, headless=True, args=BROWSER_ARGS
        )
        page = log_in(context.new_page(), live_server, "premium-user1", "/")
        controlled(page)
        cdp = context.new_cdp_session(page)
        # when: the check behind Chromium's install prompt and Lighthouse's installability audit
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        context.close()
    # then
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert errors == []


def test_recent_tickets_can_be_read_offline(demo, open_page, live_server):
    # given: the customer signed in, and the service worker has kept their recent tickets
    recent = ticket_file(
        actor=User.objects.get(username="premium-user1"), subject="Okunacak talep", description="Ayrıntı."
    )
    page = log_in(open_page(), live_server, "premium-user1", "/")
    controlled(page)
    page.evaluate(
        """() => new Promise(done => {
            navigator.serviceWorker.addEventListener('message', e => { if (e.data === 'warm:done') done(); });
            navigator.serviceWorker.controller.postMessage('warm');
        })"""
    )
    # when
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/tickets/{recent.pk}/")
    # then
    expect(page.locator("h1")).to_contain_text(recent.subject)


def test_a_ticket_filed_offline_is_filed_once_when_back_online(demo, open_page, live_server):
    # given: the filing form, read online and kept by the service worker
    page = log_in(open_page(), live_server, "premium-user1", "/tickets/new/")
    controlled(page)
    page.reload()
    before = Ticket.objects.count()
    # when: offline, the customer files a ticket
    page.context.set_offline(True)
    page.select_option("select[name=kind]", "problem")
    page.fill("input[name=subject]", SUBJECT)
    page.fill("textarea[name=description]", "Bağlantı yokken yazıldı.")
    page.get_by_role("button", name="Talebi aç").click()
    # then: it is kept on the device, nothing is filed yet
    expect(page.locator("[data-offline-notice]")).to_be_visible()
    assert page.evaluate("JSON.parse(localStorage.getItem('slaportal-outbox')).length") == 1
    assert Ticket.objects.count() == before
    # when: the send is also started twice, as two tabs would, and the connection comes back
    page.evaluate(
        """() => { const items = JSON.parse(localStorage.getItem('slaportal-outbox'));
                   localStorage.setItem('slaportal-outbox', JSON.stringify([items[0], items[0]])); }"""
    )
    page.context.set_offline(False)
    # then: exactly one ticket, and the outbox is empty
    assert wait_until(lambda: Ticket.objects.filter(subject=SUBJECT).exists())
    assert wait_until(
        lambda: page.evaluate("JSON.parse(localStorage.getItem('slaportal-outbox') || '[]').length") == 0
    )
    page.reload()
    time.sleep(1)
    assert Ticket.objects.filter(subject=SUBJECT).count() == 1
    assert Ticket.objects.count() == before + 1
    assert Ticket.objects.get(subject=SUBJECT).kind == "problem"


def test_a_reply_written_offline_is_sent_once_when_back_online(demo, open_page, live_server):
    # given
    ticket = ticket_file(
        actor=User.objects.get(username="premium-user1"), subject="Yanıtlanacak talep", description="Ayrıntı."
    )
    page = log_in(open_page(), live_server, "premium-user1", f"/tickets/{ticket.pk}/")
    controlled(page)
    page.reload()
    # when
    page.context.set_offline(True)
    page.fill("textarea[name=reply-body]", "Çevrimdışı yanıt")
    page.get_by_role("button", name="Yanıtı gönder").click()
    page.context.set_offline(False)
    # then
    assert wait_until(lambda: TicketMessage.objects.filter(ticket=ticket, body="Çevrimdışı yanıt").exists())
    page.reload()
    time.sleep(1)
    assert TicketMessage.objects.filter(ticket=ticket, body="Çevrimdışı yanıt").count() == 1
