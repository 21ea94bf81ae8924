"""Moving or deactivating a person changes what they see at once."""

import pytest
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from organizations.models import User
from organizations.roles import Role
from organizations.services import person_deactivate, person_move
from tests.factories import PersonFactory, TicketFactory
from tickets.selectors import ticket_get_visible, ticket_visible_to
from tickets.services.sharing import ticket_share

pytestmark = pytest.mark.django_db


def test_moving_a_person_shows_the_new_units_shares_and_hides_the_old_ones(tree):
    # given
    person = PersonFactory(unit=tree["unit1"])
    to_old = TicketFactory(requester=PersonFactory(unit=tree["unit3"]))
    to_new = TicketFactory(requester=PersonFactory(unit=tree["unit1"]))
    ticket_share(actor=to_old.requester, ticket=to_old, unit=tree["unit1"])
    ticket_share(actor=to_new.requester, ticket=to_new, unit=tree["unit3"])
    # when
    person_move(actor=tree["admin"], person=person, unit=tree["unit3"])
    # then
    assert set(ticket_visible_to(person=person)) == {to_new}


def test_moved_person_still_sees_their_own_tickets(tree):
    # given
    person = PersonFactory(unit=tree["unit1"])
    own = TicketFactory(requester=person)
    # when
    person_move(actor=tree["admin"], person=person, unit=tree["unit3"])
    # then
    assert own in ticket_visible_to(person=person)


def test_move_shows_on_the_next_load_of_the_person(tree):
    # given
    person = PersonFactory(unit=tree["unit1"])
    shared = TicketFactory(requester=PersonFactory(unit=tree["unit3"]))
    ticket_share(actor=shared.requester, ticket=shared, unit=tree["unit1"])
    # when
    person_move(actor=tree["admin"], person=User.objects.get(pk=person.pk), unit=tree["unit3"])
    # then
    assert shared not in ticket_visible_to(person=User.objects.get(pk=person.pk))


def test_deactivated_person_sees_nothing_not_even_their_own(tree):
    # given
    person = PersonFactory(unit=tree["unit1"])
    own = TicketFactory(requester=person)
    # when
    person_deactivate(actor=tree["admin"], person=person)
    # then
    assert not ticket_visible_to(person=User.objects.get(pk=person.pk)).exists()
    assert ticket_get_visible(person=person, pk=own.pk) is None


def test_deactivated_managers_token_stops_working(tree):
    # given
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=tree["unit1"])
    token = Token.objects.create(user=manager)
    # when
    person_deactivate(actor=tree["admin"], person=manager)
    # then
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(token.key)
