"""The SLA figures have one definition, in tickets.figures: the queryset filters, the reading of
one loaded ticket and the SQL compiled for the roll-up agree, and no other module computes them."""

import datetime
import pathlib
import re

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import TicketFactory
from tickets import figures
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "node_modules", "migrations", "tests", ".git", "var", "static"}
# A figure computed by hand: the first response compared with its deadline, compliance as a
# division of the met count, or the first response's service minutes built from the columns.
COMPUTES_A_FIGURE = re.compile(
    r"first_responded_at\s*(__lte|__lt|__gt|__gte|<=|>=|<|>)"
    r"|first_response_due_at\s*(<=|>=|<|>)\s*\S*first_responded_at"
    r"|\bmet[\"'\]\w}]*\s*/\s*"
    r"|service_minutes_between\(\s*[\"']created_at[\"'],\s*[\"']first_responded_at"
)


def _source_files():
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if path.suffix in {".py", ".html", ".sql"} and not SKIPPED & set(relative.parts):
            yield relative


def _outcomes(customer):
    """Four tickets, one per case: met; answered late, before the sweep noticed; breach recorded
    although the answer came in time (the deadline moved); still waiting."""
    now = timezone.now()
    due = now - datetime.timedelta(hours=1)
    cases = {
        "met": {"first_responded_at": due - datetime.timedelta(minutes=5)},
        "late": {"first_responded_at": due + datetime.timedelta(minutes=5)},
        "recorded": {"first_responded_at": due - datetime.timedelta(minutes=5), "breached_at": due},
        "waiting": {},
    }
    tickets = {}
    for name, columns in cases.items():
        ticket = TicketFactory(requester=customer)
        Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due, **columns)
        tickets[name] = Ticket.objects.get(pk=ticket.pk)
    return tickets


def test_no_other_module_computes_an_sla_figure():
    # given the project's source outside tickets/figures.py
    offenders = []
    # when
    for relative in _source_files():
        if relative == pathlib.Path("tickets/figures.py"):
            continue
        for number, line in enumerate((ROOT / relative).read_text(encoding="utf-8").splitlines(), 1):
            if COMPUTES_A_FIGURE.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    # then
    assert offenders == []


def test_the_pattern_finds_a_hand_written_figure():
    # given the comparisons the figures were once written with in several modules
    copies = [
        'met = Q(first_responded_at__isnull=False, first_responded_at__lte=F("first_response_due_at"))',
        "met = ticket.first_responded_at <= ticket.first_response_due_at",
        "(t.breached_at IS NOT NULL OR t.first_responded_at > t.first_response_due_at)",
        '"compliance": round(r["met"] / decided, 4) if decided else None,',
    ]
    # when / then
    assert all(COMPUTES_A_FIGURE.search(copy) for copy in copies)


def test_queryset_filters_and_sla_state_agree(customer):
    # given
    tickets = _outcomes(customer)
    ids = [t.pk for t in tickets.values()]
    # when
    by_filter = {
        state: set(Ticket.objects.filter(pk__in=ids).in_sla_state(state).values_list("pk", flat=True))
        for state, _label in figures.SLAState.CHOICES
    }
    # then
    assert {name: t.sla_state for name, t in tickets.items()} == {
        "met": "answered",
        "late": "breached",
        "recorded": "breached",
        "waiting": "running",
    }
    for ticket in tickets.values():
        assert ticket.pk in by_filter[ticket.sla_state]
    assert sum(len(found) for found in by_filter.values()) == len(ids)


def test_counts_give_met_breached_and_compliance(customer):
    # given
    tickets = _outcomes(customer)
    # when
    counts = Ticket.objects.filter(pk__in=[t.pk for t in tickets.values()]).first_response_counts()
    # then: the waiting ticket counts neither way
    assert counts == {"met": 1, "breached": 2, "compliance": 0.3333}


def test_compliance_is_unknown_without_an_outcome():
    # given / when / then
    assert figures.compliance(met=0, breached=0) is None


def test_sql_compiled_for_the_roll_up_selects_the_same_tickets(customer):
    # given
    tickets = _outcomes(customer)
    ids = [t.pk for t in tickets.values()]
    table = connection.ops.quote_name(Ticket._meta.db_table)
    # when
    found = {}
    for name, condition in (
        ("met", figures.FIRST_RESPONSE_MET),
        ("breached", figures.FIRST_RESPONSE_BREACHED),
    ):
        sql = figures.sql_condition(condition, alias="t", connection=connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t.id FROM {table} t WHERE {sql} AND t.id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
                ids,
            )
            found[name] = {row[0] for row in cursor.fetchall()}
    # then
    assert found["met"] == set(
        Ticket.objects.filter(pk__in=ids).first_response_met().values_list("pk", flat=True)
    )
    assert found["breached"] == {tickets["late"].pk, tickets["recorded"].pk}
