"""The Idempotency-Key record moved from tickets to core: the rows stored before the move are
still replayed after it. Runs on whichever database the suite runs on (SQLite locally,
PostgreSQL in CI)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.models import IdempotencyRecord
from tests.factories import PersonFactory

TICKETS_BEFORE = ("tickets", "0002_engine_outbox_and_sweep_indexes")


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_records_stored_in_tickets_survive_the_move_to_core():
    # given: a record stored while the model still lived in tickets
    person = PersonFactory()
    executor = _migrate([("core", None), TICKETS_BEFORE])
    OldRecord = executor.loader.project_state([TICKETS_BEFORE]).apps.get_model("tickets", "IdempotencyRecord")
    OldRecord.objects.create(
        person_id=person.pk,
        key="retry-1",
        scope="POST /api/v1/tickets/",
        status_code=201,
        response_body={"id": 7},
    )
    # when
    _migrate(executor.loader.graph.leaf_nodes())
    # then
    record = IdempotencyRecord.objects.get(person=person, key="retry-1")
    assert (record.scope, record.status_code, record.response_body) == (
        "POST /api/v1/tickets/",
        201,
        {"id": 7},
    )
    assert record.request_hash == ""
    assert IdempotencyRecord._meta.db_table == "core_idempotencyrecord"
