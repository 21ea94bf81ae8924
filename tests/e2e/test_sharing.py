"""Sharing a ticket in Chromium, on a phone: premium-user1 shares a ticket with premium-user2,
who then finds it in their list."""

import re

import pytest
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in
from tickets.services import ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_premium_user_shares_a_ticket_with_a_colleague_who_then_sees_it(demo, open_page, live_server):
    # given: premium-user1's ticket, which premium-user2 (another region) does not see
    owner = User.objects.get(username="premium-user1")
    colleague = User.objects.get(username="premium-user2")
    ticket = ticket_file(
        actor=owner, subject="Tapu sorgusu zaman aşımına uğruyor", description="Her sorguda 30 sn sonra hata."
    )
    other = log_in(open_page(**PHONE), live_server, "premium-user2", "/tickets/")
    expect(other.locator(f"a[href='/tickets/{ticket.pk}/']")).to_have_count(0)

    # when: premium-user1 shares it with premium-user2 from the ticket page, on a phone
    page = log_in(open_page(**PHONE), live_server, "premium-user1", f"/tickets/{ticket.pk}/")
    panel = page.get_by_test_id("share-panel")
    expect(panel.locator("select[name=share-person]")).to_have_count(0)
    panel.get_by_test_id("share-open").click()
    # the form is fetched into the panel, its first field focused, the ticket page kept
    expect(panel.locator("select[name=share-person]")).to_be_focused()
    assert page.url.endswith(f"/tickets/{ticket.pk}/")
    panel.locator("select[name=share-person]").select_option(str(colleague.pk))
    panel.get_by_role("button", name="Paylaş").click()
    page.wait_for_url(re.compile(rf".*/tickets/{ticket.pk}/$"))

    # then: the share is listed with its undo button, and nothing overflows the phone's width
    expect(page.locator(".notice.success")).to_contain_text("Talep paylaşıldı")
    expect(page.get_by_test_id("shares")).to_contain_text(colleague.get_full_name() or colleague.username)
    expect(page.get_by_test_id("shares").get_by_role("button", name="Geri al")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and premium-user2 now finds the ticket in their list and opens it
    other.reload()
    other.locator(f"a[href='/tickets/{ticket.pk}/']").first.click()
    expect(other.locator("h1")).to_contain_text("Tapu sorgusu zaman aşımına uğruyor")


def test_institution_admin_revokes_and_gives_back_a_grant_on_a_phone(demo, open_page, live_server):
    # given: seed_demo gave premium-unit a monitoring grant on their unit
    manager = User.objects.get(username="premium-unit")
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/institution/monitoring/")
    active = page.locator("tr[data-person='premium-unit']")

    # when: the admin revokes it
    active.get_by_role("button", name="Geri al").click()

    # then: the record stays, now revoked, and nothing overflows the phone's width
    expect(page.locator(".notice.success")).to_contain_text("geri alındı")
    expect(
        page.locator("tr[data-person='premium-unit']").get_by_role("button", name="Geri al")
    ).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # and when the admin gives it back from the form, it is active again
    page.locator("select[name=person]").select_option(str(manager.pk))
    page.get_by_role("button", name="Yetkiyi ver").click()
    expect(
        page.locator("tr[data-person='premium-unit']").get_by_role("button", name="Geri al")
    ).to_have_count(1)
