"""Questions answered before they became tickets, per month: the deflections the suggestions
recorded (reports.extras.deflection_counts), each a written ticket not filed and so one written
support unit not drawn, beside the tickets filed anyway after suggestions were shown (the filing's
history event keeps them, tickets.services.filing)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from tickets.models import TicketEvent

from .extras import deflection_counts
from .periods import Period


@dataclass(frozen=True)
class DeflectionMonth:
    month: datetime.date
    deflections: int
    units_saved: int
    filed_after_suggestions: int


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def deflection_months(*, institution_id: int | None, period: Period) -> list[DeflectionMonth] | None:
    """The period's months that saw a deflection or a ticket filed after suggestions, oldest
    first; None when nothing counts deflections (the learning app is not wired in). Two grouped
    queries. `institution_id=None` reads every institution: the vendor's report."""
    deflected = deflection_counts(
        institution_id=institution_id, starts_at=period.starts_at, ends_at=period.ends_at
    )
    if deflected is None:
        return None
    events = TicketEvent.objects.filter(
        kind=TicketEvent.Kind.CREATED,
        data__has_key="suggestions_shown",
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_at,
    )
    if institution_id is not None:
        events = events.for_institution(institution_id)
    filed = {
        _month(row["month"]): row["n"]
        for row in events.annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    months = sorted(set(deflected) | set(filed))
    return [
        DeflectionMonth(
            month=month,
            deflections=deflected.get(month, 0),
            # A deflection is a written question not filed: the unit it would have drawn.
            units_saved=deflected.get(month, 0),
            filed_after_suggestions=filed.get(month, 0),
        )
        for month in months
    ]


def deflection_context(*, institution_id: int | None, period: Period) -> dict:
    months = deflection_months(institution_id=institution_id, period=period)
    if months is None:
        return {}
    return {
        "deflection_months": months,
        "deflections_total": sum(m.deflections for m in months),
        "units_saved_total": sum(m.units_saved for m in months),
    }
