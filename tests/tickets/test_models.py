import pytest
from guardian.models import GroupObjectPermission, UserObjectPermission

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.models import TicketUserObjectPermission
from tickets.services.sharing import ticket_share

pytestmark = pytest.mark.django_db


def test_deleting_a_ticket_leaves_no_guardian_permission_rows(customer):
    # given: a ticket shared with a colleague by name (guardian's view_ticket for them)
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    ticket = TicketFactory(requester=customer)
    ticket_share(actor=customer, ticket=ticket, person=colleague)
    assert colleague.has_perm("tickets.view_ticket", ticket)
    # when
    ticket.delete()
    # then
    assert not TicketUserObjectPermission.objects.exists()
    assert not UserObjectPermission.objects.exists()
    assert not GroupObjectPermission.objects.exists()
