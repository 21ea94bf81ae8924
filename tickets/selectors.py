"""Reads of tickets. Which tickets a person may see is decided here, once, by ticket_visible_to;
every list, detail, count and export of the web pages and the API starts from it."""

import dataclasses
import datetime

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from organizations.models import MonitoringGrant, User
from organizations.permissions import is_customer_side
from organizations.roles import CUSTOMER_SIDE, DESK_ROLES, VENDOR_SIDE, Role
from packages.models import Product
from packages.selectors import region_management_in_force

from .models import (
    OPEN_STATUSES,
    Attachment,
    DevelopmentItem,
    EngineHeartbeat,
    Macro,
    OutboxMessage,
    SLAEvent,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketShare,
)


class _InIds(Func):
    """`id IN (subquery)`; on PostgreSQL `id = ANY(ARRAY(subquery))`, which the planner can
    answer from an index as one arm of a BitmapOr next to the requester and tree arms. (A plain
    IN beside an OR becomes a filter over every row of the institution.)"""

    arg_joiner = " IN "
    template = "%(expressions)s"
    output_field = BooleanField()
    conditional = True

    def __init__(self, queryset):
        super().__init__(F("pk"), Subquery(queryset))

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", **extra_context
        )


def _shared_with(person: User):
    """The ids of tickets shared with the person, their current unit or their current region,
    on a package with region management in force."""
    target = Q(person=person)
    if person.unit_id:
        target |= Q(unit_id=person.unit_id)
    if person.region_id:
        target |= Q(region_id=person.region_id)
    return (
        TicketShare.objects.for_institution(person.institution_id)
        .filter(target)
        .filter(region_management_in_force(institution_id=person.institution_id))
        .values("ticket_id")
    )


def monitoring_scope_for(*, person: User) -> Q:
    """The tickets a manager monitors, as a ticket filter: the tickets filed in their unit (unit
    manager) or region (region manager), while an active grant names that unit or region.

    The role and the person's current place both have to match the grant, so moving a manager or
    changing their role changes what they monitor at once. The grant's existence and the package
    are checked inside the same query."""
    role = person.role
    if role == Role.UNIT_MANAGER and person.unit_id:
        scope = {"unit_id": person.unit_id}
    elif role == Role.REGION_MANAGER and person.region_id:
        scope = {"region_id": person.region_id}
    else:
        return Q(pk__in=[])
    grant = MonitoringGrant.objects.filter(
        person=person, institution_id=person.institution_id, revoked_at__isnull=True, **scope
    ).filter(region_management_in_force(institution_id=person.institution_id))
    return Q(**scope) & Q(Exists(grant))


def ticket_visible_to(*, person: User) -> QuerySet[Ticket]:
    """The tickets the person may see, as one query (the person's role is a column of the person
    object already loaded).

    - Support engineers, desk leads and package managers (vendor staff) see every institution's
      tickets: the desk serves one queue across all of them.
    - The institution admin sees the whole institution, on every package.
    - Everyone else on the customer side sees what they filed; on a package with region
      management in force (Premium, Premium+) also what is shared with them, their unit or their
      region (TicketShare), and, for a unit or region manager holding an active monitoring grant
      on their current unit or region, every ticket filed there.
    - An inactive person, or a customer-side person without an institution or role, sees nothing.

    The person's unit, region, role and active flag are read from the person object, which each
    request loads afresh: a move or a deactivation shows on the next request."""
    if not person.is_authenticated or not person.is_active:
        return Ticket.objects.none()
    role = person.role
    if role in VENDOR_SIDE:
        # The desk works one queue across all institutions.
        return Ticket.objects.all()
    if not is_customer_side(person):
        return Ticket.objects.none()
    tickets = Ticket.objects.for_institution(person.institution_id)
    if role == Role.INSTITUTION_ADMIN:
        return tickets
    return tickets.filter(
        Q(requester=person) | _InIds(_shared_with(person)) | monitoring_scope_for(person=person)
    )


def _holds_role(*roles: Role) -> Q:
    return Q(role__in=roles)


def person_list_seeing_ticket(*, ticket: Ticket) -> QuerySet[User]:
    """The active people of the ticket's institution who find the ticket in ticket_visible_to:
    whom to tell about it (notifications, digests). The same rules read the other way round, as
    one query; tests/tickets/test_selectors_property.py checks the two agree. Vendor staff, who see every
    ticket through the desk, are not listed: the desk has its own notices."""
    institution_id = ticket.institution_id
    people = User.objects.for_institution(institution_id).filter(is_active=True)
    gold = region_management_in_force(institution_id=institution_id)
    shared = TicketShare.objects.for_institution(institution_id).filter(
        Q(person_id=OuterRef("pk")) | Q(unit_id=OuterRef("unit_id")) | Q(region_id=OuterRef("region_id")),
        ticket_id=ticket.pk,
    )
    rule = _holds_role(Role.INSTITUTION_ADMIN) | (Q(pk=ticket.requester_id) & _holds_role(*CUSTOMER_SIDE))
    rule |= _holds_role(*CUSTOMER_SIDE) & Exists(shared.filter(gold))
    active_grants = MonitoringGrant.objects.filter(person_id=OuterRef("pk"), revoked_at__isnull=True).filter(
        gold
    )
    if ticket.unit_id:
        rule |= (
            Q(unit_id=ticket.unit_id)
            & _holds_role(Role.UNIT_MANAGER)
            & Exists(active_grants.filter(unit_id=ticket.unit_id))
        )
    if ticket.region_id:
        rule |= (
            Q(region_id=ticket.region_id)
            & _holds_role(Role.REGION_MANAGER)
            & Exists(active_grants.filter(region_id=ticket.region_id))
        )
    return people.filter(rule).order_by("pk")


def ticket_can_share(*, person: User, ticket: Ticket) -> bool:
    """Whether the person may share the ticket and undo its shares, package aside: its requester,
    the institution admin, or a manager above the requester — the unit manager of the ticket's unit
    or the region manager of its region, holding an active monitoring grant there. (The package
    check is the service's: it raises FeatureLocked with the packages to name.)"""
    if not is_customer_side(person) or person.institution_id != ticket.institution_id:
        return False
    if person.pk == ticket.requester_id or person.role == Role.INSTITUTION_ADMIN:
        return True
    # The same rule ticket_visible_to applies: whoever monitors a ticket may share it.
    return Ticket.objects.filter(pk=ticket.pk).filter(monitoring_scope_for(person=person)).exists()


def _checked_for(person: User) -> tuple:
    """What the visibility of a ticket depends on in the person's own record."""
    fields = ("pk", "role", "institution_id", "unit_id", "region_id", "is_active")
    return tuple(getattr(person, name, None) for name in fields)


def _seen_by(ticket: Ticket, person: User) -> Q:
    """A filter on a ticket's own rows (messages, shares) that keeps them only if the person may see
    the ticket. A ticket ticket_get_visible has just read for this person in this request is
    already checked; any other is checked inside the query that uses the filter."""
    if getattr(ticket, "_visible_to", None) == _checked_for(person):
        return Q(ticket_id=ticket.pk)
    return Q(ticket__in=ticket_visible_to(person=person).filter(pk=ticket.pk))


def ticket_share_list(*, person: User, ticket: Ticket) -> QuerySet[TicketShare]:
    """The shares of a ticket the person may see (none for a ticket they may not see)."""
    return (
        TicketShare.objects.for_institution(ticket.institution_id)
        .filter(_seen_by(ticket, person))
        .select_related("person", "unit__region", "region", "shared_by")
        .order_by("created_at", "id")
    )


def ticket_share_get(*, person: User, ticket: Ticket, pk) -> TicketShare | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return ticket_share_list(person=person, ticket=ticket).filter(pk=pk).first()


def ticket_get_visible(*, person: User, pk) -> Ticket | None:
    """One ticket the person may see, or None: another institution's ticket is indistinguishable
    from a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    # Only what the ticket's pages and answers show: each further join (the contract and its
    # package, the unit, the region) cost PostgreSQL more in planning this one-row query than
    # reading the row does. The desk's page reads the package when it shows it.
    ticket = (
        ticket_visible_to(person=person)
        .select_related("institution", "requester", "assignee", "product", "development_item")
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if ticket is not None:
        # Read for this person by the visibility rule just now: the ticket's messages and shares
        # need not repeat the check (see _seen_by). The object lives as long as the request.
        ticket._visible_to = _checked_for(person)
    return ticket


def ticket_list_for_requester_side(*, person: User) -> QuerySet[Ticket]:
    return (
        ticket_visible_to(person=person)
        .select_related("product", "requester", "development_item")
        .order_by("-created_at", "-id")
    )


def ticket_messages_visible_to(*, person: User, ticket: Ticket) -> QuerySet[TicketMessage]:
    """The conversation of a ticket: internal notes only for the desk; nothing at all for a person
    who may not see the ticket (checked inside the same query, through ticket_visible_to)."""
    messages = TicketMessage.objects.for_institution(ticket.institution_id).filter(_seen_by(ticket, person))
    if person.role not in VENDOR_SIDE:
        messages = messages.exclude(kind=TicketMessage.Kind.NOTE)
    return messages.select_related("author").prefetch_related("attachments").order_by("created_at", "id")


def product_list():
    return Product.objects.filter(is_active=True).order_by("name")


def product_choices() -> list[tuple[str, str]]:
    """(code, name) of the active products, for a filter's choices."""
    return list(product_list().values_list("code", "name"))


def ticket_queue_all_institutions(
    *,
    engineer: User,
    package: str | None = None,
    institution: str | None = None,
    product: str | None = None,
    status: str | None = None,
    scope: str | None = None,
) -> QuerySet[Ticket]:
    """The desk's queue: open tickets of every institution (the desk serves them all), by
    contract priority (1 first), then first-response deadline, then age — the order of the
    partial index ticket_queue. Filters: package code, institution slug, product code, one open
    status, and scope "mine" or "unassigned"."""
    if not engineer.is_active or engineer.role not in VENDOR_SIDE:
        return Ticket.objects.none()
    queue = Ticket.objects.filter(status__in=OPEN_STATUSES)
    if status in OPEN_STATUSES:
        queue = queue.filter(status=status)
    if package:
        queue = queue.filter(subscription__package__code=package)
    if institution:
        queue = queue.filter(institution__slug=institution)
    if product:
        queue = queue.filter(product__code=product)
    if scope == "mine":
        queue = queue.filter(assignee=engineer)
    elif scope == "unassigned":
        queue = queue.filter(assignee__isnull=True)
    return queue.select_related("institution", "product", "assignee", "subscription__package").order_by(
        "priority", "first_response_due_at", "created_at", "id"
    )


@dataclasses.dataclass(slots=True)
class DeskRow:
    """One row of the desk's queue or board: what the row shows and what its SLA cell needs, read
    as plain values. Fifty model instances with four related ones each cost more to build than the
    database takes to find them."""

    pk: int
    subject: str
    priority: int
    status: str
    product_name: str | None
    package_name: str
    institution_name: str
    assignee_username: str | None
    first_response_due_at: datetime.datetime
    warning_due_at: datetime.datetime
    first_responded_at: datetime.datetime | None
    breached_at: datetime.datetime | None
    url: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return Ticket.Status(self.status).label


_DESK_ROW_COLUMNS = (
    "pk",
    "subject",
    "priority",
    "status",
    "product__name",
    "subscription__package__name",
    "institution__name",
    "assignee__username",
    "first_response_due_at",
    "warning_due_at",
    "first_responded_at",
    "breached_at",
)


def desk_rows(tickets: QuerySet[Ticket]) -> list[DeskRow]:
    """The rows of a page of the queue or the board (already ordered and sliced by the caller)."""
    return [DeskRow(*values) for values in tickets.values_list(*_DESK_ROW_COLUMNS)]


def development_item_for(*, ticket: Ticket) -> DevelopmentItem | None:
    """The item a visible ticket reports: its public part is the customer's to see."""
    if ticket.development_item_id is None:
        return None
    return DevelopmentItem.objects.filter(pk=ticket.development_item_id).first()


# The worst first: the deadline passed longest ago, then the higher priority.
BOARD_ORDER = ("first_response_due_at", "priority", "id")


def _board_filter(now) -> Q:
    # A page is read in the board's order from ticket_board, stopping after its rows. The second
    # OR says the same as the first, split so each arm implies the predicate of a partial index
    # (ticket_flagged, ticket_warning_due, ticket_breach_due): where a page lies deep in a long
    # board PostgreSQL can instead read only the tickets at risk through a BitmapOr of them.
    at_risk = Q(warning_due_at__lte=now) | Q(first_response_due_at__lte=now) | Q(breached_at__isnull=False)
    unflagged = Q(warned_at__isnull=True, breached_at__isnull=True)
    by_index = (
        Q(warned_at__isnull=False)
        | Q(breached_at__isnull=False)
        | (unflagged & Q(warning_due_at__lte=now))
        | (unflagged & Q(first_response_due_at__lte=now))
    )
    return Q(status__in=OPEN_STATUSES, first_responded_at__isnull=True) & at_risk & by_index


def ticket_board_all_institutions(*, lead: User, now=None) -> QuerySet[Ticket]:
    """The desk lead's board: unanswered open tickets of every institution (the desk serves them
    all) whose warning time has come or whose deadline has passed, the most urgent first."""
    if not lead.is_active or lead.role != Role.DESK_LEAD:
        return Ticket.objects.none()
    now = now or timezone.now()
    return (
        Ticket.objects.filter(_board_filter(now))
        .select_related("institution", "product", "assignee", "subscription__package")
        .order_by(*BOARD_ORDER)
    )


def ticket_board_page(*, board: QuerySet[Ticket], start: int, stop: int) -> list[DeskRow]:
    """One page of the board with its rows' package, institution and assignee. The page is chosen
    on the tickets' own columns first, in the order of ticket_board: an index scan that stops after
    the page instead of reading and sorting every ticket at risk (19 ms at 20,000 past their
    deadline), and no join of them all."""
    ids = board.order_by(*BOARD_ORDER).values("id")[start:stop]
    return desk_rows(Ticket.objects.filter(pk__in=ids).order_by(*BOARD_ORDER))


def ticket_board_counts(*, lead: User, now=None) -> dict[str, int]:
    """How many tickets are on the board, in one query: those past their deadline (breached) and
    those only past their warning time.

    The board is counted in three disjoint parts, each read from its own partial index:
    - flagged by the sweep (warned or breached) and recorded as breached or past the warning time:
      ticket_flagged, which holds only flagged tickets;
    - neither warned nor breached, past the warning time: ticket_warning_due, `warning_due_at <= now`;
    - not recorded as breached, past the deadline but not the warning time (a corrected warning
      time, or warned before the warning time was moved): ticket_breach_due,
      `first_response_due_at <= now`.
    Each part's condition implies the predicate of its index and no other part's condition can use
    another index's key: one filter over the whole board let PostgreSQL read it from ticket_board,
    which holds every open unanswered ticket, and a condition on `warning_due_at > now` made it
    read most of ticket_warning_due."""
    if not lead.is_active or lead.role != Role.DESK_LEAD:
        return {"total": 0, "breached": 0, "warning": 0}
    now = now or timezone.now()
    params = {"now": connection.ops.adapt_datetimefield_value(now)}
    params.update((f"status{i}", status) for i, status in enumerate(OPEN_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(_BOARD_COUNTS_SQL, params)
        flagged, flagged_breached, unflagged, unflagged_breached, moved_warning = cursor.fetchone()
    total = flagged + unflagged + moved_warning
    breached = flagged_breached + unflagged_breached + moved_warning
    return {"total": total, "breached": breached, "warning": total - breached}


# The board's count: five scalar subqueries, each planned on its own (as one UNION ALL of the
# parts PostgreSQL started parallel workers, which cost more than the parts' 3 ms of work), each
# an index-only scan of the partial index whose predicate its conditions imply. Written as SQL:
# building the same five statements through the ORM took longer than running them.
_BOARD_UNANSWERED = (
    f"FROM {Ticket._meta.db_table} WHERE first_responded_at IS NULL"
    f" AND status IN ({', '.join(f'%(status{i})s' for i in range(len(OPEN_STATUSES)))}) AND "
)
_BOARD_FLAGGED = "(warned_at IS NOT NULL OR breached_at IS NOT NULL) AND (breached_at IS NOT NULL OR warning_due_at <= %(now)s)"
_BOARD_UNFLAGGED = "warned_at IS NULL AND breached_at IS NULL AND warning_due_at <= %(now)s"
_BOARD_COUNTS_SQL = "SELECT " + ", ".join(
    f"(SELECT COUNT(*) {_BOARD_UNANSWERED}{condition})"
    for condition in (
        _BOARD_FLAGGED,
        f"{_BOARD_FLAGGED} AND (breached_at IS NOT NULL OR first_response_due_at <= %(now)s)",
        _BOARD_UNFLAGGED,
        f"{_BOARD_UNFLAGGED} AND first_response_due_at <= %(now)s",
        "breached_at IS NULL AND warning_due_at > %(now)s AND first_response_due_at <= %(now)s",
    )
)


def ticket_event_list(*, person: User, ticket: Ticket) -> QuerySet:
    """A ticket's history, for the desk only (it names internal notes)."""
    if person.role not in VENDOR_SIDE:
        return TicketEvent.objects.none()
    return (
        TicketEvent.objects.for_institution(ticket.institution_id)
        .filter(ticket=ticket)
        .select_related("actor")
    )


def attachment_list_visible(*, person: User, ticket: Ticket) -> QuerySet:
    """The files of a ticket the person can see (it is up to the caller to have checked the ticket)."""
    files = Attachment.objects.for_institution(ticket.institution_id).filter(ticket=ticket)
    if person.role not in VENDOR_SIDE:
        files = files.exclude(message__kind=TicketMessage.Kind.NOTE)
    return files.order_by("created_at", "id")


def attachment_get_visible(*, person: User, pk):
    """One file, through its ticket's visibility: another institution's file is a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    files = Attachment.objects.filter(pk=pk, ticket__in=ticket_visible_to(person=person))
    if person.role not in VENDOR_SIDE:
        files = files.exclude(message__kind=TicketMessage.Kind.NOTE)
    return files.first()


def engine_heartbeat_age(*, name: str, now=None) -> datetime.timedelta | None:
    """How long ago the periodic job `name` last completed; None when it never has."""
    completed_at = EngineHeartbeat.objects.filter(pk=name).values_list("completed_at", flat=True).first()
    if completed_at is None:
        return None
    return (now or timezone.now()) - completed_at


# --- Figures for /metrics (portal.metrics), read at scrape time -------------------------------
# Each reads across every institution: the operator watches the engine as a whole.


def sla_event_counts_all_institutions() -> dict[str, int]:
    """How many SLA log entries of each kind have ever been recorded (breaches, warnings, …)."""
    rows = SLAEvent.objects.values("kind").annotate(count=Count("id")).values_list("kind", "count")
    return dict(rows)


def sla_breach_lag_all_institutions(*, buckets: tuple[float, ...]) -> tuple[list[int], float, int]:
    """The sweep's lag over every recorded breach: the time from the deadline to the moment the
    breach was recorded. Returns the cumulative count at or under each bucket (seconds), the sum of
    the lags in seconds and the number of breaches, in one query."""
    lag = ExpressionWrapper(F("recorded_at") - F("deadline_at"), output_field=DurationField())
    figures = (
        SLAEvent.objects.filter(kind=SLAEvent.Kind.BREACHED)
        .annotate(lag=lag)
        .aggregate(
            total=Count("id"),
            lag_sum=Sum("lag"),
            **{
                # The deadline moved by the bound rather than the lag compared with it: SQLite
                # compares a datetime sum, not a difference of datetimes, as PostgreSQL does.
                f"le_{index}": Count(
                    "id", filter=Q(recorded_at__lte=F("deadline_at") + datetime.timedelta(seconds=bound))
                )
                for index, bound in enumerate(buckets)
            },
        )
    )
    lag_sum = figures["lag_sum"]
    seconds = lag_sum.total_seconds() if isinstance(lag_sum, datetime.timedelta) else (lag_sum or 0) / 1e6
    return [figures[f"le_{index}"] for index in range(len(buckets))], seconds, figures["total"]


def outbox_backlog_all_institutions(*, now: datetime.datetime | None = None) -> dict[str, tuple[int, float]]:
    """The routing work waiting in tickets' outbox (kind `route`): how many rows and the age in
    seconds of the oldest. /metrics reads it beside core's message outbox."""
    now = now or timezone.now()
    rows = (
        OutboxMessage.objects.filter(processed_at__isnull=True)
        .values("kind")
        .annotate(depth=Count("id"), oldest=Min("created_at"))
    )
    return {row["kind"]: (row["depth"], max((now - row["oldest"]).total_seconds(), 0.0)) for row in rows}


def engine_heartbeat_at(*, name: str) -> datetime.datetime | None:
    """When the periodic job `name` last completed; None when it never has."""
    return EngineHeartbeat.objects.filter(pk=name).values_list("completed_at", flat=True).first()


def macro_list_for(*, person: User) -> QuerySet[Macro]:
    """The macros a desk member may insert: the desk's shared ones and their own; another
    engineer's personal macros never. Nothing for anyone outside the desk."""
    if not person.is_active or person.role not in DESK_ROLES:
        return Macro.objects.none()
    return Macro.objects.filter(Q(owner__isnull=True) | Q(owner=person)).select_related("owner")


def macro_get_for(*, person: User, pk) -> Macro | None:
    """One macro of macro_list_for, or None (another engineer's personal macro reads as missing)."""
    try:
        return macro_list_for(person=person).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def ticket_queue_next_id(*, engineer: User, ticket: Ticket) -> int | None:
    """The ticket the desk member takes up after this one: the head of the queue, this one aside."""
    queue = ticket_queue_all_institutions(engineer=engineer).exclude(pk=ticket.pk)
    return queue.values_list("pk", flat=True).first()


def ticket_messages_newer(*, person: User, ticket: Ticket, after_id: int) -> QuerySet[TicketMessage]:
    """What others added to the conversation (as the person may see it) after the message with id
    after_id: what a reply written in the meantime would cross."""
    return (
        ticket_messages_visible_to(person=person, ticket=ticket)
        .filter(id__gt=after_id)
        .exclude(author=person)
    )


# The history rows the conversation shows between the messages: the messages themselves (and
# the description, which opens it) are shown as messages, so the events recording them are left out.
TIMELINE_DESK_EVENTS = (
    TicketEvent.Kind.STATUS_CHANGED,
    TicketEvent.Kind.ASSIGNED,
    TicketEvent.Kind.ESCALATED,
    TicketEvent.Kind.DEVELOPMENT_UPDATED,
    TicketEvent.Kind.REOPENED,
    TicketEvent.Kind.FIRST_RESPONSE,
    TicketEvent.Kind.SLA_WARNING,
    TicketEvent.Kind.SLA_BREACHED,
    TicketEvent.Kind.DEADLINE_CHANGED,
    TicketEvent.Kind.SHARED,
    TicketEvent.Kind.UNSHARED,
    TicketEvent.Kind.KIND_CHANGED,
)
# What the requester's side reads of the history: where the ticket stands, not who on the desk
# did what.
TIMELINE_CUSTOMER_EVENTS = (TicketEvent.Kind.STATUS_CHANGED, TicketEvent.Kind.REOPENED)


def ticket_timeline_events(*, person: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The history rows shown in the ticket's conversation for this person (the caller has
    checked that they see the ticket)."""
    kinds = TIMELINE_DESK_EVENTS if person.role in VENDOR_SIDE else TIMELINE_CUSTOMER_EVENTS
    return (
        TicketEvent.objects.for_institution(ticket.institution_id)
        .filter(ticket=ticket, kind__in=kinds)
        .select_related("actor")
        .order_by("created_at", "id")
    )
