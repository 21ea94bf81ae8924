"""Migration 0007 gives the suggestion entries of library items stored before it their item's kind.
Runs on whichever database the suite runs on (SQLite locally, PostgreSQL in CI)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from learning.models import SuggestionEntry

BEFORE = [("learning", "0006_suggestion_search")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_entries_stored_before_the_migration_get_their_items_kind():
    # given: a project document and its suggestion entry, stored before the migration
    executor = _migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    item = old_apps.get_model("learning", "LibraryItem").objects.create(
        kind="project_document", title="İmar planı veri seti", description="Parseller"
    )
    old_apps.get_model("learning", "SuggestionEntry").objects.create(
        kind="library", item_id=item.pk, title=item.title, answer="Parseller", answered_at=timezone.now()
    )
    # when
    _migrate(executor.loader.graph.leaf_nodes())
    # then
    assert SuggestionEntry.objects.get(item_id=item.pk).item_kind == "project_document"
