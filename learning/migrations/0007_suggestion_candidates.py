from django.db import migrations, models

# The suggestions find a few candidates through indexes before scoring them (learning.ranking).
#
# item_kind: the library item's kind on its entry, so that the library's candidates are read from
# this table alone (filled here for the entries there are, then by learning.articles).
# On PostgreSQL:
# - suggestion_entry_ticket_scoped: a resolved ticket's words within its institution (below), read
#   when the words of a question are rare among the institution's recent tickets;
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
    # A ticket's lexemes, each prefixed by its institution ('201:parsel'), so that a GIN index holds
    # one posting list per institution and word: looking for an institution's matching tickets
    # reads that institution's lists only (learning.ranking), not every institution's.
    """
    CREATE OR REPLACE FUNCTION suggest_scoped(scope bigint, v tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT array_to_tsvector(ARRAY(
            SELECT scope::text || ':' || lexeme FROM unnest(tsvector_to_array(v)) AS lexeme
        ))
    $$
    """,
    "CREATE INDEX IF NOT EXISTS suggestion_entry_ticket_scoped ON learning_suggestionentry "
    "USING gin (suggest_scoped(institution_id, search_vector)) WHERE institution_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_library_title_words ON learning_suggestionentry "
    "USING gin (ts_filter(search_vector, '{a}')) WHERE institution_id IS NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_ticket_answered ON learning_suggestionentry "
    "(answered_at DESC) WHERE institution_id IS NOT NULL",
]
DROP = [
    "DROP INDEX IF EXISTS suggestion_entry_ticket_answered",
    "DROP INDEX IF EXISTS suggestion_entry_library_title_words",
    "DROP INDEX IF EXISTS suggestion_entry_ticket_scoped",
    "DROP FUNCTION IF EXISTS suggest_scoped(bigint, tsvector)",
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
