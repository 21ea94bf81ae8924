"""The report's figures, each one SQL aggregate (COUNT, AVG, percentile_cont, GROUP BY) over the
tickets in scope, the SLA columns, the quota ledger and the surveys: no Python loop over tickets.
What "in scope" means is decided by the caller (reports.selectors): an institution, the part of
it a manager monitors, or — for the vendor — every institution.

Definitions (docs/reports.md has them with examples):
- filed: tickets whose filing time falls in the period; resolved: tickets whose (latest)
  resolution time falls in it.
- first-response compliance, over the tickets filed in the period whose outcome is known: met
  (first response at or before the deadline, no breach recorded) / (met + breached); breached
  means a breach was recorded or the first response came after the deadline. Tickets still
  waiting for a first response before their deadline are not counted either way.
- first-response time: service minutes (packages.calendar's window) from filing to the first
  response, over the tickets filed in the period that have one.
- resolution time: wall-clock hours from filing to resolution, over the tickets resolved in it.
- satisfaction: answers given in the period.
- development items: items whose ticket was filed in the period, by their current state."""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from packages.models import Channel, QuotaEntry, Subscription
from tickets.models import DevelopmentItem, Ticket

from .models import Survey
from .periods import Period, zone
from .sql import MinutesBetween, percentiles, service_minutes_stats

HISTOGRAM_EDGES = (0, 15, 30, 60, 90, 120)
BREACH_LIST_LIMIT = 200
COMMENT_LIMIT = 20
DEVELOPMENT_LIST_LIMIT = 50


def _round(value, digits=1):
    """Half up, after dropping the floating-point noise of interval arithmetic (28.2499999 → 28.3)."""
    if value is None:
        return None
    exact = Decimal(repr(round(float(value), 6)))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _filed(tickets: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
    return tickets.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)


def _resolved(tickets: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
    return tickets.filter(resolved_at__gte=period.starts_at, resolved_at__lt=period.ends_at)


MET = Q(first_responded_at__isnull=False, first_responded_at__lte=F("first_response_due_at"), breached_at__isnull=True)
BREACHED = Q(breached_at__isnull=False) | Q(first_responded_at__gt=F("first_response_due_at"))


def _counts(tickets: QuerySet[Ticket], period: Period) -> dict:
    """Filed, resolved, met and breached in two aggregate queries."""
    filed = _filed(tickets, period).aggregate(
        filed=Count("id"), met=Count("id", filter=MET), breached=Count("id", filter=BREACHED)
    )
    resolved = _resolved(tickets, period).aggregate(resolved=Count("id"))
    decided = filed["met"] + filed["breached"]
    return {
        "tickets_filed": filed["filed"],
        "tickets_resolved": resolved["resolved"],
        "first_response_met": filed["met"],
        "breaches": filed["breached"],
        "first_response_compliance": round(filed["met"] / decided, 4) if decided else None,
    }


def _first_response(tickets: QuerySet[Ticket], period: Period, *, histogram: bool = False) -> dict:
    answered = _filed(tickets, period).filter(first_responded_at__isnull=False)
    edges = HISTOGRAM_EDGES if histogram else ()
    stats = service_minutes_stats(answered, "created_at", "first_responded_at", {"median": 0.5, "p90": 0.9}, edges)
    result = {"median": _round(stats["median"]), "p90": _round(stats["p90"])}
    if histogram:
        bounds = zip(HISTOGRAM_EDGES, [*HISTOGRAM_EDGES[1:], None], strict=True)
        result["histogram"] = [
            {"from": low, "to": high, "count": count}
            for (low, high), count in zip(bounds, stats["histogram"], strict=True)
        ]
    return result


def _resolution_hours(tickets: QuerySet[Ticket], period: Period) -> dict:
    resolved = _resolved(tickets, period)
    minutes = MinutesBetween("created_at", "resolved_at")
    values = percentiles(resolved, minutes, {"median": 0.5, "p90": 0.9})
    average = resolved.aggregate(avg=Avg(minutes))["avg"]
    return {
        "median": _round(values["median"] / 60 if values["median"] is not None else None),
        "p90": _round(values["p90"] / 60 if values["p90"] is not None else None),
        "average": _round(average / 60 if average is not None else None),
    }


def _by(queryset: QuerySet[Ticket], field: str) -> list[dict]:
    rows = queryset.values(field).annotate(count=Count("id")).order_by("-count", field)
    return [{"key": row[field], "count": row["count"]} for row in rows]


def _breach_list(tickets: QuerySet[Ticket], period: Period) -> list[dict]:
    return list(
        _filed(tickets, period)
        .filter(BREACHED)
        .order_by("first_response_due_at", "id")
        .values("id", "subject", "institution__name", "first_response_due_at", "first_responded_at", "breached_at")[
            :BREACH_LIST_LIMIT
        ]
    )


def satisfaction(surveys: QuerySet[Survey], period: Period, *, detail: bool = True) -> dict:
    answered = surveys.filter(answered_at__gte=period.starts_at, answered_at__lt=period.ends_at)
    scores = {f"s{score}": Count("id", filter=Q(score=score)) for score in range(1, 6)}
    totals = answered.aggregate(average=Avg("score"), responses=Count("id"), **scores)
    result = {"average": _round(totals["average"], 2), "responses": totals["responses"]}
    if not detail:
        return result
    result["distribution"] = [{"score": s, "count": totals[f"s{s}"]} for s in range(1, 6)]
    trend = (
        answered.annotate(month=TruncMonth("answered_at", tzinfo=zone()))
        .values("month")
        .annotate(average=Avg("score"), responses=Count("id"))
        .order_by("month")
    )
    result["trend"] = [
        {"month": row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"],
         "average": _round(row["average"], 2), "responses": row["responses"]}
        for row in trend
    ]
    result["comments"] = list(
        answered.exclude(comment="")
        .order_by("-answered_at", "-id")
        .values("ticket_id", "score", "comment", "answered_at")[:COMMENT_LIMIT]
    )
    return result


def development_items(items: QuerySet[DevelopmentItem], tickets_filed: QuerySet[Ticket], *, detail: bool = True):
    in_period = items.filter(ticket__in=tickets_filed.values("id"))
    rows = in_period.values("state").annotate(count=Count("id"))
    counts = dict.fromkeys(DevelopmentItem.State.values, 0)
    counts.update({row["state"]: row["count"] for row in rows})
    if not detail:
        return {"by_state": counts}
    listed = list(
        in_period.order_by("expected_on", "id").values(
            "ticket_id", "ticket__subject", "ticket__kind", "state", "expected_on"
        )[:DEVELOPMENT_LIST_LIMIT]
    )
    return {"by_state": counts, "items": listed}


def quota_use(subscription: Subscription | None, *, today: datetime.date | None = None) -> list[dict]:
    """Each channel's allotment against the ledger's use over the contract year: the month-by-month
    remainder (burn-down) and the day the channel runs out if use goes on at the year's pace so far
    (None when it lasts the year, is unlimited or unused)."""
    if subscription is None:
        return []
    today = today or timezone.localdate()
    ledger = QuotaEntry.objects.for_institution(subscription.institution_id).filter(subscription=subscription)
    used = dict(ledger.values_list("channel").annotate(total=Sum("units")).order_by())
    monthly = (
        ledger.annotate(month=TruncMonth("consumed_at", tzinfo=zone()))
        .values("channel", "month")
        .annotate(total=Sum("units"))
        .order_by("channel", "month")
    )
    by_month: dict[str, list] = {}
    for row in monthly:  # at most 12 rows per channel: months, not tickets
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        by_month.setdefault(row["channel"], []).append((month, row["total"]))
    elapsed = max(1, (min(today, subscription.ends_on) - subscription.starts_on).days + 1)
    order = {channel: i for i, channel in enumerate(Channel.values)}
    result = []
    for allotment in sorted(subscription.allotments.all(), key=lambda a: order.get(a.channel, 99)):
        if not allotment.is_included:
            continue
        total = used.get(allotment.channel, 0) or 0
        runs_out_on = None
        if not allotment.is_unlimited and allotment.allotment is not None and total:
            remaining = allotment.allotment - total
            day = today + datetime.timedelta(days=math.ceil(remaining / (total / elapsed))) if remaining > 0 else today
            runs_out_on = day if day <= subscription.ends_on else None
        burn, running = [], 0
        for month, units in by_month.get(allotment.channel, []):
            running += units
            burn.append({
                "month": month,
                "used": running,
                "remaining": None if allotment.is_unlimited else (allotment.allotment or 0) - running,
            })
        result.append({
            "channel": allotment.channel,
            "allotment": None if allotment.is_unlimited else allotment.allotment,
            "unlimited": allotment.is_unlimited,
            "used": total,
            "runs_out_on": runs_out_on,
            "burn_down": burn,
        })
    return result


def headline(
    tickets: QuerySet[Ticket], surveys: QuerySet[Survey], period: Period, *, histogram: bool = False
) -> dict:
    """The figures shown beside the previous period's, and the API summary's core."""
    figures = _counts(tickets, period)
    figures["first_response_minutes"] = _first_response(tickets, period, histogram=histogram)
    figures["resolution_hours"] = _resolution_hours(tickets, period)
    figures["satisfaction"] = satisfaction(surveys, period, detail=False)
    return figures


def full(
    tickets: QuerySet[Ticket],
    surveys: QuerySet[Survey],
    items: QuerySet[DevelopmentItem],
    period: Period,
    subscription: Subscription | None,
) -> dict:
    """Every figure of the report page, the files and the e-mail."""
    filed = _filed(tickets, period)
    resolved = _resolved(tickets, period)
    figures = headline(tickets, surveys, period, histogram=True)
    figures["histogram"] = figures["first_response_minutes"].pop("histogram")
    figures["previous"] = headline(tickets, surveys, period.previous())
    figures["filed_by"] = {
        "kind": _by(filed, "kind"),
        "product": _by(filed, "product__name"),
        "channel": _by(filed, "channel"),
    }
    figures["resolved_by"] = {
        "kind": _by(resolved, "kind"),
        "product": _by(resolved, "product__name"),
        "channel": _by(resolved, "channel"),
    }
    figures["breach_list"] = _breach_list(tickets, period)
    figures["satisfaction"] = satisfaction(surveys, period)
    figures["development_items"] = development_items(items, filed)
    figures["quota"] = quota_use(subscription)
    return figures
