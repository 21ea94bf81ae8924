import pytest
from django.db import connection

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.models import TicketShare
from tickets.services.sharing import ticket_share

pytestmark = pytest.mark.django_db


def test_deleting_a_ticket_deletes_its_shares(customer):
    # given: a ticket shared with a colleague by name
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    ticket = TicketFactory(requester=customer)
    ticket_share(actor=customer, ticket=ticket, person=colleague)
    # when
    ticket.delete()
    # then: a later ticket can never inherit the share
    assert not TicketShare.objects.exists()


def test_no_per_object_permission_table_is_left():
    # given: the migrated database
    # when
    tables = set(connection.introspection.table_names())
    # then: the share rows are the one record of who sees a ticket (docs/visibility.md)
    assert not tables & {
        "guardian_userobjectpermission",
        "guardian_groupobjectpermission",
        "tickets_ticketuserobjectpermission",
        "tickets_ticketgroupobjectpermission",
    }
