"""ticket_visible_to against a straightforward reference, over random trees, people, moves,
deactivations, grants (active, revoked, on the wrong place) and shares, on Gold and Silver."""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from organizations.roles import Role
from tests.factories import (
    PersonFactory,
    RegionFactory,
    SubscriptionFactory,
    TicketFactory,
    UnitFactory,
    customer_with_subscription,
)
from tests.factories.visibility import MonitoringGrantFactory, TicketShareFactory
from tickets.selectors import person_list_seeing_ticket, ticket_visible_to

pytestmark = pytest.mark.django_db

ROLES = [Role.CUSTOMER, Role.UNIT_MANAGER, Role.REGION_MANAGER, Role.INSTITUTION_ADMIN]


@dataclass(frozen=True)
class Place:
    region: int | None
    unit: int | None


@st.composite
def worlds(draw):
    """Small, dense worlds: few places, so that people, tickets, shares and grants meet often."""
    regions = draw(st.integers(1, 2))
    unit_regions = draw(st.lists(st.integers(0, regions - 1), min_size=1, max_size=2))
    in_unit = st.integers(0, len(unit_regions) - 1).map(lambda u: Place(unit_regions[u], u))
    places = st.one_of(
        in_unit,
        in_unit,
        st.builds(Place, region=st.integers(0, regions - 1), unit=st.none()),
        st.just(Place(None, None)),
    )
    people = []
    for _ in range(draw(st.integers(1, 5))):
        filed_at = draw(places)
        people.append(
            {
                "role": draw(st.sampled_from(ROLES)),
                "filed_at": filed_at,
                # Mostly still where they filed; sometimes moved since.
                "now_at": draw(st.one_of(st.just(filed_at), places)),
                "active": draw(st.sampled_from([True, True, True, False])),
            }
        )
    tickets = draw(st.lists(st.integers(0, len(people) - 1), min_size=1, max_size=8))
    targets = [
        st.tuples(st.just("person"), st.integers(0, len(people) - 1)),
        st.tuples(st.just("region"), st.integers(0, regions - 1)),
        st.tuples(st.just("unit"), st.integers(0, len(unit_regions) - 1)),
    ]
    shares = draw(st.sets(st.tuples(st.integers(0, len(tickets) - 1), st.one_of(*targets)), max_size=6))
    grants = {}
    for index, person in enumerate(people):
        # Mostly on the person's own place, where a grant can matter; sometimes anywhere.
        own = [("unit", person["now_at"].unit)] if person["now_at"].unit is not None else []
        own += [("region", person["now_at"].region)] if person["now_at"].region is not None else []
        scope = st.one_of(*(st.just(o) for o in own * 2), *targets[1:])
        grants[index] = draw(st.lists(st.tuples(scope, st.sampled_from([False, False, True])), max_size=2))
    return {
        "package": draw(st.sampled_from(["premium", "premium", "standard"])),
        "regions": regions,
        "unit_regions": unit_regions,
        "people": people,
        "tickets": tickets,
        "shares": shares,
        "grants": grants,
    }


def reference(world: dict, viewer: int) -> set[int]:
    """Which tickets (by index) the viewer may see, straight from the rules."""
    person = world["people"][viewer]
    if not person["active"]:
        return set()
    filed_at = [world["people"][requester]["filed_at"] for requester in world["tickets"]]
    everything = set(range(len(world["tickets"])))
    if person["role"] == Role.INSTITUTION_ADMIN:
        return everything
    seen = {t for t in everything if world["tickets"][t] == viewer}
    if world["package"] != "premium":
        return seen
    place = person["now_at"]
    for ticket, (kind, target) in world["shares"]:
        if (
            (kind == "person" and target == viewer)
            or (kind == "unit" and target == place.unit)
            or (kind == "region" and target == place.region)
        ):
            seen.add(ticket)
    for (kind, target), revoked in world["grants"][viewer]:
        if revoked:
            continue
        if person["role"] == Role.UNIT_MANAGER and kind == "unit" and target == place.unit:
            seen |= {t for t in everything if filed_at[t].unit == target}
        if person["role"] == Role.REGION_MANAGER and kind == "region" and target == place.region:
            seen |= {t for t in everything if filed_at[t].region == target}
    return seen


def build(world: dict):
    institution = SubscriptionFactory(package_code=world["package"]).institution
    regions = [RegionFactory(institution=institution) for _ in range(world["regions"])]
    units = [UnitFactory(region=regions[r]) for r in world["unit_regions"]]
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)

    def place(spec: Place) -> dict:
        return {
            "region": regions[spec.region] if spec.region is not None else None,
            "unit": units[spec.unit] if spec.unit is not None else None,
        }

    people = [
        PersonFactory(role=p["role"], institution=institution, **place(p["filed_at"]))
        for p in world["people"]
    ]
    tickets = [TicketFactory(requester=people[requester]) for requester in world["tickets"]]
    for person, spec in zip(people, world["people"], strict=True):
        for name, value in place(spec["now_at"]).items():
            setattr(person, name, value)
        person.is_active = spec["active"]
        person.save(update_fields=["region", "unit", "is_active"])
    targets = {"person": people, "unit": units, "region": regions}
    for ticket, (kind, target) in world["shares"]:
        TicketShareFactory(ticket=tickets[ticket], **{kind: targets[kind][target]})
    for index, grants in world["grants"].items():
        for (kind, target), revoked in grants:
            MonitoringGrantFactory(
                person=people[index],
                granted_by=admin,
                unit=targets[kind][target] if kind == "unit" else None,
                region=targets[kind][target] if kind == "region" else None,
                revoked_by=admin if revoked else None,
                revoked_at=timezone.now() if revoked else None,
            )
    return people, tickets


def normalise(world: dict) -> dict:
    """Revoked grants first, and all but one active grant per person marked revoked: a person
    holds at most one active grant."""
    grants = {}
    for index, entries in world["grants"].items():
        active_seen, kept = False, []
        for scope, revoked in sorted(entries, key=lambda g: not g[1]):
            if not revoked and active_seen:
                revoked = True
            active_seen |= not revoked
            kept.append((scope, revoked))
        grants[index] = kept
    return {**world, "grants": grants}


def _person(role, filed_at, now_at=None, active=True):
    return {"role": role, "filed_at": filed_at, "now_at": now_at or filed_at, "active": active}


# Worlds the random search meets only rarely, kept as fixed examples.
CUSTOMER_HOLDING_A_UNIT_GRANT = {
    "package": "premium",
    "regions": 1,
    "unit_regions": [0],
    "people": [_person(Role.CUSTOMER, Place(0, 0)), _person(Role.CUSTOMER, Place(0, 0))],
    "tickets": [1],
    "shares": set(),
    "grants": {0: [(("unit", 0), False)], 1: []},
}
REGION_MANAGER_OUTSIDE_ANY_UNIT = {
    "package": "premium",
    "regions": 2,
    "unit_regions": [0, 1],
    "people": [_person(Role.REGION_MANAGER, Place(0, None)), _person(Role.CUSTOMER, Place(0, 0))],
    "tickets": [1, 1],
    "shares": {(1, ("region", 1))},
    "grants": {0: [(("region", 0), False)], 1: []},
}
MANAGER_MOVED_AWAY_FROM_THEIR_GRANT = {
    "package": "premium",
    "regions": 2,
    "unit_regions": [0, 1],
    "people": [_person(Role.UNIT_MANAGER, Place(0, 0), Place(1, 1)), _person(Role.CUSTOMER, Place(0, 0))],
    "tickets": [0, 1],
    "shares": {(1, ("unit", 1))},
    "grants": {0: [(("unit", 0), False), (("unit", 1), True)], 1: []},
}
SHARED_TO_A_REGION_SEEN_FROM_ITS_UNIT = {
    "package": "premium",
    "regions": 2,
    "unit_regions": [1, 0],
    "people": [
        _person(Role.CUSTOMER, Place(1, 0)),
        _person(Role.CUSTOMER, Place(0, 1)),
        _person(Role.CUSTOMER, Place(0, None), active=False),
    ],
    "tickets": [1, 1, 0],
    "shares": {(0, ("region", 1)), (1, ("unit", 1)), (2, ("person", 2))},
    "grants": {0: [], 1: [], 2: []},
}


def transpose(seen: dict[int, set[int]], tickets: int) -> dict[int, set[int]]:
    return {
        ticket: {person for person, visible in seen.items() if ticket in visible} for ticket in range(tickets)
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
@example(world=CUSTOMER_HOLDING_A_UNIT_GRANT)
@example(world=REGION_MANAGER_OUTSIDE_ANY_UNIT)
@example(world=MANAGER_MOVED_AWAY_FROM_THEIR_GRANT)
@example(world=SHARED_TO_A_REGION_SEEN_FROM_ITS_UNIT)
def test_selector_matches_the_reference(db, world):
    world = normalise(world)
    with transaction.atomic():
        # given
        people, tickets = build(world)
        foreign = TicketFactory(requester=customer_with_subscription("premium"))
        ids = {ticket.pk: index for index, ticket in enumerate(tickets)}
        # when
        seen = {
            index: {
                ids.get(pk, "elsewhere")
                for pk in ticket_visible_to(person=person).values_list("pk", flat=True)
            }
            for index, person in enumerate(people)
        }
        transaction.set_rollback(True)
    # then
    assert foreign.pk not in ids
    assert seen == {index: reference(world, index) for index in range(len(people))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
@example(world=CUSTOMER_HOLDING_A_UNIT_GRANT)
@example(world=REGION_MANAGER_OUTSIDE_ANY_UNIT)
@example(world=MANAGER_MOVED_AWAY_FROM_THEIR_GRANT)
@example(world=SHARED_TO_A_REGION_SEEN_FROM_ITS_UNIT)
def test_audience_of_a_ticket_matches_the_reference(db, world):
    world = normalise(world)
    with transaction.atomic():
        # given
        people, tickets = build(world)
        index_of = {person.pk: index for index, person in enumerate(people)}
        # when
        audience = {
            index: {
                index_of.get(pk, "the admin")
                for pk in person_list_seeing_ticket(ticket=ticket).values_list("pk", flat=True)
            }
            for index, ticket in enumerate(tickets)
        }
        transaction.set_rollback(True)
    # then
    expected = transpose({index: reference(world, index) for index in range(len(people))}, len(tickets))
    assert audience == {ticket: people_ | {"the admin"} for ticket, people_ in expected.items()}
