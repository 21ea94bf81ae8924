"""Who sees which ticket: every role against every relation of a ticket to the viewer, on Premium
(sharing and monitoring in force) and on Standard (only own tickets and the admin's view)."""

from dataclasses import dataclass

import pytest

from organizations.roles import CUSTOMER_SIDE, Role
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    TicketFactory,
    UnitFactory,
    customer_with_subscription,
)
from tests.factories.visibility import MonitoringGrantFactory, TicketShareFactory
from tickets.selectors import (
    person_list_seeing_ticket,
    ticket_get_visible,
    ticket_messages_visible_to,
    ticket_share_list,
    ticket_visible_to,
)
from tickets.services import ticket_reply

pytestmark = pytest.mark.django_db

RELATIONS = (
    "own",
    "same unit",
    "same region",
    "other region",
    "shared to me",
    "shared to my unit",
    "shared to my region",
    "other institution",
)
Y, N = True, False

# The viewer stands in unit 1 of region 1 (the institution admin too); managers hold an active
# monitoring grant on their unit or region. None: the relation does not exist for the role
# (vendor staff file no tickets and nobody shares with them).
TABLE = {
    "premium": {
        Role.CUSTOMER: (Y, N, N, N, Y, Y, Y, N),
        Role.UNIT_MANAGER: (Y, Y, N, N, Y, Y, Y, N),
        Role.REGION_MANAGER: (Y, Y, Y, N, Y, Y, Y, N),
        Role.INSTITUTION_ADMIN: (Y, Y, Y, Y, Y, Y, Y, N),
        Role.SUPPORT_ENGINEER: (None, Y, Y, Y, None, Y, Y, Y),
        Role.DESK_LEAD: (None, Y, Y, Y, None, Y, Y, Y),
        Role.PACKAGE_MANAGER: (None, Y, Y, Y, None, Y, Y, Y),
    },
    "standard": {
        Role.CUSTOMER: (Y, N, N, N, N, N, N, N),
        Role.UNIT_MANAGER: (Y, N, N, N, N, N, N, N),
        Role.REGION_MANAGER: (Y, N, N, N, N, N, N, N),
        Role.INSTITUTION_ADMIN: (Y, Y, Y, Y, Y, Y, Y, N),
        Role.SUPPORT_ENGINEER: (None, Y, Y, Y, None, Y, Y, Y),
        Role.DESK_LEAD: (None, Y, Y, Y, None, Y, Y, Y),
        Role.PACKAGE_MANAGER: (None, Y, Y, Y, None, Y, Y, Y),
    },
}
CASES = [(package, role) for package, row in TABLE.items() for role in row]


@dataclass
class World:
    viewer: object
    tickets: dict


def build_world(package_code: str, role: Role) -> World:
    """One institution with two regions (units 1 and 2 in region 1, unit 3 in region 2), the
    viewer, and one ticket per relation; plus a ticket of another institution. Shares and grants
    are rows here because a Standard contract refuses to make them (as if left from an earlier
    Premium contract); the services are tested on their own."""
    institution = SubscriptionFactory(package_code=package_code).institution
    region1, region2 = RegionFactory(institution=institution), RegionFactory(institution=institution)
    unit1, unit2, unit3 = (
        UnitFactory(region=region1),
        UnitFactory(region=region1),
        UnitFactory(region=region2),
    )
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    on_customer_side = role in CUSTOMER_SIDE
    viewer = PersonFactory(role=role, unit=unit1) if on_customer_side else PersonFactory(role=role)
    if role in (Role.UNIT_MANAGER, Role.REGION_MANAGER):
        MonitoringGrantFactory(person=viewer, granted_by=admin)
    far = PersonFactory(unit=unit3)
    tickets = {
        "same unit": TicketFactory(requester=PersonFactory(unit=unit1)),
        "same region": TicketFactory(requester=PersonFactory(unit=unit2)),
        "other region": TicketFactory(requester=far),
        "shared to my unit": TicketFactory(requester=far),
        "shared to my region": TicketFactory(requester=far),
        "other institution": TicketFactory(requester=customer_with_subscription("premium")),
    }
    TicketShareFactory(ticket=tickets["shared to my unit"], unit=unit1)
    TicketShareFactory(ticket=tickets["shared to my region"], region=region1)
    if on_customer_side:
        tickets["own"] = TicketFactory(requester=viewer)
        tickets["shared to me"] = TicketFactory(requester=far)
        TicketShareFactory(ticket=tickets["shared to me"], person=viewer)
    return World(viewer=viewer, tickets=tickets)


def expected_row(package_code: str, role: Role) -> dict:
    return {
        relation: seen
        for relation, seen in zip(RELATIONS, TABLE[package_code][role], strict=True)
        if seen is not None
    }


@pytest.mark.parametrize(("package_code", "role"), CASES, ids=[f"{p}-{r.value}" for p, r in CASES])
def test_list_shows_what_the_role_may_see(package_code, role):
    # given
    world = build_world(package_code, role)
    # when
    visible = set(ticket_visible_to(person=world.viewer).values_list("pk", flat=True))
    # then
    seen = {relation: ticket.pk in visible for relation, ticket in world.tickets.items()}
    assert seen == expected_row(package_code, role)


@pytest.mark.parametrize(("package_code", "role"), CASES, ids=[f"{p}-{r.value}" for p, r in CASES])
def test_detail_agrees_with_the_list(package_code, role):
    # given
    world = build_world(package_code, role)
    # when
    seen = {
        relation: ticket_get_visible(person=world.viewer, pk=ticket.pk) is not None
        for relation, ticket in world.tickets.items()
    }
    # then
    assert seen == expected_row(package_code, role)


@pytest.mark.parametrize("role", [Role.UNIT_MANAGER, Role.REGION_MANAGER])
def test_manager_without_grant_sees_only_own_and_shared(role):
    # given
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    manager = PersonFactory(role=role, unit=unit)
    own = TicketFactory(requester=manager)
    colleagues = TicketFactory(requester=PersonFactory(unit=unit))
    shared = TicketFactory(requester=PersonFactory(unit=unit))
    TicketShareFactory(ticket=shared, person=manager)
    # when
    visible = set(ticket_visible_to(person=manager))
    # then
    assert visible == {own, shared}
    assert colleagues not in visible


def test_revoked_grant_gives_no_view():
    # given
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit)
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    MonitoringGrantFactory(person=manager, granted_by=admin, revoked_by=admin, revoked_at="2026-01-01T00:00Z")
    colleagues = TicketFactory(requester=PersonFactory(unit=unit))
    # when
    visible = set(ticket_visible_to(person=manager))
    # then
    assert colleagues not in visible


def test_grant_on_another_unit_than_the_managers_own_gives_no_view():
    # given
    institution = SubscriptionFactory(package_code="premium").institution
    region = RegionFactory(institution=institution)
    own_unit, other_unit = UnitFactory(region=region), UnitFactory(region=region)
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=own_unit)
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    MonitoringGrantFactory(person=manager, granted_by=admin, unit=other_unit)
    elsewhere = TicketFactory(requester=PersonFactory(unit=other_unit))
    # when
    visible = set(ticket_visible_to(person=manager))
    # then
    assert elsewhere not in visible


def test_customer_without_role_sees_nothing():
    # given
    customer = customer_with_subscription("premium")
    TicketFactory(requester=customer)
    customer.role = None
    customer.save(update_fields=["role"])
    # when
    visible = ticket_visible_to(person=customer)
    # then
    assert not visible.exists()


def test_visible_list_is_one_query(django_assert_num_queries):
    # given
    world = build_world("premium", Role.REGION_MANAGER)
    viewer = world.viewer
    assert viewer.role == Role.REGION_MANAGER
    # when
    with django_assert_num_queries(1):
        rows = list(ticket_visible_to(person=viewer))
    # then
    assert len(rows) == 6


def test_audience_of_a_ticket_is_who_sees_it_in_one_query(django_assert_num_queries):
    # given
    world = build_world("premium", Role.UNIT_MANAGER)
    ticket = world.tickets["same unit"]
    # when
    with django_assert_num_queries(1):
        audience = list(person_list_seeing_ticket(ticket=ticket))
    # then
    assert world.viewer in audience
    assert ticket.requester in audience
    assert all(ticket in ticket_visible_to(person=person) for person in audience)


def test_conversation_of_a_ticket_the_person_may_not_see_is_empty():
    # given
    world = build_world("premium", Role.CUSTOMER)
    ticket = world.tickets["same region"]
    ticket_reply(actor=ticket.requester, ticket=ticket, body="Still failing.")
    # when
    messages = ticket_messages_visible_to(person=world.viewer, ticket=ticket)
    # then
    assert ticket_messages_visible_to(person=ticket.requester, ticket=ticket).count() == 1
    assert not messages.exists()


def test_a_ticket_read_for_one_person_is_checked_again_for_another():
    # given: the ticket as ticket_get_visible read it for its requester, whose messages and shares
    # then skip the repeated check
    world = build_world("premium", Role.CUSTOMER)
    requester = world.tickets["same region"].requester
    ticket = ticket_get_visible(person=requester, pk=world.tickets["same region"].pk)
    ticket_reply(actor=requester, ticket=ticket, body="Still failing.")
    # when: the same object is asked about for someone who may not see the ticket
    theirs = ticket_messages_visible_to(person=world.viewer, ticket=ticket)
    # then
    assert ticket_messages_visible_to(person=requester, ticket=ticket).count() == 1
    assert not theirs.exists()
    assert not ticket_share_list(person=world.viewer, ticket=ticket).exists()
