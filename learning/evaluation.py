"""How well the suggestions answer the labelled set (learning/data/solutions.json): each question is
asked as a customer would type it and the article that answers it is looked for among the first
five suggestions. Used by `manage.py bench_suggestions` and by the test that holds the floor."""

import statistics
import time
from dataclasses import dataclass

from .models import LibraryItem, SuggestionEntry
from .ranking import SUGGESTION_LIMIT, SuggestionScope, suggestion_list_for


@dataclass(frozen=True)
class Figures:
    questions: int
    hit_rate: float  # share of questions whose article is among the first five
    mrr: float  # mean reciprocal rank of the article (0 when not among the five)
    p50_ms: float
    p95_ms: float
    misses: tuple[str, ...]


def library_scope() -> SuggestionScope:
    """The whole published library, no tickets: what the labelled set is about."""
    return SuggestionScope(person=None, library_kinds=tuple(LibraryItem.Kind.values), institution_id=None)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def labelled_set_figures(
    *, questions: list[dict], articles: dict[str, LibraryItem], scope: SuggestionScope | None = None
) -> Figures:
    """Ask every question (subject only, as typed so far) and score where its article came."""
    scope = scope or library_scope()
    hits, reciprocal, timings, misses = 0, 0.0, [], []
    for row in questions:
        wanted = articles[row["article"]].pk
        started = time.perf_counter()
        results = suggestion_list_for(scope=scope, subject=row["question"], limit=SUGGESTION_LIMIT)
        timings.append((time.perf_counter() - started) * 1000)
        ranks = [
            rank
            for rank, s in enumerate(results, start=1)
            if s.kind == SuggestionEntry.Kind.ARTICLE and s.id == wanted
        ]
        if ranks:
            hits += 1
            reciprocal += 1 / ranks[0]
        else:
            misses.append(row["question"])
    count = len(questions)
    return Figures(
        questions=count,
        hit_rate=hits / count if count else 0.0,
        mrr=reciprocal / count if count else 0.0,
        p50_ms=statistics.median(timings) if timings else 0.0,
        p95_ms=percentile(timings, 0.95),
        misses=tuple(misses),
    )
