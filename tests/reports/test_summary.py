"""The day roll-up (reports.summary) against the tickets themselves: on a generated data set, every
figure read through the roll-up equals the one computed from the tickets — right after a refresh,
after changes the refresh has not seen yet, and after the next refresh — for periods that end
today, in the past, or start before the first ticket; the refresh is idempotent and keeps each
institution's days to itself."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from reports.figures import full
from reports.models import ReportDay, ReportDayChange, ReportDayCoverage, Survey
from reports.periods import Period
from reports.summary import report_days_refresh
from tests.factories import TicketFactory, customer_with_subscription
from tickets.models import DevelopmentItem, Ticket

from .dataset import ProductFactory

pytestmark = pytest.mark.django_db


def _generate(requester, *, count: int, seed: float, products) -> None:
    """`count` tickets of the requester's institution over the last 120 days (today included):
    every kind and channel, two service windows, answered in or out of time or not at all, some
    breached, most resolved; copied from one filed ticket so that every column is valid."""
    template = TicketFactory(requester=requester)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute(
            f"""
            INSERT INTO {Ticket._meta.db_table} (
                institution_id, subscription_id, requester_id, kind, subject, description, channel, status, priority,
                first_response_minutes, service_window_start, service_window_end, service_timezone, created_at,
                updated_at, first_response_due_at, warning_due_at, first_responded_at, breached_at, resolved_at,
                product_id)
            SELECT t.institution_id, t.subscription_id, t.requester_id,
                   (ARRAY['question', 'problem', 'bug', 'feature'])[1 + (r.k * 4)::int %% 4], 'Generated', '-',
                   (ARRAY['written', 'phone', 'remote', 'written'])[1 + (r.c * 4)::int %% 4],
                   CASE WHEN r.res < 0.75 THEN 'resolved' ELSE 'open' END, 2, 60,
                   CASE WHEN r.w < 0.5 THEN TIME '08:00' ELSE TIME '09:00' END,
                   CASE WHEN r.w < 0.5 THEN TIME '00:00' ELSE TIME '18:00' END,
                   'Europe/Istanbul', r.created, r.created, r.created + interval '60 minutes',
                   r.created + interval '48 minutes',
                   CASE WHEN r.fr < 0.9 THEN r.created + r.fr * interval '150 minutes' END,
                   CASE WHEN r.fr >= 0.4 THEN r.created + interval '60 minutes' END,
                   CASE WHEN r.res < 0.75 THEN LEAST(r.created + r.res * interval '9 days', now()) END,
                   CASE WHEN r.p < 0.2 THEN NULL WHEN r.p < 0.6 THEN %(first)s ELSE %(second)s END
            FROM {Ticket._meta.db_table} t
            CROSS JOIN generate_series(1, %(count)s) AS g
            CROSS JOIN LATERAL (
                SELECT random() + g * 0 AS k, random() AS c, random() AS res, random() AS w, random() AS fr,
                       random() AS p, now() - random() * interval '120 days' AS created
            ) AS r
            WHERE t.id = %(template)s
            """,  # noqa: S608
            {"count": count, "template": template.pk, "first": products[0].pk, "second": products[1].pk},
        )


@pytest.fixture
def institutions(postgres):
    """Two institutions with generated tickets; the roll-up, its trigger and the generator are
    PostgreSQL's (on SQLite the reports compute every figure from the tickets)."""
    products = [ProductFactory(code="gis", name="GIS"), ProductFactory(code="web", name="WEB")]
    a, b = customer_with_subscription(), customer_with_subscription()
    _generate(a, count=600, seed=0.25, products=products)
    _generate(b, count=300, seed=0.75, products=products)
    return a.institution, b.institution


def _periods() -> list[Period]:
    today = timezone.localdate()
    return [
        Period(today - datetime.timedelta(days=59), today),  # ends today
        Period(today - datetime.timedelta(days=90), today - datetime.timedelta(days=31)),  # in the past
        Period(
            today - datetime.timedelta(days=200), today - datetime.timedelta(days=1)
        ),  # before the first ticket
        Period(today, today),
    ]


def _figures(institution, period, *, rolled_up: bool) -> dict:
    return full(
        Ticket.objects.for_institution(institution),
        Survey.objects.for_institution(institution),
        DevelopmentItem.objects.for_institution(institution),
        period,
        None,
        institution_id=institution.pk if rolled_up else None,
    )


def _assert_roll_up_equals_tickets(institution) -> None:
    for period in _periods():
        assert _figures(institution, period, rolled_up=True) == _figures(
            institution, period, rolled_up=False
        ), period


def _rows(institution=None) -> list[tuple]:
    rows = ReportDay.objects.all() if institution is None else ReportDay.objects.for_institution(institution)
    return sorted(
        rows.values_list(
            "institution_id",
            "day",
            "kind",
            "channel",
            "product_id",
            "filed",
            "met",
            "breached",
            "resolved",
            "resolution_minutes_sum",
            "first_response_minutes",
            "resolution_minutes",
        ),
        key=lambda r: tuple("" if v is None else str(v) for v in r[:5]),
    )


def test_roll_up_equals_the_tickets_after_a_refresh(institutions):
    # given
    a, b = institutions
    # when
    result = report_days_refresh()
    # then: every day up to yesterday is rolled up, no change left, and the figures agree
    assert result["extended"] >= 119
    assert ReportDayCoverage.objects.get().last_day == timezone.localdate() - datetime.timedelta(days=1)
    assert not ReportDayChange.objects.exists()
    _assert_roll_up_equals_tickets(a)
    _assert_roll_up_equals_tickets(b)
    year = Period(timezone.localdate() - datetime.timedelta(days=364), timezone.localdate())
    assert _figures(a, year, rolled_up=True)["tickets_filed"] == Ticket.objects.for_institution(a).count()


def test_changes_the_refresh_has_not_seen_are_read_from_the_tickets(institutions):
    # given a rolled-up history
    a, b = institutions
    report_days_refresh()
    old = timezone.now() - datetime.timedelta(days=40)
    tickets = Ticket.objects.for_institution(a).filter(created_at__lt=old).order_by("pk")
    ids = list(tickets.values_list("pk", flat=True)[:12])
    # when old tickets change: resolved late, reopened, breached, answered, re-classified, moved, deleted
    Ticket.objects.filter(pk__in=ids[0:2], resolved_at__isnull=True).update(
        status="resolved", resolved_at=old + datetime.timedelta(days=3)
    )
    Ticket.objects.filter(pk__in=ids[2:4]).update(status="open", resolved_at=None)
    Ticket.objects.filter(pk__in=ids[4:6]).update(breached_at=old - datetime.timedelta(days=1))
    Ticket.objects.filter(pk=ids[6]).update(first_responded_at=None, breached_at=None)
    Ticket.objects.filter(pk=ids[7]).update(kind="feature", channel="remote", product=None)
    Ticket.objects.filter(pk=ids[8]).update(created_at=old - datetime.timedelta(days=10))
    Ticket.objects.filter(pk=ids[9]).update(institution=b)
    Ticket.objects.filter(pk=ids[10]).delete()
    # then the trigger has named the days, and the figures still agree before any refresh
    assert ReportDayChange.objects.filter(institution_id=a.pk).exists()
    assert ReportDayChange.objects.filter(institution_id=b.pk).exists()
    _assert_roll_up_equals_tickets(a)
    _assert_roll_up_equals_tickets(b)
    # and after the refresh, which rebuilds those days only
    result = report_days_refresh()
    assert result["extended"] == 0
    assert result["rebuilt"] > 0
    assert not ReportDayChange.objects.exists()
    _assert_roll_up_equals_tickets(a)
    _assert_roll_up_equals_tickets(b)


def test_unrelated_updates_name_no_day(institutions):
    # given
    a, _b = institutions
    report_days_refresh()
    # when a ticket changes in a column the figures do not read
    Ticket.objects.filter(pk=Ticket.objects.for_institution(a).order_by("pk").values("pk")[:1]).update(
        subject="Renamed", warned_at=timezone.now()
    )
    # then
    assert not ReportDayChange.objects.exists()


def test_refresh_is_idempotent(institutions):
    # given a refresh, then changes, then a refresh
    a, b = institutions
    report_days_refresh()
    Ticket.objects.filter(
        pk__in=Ticket.objects.for_institution(a).filter(resolved_at__isnull=False).values("pk")[:5]
    ).update(resolved_at=None)
    report_days_refresh()
    before = _rows()
    # when it runs again, twice
    again = [report_days_refresh(), report_days_refresh()]
    # then nothing is rebuilt and the rows are the same
    assert [(r["extended"], r["rebuilt"], r["rows"]) for r in again] == [(0, 0, 0), (0, 0, 0)]
    assert _rows() == before


def test_each_institution_keeps_its_own_days(institutions):
    # given
    a, b = institutions
    report_days_refresh()
    # then each institution's rows count its tickets filed before today, and only them
    today_starts = Period(timezone.localdate(), timezone.localdate()).starts_at
    for institution in (a, b):
        filed = sum(row[5] for row in _rows(institution))
        assert (
            filed == Ticket.objects.for_institution(institution).filter(created_at__lt=today_starts).count()
        )
        assert {row[0] for row in _rows(institution)} == {institution.pk}
