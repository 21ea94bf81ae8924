import pytest
from django.urls import reverse
from django.utils import timezone

from packages.models import Allotment, Package, Subscription
from tests.clients import login
from tests.factories import InstitutionFactory, SubscriptionFactory

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
