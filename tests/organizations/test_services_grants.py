import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.models import MonitoringGrant
from organizations.permissions import FeatureLocked
from organizations.roles import Role
from organizations.services import (
    monitoring_grant_give,
    monitoring_grant_revoke,
    person_move,
    person_set_role,
)
from packages.permissions import region_management_lock
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tickets.selectors import ticket_visible_to

pytestmark = pytest.mark.django_db


def test_grant_records_who_gave_it_and_when(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    # when
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    grant.refresh_from_db()
    assert (grant.granted_by, grant.unit, grant.region, grant.revoked_at) == (
        tree["admin"],
        tree["unit1"],
        None,
        None,
    )
    assert grant.granted_at is not None


def test_unit_manager_with_grant_sees_their_units_tickets(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    in_unit = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    # when
    monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    assert in_unit in ticket_visible_to(person=manager)


def test_region_manager_grant_covers_the_region(tree):
    # given
    manager = PersonFactory(role=Role.REGION_MANAGER, region=tree["region1"])
    # when
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    assert (grant.unit, grant.region) == (None, tree["region1"])


def test_giving_twice_is_harmless(tree):
    # given
    manager = PersonFactory(role=Role.REGION_MANAGER, region=tree["region1"])
    first = monitoring_grant_give(actor=tree["admin"], person=manager)
    # when
    second = monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    assert first == second
    assert MonitoringGrant.objects.filter(person=manager).count() == 1


def test_revoke_records_who_and_when_and_ends_the_view_at_once(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    in_unit = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    # when
    monitoring_grant_revoke(actor=tree["admin"], grant=grant)
    # then
    grant.refresh_from_db()
    assert grant.revoked_by == tree["admin"] and grant.revoked_at is not None
    assert in_unit not in ticket_visible_to(person=manager)


def test_revoking_twice_keeps_the_first_revocation(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    first = monitoring_grant_revoke(actor=tree["admin"], grant=grant).revoked_at
    # when
    again = monitoring_grant_revoke(actor=tree["admin"], grant=MonitoringGrant.objects.get(pk=grant.pk))
    # then
    assert again.revoked_at == first


def test_regranting_after_revocation_adds_a_new_record(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    monitoring_grant_revoke(
        actor=tree["admin"], grant=monitoring_grant_give(actor=tree["admin"], person=manager)
    )
    # when
    monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    history = MonitoringGrant.objects.filter(person=manager)
    assert history.count() == 2
    assert history.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "role", [Role.UNIT_MANAGER, Role.REGION_MANAGER, Role.CUSTOMER, Role.PACKAGE_MANAGER]
)
def test_only_the_institutions_own_admin_gives_grants(tree, role):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    actor = (
        PersonFactory(role=role, unit=tree["unit1"])
        if role != Role.PACKAGE_MANAGER
        else PersonFactory(role=role)
    )
    # when / then
    with pytest.raises(PermissionDenied):
        monitoring_grant_give(actor=actor, person=manager)
    assert not MonitoringGrant.objects.exists()


def test_another_institutions_admin_cannot_give_a_grant(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    # when / then
    with pytest.raises(PermissionDenied):
        monitoring_grant_give(actor=foreign_admin, person=manager)


def test_another_institutions_admin_cannot_revoke_a_grant(tree):
    # given
    grant = monitoring_grant_give(
        actor=tree["admin"], person=PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    )
    foreign_admin = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    # when / then
    with pytest.raises(PermissionDenied):
        monitoring_grant_revoke(actor=foreign_admin, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_a_customer_cannot_be_granted_monitoring(tree):
    # given
    customer = PersonFactory(unit=tree["unit1"])
    # when / then
    with pytest.raises(ValidationError):
        monitoring_grant_give(actor=tree["admin"], person=customer)


def test_a_unit_manager_outside_any_unit_cannot_be_granted(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, institution=tree["institution"])
    # when / then
    with pytest.raises(ValidationError):
        monitoring_grant_give(actor=tree["admin"], person=manager)


@pytest.mark.parametrize("package_code", ["standard", "professional"])
def test_silver_package_refuses_grants_naming_the_gold_packages(package_code):
    # given
    institution = SubscriptionFactory(package_code=package_code).institution
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    manager = PersonFactory(
        role=Role.UNIT_MANAGER, unit=UnitFactory(region=RegionFactory(institution=institution))
    )
    # when
    with pytest.raises(FeatureLocked) as refused:
        monitoring_grant_give(actor=admin, person=manager)
    # then
    assert sorted(refused.value.packages) == ["Premium + SLA Paketi", "Premium SLA Paketi"]
    assert not MonitoringGrant.objects.exists()


def test_moving_a_manager_revokes_the_grant_on_the_place_left(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    # when
    person_move(actor=tree["admin"], person=manager, unit=tree["unit3"])
    # then
    grant.refresh_from_db()
    assert grant.revoked_by == tree["admin"] and grant.revoked_at is not None


def test_moving_a_region_manager_within_the_region_keeps_the_grant(tree):
    # given
    manager = PersonFactory(role=Role.REGION_MANAGER, unit=tree["unit1"])
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    # when
    person_move(actor=tree["admin"], person=manager, unit=tree["unit2"])
    # then
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_moved_manager_sees_the_old_unit_no_more_at_once(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    monitoring_grant_give(actor=tree["admin"], person=manager)
    old_unit = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    # when
    person_move(actor=tree["admin"], person=manager, unit=tree["unit2"])
    # then
    assert old_unit not in ticket_visible_to(person=manager)


def test_changing_a_managers_role_to_customer_revokes_the_grant(tree):
    # given
    manager = PersonFactory(role=Role.REGION_MANAGER, region=tree["region1"])
    grant = monitoring_grant_give(actor=tree["admin"], person=manager)
    in_region = TicketFactory(requester=PersonFactory(unit=tree["unit2"]))
    # when
    person_set_role(actor=tree["admin"], person=manager, role=Role.CUSTOMER)
    # then
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert in_region not in ticket_visible_to(person=manager)


def test_a_new_grant_after_a_move_replaces_the_old_one(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    old = monitoring_grant_give(actor=tree["admin"], person=manager)
    manager.unit, manager.region = tree["unit3"], tree["region2"]
    manager.save(update_fields=["unit", "region"])
    # when
    new = monitoring_grant_give(actor=tree["admin"], person=manager)
    # then
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_by == tree["admin"]
    assert new.unit == tree["unit3"]


def test_django_admin_shows_grants_but_cannot_add_them(client):
    # given
    staff = PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True)
    client.force_login(staff)
    # when
    response = client.get("/admin/organizations/monitoringgrant/add/")
    # then
    assert response.status_code == 403
    assert client.get("/admin/organizations/monitoringgrant/").status_code == 200


def test_region_management_lock_names_the_gold_packages_without_raising():
    # given
    standard = SubscriptionFactory(package_code="standard").institution
    premium = SubscriptionFactory(package_code="premium").institution
    # when
    locked, open_ = region_management_lock(standard), region_management_lock(premium)
    # then
    assert sorted(locked.packages) == ["Premium + SLA Paketi", "Premium SLA Paketi"]
    assert open_ is None
