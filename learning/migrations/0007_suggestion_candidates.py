from django.db import migrations, models

# The suggestions find a few candidates through indexes before scoring them (learning.ranking).
#
# item_kind: the library item's kind on its entry, so that the library's candidates are read from
# this table alone (filled here for the entries there are, then by learning.articles).
# On PostgreSQL:
# - suggestion_entry_library_title_words: the words of a library entry's title (the lexemes of
#   weight A of its vector), for a question that names an article's subject in one word;
# - suggestion_entry_ticket_answered: every institution's resolved tickets by recency, which the
#   desk walks for the most recent matching ones (a customer walks suggestion_entry_ticket_recent).
FILL = """
UPDATE learning_suggestionentry SET item_kind = (
    SELECT kind FROM learning_libraryitem WHERE learning_libraryitem.id = learning_suggestionentry.item_id
)
WHERE item_id IS NOT NULL
"""

CREATE = [
    "CREATE INDEX IF NOT EXISTS suggestion_entry_library_title_words ON learning_suggestionentry "
    "USING gin (ts_filter(search_vector, '{a}')) WHERE institution_id IS NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_ticket_answered ON learning_suggestionentry "
    "(answered_at DESC) WHERE institution_id IS NOT NULL",
]
DROP = [
    "DROP INDEX IF EXISTS suggestion_entry_ticket_answered",
    "DROP INDEX IF EXISTS suggestion_entry_library_title_words",
]


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("learning", "0006_suggestion_search")]

    operations = [
        migrations.AddField(
            model_name="suggestionentry",
            name="item_kind",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create, drop),
    ]
