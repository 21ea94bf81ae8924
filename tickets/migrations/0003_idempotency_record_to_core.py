# The Idempotency-Key record now belongs to core (core/migrations/0001_initial.py takes over the
# table); tickets forgets it in Django's state only, so the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0002_engine_outbox_and_sweep_indexes"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
