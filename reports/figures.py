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

from django.db import connections
from django.db.models import Avg, Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from packages.models import Channel, QuotaEntry, Subscription
from tickets.figures import (
    FIRST_RESPONSE_BREACHED,
    FIRST_RESPONSE_END,
    FIRST_RESPONSE_MET,
    FIRST_RESPONSE_START,
    compliance,
)
from tickets.models import DevelopmentItem, Ticket

from . import summary
from .models import ReportQuotaMonth, Survey
from .periods import Period, zone
from .sql import MinutesBetween, Percentiles, percentiles, service_minutes_stats
from .summary import HISTOGRAM_EDGES

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


def _window(tickets: QuerySet[Ticket], periods: list[Period]) -> QuerySet[Ticket]:
    """The tickets filed or resolved in any of the periods: one scan serves them all."""
    first, last = min(p.starts_at for p in periods), max(p.ends_at for p in periods)
    return tickets.filter(
        Q(created_at__gte=first, created_at__lt=last) | Q(resolved_at__gte=first, resolved_at__lt=last)
    )


def _in(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_at})


def _ticket_pass(tickets: QuerySet[Ticket], periods: list[Period], *, detail: bool) -> list[dict]:
    """Per period, in one aggregate query: filed, met, breached, resolved, and the resolution
    time (average, and on PostgreSQL median and 90th percentile); for the first period with
    detail, the filed and resolved counts per kind and channel too."""
    postgres = connections[tickets.db].vendor == "postgresql"
    minutes = MinutesBetween("created_at", "resolved_at")
    aggregates = {}
    for i, period in enumerate(periods):
        filed, resolved = _in("created_at", period), _in("resolved_at", period)
        aggregates.update(
            {
                f"filed{i}": Count("id", filter=filed),
                f"met{i}": Count("id", filter=filed & FIRST_RESPONSE_MET),
                f"breached{i}": Count("id", filter=filed & FIRST_RESPONSE_BREACHED),
                f"resolved{i}": Count("id", filter=resolved),
                f"ravg{i}": Avg(minutes, filter=resolved),
            }
        )
        if postgres:
            aggregates[f"rpct{i}"] = Percentiles(minutes, [0.5, 0.9], filter=resolved)
    if detail:
        filed, resolved = _in("created_at", periods[0]), _in("resolved_at", periods[0])
        for field, values in (("kind", Ticket.Kind.values), ("channel", Channel.values)):
            for value in values:
                aggregates[f"f_{field}_{value}"] = Count("id", filter=filed & Q(**{field: value}))
                aggregates[f"r_{field}_{value}"] = Count("id", filter=resolved & Q(**{field: value}))
    totals = _window(tickets, periods).order_by().aggregate(**aggregates)
    results = []
    for i, period in enumerate(periods):
        if postgres:
            median, p90 = totals[f"rpct{i}"] or (None, None)
        else:
            values = percentiles(tickets.filter(_in("resolved_at", period)), minutes, {"m": 0.5, "p": 0.9})
            median, p90 = values["m"], values["p"]
        hours = {
            "median": _round(median / 60 if median is not None else None),
            "p90": _round(p90 / 60 if p90 is not None else None),
            "average": _round(totals[f"ravg{i}"] / 60 if totals[f"ravg{i}"] is not None else None),
        }
        results.append(
            {
                "tickets_filed": totals[f"filed{i}"],
                "tickets_resolved": totals[f"resolved{i}"],
                "first_response_met": totals[f"met{i}"],
                "breaches": totals[f"breached{i}"],
                "first_response_compliance": compliance(
                    met=totals[f"met{i}"], breached=totals[f"breached{i}"]
                ),
                "resolution_hours": hours,
            }
        )
    if detail:
        for prefix, key in (("f", "filed_by"), ("r", "resolved_by")):
            results[0][key] = {
                field: sorted(
                    (
                        {"key": value, "count": totals[f"{prefix}_{field}_{value}"]}
                        for value in values
                        if totals[f"{prefix}_{field}_{value}"]
                    ),
                    key=lambda row: (-row["count"], row["key"]),
                )
                for field, values in (("kind", Ticket.Kind.values), ("channel", Channel.values))
            }
    return results


def _first_response(tickets: QuerySet[Ticket], periods: list[Period], *, histogram: bool) -> list[dict]:
    """Service minutes from filing to first response, per period: median, 90th percentile and,
    for the first period, the histogram; one query."""
    first, last = min(p.starts_at for p in periods), max(p.ends_at for p in periods)
    answered = tickets.filter(created_at__gte=first, created_at__lt=last, first_responded_at__isnull=False)
    stats = service_minutes_stats(
        answered,
        FIRST_RESPONSE_START,
        FIRST_RESPONSE_END,
        {"median": 0.5, "p90": 0.9},
        HISTOGRAM_EDGES if histogram else (),
        groups=[(p.starts_at, p.ends_at) for p in periods],
    )
    results = [{"median": _round(s["median"]), "p90": _round(s["p90"])} for s in stats]
    if histogram:
        bounds = zip(HISTOGRAM_EDGES, [*HISTOGRAM_EDGES[1:], None], strict=True)
        results[0]["histogram"] = [
            {"from": low, "to": high, "count": count}
            for (low, high), count in zip(bounds, stats[0]["histogram"], strict=True)
        ]
    return results


def _by(queryset: QuerySet[Ticket], field: str) -> list[dict]:
    rows = queryset.values(field).annotate(count=Count("id")).order_by("-count", field)
    return [{"key": row[field], "count": row["count"]} for row in rows]


def _breach_list(tickets: QuerySet[Ticket], period: Period) -> list[dict]:
    return list(
        _filed(tickets, period)
        .filter(FIRST_RESPONSE_BREACHED)
        .order_by("first_response_due_at", "id")
        .values(
            "id", "subject", "institution__name", "first_response_due_at", "first_responded_at", "breached_at"
        )[:BREACH_LIST_LIMIT]
    )


def satisfaction_periods(surveys: QuerySet[Survey], periods: list[Period]) -> list[dict]:
    """Average and number of answers given in each period, in one query."""
    first, last = min(p.starts_at for p in periods), max(p.ends_at for p in periods)
    aggregates = {}
    for i, period in enumerate(periods):
        answered = _in("answered_at", period)
        aggregates[f"avg{i}"] = Avg("score", filter=answered)
        aggregates[f"n{i}"] = Count("id", filter=answered)
    totals = surveys.filter(answered_at__gte=first, answered_at__lt=last).order_by().aggregate(**aggregates)
    return [
        {"average": _round(totals[f"avg{i}"], 2), "responses": totals[f"n{i}"]} for i in range(len(periods))
    ]


def satisfaction(surveys: QuerySet[Survey], period: Period) -> dict:
    """The distribution of scores, the average per month and the latest comments of the answers
    given in the period."""
    answered = surveys.filter(answered_at__gte=period.starts_at, answered_at__lt=period.ends_at)
    # One query for the distribution and the trend: the answers counted per month and score.
    cells = (
        answered.annotate(month=TruncMonth("answered_at", tzinfo=zone()))
        .values("month", "score")
        .annotate(responses=Count("id"))
        .order_by()
    )
    distribution = dict.fromkeys(range(1, 6), 0)
    months: dict = {}
    for row in cells:
        month = row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"]
        distribution[row["score"]] = distribution.get(row["score"], 0) + row["responses"]
        total, responses = months.get(month, (0, 0))
        months[month] = (total + row["score"] * row["responses"], responses + row["responses"])
    result = {"distribution": [{"score": s, "count": distribution[s]} for s in range(1, 6)]}
    result["trend"] = [
        {"month": month, "average": _round(total / responses, 2), "responses": responses}
        for month, (total, responses) in sorted(months.items())
    ]
    result["comments"] = list(
        answered.exclude(comment="")
        .order_by("-answered_at", "-id")
        .values("ticket_id", "score", "comment", "answered_at")[:COMMENT_LIMIT]
    )
    return result


def development_items(
    items: QuerySet[DevelopmentItem], tickets_filed: QuerySet[Ticket], *, detail: bool = True
):
    """The development items the period's filed tickets report, per state; with detail, the scope's
    own tickets that report one (never another institution's), the earliest plan first."""
    in_period = items.filter(
        pk__in=tickets_filed.filter(development_item__isnull=False).values("development_item_id")
    )
    rows = in_period.values("state").annotate(count=Count("id"))
    counts = dict.fromkeys(DevelopmentItem.State.values, 0)
    counts.update({row["state"]: row["count"] for row in rows})
    if not detail:
        return {"by_state": counts}
    columns = ("ticket_id", "subject", "kind", "state", "planned_on", "released_version")
    listed = [
        dict(zip(columns, row, strict=True))
        for row in tickets_filed.filter(development_item__isnull=False)
        .order_by(F("development_item__planned_on").asc(nulls_last=True), "id")
        .values_list(
            "id",
            "subject",
            "kind",
            "development_item__state",
            "development_item__planned_on",
            "development_item__released_version",
        )[:DEVELOPMENT_LIST_LIMIT]
    ]
    return {"by_state": counts, "items": listed}


def _ledger_months(
    ledger: QuerySet[QuotaEntry], subscription: Subscription
) -> list[tuple[str, datetime.date, int]]:
    """The ledger's units per channel and month (in the service time zone), a giving back
    (`reverses` set) counted negatively. On PostgreSQL read from the monthly roll-up the database
    keeps with every entry (ReportQuotaMonth: a dozen rows a channel and year, whatever the
    number of entries); elsewhere summed from the ledger in one query."""
    if connections[ledger.db].vendor == "postgresql":
        rows = (
            ReportQuotaMonth.objects.filter(
                institution_id=subscription.institution_id, subscription_id=subscription.pk
            )
            .order_by("channel", "month")
            .values_list("channel", "month", "units")
        )
        return [(channel, month, int(units)) for channel, month, units in rows]
    signed = Case(When(reverses__isnull=True, then=F("units")), default=-F("units"))
    monthly = (
        ledger.annotate(month=TruncMonth("consumed_at", tzinfo=zone()))
        .values("channel", "month")
        .annotate(total=Sum(signed))
        .order_by("channel", "month")
    )
    return [
        (
            row["channel"],
            row["month"].date() if isinstance(row["month"], datetime.datetime) else row["month"],
            row["total"],
        )
        for row in monthly
    ]


def quota_use(subscription: Subscription | None, *, today: datetime.date | None = None) -> list[dict]:
    """Each channel's allotment against the ledger's use over the contract year: the month-by-month
    remainder (burn-down) and the day the channel runs out if use goes on at the year's pace so far
    (None when it lasts the year, is unlimited or unused)."""
    if subscription is None:
        return []
    today = today or timezone.localdate()
    ledger = QuotaEntry.objects.for_institution(subscription.institution_id).filter(subscription=subscription)
    by_month: dict[str, list] = {}
    used: dict[str, int] = {}
    for channel, month, total in _ledger_months(ledger, subscription):  # months, not entries
        by_month.setdefault(channel, []).append((month, total))
        used[channel] = used.get(channel, 0) + total
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
            day = (
                today + datetime.timedelta(days=math.ceil(remaining / (total / elapsed)))
                if remaining > 0
                else today
            )
            runs_out_on = day if day <= subscription.ends_on else None
        burn, running = [], 0
        for month, units in by_month.get(allotment.channel, []):
            running += units
            burn.append(
                {
                    "month": month,
                    "used": running,
                    "remaining": None if allotment.is_unlimited else (allotment.allotment or 0) - running,
                }
            )
        result.append(
            {
                "channel": allotment.channel,
                "allotment": None if allotment.is_unlimited else allotment.allotment,
                "unlimited": allotment.is_unlimited,
                "used": total,
                "runs_out_on": runs_out_on,
                "burn_down": burn,
            }
        )
    return result


def _sorted_counts(counts: dict) -> list[dict]:
    return sorted(
        ({"key": k, "count": n} for k, n in counts.items() if n), key=lambda r: (-r["count"], r["key"])
    )


def _from_days(institution_id: int, periods: list[Period], *, detail: bool) -> tuple[list[dict], list[dict]]:
    """What _ticket_pass and _first_response give (and, with detail, the filed and resolved
    counts per product), read from the day roll-up (reports.summary)."""
    rows = summary.day_figures(institution_id, periods, detail=detail)
    results, first_responses = [], []
    for row in rows:
        median, p90 = row["resolution"]
        average = row["resolution_sum"] / row["resolved"] if row["resolved"] else None
        results.append(
            {
                "tickets_filed": row["filed"],
                "tickets_resolved": row["resolved"],
                "first_response_met": row["met"],
                "breaches": row["breached"],
                "first_response_compliance": compliance(met=row["met"], breached=row["breached"]),
                "resolution_hours": {
                    "median": _round(median / 60 if median is not None else None),
                    "p90": _round(p90 / 60 if p90 is not None else None),
                    "average": _round(average / 60 if average is not None else None),
                },
            }
        )
        first_responses.append(
            {"median": _round(row["first_response"][0]), "p90": _round(row["first_response"][1])}
        )
    if detail:
        first = rows[0]
        names = summary.product_names(
            set(first["filed_by"]["product"]) | set(first["resolved_by"]["product"])
        )
        for key in ("filed_by", "resolved_by"):
            results[0][key] = {
                field: _sorted_counts({v: first[key][field].get(v, 0) for v in values})
                for field, values in (("kind", Ticket.Kind.values), ("channel", Channel.values))
            }
            by_name: dict = {}
            for product_id, count in first[key]["product"].items():
                name = names.get(product_id)
                by_name[name] = by_name.get(name, 0) + count
            # As the database orders them: most first, then by name, no product last.
            results[0][key]["product"] = sorted(
                ({"key": name, "count": count} for name, count in by_name.items()),
                key=lambda r: (-r["count"], r["key"] is None, r["key"] or ""),
            )
        bounds = zip(HISTOGRAM_EDGES, [*HISTOGRAM_EDGES[1:], None], strict=True)
        counts = first.get("histogram") or [0] * len(HISTOGRAM_EDGES)
        first_responses[0]["histogram"] = [
            {"from": low, "to": high, "count": count}
            for (low, high), count in zip(bounds, counts, strict=True)
        ]
    return results, first_responses


def headlines(
    tickets: QuerySet[Ticket],
    surveys: QuerySet[Survey],
    periods: list[Period],
    *,
    detail: bool = False,
    institution_id: int | None = None,
) -> list[dict]:
    """The headline figures of each period (the API summary's core; the page shows the previous
    period's beside the current one's): three queries whatever the number of periods.
    institution_id says the tickets are the whole of that institution's, which the day roll-up
    serves (reports.summary; five queries, none reading a whole year of tickets)."""
    if institution_id is not None and summary.usable(periods):
        results, first_responses = _from_days(institution_id, periods, detail=detail)
    else:
        results = _ticket_pass(tickets, periods, detail=detail)
        first_responses = _first_response(tickets, periods, histogram=detail)
    for result, first_response, answers in zip(
        results,
        first_responses,
        satisfaction_periods(surveys, periods),
        strict=True,
    ):
        result["first_response_minutes"] = first_response
        result["satisfaction"] = answers
    return results


def headline(
    tickets: QuerySet[Ticket], surveys: QuerySet[Survey], period: Period, *, institution_id: int | None = None
) -> dict:
    return headlines(tickets, surveys, [period], institution_id=institution_id)[0]


def full(
    tickets: QuerySet[Ticket],
    surveys: QuerySet[Survey],
    items: QuerySet[DevelopmentItem],
    period: Period,
    subscription: Subscription | None,
    *,
    institution_id: int | None = None,
) -> dict:
    """Every figure of the report page, the files and the e-mail. institution_id: as headlines."""
    filed = _filed(tickets, period)
    resolved = _resolved(tickets, period)
    figures, previous = headlines(
        tickets, surveys, [period, period.previous()], detail=True, institution_id=institution_id
    )
    figures["previous"] = previous
    figures["histogram"] = figures["first_response_minutes"].pop("histogram")
    if "product" not in figures["filed_by"]:
        figures["filed_by"]["product"] = _by(filed, "product__name")
        figures["resolved_by"]["product"] = _by(resolved, "product__name")
    figures["breach_list"] = _breach_list(tickets, period)
    figures["satisfaction"].update(satisfaction(surveys, period))
    figures["development_items"] = development_items(items, filed)
    figures["quota"] = quota_use(subscription)
    return figures
