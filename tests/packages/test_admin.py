import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def test_the_institution_admin_page_shows_its_contracts(staff_client):
    # given
    premium = SubscriptionFactory(package_code="premium")
    # when
    response = staff_client.get(f"/admin/organizations/institution/{premium.institution.pk}/change/")
    # then
    assert response.status_code == 200
    assert {formset.opts.model._meta.label for formset in response.context["inline_admin_formsets"]} == {
        "packages.Subscription",
        "organizations.Region",
    }
    assert f"/admin/packages/subscription/{premium.pk}/change/" in response.content.decode()


def test_the_institution_list_links_to_selling_a_contract(staff_client):
    # given
    premium = SubscriptionFactory(package_code="premium")
    # when
    url = f"/admin/organizations/institution/?subscriptions__package__id__exact={premium.package_id}"
    response = staff_client.get(url)
    # then
    assert response.status_code == 200
    assert (
        f"/admin/packages/subscription/add/?institution={premium.institution.pk}" in response.content.decode()
    )
