"""The main menu: grouped by the seed's service families, only what the role can use, the
package's locked features left out of it and listed once on the home page."""

import re

import pytest
from django.urls import reverse

from organizations.roles import Role
from tests.clients import login
from tests.factories import PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _menu(page: str) -> str:
    return re.search(r'<nav class="nav".*?</nav>', page, re.S).group(0)


def _groups(page: str) -> list[str]:
    return re.findall(r'data-nav-group="([a-z]+)"', _menu(page))


def _admin(package_code: str):
    subscription = SubscriptionFactory(package_code=package_code)
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution)


def test_premium_admin_sees_the_three_service_families_with_every_item(browser_client):
    # given
    login(browser_client, _admin("premium"))
    # when
    page = browser_client.get(reverse("people")).content.decode()
    # then
    assert _groups(page) == ["support", "management", "learning", "account"]
    menu = _menu(page)
    assert 'href="/institution/tree/"' in menu
    assert f'href="{reverse("workshop-list")}"' in menu
    assert f'href="{reverse("performance")}"' in menu


def test_the_current_page_is_marked_once(browser_client):
    # given
    login(browser_client, _admin("premium"))
    # when
    menu = _menu(browser_client.get(reverse("people")).content.decode())
    # then
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', menu) == [reverse("people")]


def test_standard_admin_menu_leaves_out_what_the_package_lacks(browser_client):
    # given
    login(browser_client, _admin("standard"))
    # when
    menu = _menu(browser_client.get(reverse("people")).content.decode())
    # then
    assert 'href="/institution/tree/"' not in menu
    assert f'href="{reverse("monitoring")}"' not in menu
    assert f'href="{reverse("workshop-list")}"' not in menu
    assert f'href="{reverse("performance")}"' not in menu
    assert f'href="{reverse("people")}"' in menu


def test_standard_admin_home_lists_each_locked_feature_once_with_what_it_gives(browser_client):
    # given
    login(browser_client, _admin("standard"))
    # when
    page = browser_client.get("/").content.decode()
    # then
    locked = re.search(r'data-testid="locked-features".*?</section>', page, re.S).group(0)
    assert locked.count("<li>") == 3
    assert locked.count("Region-based organisation management") == 1
    assert "tickets shared with colleagues" in locked
    assert "Premium" in locked


def test_premium_admin_home_has_nothing_locked(browser_client):
    # given
    login(browser_client, _admin("premium"))
    # when
    page = browser_client.get("/").content.decode()
    # then
    assert 'data-testid="locked-features"' not in page


def test_engineer_sees_the_desk_and_vendor_areas_and_no_customer_item(browser_client, engineer):
    # given
    login(browser_client, engineer)
    # when
    page = browser_client.get(reverse("ticket-queue")).content.decode()
    # then
    assert _groups(page) == ["desk", "vendor", "account"]
    menu = _menu(page)
    assert f'href="{reverse("macro-list")}"' in menu
    assert f'href="{reverse("ticket-new")}"' not in menu
    assert f'href="{reverse("desk-board")}"' not in menu


def test_desk_lead_also_sees_the_sla_board_and_bookings(browser_client, lead):
    # given
    login(browser_client, lead)
    # when
    menu = _menu(browser_client.get(reverse("ticket-queue")).content.decode())
    # then
    assert f'href="{reverse("desk-board")}"' in menu
    assert f'href="{reverse("vendor-workshops")}"' in menu


def test_customer_sees_no_management_item_but_performance(browser_client, customer):
    # given: a Premium customer
    login(browser_client, customer)
    # when
    page = browser_client.get(reverse("ticket-list")).content.decode()
    # then
    assert _groups(page) == ["support", "management", "learning", "account"]
    menu = _menu(page)
    assert f'href="{reverse("performance")}"' in menu
    assert f'href="{reverse("people")}"' not in menu
    assert f'href="{reverse("report-page")}"' not in menu


def test_the_menu_button_is_a_disclosure_for_the_groups(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    menu = _menu(browser_client.get(reverse("ticket-list")).content.decode())
    # then
    assert re.search(
        r'<button type="button" class="nav-toggle" aria-expanded="false" aria-controls="nav-groups"', menu
    )
    assert 'id="nav-groups"' in menu
