import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import TicketFactory
from tickets.models import Ticket


@pytest.mark.django_db
def test_tickets_table_is_vacuumed_after_one_percent_of_its_rows_change(postgres):
    # given: the migrated tickets table
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'tickets_ticket'")
        (options,) = cursor.fetchone()
    # then: the board's index-only count does not wait for a fifth of the table to change
    assert "autovacuum_vacuum_scale_factor=0.01" in options
    assert "autovacuum_analyze_scale_factor=0.01" in options


BEFORE_STANDALONE = ("tickets", "0008_ticket_autovacuum")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_an_existing_development_item_keeps_its_ticket_as_its_link():
    # given: a feature request filed (with its item) while an item belonged to one ticket
    ticket = TicketFactory(kind="question", subject="Toplu dışa aktarım")
    ticket_id, institution_id = ticket.pk, ticket.institution_id
    executor = _migrate([BEFORE_STANDALONE])
    old = executor.loader.project_state([BEFORE_STANDALONE]).apps
    OldItem = old.get_model("tickets", "DevelopmentItem")
    old.get_model("tickets", "Ticket").objects.filter(pk=ticket_id).update(kind="feature")
    OldItem.objects.create(
        ticket_id=ticket_id,
        institution_id=institution_id,
        state="planned",
        expected_on=datetime.date(2027, 2, 1),
        note="12.1 sürümünde",
    )
    # when
    _migrate(executor.loader.graph.leaf_nodes())
    # then
    item = Ticket.objects.get(pk=ticket_id).development_item
    assert (item.title, item.kind, item.state, item.planned_on, item.public_note) == (
        "Toplu dışa aktarım",
        "feature",
        "planned",
        datetime.date(2027, 2, 1),
        "12.1 sürümünde",
    )
    assert (item.institutions_reporting, item.planned_at is not None) == (1, True)
