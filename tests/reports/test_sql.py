import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from reports.sql import PG_SERVICE_MINUTES, MinutesBetween, percentiles, pg_service_parts
from tests.factories import TicketFactory
from tickets.figures import first_response_minutes
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _answered_at_odd_hours(customer) -> list[tuple[int, datetime.datetime, datetime.datetime]]:
    """Tickets filed at odd hours and answered up to three days later."""
    rng = random.Random(12)
    base = datetime.datetime(2026, 3, 2, 0, 0, tzinfo=datetime.UTC)
    pairs = []
    for _ in range(25):
        filed = base + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        answered = filed + datetime.timedelta(minutes=rng.randrange(0, 60 * 72))
        ticket = TicketFactory(requester=customer)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=filed, first_responded_at=answered)
        pairs.append((ticket.pk, filed, answered))
    return pairs


def test_service_minutes_in_sql_match_the_service_calendar(customer):
    # given
    pairs = _answered_at_odd_hours(customer)
    # when
    in_sql = dict(
        Ticket.objects.filter(pk__in=[p[0] for p in pairs])
        .annotate(sm=first_response_minutes())
        .values_list("pk", "sm")
    )
    # then
    ticket = Ticket.objects.get(pk=pairs[0][0])
    for pk, filed, answered in pairs:
        assert in_sql[pk] == pytest.approx(ticket.calendar.service_minutes_between(filed, answered), abs=0.01)


def test_roll_up_service_minutes_match_the_definition(customer, postgres):
    # given
    pairs = _answered_at_odd_hours(customer)
    ids = [p[0] for p in pairs]
    table = Ticket._meta.db_table
    # when: the hand-written PostgreSQL the day roll-up and the statistics use
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT y.id, {PG_SERVICE_MINUTES} FROM (SELECT t.id, "  # noqa: S608
            f"{pg_service_parts('t', 'created_at', 'first_responded_at')} FROM {table} t WHERE t.id = ANY(%s)) AS y",
            [ids],
        )
        by_hand = dict(cursor.fetchall())
    defined = dict(
        Ticket.objects.filter(pk__in=ids).annotate(sm=first_response_minutes()).values_list("pk", "sm")
    )
    # then
    assert by_hand == pytest.approx(defined, abs=0.001)


def test_percentiles_interpolate_like_percentile_cont(customer):
    # given first responses after 10, 20, 30 and 40 wall minutes
    start = timezone.now()
    ids = []
    for minutes in (10, 20, 30, 40):
        ticket = TicketFactory(requester=customer)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=start, first_responded_at=start + datetime.timedelta(minutes=minutes)
        )
        ids.append(ticket.pk)
    # when
    values = percentiles(
        Ticket.objects.filter(pk__in=ids),
        MinutesBetween("created_at", "first_responded_at"),
        {"m": 0.5, "p": 0.9},
    )
    # then
    assert values["m"] == pytest.approx(25.0)
    assert values["p"] == pytest.approx(37.0)
