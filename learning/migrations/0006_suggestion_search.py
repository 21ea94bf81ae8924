from django.db import migrations

# Full-text search and trigram similarity for the suggestions (learning.ranking), on PostgreSQL
# only; other databases match plain words and keep no vector.
#
# suggest_fold: Turkish letters to their ASCII look-alikes and lower case, as customers often type.
# suggest_lexemes: what a text is matched by: its folded words and their stems, stemmed by the
# turkish configuration to its fixed point (one suffix layer per pass: `belediyeler` →
# `belediye` → `beledi`), without the words too common to tell questions apart. The index
# (learning.articles) and the question (learning.ranking) both go through it.
STOP_WORDS = (
    "ve veya ile icin bir bu su o da de ki mi mu ne nasil neden niye var yok gibi daha cok en "
    "ama fakat ancak olarak olan oldu olur ise yani hem her hic kadar sonra once ben biz siz "
    "merhaba iyi gunler tesekkurler rica ederim lutfen acaba"
).split()

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION suggest_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT lower(translate(coalesce(t, ''), 'ÇĞİIÖŞÜÂÎÛçğıöşüâîû', 'CGIIOSUAIUcgiosuaiu'))
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION suggest_stem_pass(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT suggest_fold(array_to_string(tsvector_to_array(to_tsvector('turkish'::regconfig, t)), ' '))
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION suggest_lexemes(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY(
            SELECT DISTINCT lexeme
            FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig,
                suggest_fold(t) || ' '
                || suggest_stem_pass(suggest_stem_pass(suggest_stem_pass(suggest_fold(t))))))) AS lexeme
            WHERE length(lexeme) > 1 AND lexeme <> ALL (ARRAY[%s]::text[])
        )
    $$
    """
    % ", ".join(f"'{word}'" for word in STOP_WORDS),
    "CREATE INDEX IF NOT EXISTS suggestion_entry_search ON learning_suggestionentry USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_title_trgm ON learning_suggestionentry "
    "USING gin (title_folded gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS suggestion_entry_title_trgm",
    "DROP INDEX IF EXISTS suggestion_entry_search",
    "DROP FUNCTION IF EXISTS suggest_lexemes(text)",
    "DROP FUNCTION IF EXISTS suggest_stem_pass(text)",
    "DROP FUNCTION IF EXISTS suggest_fold(text)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("learning", "0005_solution_articles_and_suggestions")]

    operations = [migrations.RunPython(create, drop)]
