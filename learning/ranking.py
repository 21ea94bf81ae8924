"""Reads of the suggestions: the best answers to a question being written, ranked in one query.

Every answer the suggestions can offer is a row of `SuggestionEntry` (learning.articles keeps
them): published library items and solution articles, which every subscriber with the library
reads, and resolved tickets, which only their own institution's people who may see the ticket
(tickets.selectors.ticket_visible_to) are offered.

On PostgreSQL the ranking is one statement: full-text search over lexemes that survive the way
customers write (folded to ASCII, so `plani` meets `planı`; stemmed to the Turkish stemmer's
fixed point, so `belediyeler` meets `belediye`: the `suggest_lexemes` SQL function of migration
0006), plus pg_trgm similarity of the title for misspellings, weighted by the product asked about,
the kind of answer and its age, over a few hundred candidates found through indexes first
(migration 0007). Other databases fall back to plain word matching with the same result shape."""

import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from organizations.models import User
from tickets.selectors import ticket_visible_to

from .access import library_access
from .models import LibraryItem, SuggestionEntry

SUGGESTION_LIMIT = 5
# Python's half of suggest_fold (migration 0006): Turkish letters to their ASCII look-alikes,
# before lower-casing so that `I` and `İ` both become `i`.
_FOLD = str.maketrans("ÇĞİIÖŞÜÂÎÛçğıöşüâîû", "CGIIOSUAIUcgiosuaiu")
_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell one question from another; matching them only adds noise (and, at a
# million tickets, work). Kept in step with suggest_lexemes' list.
STOP_WORDS = frozenset(
    [
        "ve",
        "veya",
        "ile",
        "icin",
        "bir",
        "bu",
        "su",
        "o",
        "da",
        "de",
        "ki",
        "mi",
        "mu",
        "ne",
        "nasil",
        "neden",
        "niye",
        "var",
        "yok",
        "gibi",
        "daha",
        "cok",
        "en",
        "ama",
        "fakat",
        "ancak",
        "olarak",
        "olan",
        "oldu",
        "olur",
        "ise",
        "yani",
        "hem",
        "her",
        "hic",
        "kadar",
        "sonra",
        "once",
        "ben",
        "biz",
        "siz",
        "merhaba",
        "iyi",
        "gunler",
        "tesekkurler",
        "rica",
        "ederim",
        "lutfen",
        "acaba",
    ]
)
# The weights of the score: the product asked about first, solution articles before library
# items before resolved tickets, and a half-life of two years for age.
PRODUCT_MATCH, PRODUCT_OTHER = 1.5, 0.7
KIND_WEIGHT = {"article": 1.2, "library": 1.0, "ticket": 0.9}
AGE_SECONDS = 2 * 365 * 24 * 3600
# How many candidates the ranking statement scores (see _LIBRARY_SQL and _TICKETS_SQL): the
# library's entries by words, by the words of their title and by trigrams of their title; the most
# recent matching tickets, looked for among the TICKET_WALK most recent of the institution first,
# then among TICKET_INDEX_ROWS read through the word index.
LIBRARY_CANDIDATES = 40
TITLE_CANDIDATES = 20
TICKET_CANDIDATES = 100
TICKET_WALK = 4000
TICKET_INDEX_ROWS = 2000
# A person who may see at most this many tickets has them looked up by their ids; for more, the
# institution's entries are walked and each candidate is checked against ticket_visible_to.
VISIBLE_DRIVE = 500


def fold(text: str) -> str:
    """The text in ASCII lower case, as customers often type it (`planı` → `plani`)."""
    return (text or "").translate(_FOLD).lower()


def question_words(text: str) -> list[str]:
    """The folded words of a question that can tell it apart, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(text)):
        if len(word) > 1 and word not in STOP_WORDS:
            seen.setdefault(word, None)
    return list(seen)


def question_key(*, subject: str, description: str) -> str:
    """The same question asked again has the same key: its folded words, hashed."""
    words = " ".join(_WORD.findall(fold(f"{subject} {description}")))
    return hashlib.sha256(words.encode()).hexdigest()


@dataclass(frozen=True)
class Suggestion:
    kind: str
    id: int
    title: str
    snippet: str
    answer: str
    url: str
    score: float
    product_id: int | None


@dataclass(frozen=True)
class SuggestionScope:
    """What one person may be offered: the library kinds their contract reads, and their
    institution's resolved tickets that they may see (every institution's for the desk)."""

    person: User
    library_kinds: tuple[str, ...]
    institution_id: int | None
    all_institutions: bool = False


def suggestion_scope_for(*, person: User) -> SuggestionScope:
    """The person's scope: vendor staff read the whole library and every resolved ticket; a
    customer reads the library kinds of their contract (none without one) and their own
    institution's tickets that ticket_visible_to lets them see."""
    try:
        kinds = tuple(sorted(library_access(person=person).library_kinds))
    except PermissionDenied:
        kinds = ()
    return SuggestionScope(
        person=person,
        library_kinds=kinds,
        institution_id=person.institution_id,
        all_institutions=bool(person.is_vendor_staff),
    )


def _snippet(text: str, length: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _url(kind: str, source_id: int) -> str:
    if kind == SuggestionEntry.Kind.TICKET:
        return reverse("ticket-detail", args=[source_id])
    return reverse("learning-library-item", args=[source_id])


def _suggestion(*, kind, item_id, ticket_id, title, question, answer, score, product_id) -> Suggestion:
    source_id = ticket_id if kind == SuggestionEntry.Kind.TICKET else item_id
    return Suggestion(
        kind=kind,
        id=source_id,
        title=title,
        snippet=_snippet(answer or question),
        answer=answer,
        url=_url(kind, source_id),
        score=round(float(score), 4),
        product_id=product_id,
    )


def _visible_tickets_sql(scope: SuggestionScope) -> tuple[str, tuple]:
    try:
        sql, params = ticket_visible_to(person=scope.person).order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        # The selector's none(): no SQL to run, and no ticket to offer.
        return "SELECT NULL::bigint AS pk WHERE FALSE", ()
    return sql, tuple(params)


# The ranking is one statement that scores a few hundred candidates at most, each found through an
# index first (scoring every entry that shares a word with the question — tens of thousands of an
# institution's tickets, thousands of a library's entries — is what cost a second):
#
# - `words`: the library's entries that match two of the question's word groups (one group for a
#   question of one word), the LIBRARY_CANDIDATES best by the score without its trigram term
#   (ts_rank and the weights are cheap; pg_trgm's similarity is not), from the library's partial
#   GIN index; `more_words`, only when there are fewer: those that match any group;
# - `title_words`: those whose title holds any group, the same way, from the GIN index on the
#   title's lexemes (suggestion_entry_library_title_words, migration 0007): a one-word question
#   that names an article's subject;
# - `titles`: those whose title is similar to the subject by trigrams (pg_trgm's %), the
#   TITLE_CANDIDATES most similar: what catches a misspelled title;
# - `tickets`: the TICKET_CANDIDATES most recent resolved tickets the person may see that match
#   two groups (any group for a question of one or two words), found as below.
#
# Only the candidates get the full score, and a library entry is offered only while its item is
# published and of a kind the contract reads. The question's word groups come from a first, tiny
# statement (suggest_word_groups), so that the ranking reads them as constants the planner can
# estimate.
_LIBRARY_SQL = """
words AS MATERIALIZED (
    SELECT e.id FROM learning_suggestionentry e
    WHERE e.institution_id IS NULL AND e.item_kind = ANY(%(kinds)s) AND e.answer <> ''
      AND e.search_vector @@ to_tsquery('simple', %(two)s)
    ORDER BY ts_rank(e.search_vector, to_tsquery('simple', %(any)s), 1) * {weights} DESC, e.id DESC
    LIMIT {library_candidates}
),
more_words AS (
    SELECT e.id FROM learning_suggestionentry e
    WHERE (SELECT count(*) FROM words) < {library_candidates}
      AND e.institution_id IS NULL AND e.item_kind = ANY(%(kinds)s) AND e.answer <> ''
      AND e.search_vector @@ to_tsquery('simple', %(any)s)
    ORDER BY ts_rank(e.search_vector, to_tsquery('simple', %(any)s), 1) * {weights} DESC, e.id DESC
    LIMIT {library_candidates}
),
title_words AS (
    SELECT e.id FROM learning_suggestionentry e
    WHERE e.institution_id IS NULL AND e.item_kind = ANY(%(kinds)s) AND e.answer <> ''
      AND ts_filter(e.search_vector, '{{a}}') @@ to_tsquery('simple', %(any)s)
    ORDER BY ts_rank(e.search_vector, to_tsquery('simple', %(any)s), 1) * {weights} DESC, e.id DESC
    LIMIT {library_candidates}
),
titles AS (
    SELECT e.id FROM learning_suggestionentry e
    WHERE e.institution_id IS NULL AND e.item_kind = ANY(%(kinds)s) AND e.answer <> ''
      AND e.title_folded %% %(subject)s
    ORDER BY similarity(e.title_folded, %(subject)s) DESC, e.id DESC
    LIMIT {title_candidates}
)"""
# A ticket is found one of three ways, each bounded whatever the planner estimates.
#
# - `recent`: the TICKET_WALK most recent entries of the person's institution (every institution's
#   for the desk) are walked (suggestion_entry_ticket_recent, suggestion_entry_ticket_answered) for
#   the TICKET_CANDIDATES most recent matching ones the person may see;
# - `older`: only when those are fewer (the question's words are rare there),
#   up to TICKET_INDEX_ROWS matching entries are read through a GIN index instead
#   (suggestion_entry_ticket_scoped, whose posting lists are each institution's own; in the
#   table's order: a bound on the work when the words are rare among recent tickets only) and
#   sorted, newest first (the inner LIMIT also keeps the planner from walking the recency index
#   through every entry when it expects many matches);
# - _OWN_TICKETS_SQL: a person who may see at most VISIBLE_DRIVE tickets (a customer who filed a
#   few) has their entries looked up by the tickets' ids instead.
#
# {visible_r} and {visible_o} check a candidate against tickets.selectors.ticket_visible_to: a
# lookup of the entry's ticket by its primary key under the selector's rule (OFFSET 0 keeps the
# EXISTS a lookup per candidate, where the planner would otherwise join every ticket the person may
# see), made only for the rows that match, in order, until there are enough.
_TICKETS_SQL = """,
recent AS MATERIALIZED (
    SELECT r.id, r.answered_at FROM (
        SELECT e.id, e.ticket_id, e.answered_at, e.search_vector FROM learning_suggestionentry e
        WHERE {tickets_scope} AND e.answer <> '' AND e.ticket_id <> %(exclude)s
        ORDER BY e.answered_at DESC
        LIMIT {ticket_walk}
    ) AS r
    WHERE r.search_vector @@ to_tsquery('simple', %(pair)s) AND {visible_r}
    ORDER BY r.answered_at DESC
    LIMIT {ticket_candidates}
),
older AS (
    SELECT o.id, o.answered_at FROM (
        SELECT m.* FROM (
            SELECT e.id, e.ticket_id, e.answered_at FROM learning_suggestionentry e
            WHERE (SELECT count(*) FROM recent) < {ticket_candidates}
              AND {tickets_scope} AND e.answer <> '' AND e.ticket_id <> %(exclude)s
              AND {index_match}
            LIMIT {ticket_index_rows}
        ) AS m
        ORDER BY m.answered_at DESC
        OFFSET 0
    ) AS o
    WHERE {visible_o}
    LIMIT {ticket_candidates}
),
tickets AS (
    SELECT id FROM (SELECT * FROM recent UNION SELECT * FROM older) AS t
    ORDER BY answered_at DESC, id DESC
    LIMIT {ticket_candidates}
)"""
# A person who may see at most VISIBLE_DRIVE tickets: their entries by the tickets' ids.
_OWN_TICKETS_SQL = """,
tickets AS (
    SELECT o.id FROM (
        SELECT e.id, e.answered_at FROM learning_suggestionentry e
        WHERE e.ticket_id = ANY(%(visible)s::bigint[]) AND {tickets_scope}
          AND e.answer <> '' AND e.ticket_id <> %(exclude)s
          AND e.search_vector @@ to_tsquery('simple', %(pair)s)
        OFFSET 0
    ) AS o
    ORDER BY o.answered_at DESC
    LIMIT {ticket_candidates}
)"""
# How `older` finds an institution's matching entries (suggestion_entry_ticket_scoped reads that
# institution's posting lists only), and every institution's for the desk.
_WITHIN_INSTITUTION = "suggest_scoped(e.institution_id, e.search_vector) @@ %(scoped_pair)s::tsquery"
_ANY_INSTITUTION = "e.search_vector @@ to_tsquery('simple', %(pair)s)"
_QUOTED = re.compile(r"'([a-z0-9]+)'")
_VISIBLE_SQL = "EXISTS (SELECT 1 FROM ({visible_sql}) AS v WHERE v.pk = {alias}.ticket_id OFFSET 0)"
_RANKING_SQL = """
WITH {library}{tickets}
SELECT e.kind, e.item_id, e.ticket_id, e.title, e.question, e.answer, e.product_id,
       (ts_rank(e.search_vector, to_tsquery('simple', %(any)s), 1) + 0.4 * similarity(e.title_folded, %(subject)s))
       * {weights} AS score
FROM ({candidates}) AS c
JOIN learning_suggestionentry e ON e.id = c.id
LEFT JOIN learning_libraryitem i ON i.id = e.item_id
WHERE e.item_id IS NULL OR (i.is_published AND i.kind = ANY(%(kinds)s))
ORDER BY score DESC, e.id DESC
LIMIT %(limit)s
"""
# The score's weights other than the words': the product asked about, the kind, the age.
_WEIGHTS_SQL = """(CASE WHEN %(product)s::bigint IS NULL OR {a}.product_id IS NULL THEN 1.0
              WHEN {a}.product_id = %(product)s::bigint THEN {product_match} ELSE {product_other} END
       * CASE {a}.kind WHEN 'article' THEN {article} WHEN 'library' THEN {library} ELSE {ticket} END
       * (1.0 / (1.0 + greatest(0, extract(epoch FROM (now() - {a}.answered_at))::float8) / {age})))"""


def _weights(alias: str) -> str:
    return _WEIGHTS_SQL.format(
        a=alias,
        product_match=PRODUCT_MATCH,
        product_other=PRODUCT_OTHER,
        age=float(AGE_SECONDS),
        **KIND_WEIGHT,
    )


def _prepare(text: str, visible: tuple[str, tuple] | None) -> tuple[list[str], list[int] | None]:
    """The question's word groups and, when `visible` (the SQL of the tickets the person may see)
    holds at most VISIBLE_DRIVE tickets, their ids (None otherwise), in one round trip."""
    with connection.cursor() as cursor:
        if visible is None:
            cursor.execute("SELECT suggest_word_groups(%s), NULL", [text])
        else:
            visible_sql, visible_params = visible
            cursor.execute(
                f"""
                SELECT suggest_word_groups(%s),
                       CASE WHEN (SELECT count(*) FROM (SELECT 1 FROM ({visible_sql}) AS v LIMIT %s) AS n) <= %s
                            THEN ARRAY(SELECT v.pk FROM ({visible_sql}) AS v) END
                """,  # noqa: S608 - the selector's SQL, values as parameters
                [text, *visible_params, VISIBLE_DRIVE + 1, VISIBLE_DRIVE, *visible_params],
            )
        groups, visible_ids = cursor.fetchone()
    return list(groups or []), visible_ids


def _rank_postgresql(scope, *, subject, description, product_id, limit, exclude_ticket_id):
    customer = not scope.all_institutions and scope.institution_id is not None
    # The selector's SQL, compiled once (compiling it is a good part of a millisecond).
    visible_tickets = _visible_tickets_sql(scope) if customer else None
    groups, visible = _prepare(f"{subject} {description}", visible_tickets)
    if not groups:
        return []
    any_query = " | ".join(groups)
    # Two groups of the question, written so that a row is tested against each group about once:
    # g1 & (g2 | g3 | …) | g2 & (g3 | …) | … (the same rows as every pair, far fewer tests).
    pairs = " | ".join(
        f"{group} & ({' | '.join(groups[index + 1 :])})" for index, group in enumerate(groups[:-1])
    )
    params = {
        "kinds": list(scope.library_kinds),
        "any": any_query,
        "two": pairs if len(groups) >= 2 else any_query,
        "pair": pairs if len(groups) >= 3 else any_query,
        "subject": fold(subject),
        "exclude": exclude_ticket_id or 0,
        "product": product_id,
        "limit": limit,
    }
    weights = _weights("e")
    library = _LIBRARY_SQL.format(
        weights=weights, library_candidates=LIBRARY_CANDIDATES, title_candidates=TITLE_CANDIDATES
    )
    candidates = ["words", "more_words", "title_words", "titles"]
    tickets = ""
    sizes = {
        "ticket_candidates": TICKET_CANDIDATES,
        "ticket_walk": TICKET_WALK,
        "ticket_index_rows": TICKET_INDEX_ROWS,
    }
    if scope.all_institutions:
        tickets_scope = "e.institution_id IS NOT NULL AND e.kind = 'ticket'"
        tickets = _TICKETS_SQL.format(
            tickets_scope=tickets_scope,
            visible_r="TRUE",
            visible_o="TRUE",
            index_match=_ANY_INSTITUTION,
            **sizes,
        )
        candidates += ["tickets"]
    elif scope.institution_id is not None:
        params["institution"] = scope.institution_id
        # ::bigint: btree_gin compares only within the column's own type.
        tickets_scope = "e.institution_id = %(institution)s::bigint AND e.kind = 'ticket'"
        if visible is not None:
            params["visible"] = visible
            tickets = _OWN_TICKETS_SQL.format(tickets_scope=tickets_scope, **sizes)
            candidates += ["tickets"]
        else:
            visible_sql, visible_params = visible_tickets
            # Named parameters around the selector's positional ones: its values are inlined as
            # named ones.
            for index, value in enumerate(visible_params):
                params[f"visible{index}"] = value
            visible_sql = visible_sql % tuple(f"%(visible{index})s" for index in range(len(visible_params)))
            # The question's lexemes within the institution, as suggestion_entry_ticket_scoped
            # holds them: '201:parsel'.
            params["scoped_pair"] = _QUOTED.sub(rf"'{int(scope.institution_id)}:\1'", params["pair"])
            tickets = _TICKETS_SQL.format(
                tickets_scope=tickets_scope,
                index_match=_WITHIN_INSTITUTION,
                visible_r=_VISIBLE_SQL.format(visible_sql=visible_sql, alias="r"),
                visible_o=_VISIBLE_SQL.format(visible_sql=visible_sql, alias="o"),
                **sizes,
            )
            candidates += ["tickets"]
    sql = _RANKING_SQL.format(
        library=library,
        tickets=tickets,
        candidates=" UNION ".join(f"SELECT id FROM {name}" for name in candidates),  # noqa: S608 - the CTEs' names
        weights=weights,
    )
    # The statement reads a few hundred rows: neither compiling it (JIT, which the planner's
    # estimates for the arms that seldom run could set off, for seconds) nor starting parallel
    # workers pays for itself. Sent in one string with the statement, SET LOCAL holds for it alone
    # (or, inside a transaction, until that transaction ends).
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; {sql}", params)
        rows = cursor.fetchall()
    return [
        _suggestion(
            kind=kind,
            item_id=item_id,
            ticket_id=ticket_id,
            title=title,
            question=question,
            answer=answer,
            score=score,
            product_id=entry_product,
        )
        for kind, item_id, ticket_id, title, question, answer, entry_product, score in rows
    ]


def _scoped_entries(scope: SuggestionScope):
    items = Q(
        kind__in=[SuggestionEntry.Kind.ARTICLE, SuggestionEntry.Kind.LIBRARY],
        item__is_published=True,
        item__kind__in=scope.library_kinds,
    )
    if scope.all_institutions:
        tickets = Q(kind=SuggestionEntry.Kind.TICKET)
    elif scope.institution_id is None:
        tickets = Q(pk__in=[])
    else:
        tickets = Q(
            kind=SuggestionEntry.Kind.TICKET,
            institution_id=scope.institution_id,
            ticket_id__in=ticket_visible_to(person=scope.person).values("pk"),
        )
    return SuggestionEntry.objects.filter(items | tickets).exclude(answer="")


def _rank_plain(scope, *, subject, description, product_id, limit, exclude_ticket_id):
    """Word matching for databases without full-text search: an entry scores by the question's
    words found in its title (twice) and text, with the same weights as on PostgreSQL."""
    words = question_words(f"{subject} {description}")[:12]
    if not words:
        return []
    match = Q()
    for word in words:
        match |= Q(title_folded__contains=word) | Q(question__icontains=word) | Q(answer__icontains=word)
    entries = _scoped_entries(scope).filter(match)
    if exclude_ticket_id:
        entries = entries.exclude(ticket_id=exclude_ticket_id)
    scored = []
    for entry in entries.order_by("-answered_at", "-id")[:200]:
        title, text = entry.title_folded, fold(f"{entry.question} {entry.answer}")
        score = sum(2 * (word in title) + (word in text) for word in words) / (3 * len(words))
        if product_id and entry.product_id:
            score *= PRODUCT_MATCH if entry.product_id == product_id else PRODUCT_OTHER
        score *= KIND_WEIGHT[entry.kind]
        scored.append((score, entry))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [
        _suggestion(
            kind=entry.kind,
            item_id=entry.item_id,
            ticket_id=entry.ticket_id,
            title=entry.title,
            question=entry.question,
            answer=entry.answer,
            score=score,
            product_id=entry.product_id,
        )
        for score, entry in scored[:limit]
    ]


def suggestion_list_for(
    *,
    scope: SuggestionScope,
    subject: str,
    description: str = "",
    product_id: int | None = None,
    limit: int = SUGGESTION_LIMIT,
    exclude_ticket_id: int | None = None,
) -> list[Suggestion]:
    """The best `limit` answers to the question the person is writing, best first. Never an
    unpublished item, a library kind outside the person's contract, or a ticket the person may not
    see (another institution's above all)."""
    if not question_words(f"{subject} {description}"):
        return []
    rank = _rank_postgresql if connection.vendor == "postgresql" else _rank_plain
    return rank(
        scope,
        subject=subject[:200],
        description=description[:2000],
        product_id=product_id,
        limit=limit,
        exclude_ticket_id=exclude_ticket_id,
    )


def suggestion_entry_get_for(*, scope: SuggestionScope, kind: str, pk: int) -> SuggestionEntry | None:
    """The answer of that kind and id, if the person may be offered it."""
    source = {"ticket_id": pk} if kind == SuggestionEntry.Kind.TICKET else {"item_id": pk}
    return _scoped_entries(scope).filter(kind=kind, **source).first()


def similar_for_ticket(*, person: User, ticket) -> list[Suggestion]:
    """For the desk's ticket page: the resolved tickets and articles most like this ticket, the
    ticket's product first."""
    scope = suggestion_scope_for(person=person)
    return suggestion_list_for(
        scope=scope,
        subject=ticket.subject,
        description=ticket.description,
        product_id=ticket.product_id,
        exclude_ticket_id=ticket.pk,
    )


def library_article_get_for(*, person: User, pk: int) -> LibraryItem | None:
    """A published solution article (or any, for vendor staff) the person's contract reads."""
    access = library_access(person=person)
    items = LibraryItem.objects.select_related("product").filter(
        pk=pk, kind=LibraryItem.Kind.SOLUTION, kind__in=access.library_kinds
    )
    if not access.is_vendor:
        items = items.filter(is_published=True)
    return items.first()
