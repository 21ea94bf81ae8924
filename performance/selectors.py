"""Reads of the performance app: installation keys, and the performance report.

The report is built from aggregates — tickets grouped in SQL, usage from the daily figures
(never the raw events) — in a fixed number of queries whatever the number of people. People are
grouped by where they are now in the tree (their current unit and region)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Institution, Region, Unit, User
from organizations.permissions import performance_scope
from organizations.roles import CUSTOMER_SIDE
from packages.models import Product
from tickets.figures import FIRST_RESPONSE_BREACHED, FIRST_RESPONSE_MET
from tickets.models import Ticket, TicketMessage
from tickets.selectors import monitoring_scope_for

from .figures import figure_providers, figures_collect
from .models import UsageDay, UsageEvent, UsageFeatureDay, UsageKey

GROUPS = ("person", "unit", "region")
# The person's field each grouping reads.
GROUP_FIELDS = {"person": "pk", "unit": "unit_id", "region": "region_id"}
TOP_FEATURES = 5


MAX_PERIOD = datetime.timedelta(days=731)


def report_period(
    start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date, str]:
    """The report's period with its defaults (to today, from the first of that month) and the
    reason it is refused, or "" — shared by the page's form and the API's parameters."""
    end = end or timezone.localdate()
    start = start or end.replace(day=1)
    if start > end:
        return start, end, _("The first day comes after the last.")
    if end - start > MAX_PERIOD:
        return start, end, _("At most two years at a time.")
    return start, end, ""


def usage_key_list(*, institution: Institution) -> QuerySet[UsageKey]:
    return (
        UsageKey.objects.for_institution(institution)
        .select_related("created_by", "revoked_by")
        .order_by("revoked", "-created")
    )


def usage_key_get(*, institution: Institution, pk) -> UsageKey | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return usage_key_list(institution=institution).filter(pk=pk).first()


def usage_key_authenticate(*, raw: str) -> UsageKey | None:
    """The usable key `raw` is, with its institution, or None (unknown, wrong secret, revoked,
    expired, or the institution switched off). One query."""
    prefix, dot, _secret = raw.partition(".")
    if not dot or not prefix:
        return None
    key = UsageKey.objects.select_related("institution").filter(prefix=prefix, revoked=False).first()
    if key is None or key.has_expired or not key.institution.is_active or not key.is_valid(raw):
        return None
    return key


def usage_unmatched_list(*, institution: Institution, limit: int = 50) -> list[dict]:
    """The usernames and e-mails the products sent that name nobody of the institution, most
    frequent first: for its admin to add the people or correct the products' settings."""
    return list(
        UsageEvent.objects.for_institution(institution)
        .filter(person__isnull=True)
        .values("person_ref")
        .annotate(events=Count("pk"))
        .order_by("-events", "person_ref")[:limit]
    )


def people_in_performance_scope(*, actor: User) -> QuerySet[User]:
    """The people whose figures the actor may read: the institution admin everyone of the
    institution; a unit or region manager themselves and the people of the unit or region their
    active monitoring grant covers (organizations.selectors.monitoring_scope_for); anyone else only
    themselves. Raises PermissionDenied for vendor staff."""
    scope = performance_scope(actor)
    people = _institution_people(actor.institution_id)
    if scope == "institution":
        return people
    if scope == "monitored":
        return people.filter(Q(pk=actor.pk) | monitoring_scope_for(person=actor))
    return people.filter(pk=actor.pk)


@dataclass
class ReportRow:
    key: int | None
    label: str
    tickets: dict = field(default_factory=dict)
    usage: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    # The figures in the order of the report's figure_columns, for tables.
    figure_values: list = field(default_factory=list)
    # For reading: the top features and the versions with the products' names, in one line each.
    features_text: str = ""
    versions_text: str = ""
    # (column label, figure) of every registered figure, for a table that labels each cell.
    figure_cells: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "tickets": self.tickets,
            "usage": self.usage,
            "figures": self.figures,
        }


@dataclass
class Report:
    group_by: str
    start: datetime.date
    end: datetime.date
    rows: list[ReportRow]
    figure_columns: list[tuple[str, str]]

    def as_dict(self) -> dict:
        return {
            "group_by": self.group_by,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "figures": [{"key": key, "label": label} for key, label in self.figure_columns],
            "rows": [row.as_dict() for row in self.rows],
        }


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def _groups(people: QuerySet[User], group_by: str, institution: Institution) -> list[tuple[int | None, str]]:
    if group_by == "person":
        rows = people.order_by("first_name", "last_name", "username").values_list(
            "pk", "first_name", "last_name", "username"
        )
        return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in rows]
    present = set(people.values_list(GROUP_FIELDS[group_by], flat=True).distinct())
    if group_by == "unit":
        named = [
            (unit.pk, str(unit))
            for unit in Unit.objects.for_institution(institution)
            .select_related("region")
            .filter(pk__in=present - {None})
        ]
        none_label = _("No unit")
    else:
        named = list(
            Region.objects.for_institution(institution)
            .filter(pk__in=present - {None})
            .values_list("pk", "name")
        )
        none_label = _("No region")
    named.sort(key=lambda item: item[1])
    return named + ([(None, none_label)] if None in present else [])


def _ticket_figures(institution, people, group_by, start_at, end_at) -> dict:
    group = "requester_id" if group_by == "person" else f"requester__{GROUP_FIELDS[group_by]}"
    filed = Q(created_at__gte=start_at, created_at__lt=end_at)
    resolved = Q(resolved_at__gte=start_at, resolved_at__lt=end_at)
    met, missed = FIRST_RESPONSE_MET, FIRST_RESPONSE_BREACHED
    channel = {
        code: Count("pk", filter=filed & Q(channel=code))
        for code in ("written", "phone", "remote", "onsite_days")
    }
    rows = (
        Ticket.objects.for_institution(institution)
        .filter(requester__in=people)
        .filter(filed | resolved)
        .values(group=F(group))
        .annotate(
            filed=Count("pk", filter=filed),
            resolved=Count("pk", filter=resolved),
            met=Count("pk", filter=filed & met),
            missed=Count("pk", filter=filed & missed),
            **channel,
        )
        .order_by()
    )
    logged_group = (
        "ticket__requester_id" if group_by == "person" else f"ticket__requester__{GROUP_FIELDS[group_by]}"
    )
    logged = (
        TicketMessage.objects.for_institution(institution)
        .filter(ticket__requester__in=people, created_at__gte=start_at, created_at__lt=end_at)
        .filter(kind__in=[TicketMessage.Kind.CALL, TicketMessage.Kind.REMOTE])
        .values(group=F(logged_group))
        .annotate(
            calls=Count("pk", filter=Q(kind=TicketMessage.Kind.CALL)),
            remote_sessions=Count("pk", filter=Q(kind=TicketMessage.Kind.REMOTE)),
        )
        .order_by()
    )
    figures: dict = defaultdict(dict)
    for row in rows:
        figures[row.pop("group")].update(row)
    for row in logged:
        figures[row.pop("group")].update(row)
    return figures


def _ticket_block(row: dict) -> dict:
    filed = row.get("filed", 0)
    met, missed = row.get("met", 0), row.get("missed", 0)
    calls, remote_sessions = row.get("calls", 0), row.get("remote_sessions", 0)
    return {
        "filed": filed,
        "resolved": row.get("resolved", 0),
        "first_response": {"met": met, "missed": missed, "pending": filed - met - missed},
        # Tickets filed through each channel; a call or remote session logged on a ticket is a use
        # of that channel too.
        "channels": {
            "written": row.get("written", 0),
            "phone": row.get("phone", 0) + calls,
            "remote": row.get("remote", 0) + remote_sessions,
            "onsite": row.get("onsite_days", 0),
        },
    }


def _usage_figures(institution, people, group_by, start, end) -> dict:
    group = "person_id" if group_by == "person" else f"person__{GROUP_FIELDS[group_by]}"
    days = UsageDay.objects.for_institution(institution).filter(person__in=people, on__gte=start, on__lte=end)
    person_day = Concat(
        Cast("person_id", CharField()), Value("-"), Cast("on", CharField()), output_field=CharField()
    )
    totals = (
        days.values(group=F(group))
        .annotate(
            active_days=Count(person_day, distinct=True),
            seconds=Sum("active_seconds"),
            sessions=Sum("sessions"),
            feature_uses=Sum("feature_uses"),
        )
        .order_by()
    )
    versions = (
        days.values("product", "version", group=F(group))
        .annotate(people=Count("person_id", distinct=True))
        .order_by("product", "version")
    )
    features = (
        UsageFeatureDay.objects.for_institution(institution)
        .filter(person__in=people, on__gte=start, on__lte=end)
        .values("product", "feature", group=F(group))
        .annotate(uses=Sum("uses"))
        .order_by("-uses", "product", "feature")
    )
    figures: dict = defaultdict(lambda: {"top_features": [], "versions": []})
    for row in totals:
        figures[row.pop("group")].update(row)
    for row in versions:
        figures[row.pop("group")]["versions"].append(row)
    for row in features:
        top = figures[row.pop("group")]["top_features"]
        if len(top) < TOP_FEATURES:
            top.append(row)
    return figures


def _usage_block(row: dict) -> dict:
    return {
        "active_days": row.get("active_days", 0),
        "hours": round((row.get("seconds") or 0) / 3600, 1),
        "sessions": row.get("sessions") or 0,
        "feature_uses": row.get("feature_uses") or 0,
        "top_features": row.get("top_features", []),
        "versions": row.get("versions", []),
    }


def performance_report(*, actor: User, group_by: str, start: datetime.date, end: datetime.date) -> Report:
    """The actor's performance report for the period (first and last day, Europe/Istanbul),
    one row per person, unit or region they may see (people_in_performance_scope). Raises
    PermissionDenied for vendor staff; the package check is the caller's
    (packages.permissions.performance_tracking_lock)."""
    return _report(
        institution=actor.institution,
        people=people_in_performance_scope(actor=actor),
        group_by=group_by,
        start=start,
        end=end,
    )


def performance_report_institution(
    *, institution: Institution, group_by: str, start: datetime.date, end: datetime.date
) -> Report:
    """The whole institution's report, as its admin reads it: for what the portal sends the
    institution (the monthly report e-mail), where no one is reading."""
    people = _institution_people(institution)
    return _report(institution=institution, people=people, group_by=group_by, start=start, end=end)


def _institution_people(institution) -> QuerySet[User]:
    """Everyone whose figures the report counts: the institution's customer side."""
    return User.objects.for_institution(institution).filter(role__in=CUSTOMER_SIDE)


def feature_label(code: str) -> str:
    """A feature as the report shows it: products send a code ("veri-aktarimi"), read as words
    ("Veri aktarimi")."""
    words = code.replace("-", " ").replace("_", " ").replace("/", " / ").strip()
    return words[:1].upper() + words[1:]


def _usage_texts(usage: dict, products: dict[str, str]) -> tuple[str, str]:
    features = ", ".join(
        f"{products.get(f['product'], f['product'])}: {feature_label(f['feature'])} ({f['uses']})"
        for f in usage["top_features"]
    )
    versions = ", ".join(
        f"{products.get(v['product'], v['product'])} {v['version']}" for v in usage["versions"]
    )
    return features or "—", versions or "—"


def _report(
    *,
    institution: Institution,
    people: QuerySet[User],
    group_by: str,
    start: datetime.date,
    end: datetime.date,
) -> Report:
    if group_by not in GROUPS:
        raise ValueError(group_by)
    start_at, end_at = _bounds(start, end)
    tickets = _ticket_figures(institution, people, group_by, start_at, end_at)
    usage = _usage_figures(institution, people, group_by, start, end)
    providers = figure_providers()
    products = dict(Product.objects.values_list("code", "name"))
    extra = figures_collect(
        institution=institution, people=people, group_field=GROUP_FIELDS[group_by], start=start, end=end
    )
    rows = [
        ReportRow(
            key=key,
            label=label,
            tickets=_ticket_block(tickets.get(key, {})),
            usage=_usage_block(usage.get(key, {})),
            figures={provider.key: extra[provider.key].get(key, 0) for provider in providers},
            figure_values=[extra[provider.key].get(key, 0) for provider in providers],
        )
        for key, label in _groups(people, group_by, institution)
    ]
    for row in rows:
        row.features_text, row.versions_text = _usage_texts(row.usage, products)
        row.figure_cells = [(str(provider.label), row.figures[provider.key]) for provider in providers]
    return Report(
        group_by=group_by,
        start=start,
        end=end,
        rows=rows,
        figure_columns=[(provider.key, str(provider.label)) for provider in providers],
    )
