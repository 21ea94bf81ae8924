"""On PostgreSQL a region manager's ticket list over 100,000 tickets is one indexed query."""

import re

import pytest
from django.db import connection

from organizations.roles import Role
from organizations.services import monitoring_grant_give
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, TicketFactory, UnitFactory
from tickets.selectors import ticket_list_for_requester_side, ticket_visible_to

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TICKETS = 100_000
REGIONS = 20
UNITS_PER_REGION = 5


def _fill_tickets(template_id: int, unit_ids: list[tuple[int, int]], requester_ids: list[int]) -> None:
    """Copies one filed ticket 100,000 times, spread over every unit of the institution and a
    few requesters, with distinct filing times."""
    units = ",".join(f"({i},{u},{r})" for i, (u, r) in enumerate(unit_ids))
    requesters = ",".join(f"({i},{p})" for i, p in enumerate(requester_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO tickets_ticket (
                institution_id, subscription_id, requester_id, region_id, unit_id, kind, subject, description,
                channel, status, priority, first_response_minutes, service_window_start, service_window_end,
                service_timezone, first_response_due_at, warning_due_at, created_at, updated_at)
            SELECT t.institution_id, t.subscription_id, rq.person_id, u.region_id, u.unit_id, t.kind,
                   t.subject || ' ' || g, t.description, t.channel, t.status, t.priority, t.first_response_minutes,
                   t.service_window_start, t.service_window_end, t.service_timezone,
                   t.first_response_due_at, t.warning_due_at,
                   t.created_at - g * interval '1 minute', t.updated_at
            FROM generate_series(1, %s) AS g
            JOIN tickets_ticket t ON t.id = %s
            JOIN (VALUES {units}) AS u(n, unit_id, region_id) ON u.n = g %% %s
            JOIN (VALUES {requesters}) AS rq(n, person_id) ON rq.n = g %% %s
            """,
            [TICKETS, template_id, len(unit_ids), len(requester_ids)],
        )
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("ANALYZE tickets_ticketshare")
        cursor.execute("ANALYZE organizations_monitoringgrant")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def region_manager_over_100k_tickets(postgres):
    subscription = SubscriptionFactory(package_code="premium_plus")
    institution = subscription.institution
    units = []
    for _ in range(REGIONS):
        region = RegionFactory(institution=institution)
        units += [UnitFactory(region=region) for _ in range(UNITS_PER_REGION)]
    requesters = [PersonFactory(institution=institution, unit=unit) for unit in units[::7]]
    template = TicketFactory(requester=requesters[0])
    _fill_tickets(template.pk, [(u.pk, u.region_id) for u in units], [p.pk for p in requesters])
    manager = PersonFactory(institution=institution, role=Role.REGION_MANAGER, region=units[0].region)
    admin = PersonFactory(institution=institution, role=Role.INSTITUTION_ADMIN)
    monitoring_grant_give(actor=admin, person=manager)
    return manager


def test_region_manager_list_is_one_indexed_query(
    region_manager_over_100k_tickets, django_assert_num_queries
):
    # given
    manager = region_manager_over_100k_tickets
    assert manager.role == Role.REGION_MANAGER  # the role is loaded once per request, before any list
    page = ticket_list_for_requester_side(person=manager)[:25]
    # when
    with django_assert_num_queries(1):
        rows = list(page)
    plan = _plan(page)
    # then
    assert len(rows) == 25
    assert {t.region_id for t in rows} == {manager.region_id}
    assert not re.search(r"Seq Scan on tickets_ticket\b", plan)
    assert "Index" in plan


def test_region_manager_count_is_one_indexed_query(
    region_manager_over_100k_tickets, django_assert_num_queries
):
    # given
    manager = region_manager_over_100k_tickets
    assert manager.role == Role.REGION_MANAGER  # the role is loaded once per request, before any list
    visible = ticket_visible_to(person=manager)
    # when
    with django_assert_num_queries(1):
        count = visible.count()
    plan = _plan(visible)
    # then
    assert count == TICKETS // REGIONS + 1
    assert not re.search(r"Seq Scan on tickets_ticket\b", plan)
