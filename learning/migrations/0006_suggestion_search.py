from django.db import migrations

# Full-text search and trigram similarity for the suggestions (learning.ranking), on PostgreSQL
# only; other databases match plain words and keep no vector.
#
# suggest_fold: Turkish letters to their ASCII look-alikes and lower case, as customers often type.
# suggest_lexemes: what a text is matched by: its folded words and their stems, stemmed by the
# turkish configuration to its fixed point (one suffix layer per pass: `belediyeler` →
# `belediye` → `beledi`), without the words too common to tell questions apart. The index
# (learning.articles) goes through it.
# suggest_word_groups: a question's first twelve words, each as a tsquery group of the folded word
# and its fixed-point stem (`(belediyeler | beledi)`): the ranking matches any group, and a resolved
# ticket needs two of them (learning.ranking).
# The indexes are split by what a query reads: the library's entries (no institution) by words and
# by trigrams, a ticket's by institution and words together (btree_gin) or by institution and
# recency (the most recent matching tickets, learning.ranking.TICKET_CANDIDATES).
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
    """
    CREATE OR REPLACE FUNCTION suggest_word_groups(t text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT ARRAY(
            SELECT grp FROM (
                SELECT min(n) AS n,
                       '(' || quote_literal(w)
                       || CASE WHEN s <> '' AND s <> w THEN ' | ' || quote_literal(s) ELSE '' END || ')' AS grp
                FROM (
                    SELECT w, n, suggest_stem_pass(suggest_stem_pass(suggest_stem_pass(w))) AS s
                    FROM regexp_split_to_table(suggest_fold(t), '[^a-z0-9]+') WITH ORDINALITY AS x(w, n)
                    WHERE length(w) > 1 AND w <> ALL (ARRAY[%s]::text[])
                ) AS words
                GROUP BY w, s
            ) AS groups
            ORDER BY n
            LIMIT 12
        )
    $$
    """
    % ", ".join(f"'{word}'" for word in STOP_WORDS),
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_library_search ON learning_suggestionentry "
    "USING gin (search_vector) WHERE institution_id IS NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_library_trgm ON learning_suggestionentry "
    "USING gin (title_folded gin_trgm_ops) WHERE institution_id IS NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_ticket_search ON learning_suggestionentry "
    "USING gin (institution_id, search_vector) WHERE institution_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS suggestion_entry_ticket_recent ON learning_suggestionentry "
    "(institution_id, answered_at DESC) WHERE institution_id IS NOT NULL",
]
DROP = [
    "DROP INDEX IF EXISTS suggestion_entry_ticket_recent",
    "DROP INDEX IF EXISTS suggestion_entry_ticket_search",
    "DROP INDEX IF EXISTS suggestion_entry_library_trgm",
    "DROP INDEX IF EXISTS suggestion_entry_library_search",
    "DROP FUNCTION IF EXISTS suggest_word_groups(text)",
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
