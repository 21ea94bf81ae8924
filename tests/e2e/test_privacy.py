"""The data-protection page of a person (KVKK) in Chromium, at phone width: the institution admin
reaches it from the people list and anonymises a person only after typing their username."""

import pytest
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_admin_anonymises_a_person_after_typing_their_username_on_a_phone(demo, open_page, live_server):
    # given
    person = User.objects.get(username="premium-user2")
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/institution/people/")
    # when the admin opens the person's data page and types a wrong username first
    page.locator("tr[data-person='premium-user2'] a[href$='/privacy/']").click()
    expect(page.locator("[data-testid=export]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("input[name=confirm]", "premium-user")
    page.locator("[data-testid=anonymise] button[type=submit]").click()
    expect(page.locator("[data-testid=anonymise]")).to_contain_text("kullanıcı adını aynen yazın")
    untouched = User.objects.get(pk=person.pk).username
    page.fill("input[name=confirm]", "premium-user2")
    page.locator("[data-testid=anonymise] button[type=submit]").click()
    # then
    page.wait_for_url(f"{live_server.url}/institution/people/")
    expect(page.locator("body")).to_contain_text("Kişi anonimleştirildi.")
    assert untouched == "premium-user2"
    assert User.objects.get(pk=person.pk).username == f"anonim-{person.pk}"
