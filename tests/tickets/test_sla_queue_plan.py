"""The desk queue's first page must come straight off the partial index ticket_queue: an index
scan in queue order, no sort of the open tickets, whatever the table holds."""

import pytest
from django.db import connection

from organizations.roles import Role
from tests.factories import PersonFactory, TicketFactory
from tickets.selectors import ticket_queue_all_institutions

pytestmark = pytest.mark.django_db


def test_queue_first_page_is_read_from_the_partial_index(postgres):
    # given: the planner told to avoid scans and sorts wherever it can, as it does on a large
    # table: a sort that stays in the plan is one the index cannot spare
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    TicketFactory()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
    # when
    plan = ticket_queue_all_institutions(engineer=engineer)[:50].explain()
    # then
    assert "Index Scan using ticket_queue on tickets_ticket" in plan
    assert "Sort" not in plan
