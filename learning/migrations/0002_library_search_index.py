from django.db import migrations

# The GIN index exists on PostgreSQL only; SQLite searches by substring and keeps no vector.
CREATE = "CREATE INDEX IF NOT EXISTS library_item_search ON learning_libraryitem USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS library_item_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
