"""Every page of every role, checked with axe-core (WCAG 2.1 A and AA) in Turkish and English, at
1280 px and on a 390 px phone, and at 640 px — what a 1280 px window shows at 200 % text zoom —
without a horizontal scroll. Pages opened by any other browser test are audited too (conftest's
`open_page`); this walk makes sure each page is seen in both languages and at both widths."""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.a11y import Audit, assert_accessible, describe
from tests.e2e.conftest import log_in
from tickets.services import ticket_file
from tickets.services.conversation import ticket_change_status, ticket_note, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE, PHONE, ZOOMED = 1280, 390, 640

# The pages each demo login reaches; {answered}, {running}, {overdue}, {standard} are tickets of
# `tickets` below, {reset} a password reset link, {privacy} a person's data-protection page. Pages another role may not open are visited for their 403 and 404 pages.
ROLE_PAGES = {
    None: [
        "/accounts/login/",
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "{reset}",
        "/accounts/reset/done/",
    ],
    "premium-user1": [
        "/",
        "/tickets/",
        "/tickets/new/",
        "/tickets/{answered}/",
        "/tickets/{overdue}/",
        "/tickets/{overdue}/sharing/",
        "/desk/queue/",
        "/tickets/999999/",
    ],
    "standard-user1": ["/", "/tickets/{standard}/"],
    "premium-admin": [
        "/institution/people/",
        "/institution/people/{privacy}/privacy/",
        "/institution/tree/",
        "/institution/monitoring/",
        "/tickets/",
    ],
    "standard-admin": ["/institution/tree/", "/institution/monitoring/"],
    "engineer1": ["/desk/queue/", "/tickets/{running}/", "/tickets/{answered}/"],
    "lead": ["/desk/board/", "/desk/queue/", "/desk/duty/"],
    "staff": ["/vendor/packages/"],
}


@pytest.fixture
def tickets(demo):
    customer = User.objects.get(username="premium-user1")
    engineer = User.objects.get(username="engineer1")
    now = timezone.now()
    answered = ticket_file(
        actor=customer,
        subject="Harita katmanı yüklenmiyor",
        description="Boş ekran.",
        at=now - datetime.timedelta(hours=1),
    )
    ticket_reply(actor=engineer, ticket=answered, body="Önbelleği temizledik.")
    ticket_note(actor=engineer, ticket=answered, body="Sunucu tarafında da kontrol edildi.")
    ticket_change_status(actor=engineer, ticket=answered, status="resolved")
    overdue = ticket_file(
        actor=customer,
        subject="Rapor gecikiyor",
        description="Dünden beri.",
        at=now - datetime.timedelta(days=2),
    )
    running = ticket_file(
        actor=User.objects.get(username="premiumplus-user1"),
        subject="Yeni kullanıcı",
        description="Ekleyemiyoruz.",
    )
    standard = ticket_file(
        actor=User.objects.get(username="standard-user1"), subject="Lisans", description="Süre doldu mu?"
    )
    reset = f"/accounts/reset/{urlsafe_base64_encode(force_bytes(customer.pk))}/{default_token_generator.make_token(customer)}/"
    return {
        "answered": answered.pk,
        "overdue": overdue.pk,
        "running": running.pk,
        "standard": standard.pk,
        "reset": reset,
        "privacy": User.objects.get(username="premium-user2").pk,
    }


def _no_horizontal_scroll(page, width, url):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{url} scrolls sideways by {overflow} px at {width} px"


@pytest.mark.parametrize("username", list(ROLE_PAGES), ids=[name or "anonymous" for name in ROLE_PAGES])
@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_page_passes_axe_in_both_languages_at_every_width(
    axe, tickets, open_page, live_server, username, language
):
    # given: the person logged in, reading the portal in the language
    page = open_page(width=WIDE, language=language)
    if username:
        log_in(page, live_server, username, ROLE_PAGES[username][0])

    for path in ROLE_PAGES[username]:
        url = live_server.url + path.format(**tickets)
        # when: the page opens on a wide screen
        page.set_viewport_size({"width": WIDE, "height": 900})
        page.goto(url)

        # then: it says its language, and axe finds nothing serious at any width
        expect(page.locator("html")).to_have_attribute("lang", language)
        report = page.evaluate("() => window.__a11yFirst")
        assert not report["violations"], describe([report])
        page.set_viewport_size({"width": PHONE, "height": 844})
        assert_accessible(page)
        _no_horizontal_scroll(page, PHONE, url)
        # and at 200 % text zoom nothing is cut off or needs a sideways scroll
        page.set_viewport_size({"width": ZOOMED, "height": 450})
        _no_horizontal_scroll(page, ZOOMED, url)


def test_audit_names_the_rule_the_element_and_the_page(axe, browser, live_server):
    # given: a page with an image without a text alternative and grey text on grey
    url = f"{live_server.url}/a11y-probe/"
    body = (
        '<!DOCTYPE html><html lang="tr"><head><title>Deneme</title></head><body><main>'
        '<img src="/static/missing.png"><p class="faint">soluk yazı</p></main></body></html>'
    )
    audit = Audit()
    context = browser.new_context()
    audit.attach(context)
    page = context.new_page()
    audit.watch(page)
    page.route(url, lambda route: route.fulfill(content_type="text/html; charset=utf-8", body=body))
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); s.textContent = '.faint { color: #aaa; background: #bbb; }'; document.head.append(s); });"
    )

    # when
    page.goto(url)
    found = audit.finish([context])
    context.close()

    # then
    assert f"image-alt (critical) on {url} at 1280 px, lang='tr'" in found
    assert '<img src="/static/missing.png">' in found
    assert f"color-contrast (serious) on {url}" in found
    assert '<p class="faint">soluk yazı</p>' in found
