"""The contract as the seed table states it, in Chromium: a Standard institution sees workshops as
not included (✗, not "priced separately") and is pointed to what it can buy, the on-site quote."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_standard_home_shows_workshops_as_not_included(demo, open_page, live_server):
    # given
    page = log_in(open_page(**PHONE), live_server, "standard-admin")

    # when: the contract's channels are read
    workshops = page.locator(".quota[data-channel='workshops']")
    onsite = page.locator(".quota[data-channel='onsite_days']")

    # then: workshops are ✗ and say so in Turkish, never "priced separately"
    expect(workshops).to_contain_text("Paketinize dahil değildir.")
    expect(workshops).not_to_contain_text("ayrıca fiyatlandırılır")
    expect(page.get_by_test_id("priority")).to_contain_text("4")
    # and on-site days are priced per day, with the quote request one click away
    expect(onsite).to_contain_text("Gün bazında fiyatlandırılır")
    workshops.get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/onsite/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
