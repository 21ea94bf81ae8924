"""Monitoring grants through the API: giving, revoking and listing them, the role checks, the package
lock, and the answers for ids the admin may not use."""

import pytest

from organizations.models import MonitoringGrant
from organizations.roles import Role
from organizations.services import monitoring_grant_give
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    UnitFactory,
)
from tests.factories.visibility import MonitoringGrantFactory

pytestmark = pytest.mark.django_db


def test_admin_gives_and_revokes_a_grant(client_for, unit):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    client = client_for(admin)
    grant_id = client.post("/api/v1/monitoring-grants/", {"person": manager.pk}, format="json").json()["id"]
    # when
    response = client.post(f"/api/v1/monitoring-grants/{grant_id}/revoke/")
    # then
    assert response.status_code == 200
    assert response.json()["revoked_by"] == admin.pk
    assert MonitoringGrant.objects.get(pk=grant_id).revoked_at is not None


def test_grant_for_another_institutions_person_is_422(client_for, unit):
    # given
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    foreign_unit = UnitFactory(
        region=RegionFactory(institution=SubscriptionFactory(package_code="premium").institution)
    )
    stranger = PersonFactory(role=Role.UNIT_MANAGER, unit=foreign_unit)
    # when
    response = client_for(admin).post("/api/v1/monitoring-grants/", {"person": stranger.pk}, format="json")
    # then
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["person"]
    assert not MonitoringGrant.objects.exists()


def test_manager_cannot_list_grants(client_for, unit):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    # when
    response = client_for(manager).get("/api/v1/monitoring-grants/")
    # then
    assert response.status_code == 403


def test_revoking_another_institutions_grant_is_404(client_for, unit):
    # given
    other = SubscriptionFactory(package_code="premium").institution
    other_admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=other)
    other_manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=other))
    )
    grant_id = (
        client_for(other_admin)
        .post("/api/v1/monitoring-grants/", {"person": other_manager.pk}, format="json")
        .json()["id"]
    )
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=unit.institution)
    # when
    response = client_for(admin).post(f"/api/v1/monitoring-grants/{grant_id}/revoke/")
    # then
    assert response.status_code == 404


def test_silver_grant_is_feature_locked_naming_the_packages(client_for):
    # given
    standard = SubscriptionFactory(package_code="standard")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=standard.institution)
    manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=standard.institution))
    )
    # when
    response = client_for(admin).post("/api/v1/monitoring-grants/", {"person": manager.pk})
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "feature_locked"
    assert sorted(response.json()["error"]["packages"]) == ["Premium + SLA Paketi", "Premium SLA Paketi"]
    assert not MonitoringGrant.objects.exists()


def test_silver_revoke_of_an_old_grant_is_allowed(client_for):
    # given
    standard = SubscriptionFactory(package_code="standard")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=standard.institution)
    manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=standard.institution))
    )
    grant = MonitoringGrantFactory(person=manager, granted_by=admin)
    # when
    response = client_for(admin).post(f"/api/v1/monitoring-grants/{grant.pk}/revoke/")
    # then
    assert response.status_code == 200
    assert response.json()["revoked_by"] == admin.pk


def test_grant_list_holds_the_record(client_for, admin, unit):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    monitoring_grant_give(actor=admin, person=manager)
    # when
    response = client_for(admin).get("/api/v1/monitoring-grants/")
    # then
    assert [(row["person"], row["unit"], row["granted_by"]) for row in response.json()] == [
        (manager.pk, unit.pk, admin.pk)
    ]


def test_customer_cannot_give_a_grant(client_for, customer, unit):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    # when
    response = client_for(customer).post("/api/v1/monitoring-grants/", {"person": manager.pk})
    # then
    assert response.status_code == 403
    assert not MonitoringGrant.objects.exists()


def test_engineer_cannot_list_grants(client_for, engineer):
    # when
    response = client_for(engineer).get("/api/v1/monitoring-grants/")
    # then
    assert response.status_code == 403
