"""Vacuum and analyze the tickets table after 1 % of its rows changed rather than PostgreSQL's
default 20 %: the desk board's count is an index-only scan only while the visibility map is
current, and after a mass breach (20,000 tickets flagged by the sweep) it read the heap again
until autovacuum came — at 1,000,000 tickets, not before 200,000 changed rows. Storage
parameters of the table, so PostgreSQL only."""

from django.db import migrations

SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01, "
    "autovacuum_vacuum_insert_scale_factor = 0.01"
)
RESET = "autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, autovacuum_vacuum_insert_scale_factor"


def set_autovacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_ticket SET ({SETTINGS})")


def reset_autovacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE tickets_ticket RESET ({RESET})")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_board_indexes")]

    operations = [migrations.RunPython(set_autovacuum, reset_autovacuum, elidable=False)]
