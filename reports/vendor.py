"""The vendor-wide view's own figures: institutions ranked, engineers compared, 12-month trends.
Like the institution report, each is a GROUP BY aggregate; the only loops are over months,
institutions shown and engineers, never over tickets."""

import datetime

from django.db import connection
from django.db.models import Avg, Count
from django.db.models.functions import TruncMonth

from packages.selectors import package_list
from tickets.figures import FIRST_RESPONSE_BREACHED, FIRST_RESPONSE_MET, compliance, first_response_minutes

from .periods import Period, zone
from .sql import Percentile, percentiles

RANK_LIMIT = 20


def filter_context(request, *, form) -> dict:
    from .selectors import institution_list_all_institutions

    return {
        "form": form,
        "packages": package_list(),
        "institutions": institution_list_all_institutions(),
        "selected_package": request.GET.get("package", ""),
        "selected_institution": request.GET.get("institution", ""),
    }


def _month(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _engineers(scope, period: Period) -> list[dict]:
    filed = scope.tickets.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
    resolved = scope.tickets.filter(resolved_at__gte=period.starts_at, resolved_at__lt=period.ends_at)
    rows: dict[int, dict] = {}

    def row(pk, name):
        return rows.setdefault(
            pk,
            {
                "engineer": name,
                "resolved": 0,
                "breaches": 0,
                "median": None,
                "satisfaction": None,
                "responses": 0,
            },
        )

    for r in (
        resolved.filter(assignee__isnull=False)
        .values("assignee_id", "assignee__username")
        .annotate(n=Count("id"))
    ):
        row(r["assignee_id"], r["assignee__username"])["resolved"] = r["n"]
    answered = filed.filter(assignee__isnull=False, first_responded_at__isnull=False)
    minutes = first_response_minutes()
    if connection.vendor == "postgresql":
        grouped = answered.values("assignee_id", "assignee__username").annotate(
            median=Percentile(minutes, 0.5)
        )
        for r in grouped:
            entry = row(r["assignee_id"], r["assignee__username"])
            entry["median"] = round(r["median"], 1) if r["median"] is not None else None
    else:
        for r in answered.values("assignee_id", "assignee__username").distinct():
            value = percentiles(answered.filter(assignee_id=r["assignee_id"]), minutes, {"m": 0.5})["m"]
            row(r["assignee_id"], r["assignee__username"])["median"] = (
                round(value, 1) if value is not None else None
            )
    for r in (
        filed.filter(FIRST_RESPONSE_BREACHED, assignee__isnull=False)
        .values("assignee_id", "assignee__username")
        .annotate(n=Count("id"))
    ):
        row(r["assignee_id"], r["assignee__username"])["breaches"] = r["n"]
    surveys = scope.surveys.filter(
        answered_at__gte=period.starts_at, answered_at__lt=period.ends_at, engineer__isnull=False
    )
    for r in surveys.values("engineer_id", "engineer__username").annotate(avg=Avg("score"), n=Count("id")):
        entry = row(r["engineer_id"], r["engineer__username"])
        entry["satisfaction"], entry["responses"] = round(r["avg"], 2), r["n"]
    return sorted(rows.values(), key=lambda e: (-e["resolved"], e["engineer"]))


def _twelve_months(period: Period) -> Period:
    last = period.last
    year, month = divmod(last.year * 12 + last.month - 1 - 11, 12)
    return Period(datetime.date(year, month + 1, 1), last)


def vendor_figures(*, scope, period: Period, today: datetime.date) -> dict:
    filed = scope.tickets.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
    by_breaches = list(
        filed.values("institution__name", "institution__slug")
        .annotate(breaches=Count("id", filter=FIRST_RESPONSE_BREACHED), filed=Count("id"))
        .order_by("-breaches", "institution__name")[:RANK_LIMIT]
    )
    answered = scope.surveys.filter(answered_at__gte=period.starts_at, answered_at__lt=period.ends_at)
    by_satisfaction = list(
        answered.values("institution__name", "institution__slug")
        .annotate(average=Avg("score"), responses=Count("id"))
        .order_by("average", "institution__name")[:RANK_LIMIT]
    )
    year = _twelve_months(period)
    months = (
        scope.tickets.filter(created_at__gte=year.starts_at, created_at__lt=year.ends_at)
        .annotate(month=TruncMonth("created_at", tzinfo=zone()))
        .values("month")
        .annotate(
            filed=Count("id"),
            met=Count("id", filter=FIRST_RESPONSE_MET),
            breached=Count("id", filter=FIRST_RESPONSE_BREACHED),
        )
        .order_by("month")
    )
    satisfaction = {
        _month(r["month"]): r
        for r in scope.surveys.filter(answered_at__gte=year.starts_at, answered_at__lt=year.ends_at)
        .annotate(month=TruncMonth("answered_at", tzinfo=zone()))
        .values("month")
        .annotate(average=Avg("score"), responses=Count("id"))
        .order_by("month")
    }
    trend = []
    for r in months:
        month = _month(r["month"])
        s = satisfaction.get(month, {})
        trend.append(
            {
                "month": month,
                "filed": r["filed"],
                "breaches": r["breached"],
                "compliance": compliance(met=r["met"], breached=r["breached"]),
                "satisfaction": round(s["average"], 2) if s.get("average") is not None else None,
                "responses": s.get("responses", 0),
            }
        )
    return {
        "ranked_by_breaches": by_breaches,
        "ranked_by_satisfaction": by_satisfaction,
        "engineers": _engineers(scope, period),
        "trend": trend,
        "trend_period": year,
    }
