"""The ticket's life cycle table, checked pair by pair through the service for both sides."""

import itertools

import pytest

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.errors import TicketStateError
from tickets.models import Ticket
from tickets.services import ticket_change_status
from tickets.workflow import CUSTOMER, DESK, TRANSITIONS

Status = Ticket.Status

# Written out by hand, apart from the module, so a change to the table must be made twice.
EXPECTED = {
    DESK: {
        ("new", "open"),
        ("new", "waiting"),
        ("new", "resolved"),
        ("open", "waiting"),
        ("open", "resolved"),
        ("waiting", "open"),
        ("waiting", "resolved"),
        ("resolved", "closed"),
        ("resolved", "open"),
    },
    CUSTOMER: {
        ("new", "closed"),
        ("open", "resolved"),
        ("open", "closed"),
        ("waiting", "resolved"),
        ("waiting", "closed"),
        ("resolved", "closed"),
    },
}
PAIRS = [(a, b) for a, b in itertools.product(Status.values, Status.values) if a != b]


def test_table_is_the_one_written_out():
    # then
    for side, allowed in EXPECTED.items():
        assert {(a, b) for a, targets in TRANSITIONS[side].items() for b in targets} == allowed


def test_the_desk_closes_only_a_resolved_ticket():
    # then
    assert {a for a, targets in TRANSITIONS[DESK].items() if Status.CLOSED in targets} == {Status.RESOLVED}


@pytest.mark.django_db
@pytest.mark.parametrize("side", [DESK, CUSTOMER])
@pytest.mark.parametrize(("current", "target"), PAIRS)
def test_every_pair_is_allowed_or_refused_as_the_table_says(side, current, target, premium):
    # given
    requester = PersonFactory(role=Role.CUSTOMER, institution=premium.institution)
    actor = PersonFactory(role=Role.SUPPORT_ENGINEER) if side == DESK else requester
    ticket = TicketFactory(requester=requester)
    Ticket.objects.filter(pk=ticket.pk).update(status=current)
    ticket.refresh_from_db()
    # when
    allowed = (current, target) in EXPECTED[side]
    if allowed:
        changed = ticket_change_status(actor=actor, ticket=ticket, status=target)
    else:
        with pytest.raises(TicketStateError):
            ticket_change_status(actor=actor, ticket=ticket, status=target)
        changed = Ticket.objects.get(pk=ticket.pk)
    # then
    assert changed.status == (target if allowed else current)
