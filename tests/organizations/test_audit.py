"""Every service that changes people, the tree, monitoring grants or sharing checks its actor and
records one audit row in its own transaction."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from organizations.audit import audit_action_label
from organizations.models import AuditEvent, MonitoringGrant, Region, Unit, User
from organizations.roles import Role
from organizations.services import (
    monitoring_grant_give,
    monitoring_grant_revoke,
    person_add,
    person_deactivate,
    person_invite,
    person_move,
    person_reactivate,
    person_set_role,
    region_create,
    region_rename,
    unit_create,
    unit_rename,
)
from packages.errors import UserCapReached
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tickets.models import TicketShare
from tickets.services.sharing import ticket_share, ticket_unshare

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A Premium institution with a two-unit region, its admin, people in several states, a ticket
    shared with the region and a region manager's grant — something for every service to change."""
    institution = SubscriptionFactory(package_code="premium").institution
    region = RegionFactory(institution=institution, name="Region")
    unit, unit2 = UnitFactory(region=region, name="Unit A"), UnitFactory(region=region, name="Unit B")
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    customer = PersonFactory(role=Role.CUSTOMER, unit=unit)
    region_manager = PersonFactory(role=Role.REGION_MANAGER, institution=institution, region=region)
    grant = monitoring_grant_give(actor=admin, person=region_manager)
    ticket = TicketFactory(requester=customer)
    share = ticket_share(actor=admin, ticket=ticket, region=region)
    return SimpleNamespace(
        institution=institution,
        region=region,
        unit=unit,
        unit2=unit2,
        admin=admin,
        customer=customer,
        inactive=PersonFactory(role=Role.CUSTOMER, institution=institution, is_active=False),
        unit_manager=PersonFactory(role=Role.UNIT_MANAGER, unit=unit),
        grant=grant,
        ticket=ticket,
        share=share,
    )


# Each service, called as `actor` on the world, with the audit row it must write.
SERVICES = {
    "person_add": (
        lambda w, actor: person_add(actor=actor, institution=w.institution, username="ayse"),
        "person.add",
        {},
        {"role": "customer", "is_active": True},
    ),
    "person_invite": (
        lambda w, actor: person_invite(actor=actor, institution=w.institution, email="ayse@example.test"),
        "person.invite",
        {},
        {"role": "customer", "email": "ayse@example.test"},
    ),
    "person_deactivate": (
        lambda w, actor: person_deactivate(actor=actor, person=w.customer),
        "person.deactivate",
        {"is_active": True},
        {"is_active": False},
    ),
    "person_reactivate": (
        lambda w, actor: person_reactivate(actor=actor, person=w.inactive),
        "person.reactivate",
        {"is_active": False},
        {"is_active": True},
    ),
    "person_set_role": (
        lambda w, actor: person_set_role(actor=actor, person=w.customer, role=Role.UNIT_MANAGER),
        "person.set_role",
        {"role": "customer"},
        {"role": "unit_manager"},
    ),
    "person_move": (
        lambda w, actor: person_move(actor=actor, person=w.customer, unit=w.unit2),
        "person.move",
        {"unit": "Unit A"},
        {"unit": "Unit B", "region": "Region"},
    ),
    "region_create": (
        lambda w, actor: region_create(actor=actor, institution=w.institution, name="Kuzey"),
        "region.create",
        {},
        {"name": "Kuzey"},
    ),
    "unit_create": (
        lambda w, actor: unit_create(actor=actor, institution=w.institution, region=w.region, name="Merkez"),
        "unit.create",
        {},
        {"name": "Merkez", "region": "Region"},
    ),
    "region_rename": (
        lambda w, actor: region_rename(actor=actor, region=w.region, name="Kuzey"),
        "region.rename",
        {"name": "Region"},
        {"name": "Kuzey"},
    ),
    "unit_rename": (
        lambda w, actor: unit_rename(actor=actor, unit=w.unit, name="Merkez"),
        "unit.rename",
        {"name": "Unit A"},
        {"name": "Merkez"},
    ),
    "monitoring_grant_give": (
        lambda w, actor: monitoring_grant_give(actor=actor, person=w.unit_manager),
        "monitoring_grant.give",
        {"revoked_grant_ids": []},
        {"region_id": None},
    ),
    "monitoring_grant_revoke": (
        lambda w, actor: monitoring_grant_revoke(actor=actor, grant=w.grant),
        "monitoring_grant.revoke",
        {"revoked_at": None},
        {},
    ),
    "ticket_share": (
        lambda w, actor: ticket_share(actor=actor, ticket=w.ticket, unit=w.unit2),
        "ticket.share",
        {},
        {"target": "unit", "target_name": "Unit B"},
    ),
    "ticket_unshare": (
        lambda w, actor: ticket_unshare(actor=actor, share=w.share),
        "ticket.unshare",
        {"target": "region", "target_name": "Region"},
        {},
    ),
}

OUTSIDERS = {
    "other_institution_admin": lambda w: PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    ),
    "customer": lambda w: PersonFactory(role=Role.CUSTOMER, institution=w.institution),
    "engineer": lambda w: PersonFactory(role=Role.SUPPORT_ENGINEER),
}


def snapshot() -> dict:
    """Everything the services write, to show that a refused call wrote nothing."""
    return {
        "people": list(
            User.objects.order_by("pk").values_list("pk", "role", "is_active", "region_id", "unit_id")
        ),
        "regions": list(Region.objects.order_by("pk").values_list("pk", "name")),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "name")),
        "grants": list(MonitoringGrant.objects.order_by("pk").values_list("pk", "revoked_at")),
        "shares": list(TicketShare.objects.order_by("pk").values_list("pk", flat=True)),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.parametrize("outsider", OUTSIDERS.values(), ids=OUTSIDERS.keys())
@pytest.mark.parametrize("service", SERVICES.values(), ids=SERVICES.keys())
def test_service_refuses_an_outsider_and_writes_nothing(world, service, outsider, mailoutbox):
    # given
    call = service[0]
    actor = outsider(world)
    before = snapshot()
    # when
    with pytest.raises(PermissionDenied):
        call(world, actor)
    # then
    assert snapshot() == before
    assert mailoutbox == []


@pytest.mark.parametrize("service", SERVICES.values(), ids=SERVICES.keys())
def test_service_records_one_audit_row_with_before_and_after(world, service):
    # given
    call, action, before, after = service
    existing = set(AuditEvent.objects.values_list("pk", flat=True))
    # when
    call(world, world.admin)
    # then
    [event] = AuditEvent.objects.exclude(pk__in=existing)
    assert (event.action, event.actor, event.institution) == (action, world.admin, world.institution)
    assert event.before.items() >= before.items()
    assert event.after.items() >= after.items()
    assert event.before or event.after
    assert event.target_id is not None and event.target_label
    assert audit_action_label(action) != action


def test_repeating_a_service_records_nothing_more(world):
    # given
    person_deactivate(actor=world.admin, person=world.customer)
    region_rename(actor=world.admin, region=world.region, name="Kuzey")
    count = AuditEvent.objects.count()
    # when
    person_deactivate(actor=world.admin, person=world.customer)
    region_rename(actor=world.admin, region=world.region, name="Kuzey")
    monitoring_grant_give(actor=world.admin, person=world.grant.person)
    # then
    assert AuditEvent.objects.count() == count


def test_admin_cannot_deactivate_themselves(world):
    # when
    with pytest.raises(ValidationError):
        person_deactivate(actor=world.admin, person=world.admin)
    # then
    world.admin.refresh_from_db()
    assert world.admin.is_active
    assert not AuditEvent.objects.filter(action="person.deactivate").exists()


def test_admin_cannot_change_their_own_role(world):
    # when
    with pytest.raises(ValidationError):
        person_set_role(actor=world.admin, person=world.admin, role=Role.CUSTOMER)
    # then
    world.admin.refresh_from_db()
    assert world.admin.role == Role.INSTITUTION_ADMIN


def test_refused_reactivation_rolls_back_with_nothing_recorded(world):
    # given: the contract's cap is reached
    seats = User.objects.for_institution(world.institution).filter(is_active=True).count()
    world.institution.subscriptions.update(user_cap=seats)
    # when
    with pytest.raises(UserCapReached):
        person_reactivate(actor=world.admin, person=world.inactive)
    # then
    world.inactive.refresh_from_db()
    assert not world.inactive.is_active
    assert not AuditEvent.objects.filter(action="person.reactivate").exists()


def test_move_that_revokes_a_grant_lists_it_in_one_row(world):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=world.unit)
    grant = monitoring_grant_give(actor=world.admin, person=manager)
    # when
    person_move(actor=world.admin, person=manager, unit=world.unit2)
    # then
    event = AuditEvent.objects.get(action="person.move")
    assert event.after["revoked_grant_ids"] == [grant.pk]
    assert event.before["unit_id"] == world.unit.pk and event.after["unit_id"] == world.unit2.pk


def test_package_manager_manages_people_of_any_institution(world):
    # given
    staff = PersonFactory(role=Role.PACKAGE_MANAGER)
    # when
    person_deactivate(actor=staff, person=world.customer)
    # then
    event = AuditEvent.objects.get(action="person.deactivate")
    assert (event.actor, event.institution) == (staff, world.institution)


def test_for_institution_reads_one_institutions_rows(world):
    # given
    other = PersonFactory(
        role=Role.INSTITUTION_ADMIN, institution=SubscriptionFactory(package_code="premium").institution
    )
    region_create(actor=other, institution=other.institution, name="Elsewhere")
    # when
    rows = AuditEvent.objects.for_institution(world.institution)
    # then
    assert rows.exists()
    assert set(rows.values_list("institution_id", flat=True)) == {world.institution.pk}
