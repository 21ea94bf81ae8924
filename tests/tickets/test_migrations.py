import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_tickets_table_is_vacuumed_after_one_percent_of_its_rows_change(postgres):
    # given: the migrated tickets table
    # when
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'tickets_ticket'")
        (options,) = cursor.fetchone()
    # then: the board's index-only count does not wait for a fifth of the table to change
    assert "autovacuum_vacuum_scale_factor=0.01" in options
    assert "autovacuum_analyze_scale_factor=0.01" in options
