"""The institution admin's monitoring page: giving and revoking grants, the record, refusals and
Silver locked."""

import pytest
from django.urls import reverse

from organizations.models import MonitoringGrant
from organizations.roles import Role
from organizations.services import monitoring_grant_give, monitoring_grant_revoke
from tests.clients import login
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_manager(unit):
    return PersonFactory(role=Role.UNIT_MANAGER, unit=unit, first_name="Mert", last_name="Demir")


@pytest.fixture
def region_manager(unit):
    return PersonFactory(role=Role.REGION_MANAGER, institution=unit.institution, region=unit.region)


def test_monitoring_page_offers_the_institutions_managers(
    browser_client, institution_admin, unit_manager, customer
):
    # given
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("monitoring")).content.decode()
    # then
    assert f'<option value="{unit_manager.pk}">' in page
    assert f'<option value="{customer.pk}">' not in page


def test_admin_gives_a_unit_manager_a_grant_on_their_unit(
    browser_client, institution_admin, unit_manager, unit
):
    # given
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("monitoring"), {"person": unit_manager.pk})
    # then
    assert response.status_code == 302
    grant = MonitoringGrant.objects.get(person=unit_manager)
    assert (grant.unit, grant.granted_by) == (unit, institution_admin)


def test_admin_gives_a_region_manager_a_grant_on_their_region(
    browser_client, institution_admin, region_manager, unit
):
    # given
    login(browser_client, institution_admin)
    # when
    browser_client.post(reverse("monitoring"), {"person": region_manager.pk})
    # then
    assert MonitoringGrant.objects.get(person=region_manager).region == unit.region


def test_grant_refused_by_the_service_shows_the_reason_next_to_the_field(
    browser_client, institution_admin, premium
):
    # given: a unit manager not placed in any unit
    unplaced = PersonFactory(role=Role.UNIT_MANAGER, institution=premium.institution)
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("monitoring"), {"person": unplaced.pk})
    # then
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_person_error"' in page
    assert "Place the unit manager in a unit first." in page
    assert f'<option value="{unplaced.pk}" selected>' in page


def test_grant_for_another_institutions_manager_is_refused(browser_client, institution_admin):
    # given
    foreign_unit = UnitFactory(
        region=RegionFactory(institution=SubscriptionFactory(package_code="premium").institution)
    )
    foreign_manager = PersonFactory(role=Role.UNIT_MANAGER, unit=foreign_unit)
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("monitoring"), {"person": foreign_manager.pk})
    # then
    assert response.status_code == 400
    assert not MonitoringGrant.objects.exists()


def test_admin_revokes_a_grant_and_the_history_says_who_and_when(
    browser_client, institution_admin, unit_manager
):
    # given
    grant = monitoring_grant_give(actor=institution_admin, person=unit_manager)
    login(browser_client, institution_admin)
    # when
    response = browser_client.post(reverse("monitoring-revoke", args=[grant.pk]), follow=True)
    # then
    grant.refresh_from_db()
    assert grant.revoked_by == institution_admin
    row = response.content.decode().split(f'data-grant="{grant.pk}"')[1].split("</tr>")[0]
    assert institution_admin.username in row
    assert ">Revoke<" not in row


def test_history_lists_revoked_grants_with_who_gave_them(browser_client, institution_admin, unit_manager):
    # given
    grant = monitoring_grant_give(actor=institution_admin, person=unit_manager)
    monitoring_grant_revoke(actor=institution_admin, grant=grant)
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("monitoring")).content.decode()
    # then
    assert f'data-grant="{grant.pk}"' in page
    assert "Mert Demir" in page


def test_another_institutions_admin_gets_404_on_revoke(browser_client, institution_admin, unit_manager):
    # given
    grant = monitoring_grant_give(actor=institution_admin, person=unit_manager)
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    login(browser_client, foreign_admin)
    # when
    response = browser_client.post(reverse("monitoring-revoke", args=[grant.pk]))
    # then
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_another_institutions_admin_does_not_see_the_grants(browser_client, institution_admin, unit_manager):
    # given
    grant = monitoring_grant_give(actor=institution_admin, person=unit_manager)
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    login(browser_client, foreign_admin)
    # when
    page = browser_client.get(reverse("monitoring")).content.decode()
    # then
    assert f'data-grant="{grant.pk}"' not in page


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER])
def test_people_other_than_the_admin_get_403(browser_client, unit, role):
    # given
    login(browser_client, PersonFactory(role=role, unit=unit))
    # when
    response = browser_client.get(reverse("monitoring"))
    # then
    assert response.status_code == 403


def test_unit_manager_cannot_give_themselves_a_grant(browser_client, unit_manager):
    # given
    login(browser_client, unit_manager)
    # when
    response = browser_client.post(reverse("monitoring"), {"person": unit_manager.pk})
    # then
    assert response.status_code == 403
    assert not MonitoringGrant.objects.exists()


def test_engineer_gets_403(browser_client, engineer):
    # given
    login(browser_client, engineer)
    # when
    response = browser_client.get(reverse("monitoring"))
    # then
    assert response.status_code == 403


@pytest.fixture
def standard_admin(standard):
    return PersonFactory(role=Role.INSTITUTION_ADMIN, institution=standard.institution)


def test_silver_shows_monitoring_locked_with_the_packages(browser_client, standard_admin):
    # given
    login(browser_client, standard_admin)
    # when
    page = browser_client.get(reverse("monitoring")).content.decode()
    # then
    assert 'data-testid="locked"' in page
    assert "Premium SLA Paketi" in page
    assert 'name="person"' not in page


def test_silver_refuses_a_grant_post(browser_client, standard, standard_admin):
    # given
    manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=standard.institution))
    )
    login(browser_client, standard_admin)
    # when
    response = browser_client.post(reverse("monitoring"), {"person": manager.pk})
    # then
    assert response.status_code == 403
    assert not MonitoringGrant.objects.exists()


def test_monitoring_page_query_count_is_bounded(
    browser_client, institution_admin, unit, django_assert_max_num_queries
):
    # given
    for _ in range(5):
        monitoring_grant_give(
            actor=institution_admin, person=PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
        )
    login(browser_client, institution_admin)
    # when / then
    with django_assert_max_num_queries(12):
        browser_client.get(reverse("monitoring"))
