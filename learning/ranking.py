"""Reads of the suggestions: the best answers to a question being written, ranked in one query.

Every answer the suggestions can offer is a row of `SuggestionEntry` (learning.articles keeps
them): published library items and solution articles, which every subscriber with the library
reads, and resolved tickets, which only their own institution's people who may see the ticket
(tickets.selectors.ticket_visible_to) are offered.

On PostgreSQL the ranking is one statement: full-text search over lexemes that survive the way
customers write (folded to ASCII, so `plani` meets `planı`; stemmed to the Turkish stemmer's
fixed point, so `belediyeler` meets `belediye`: the `suggest_lexemes` SQL function of migration
0006), any word matching, plus pg_trgm similarity of the title for misspellings, weighted by the
product asked about, the kind of answer and its age. Other databases fall back to plain word
matching with the same result shape."""

import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
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
# The most recent matching tickets scored, at most: an institution's resolved tickets that share
# words with a question can be tens of thousands, and scoring them all costs seconds.
TICKET_CANDIDATES = 300


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
    sql, params = ticket_visible_to(person=scope.person).order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


# One statement ranks; a first one only turns the question into tsquery groups
# (suggest_word_groups), so that the ranking reads them as constants and the planner can estimate
# how many rows each group matches. A library entry matches any group (or has a title similar by
# trigrams); a resolved ticket needs two groups once the question has three words or more, and
# only the most recent TICKET_CANDIDATES matching tickets are scored (a common word matches tens of
# thousands of an institution's tickets: the planner then walks suggestion_entry_ticket_recent
# until it has them, instead of scoring them all). Each arm reads its own partial index
# (migration 0006); the union is scored once and the best `limit` kept.
_RANKING_SQL = """
WITH candidates AS (
    SELECT e.* FROM (
        -- OFFSET 0 keeps the planner on the library's partial indexes: joined first, it would
        -- walk every entry by item.
        SELECT * FROM learning_suggestionentry
        WHERE institution_id IS NULL
          AND (search_vector @@ to_tsquery('simple', %(any)s) OR title_folded %% %(subject)s)
        OFFSET 0
    ) AS e
    JOIN learning_libraryitem i ON i.id = e.item_id
    WHERE i.is_published AND i.kind = ANY(%(kinds)s)
    UNION ALL
    (SELECT e.* FROM learning_suggestionentry e
     WHERE e.institution_id IS NOT NULL AND {tickets_scope}
       AND e.search_vector @@ to_tsquery('simple', %(pair)s)
       AND e.ticket_id <> %(exclude)s
     ORDER BY e.answered_at DESC
     LIMIT {ticket_candidates})
)
SELECT e.kind, e.item_id, e.ticket_id, e.title, e.question, e.answer, e.product_id,
       (ts_rank(e.search_vector, to_tsquery('simple', %(any)s), 1) + 0.4 * similarity(e.title_folded, %(subject)s))
       * CASE WHEN %(product)s::bigint IS NULL OR e.product_id IS NULL THEN 1.0
              WHEN e.product_id = %(product)s::bigint THEN {product_match} ELSE {product_other} END
       * CASE e.kind WHEN 'article' THEN {article} WHEN 'library' THEN {library} ELSE {ticket} END
       * (1.0 / (1.0 + greatest(0, extract(epoch FROM (now() - e.answered_at))::float8) / {age}))
       AS score
FROM candidates e
WHERE e.answer <> ''
ORDER BY score DESC, e.id DESC
LIMIT %(limit)s
"""


def _groups(text: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT suggest_word_groups(%s)", [text])
        return list(cursor.fetchone()[0] or [])


def _rank_postgresql(scope, *, subject, description, product_id, limit, exclude_ticket_id):
    groups = _groups(f"{subject} {description}")
    if not groups:
        return []
    any_query = " | ".join(groups)
    pairs = [f"{a} & {b}" for index, a in enumerate(groups) for b in groups[index + 1 :]]
    params = {
        "kinds": list(scope.library_kinds),
        "any": any_query,
        "pair": " | ".join(pairs) if len(groups) >= 3 else any_query,
        "subject": fold(subject),
        "exclude": exclude_ticket_id or 0,
        "product": product_id,
        "limit": limit,
    }
    if scope.all_institutions:
        tickets_scope = "e.kind = 'ticket'"
    elif scope.institution_id is None:
        tickets_scope = "FALSE"
    else:
        visible_sql, visible_params = _visible_tickets_sql(scope)
        # Named parameters around the selector's positional ones: its values are inlined as
        # named ones. ::bigint: btree_gin compares only within the column's own type.
        for index, value in enumerate(visible_params):
            params[f"visible{index}"] = value
        visible_sql = visible_sql % tuple(f"%(visible{index})s" for index in range(len(visible_params)))
        params["institution"] = scope.institution_id
        tickets_scope = f"e.kind = 'ticket' AND e.institution_id = %(institution)s::bigint AND e.ticket_id IN ({visible_sql})"
    sql = _RANKING_SQL.format(
        product_match=PRODUCT_MATCH,
        product_other=PRODUCT_OTHER,
        age=float(AGE_SECONDS),
        tickets_scope=tickets_scope,
        ticket_candidates=TICKET_CANDIDATES,
        **KIND_WEIGHT,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
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
