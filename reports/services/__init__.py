"""The report as the pages, the files, the API and the e-mail use it: the figures of a scope over a
period, kept briefly in the cache so that the page's charts (each fetched from its own address)
and the downloads that follow do not compute them again."""

import hashlib

from django.core.cache import cache

from packages.models import Channel
from tickets.models import DevelopmentItem, Ticket

from .. import figures as figures_module
from ..charts import chart_tables
from ..periods import Period
from ..selectors import ReportScope

CACHE_SECONDS = 120


def _rolled_up(scope: ReportScope) -> int | None:
    """The institution whose day roll-up serves the scope: only a whole institution's."""
    return scope.institution.pk if scope.whole_institution and scope.institution is not None else None


def report_figures(*, scope: ReportScope, period: Period, cache_key: str = "") -> dict:
    """Every figure of the report. cache_key names the scope (person or filter) for the cache;
    empty means compute afresh."""

    def compute():
        return figures_module.full(
            scope.tickets,
            scope.surveys,
            scope.items,
            period,
            scope.subscription,
            institution_id=_rolled_up(scope),
        )

    if not cache_key:
        return compute()
    key = (
        "reports:figures:" + hashlib.sha256(f"{cache_key}|{period.first}|{period.last}".encode()).hexdigest()
    )
    return cache.get_or_set(key, compute, CACHE_SECONDS)


def report_context(
    *, scope: ReportScope, period: Period, figures: dict, chart_base: str = "", query: str = ""
) -> dict:
    """What the report's templates (page, PDF, e-mail) are rendered with."""
    return {
        "scope": scope,
        "period": period,
        "previous": period.previous(),
        "figures": figures,
        "charts": [
            {"name": name, "url": f"{chart_base}chart/{name}.svg?{query}" if chart_base else "", **table}
            for name, table in chart_tables(figures).items()
        ],
        "query": query,
        "kinds": Ticket.Kind.choices,
        "ticket_channels": Channel.choices,
        "channels": Channel.choices,
        "states": DevelopmentItem.State.choices,
    }


def report_summary(*, scope: ReportScope, period: Period) -> dict:
    """The API summary: the headline figures, quota and development items per state."""
    head = figures_module.headline(scope.tickets, scope.surveys, period, institution_id=_rolled_up(scope))
    filed = scope.tickets.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
    items = figures_module.development_items(scope.items, filed, detail=False)
    quota = figures_module.quota_use(scope.subscription)
    return {
        "from": period.first,
        "to": period.last,
        "tickets_filed": head["tickets_filed"],
        "tickets_resolved": head["tickets_resolved"],
        "first_response_compliance": head["first_response_compliance"],
        "first_response_minutes": head["first_response_minutes"],
        "breaches": head["breaches"],
        "satisfaction": head["satisfaction"],
        "quota": {q["channel"]: {"allotment": q["allotment"], "used": q["used"]} for q in quota},
        "development_items": items["by_state"],
    }
