"""The vendor-wide view's own figures: institutions ranked, engineers compared, 12-month trends.
Like the institution report, each is a GROUP BY aggregate; the only loops are over months,
institutions shown and engineers, never over tickets."""

import datetime
import statistics

from django.db import connection
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from packages.models import Allotment, Channel, Subscription
from packages.selectors import package_list
from tickets.figures import FIRST_RESPONSE_BREACHED, FIRST_RESPONSE_MET, compliance, first_response_minutes
from tickets.models import DevelopmentItem

from .periods import Period, zone
from .services import report_context
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


def quota_by_package(*, scope, today: datetime.date) -> list[dict]:
    """Quota use per package and channel over the contracts the report reads: each institution's
    contract in force today, or its latest (as the institution report). Unlimited channels count
    their use, not an allotment."""
    # Across institutions by design: the vendor compares its packages.
    in_force = Subscription.objects.in_force(on=today).filter(institution=OuterRef("institution"))
    latest = Subscription.objects.filter(institution=OuterRef("institution")).order_by("-ends_on")
    contracts = Subscription.objects.annotate(
        chosen=Coalesce(Subquery(in_force.values("pk")[:1]), Subquery(latest.values("pk")[:1]))
    ).filter(pk=F("chosen"))
    if scope.institution is not None:
        contracts = contracts.filter(institution=scope.institution)
    rows = (
        Allotment.objects.filter(subscription__in=contracts.values("pk"), is_included=True)
        .values(
            "subscription__package__code",
            "subscription__package__name",
            "subscription__package__priority",
            "channel",
        )
        .annotate(
            contracts=Count("subscription", distinct=True),
            allotment=Sum("allotment", filter=Q(is_unlimited=False)),
            unlimited=Count("id", filter=Q(is_unlimited=True)),
            used=Sum("used"),
        )
    )
    order = {channel: i for i, channel in enumerate(Channel.values)}
    result = [
        {
            "package": r["subscription__package__name"],
            "package_code": r["subscription__package__code"],
            "channel": r["channel"],
            "contracts": r["contracts"],
            "allotment": r["allotment"] or 0,
            "unlimited": r["unlimited"],
            "used": r["used"] or 0,
            "_order": (r["subscription__package__priority"], order.get(r["channel"], 99)),
        }
        for r in rows
    ]
    result.sort(key=lambda r: r.pop("_order"))
    return result


def _median_days(pairs) -> float | None:
    days = [(end - start).total_seconds() / 86400 for start, end in pairs if start and end]
    return round(statistics.median(days), 1) if days else None


def development_summary(*, scope, period: Period) -> dict:
    """The development items the scope reported: open ones per product, and the median days from
    the first report to the plan and to the release, for items planned or released in the period."""
    items = scope.items.filter(merged_into__isnull=True)
    open_states = [
        DevelopmentItem.State.RECEIVED,
        DevelopmentItem.State.TRIAGED,
        DevelopmentItem.State.PLANNED,
        DevelopmentItem.State.IN_PROGRESS,
    ]
    open_by_product = list(
        items.filter(state__in=open_states)
        .values("product__name")
        .annotate(count=Count("id"))
        .order_by("-count", "product__name")
    )
    planned = items.filter(planned_at__gte=period.starts_at, planned_at__lt=period.ends_at)
    released = items.filter(released_at__gte=period.starts_at, released_at__lt=period.ends_at)
    return {
        "open_by_product": open_by_product,
        "open": sum(r["count"] for r in open_by_product),
        "days_to_plan": _median_days(planned.values_list("created_at", "planned_at")),
        "days_to_release": _median_days(released.values_list("created_at", "released_at")),
        "planned": planned.count(),
        "released": released.count(),
    }


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
        "quota_by_package": quota_by_package(scope=scope, today=today),
        "development": development_summary(scope=scope, period=period),
    }


def vendor_file_context(*, scope, period: Period, today: datetime.date, figures: dict, query: str) -> dict:
    """What the vendor report's PDF and workbook are drawn from: the institution report's context
    over the scope, the vendor's own figures, and the institution chosen (if any)."""
    context = report_context(scope=scope, period=period, figures=figures, chart_base="", query=query)
    context.update(vendor_figures(scope=scope, period=period, today=today))
    context["selected_institution_name"] = scope.institution.name if scope.institution else ""
    return context
