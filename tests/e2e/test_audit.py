"""The audit log page in Chromium, at phone width."""

import pytest
from playwright.sync_api import expect

from organizations.models import User
from organizations.services import person_move
from tests.e2e.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def test_institution_admin_reads_a_move_in_the_audit_log_on_a_phone(demo, open_page, live_server):
    # given: premium-admin moved premium-user2 out of their unit
    admin = User.objects.get(username="premium-admin")
    person_move(actor=admin, person=User.objects.get(username="premium-user2"), unit=None)
    # when
    page = log_in(open_page(**PHONE), live_server, "premium-admin", "/institution/audit/")
    # then: the row names the change in Turkish, and nothing overflows the phone's width
    row = page.locator("tr[data-action='person.move']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Kişi taşındı")
    expect(row).to_contain_text("premium-user2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
