import html
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from organizations.roles import Role
from packages.models import Allotment, Channel, Package, Subscription
from tests.clients import login
from tests.factories import InstitutionFactory, PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def test_catalogue_lists_every_package_with_its_figures(browser_client, package_manager):
    # given
    login(browser_client, package_manager)
    # when
    page = browser_client.get(reverse("package-catalogue")).content.decode()
    # then
    for code in ("standard", "professional", "premium", "premium_plus"):
        assert f'data-package="{code}"' in page
    assert "1000–5000" in page


def test_vendor_home_is_the_catalogue(client, package_manager):
    # given
    login(client, package_manager)
    # when
    response = client.get("/")
    # then
    assert response.url == reverse("package-catalogue")


def test_header_links_staff_to_administration(client, package_manager):
    # given
    login(client, package_manager)
    # when
    page = client.get(reverse("package-catalogue")).content.decode()
    # then
    assert reverse("admin:index") in page


def test_customer_and_engineer_cannot_open_catalogue(client, customer, engineer):
    # given
    login(client, customer)
    assert client.get(reverse("package-catalogue")).status_code == 403
    # when
    login(client, engineer)
    # then
    assert client.get(reverse("package-catalogue")).status_code == 403


def test_admin_sale_goes_through_the_service(client, package_manager):
    # given
    institution = InstitutionFactory()
    login(client, package_manager)
    # when
    response = client.post(
        reverse("admin:packages_subscription_add"),
        {
            "institution": institution.pk,
            "package": Package.objects.get(code="premium").pk,
            "starts_on": timezone.localdate().isoformat(),
            "user_cap": "100",
            "written": "2000",
            "phone": "1000",
            "remote": "1000",
            "onsite_days": "4",
            "workshops": "20",
        },
    )
    # then
    subscription = Subscription.objects.get(institution=institution)
    assert response.status_code == 302
    assert subscription.sold_by == package_manager
    assert Allotment.objects.get(subscription=subscription, channel="written").allotment == 2000


def test_admin_sale_outside_the_range_is_refused_next_to_the_field(browser_client, package_manager):
    # given
    institution = InstitutionFactory()
    login(browser_client, package_manager)
    # when
    response = browser_client.post(
        reverse("admin:packages_subscription_add"),
        {
            "institution": institution.pk,
            "package": Package.objects.get(code="premium").pk,
            "starts_on": timezone.localdate().isoformat(),
            "user_cap": "100",
            "written": "9000",
            "phone": "1000",
            "remote": "1000",
            "onsite_days": "4",
            "workshops": "20",
        },
    )
    # then
    assert response.status_code == 200
    assert "9000 is outside it" in response.content.decode()
    assert not Subscription.objects.filter(institution=institution).exists()


def test_admin_adjusts_figures_within_range(client, package_manager, premium):
    # given
    login(client, package_manager)
    # when
    response = client.post(
        reverse("admin:packages_subscription_adjust", args=[premium.pk]),
        {
            "user_cap": "60",
            "written": "1500",
            "phone": "1000",
            "remote": "1000",
            "onsite_days": "6",
            "workshops": "12",
        },
    )
    # then
    premium.refresh_from_db()
    assert response.status_code == 302
    assert premium.user_cap == 60
    assert Allotment.objects.get(subscription=premium, channel="written").allotment == 1500


def test_admin_renews_for_the_next_year(client, package_manager):
    # given
    current = SubscriptionFactory(package_code="standard")
    login(client, package_manager)
    # when
    client.post(
        reverse("admin:packages_subscription_renew", args=[current.pk]),
        {"package": Package.objects.get(code="standard").pk},
    )
    # then
    renewed = Subscription.objects.filter(institution=current.institution).order_by("-starts_on").first()
    assert renewed.starts_on == current.renews_on


def test_subscription_change_page_is_read_only(client, package_manager, premium):
    # given
    login(client, package_manager)
    # when
    page = client.get(reverse("admin:packages_subscription_change", args=[premium.pk])).content.decode()
    # then
    assert 'name="user_cap"' not in page


def test_admin_lists_have_filters_and_search(client, package_manager, premium):
    # given
    login(client, package_manager)
    # when
    pages = [
        client.get(reverse("admin:packages_subscription_changelist"), {"q": premium.institution.name}),
        client.get(reverse("admin:organizations_institution_changelist"), {"q": premium.institution.slug}),
        client.get(reverse("admin:organizations_institution_change", args=[premium.institution.pk])),
    ]
    # then
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert premium.institution.name in pages[0].content.decode()


# --- the README's package table is what the pages say ----------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"
CODES = {
    "Standard": "standard",
    "Professional": "professional",
    "Premium": "premium",
    "Premium+": "premium_plus",
}


def _readme_table() -> dict[str, dict[str, str]]:
    """The README's package table as {package code: {term: cell}}."""
    lines = README.read_text().split("| term | Standard |", 1)[1].splitlines()
    header = ["Standard", "Professional", "Premium", "Premium+"]
    table: dict[str, dict[str, str]] = {CODES[name]: {} for name in header}
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        term, *cells = [cell.strip() for cell in line.strip("|").split("|")]
        for name, cell in zip(header, cells, strict=True):
            table[CODES[name]][term] = cell
    return table


def _catalogue_section(page: str, code: str) -> dict[str, str]:
    section = page.split(f'data-package="{code}"', 1)[1].split("</section>", 1)[0]
    terms = {
        html.unescape(dt): html.unescape(dd)
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", section)
    }
    for mark, label in re.findall(r"<li>(✓|<span class=\"muted\">✗</span>) (.*?)</li>", section):
        terms[html.unescape(label)] = "✓" if mark == "✓" else "✗"
    return terms


def test_readme_package_table_matches_the_catalogue_page(browser_client, package_manager):
    # given
    login(browser_client, package_manager)
    # when
    page = browser_client.get(reverse("package-catalogue")).content.decode()
    # then: every cell of every package, in the page's words
    for code, terms in _readme_table().items():
        shown = _catalogue_section(page, code)
        shown["Support priority"] = str(Package.objects.get(code=code).priority)
        assert {term: shown.get(term) for term in terms} == terms, code


@pytest.mark.parametrize("code", ["standard", "professional", "premium_plus"])
def test_readme_package_table_matches_the_home_page(browser_client, code):
    # given: an institution admin of a package whose figures are fixed
    subscription = SubscriptionFactory(package_code=code)
    login(browser_client, PersonFactory(role=Role.INSTITUTION_ADMIN, institution=subscription.institution))
    terms = _readme_table()[code]
    # when
    page = html.unescape(browser_client.get("/").content.decode())
    # then: each channel's row says what the README says
    for channel in Channel:
        row = page.split(f'data-channel="{channel.value}"', 1)[1].split('<div class="quota"', 1)[0]
        cell = terms[channel.label]
        expected = f"{cell} of {cell} left" if cell.isdigit() else cell.removeprefix("✗ ")
        assert expected in row, (code, channel)
    assert f'data-testid="priority">{terms["Support priority"]} ' in page
