"""The development unit in Chromium: a developer works one item reported by two institutions on the
development queue — triage, plan, release — and each customer's own ticket shows the release."""

import pytest
from playwright.sync_api import expect

from organizations.models import User
from tests.e2e.conftest import log_in
from tickets.services import ticket_escalate_to_development, ticket_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _save(page, **fields):
    for name, value in fields.items():
        selector = f"#id_item-{name}"
        if name == "state":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("updated")


def test_developer_triages_plans_and_releases_and_the_customers_see_the_release(demo, open_page, live_server):
    # given: the same defect reported by a Premium and a Standard institution, linked to one item
    engineer = User.objects.get(username="engineer1")
    premium = ticket_file(
        actor=User.objects.get(username="premium-user1"),
        subject="Pafta çıktısı boş geliyor",
        description="Yazdırınca boş sayfa.",
        kind="bug",
    )
    standard = ticket_file(
        actor=User.objects.get(username="standard-user1"),
        subject="Çıktı boş",
        description="Boş sayfa basıyor.",
        kind="bug",
    )
    item, _linked = ticket_escalate_to_development(
        actor=engineer, ticket=standard, item=premium.development_item
    )

    # when the developer opens the queue and the item
    page = log_in(open_page(language="en"), live_server, "developer", "/development/")
    row = page.locator(f"[data-item='{item.pk}']")
    expect(row).to_contain_text("Pafta çıktısı boş geliyor")
    expect(row).to_contain_text("P2")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("linked-tickets")).to_contain_text("Standart Belediyesi")

    # and triages, plans and releases it
    _save(page, state="triaged", public_note="Yazdırma modülünde hata bulundu.")
    expect(page.get_by_test_id("item-state")).to_have_text("Triaged")
    _save(page, state="planned", planned_on="2027-03-01", planned_version="12.1")
    expect(page.get_by_test_id("item-state")).to_have_text("Planned")
    _save(page, state="released", released_version="12.1")
    expect(page.get_by_test_id("item-state")).to_have_text("Released")

    # then each customer's own ticket shows the release and the count, and nothing of the other
    for username, ticket, other in (
        ("premium-user1", premium, "Standart Belediyesi"),
        ("standard-user1", standard, "Premium Büyükşehir Belediyesi"),
    ):
        customer = log_in(open_page(language="en"), live_server, username, f"/tickets/{ticket.pk}/")
        development = customer.get_by_test_id("development")
        expect(development).to_contain_text("Released")
        expect(development).to_contain_text("released in 12.1")
        expect(development).to_contain_text("reported by 2 institutions")
        assert other not in customer.content()
