"""Ticket history → notifications. The ticket services already write a TicketEvent for every
change in the change's own transaction; this pass reads them in id order behind a cursor and
writes one Notification per event, recipient and kind. The unique constraint
(event, recipient, kind) makes a repeat harmless, so the pass may re-read recent events: the
cursor only moves past events older than SETTLE, because an event id is taken before its
transaction commits and a slower transaction can commit a lower id after a higher one."""

import datetime
import logging
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from organizations.models import User
from organizations.roles import CUSTOMER_SIDE
from tickets.models import Ticket, TicketEvent, TicketShare

from ..models import PUSH_KINDS, FanoutCursor, Kind, Mode, Notification
from ..push_texts import ticket_event_pushes
from ..selectors import (
    desk_lead_ids,
    desk_person_ids,
    languages_for,
    preference_modes_for_pairs,
    push_subscribed_person_ids,
)
from .push import PushRequest, push_request_many

logger = logging.getLogger(__name__)

CURSOR = "ticket-events"
BATCH = 2000
SETTLE = datetime.timedelta(seconds=60)
BUDGET_SECONDS = 20.0
NOTIFYING_EVENTS = ("created", "replied", "status_changed", "reopened", "development_updated", "shared")
# Pushed but not e-mailed from here: the breach e-mail is written by the SLA engine itself.
PUSH_ONLY_EVENTS = ("sla_breached",)
STATUS_MODE = {
    Mode.ON: Notification.Status.PENDING,
    Mode.DIGEST: Notification.Status.HELD,
    Mode.OFF: Notification.Status.SKIPPED,
}


def _customer_side(ticket: Ticket, shared: list[User]) -> list[User]:
    return [ticket.requester, *shared]


def event_recipients(
    event: TicketEvent, shared: list[User], *, by_desk: bool, members: dict | None = None
) -> tuple[str, list[User]] | None:
    """The kind of notification an event calls for and who receives it, or None. The person who
    acted is not told of their own act (except the filing acknowledgement); the assignee hears
    of what the customer side did."""
    ticket, data = event.ticket, event.data
    customers = _customer_side(ticket, shared)
    assignee = [ticket.assignee] if ticket.assignee_id and not by_desk else []
    if event.kind == "created":
        return Kind.TICKET_FILED, [ticket.requester]
    if event.kind == "replied":
        return (Kind.DESK_ANSWERED, customers) if by_desk else (Kind.CUSTOMER_REPLIED, customers + assignee)
    if event.kind == "status_changed":
        new, old = data.get("new"), data.get("old")
        if new == Ticket.Status.WAITING:
            return Kind.WAITING_ON_CUSTOMER, customers
        if new == Ticket.Status.RESOLVED:
            return Kind.RESOLVED, customers + assignee
        if new == Ticket.Status.OPEN and old == Ticket.Status.RESOLVED:
            return Kind.REOPENED, customers + assignee
        return None
    if event.kind == "reopened":
        return Kind.REOPENED, customers + assignee
    if event.kind == "development_updated":
        return Kind.DEVELOPMENT_UPDATED, customers
    if event.kind == "shared" and data.get("target") == "person":
        person = next((p for p in shared if p.pk == data.get("target_id")), None)
        return (Kind.SHARE_GIVEN, [person]) if person else None
    if event.kind == "shared" and data.get("target") in ("unit", "region"):
        people = (members or {}).get((data["target"], data.get("target_id")), [])
        return (Kind.SHARE_GIVEN, people) if people else None
    return None


def _recipients_of(
    event: TicketEvent, shared: list[User], *, by_desk: bool, members: dict
) -> tuple[str, list[User]]:
    plan = event_recipients(event, shared, by_desk=by_desk, members=members)
    if plan is None:
        return "", []
    kind, people = plan
    unique: dict[int, User] = {}
    for person in people:
        if person is None or not person.is_active:
            continue
        if person.pk == event.actor_id and kind != Kind.TICKET_FILED:
            continue
        unique[person.pk] = person
    return kind, list(unique.values())


def _plans(
    events: list[TicketEvent], shared: dict[int, list[User]], members: dict, desk: set[int]
) -> list[tuple[TicketEvent, str, list[User]]]:
    return [
        (
            event,
            *_recipients_of(
                event, shared.get(event.ticket_id, []), by_desk=event.actor_id in desk, members=members
            ),
        )
        for event in events
        if event.kind in NOTIFYING_EVENTS
    ]


def _notifications(plans: list[tuple[TicketEvent, str, list[User]]]) -> list[Notification]:
    """The batch's notifications, with every recipient's preferences read in one query."""
    modes = preference_modes_for_pairs(
        pairs={(person.pk, kind) for _, kind, people in plans for person in people}
    )
    return [
        Notification(
            kind=kind,
            status=STATUS_MODE[modes[(person.pk, kind)]] if person.email else Notification.Status.SKIPPED,
            institution_id=event.institution_id,
            recipient=person,
            to_address=person.email,
            ticket_id=event.ticket_id,
            event=event,
            data=event.data,
        )
        for event, kind, people in plans
        for person in people
    ]


def _breach_plans(events: list[TicketEvent]) -> list[tuple[TicketEvent, str, list[User]]]:
    """Who hears of a breached first-response deadline on their devices: the desk leads and the
    assignee, as the SLA engine's e-mail."""
    breaches = [event for event in events if event.kind == TicketEvent.Kind.SLA_BREACHED]
    if not breaches:
        return []
    leads = list(User.objects.filter(pk__in=desk_lead_ids()))
    plans = []
    for event in breaches:
        people = {person.pk: person for person in leads}
        assignee = event.ticket.assignee
        if assignee is not None and assignee.is_active:
            people[assignee.pk] = assignee
        plans.append((event, Kind.SLA_BREACH, list(people.values())))
    return plans


def _pushes(plans: list[tuple[TicketEvent, str, list[User]]]) -> list[PushRequest]:
    """The pushes of the batch, written only for people with a device (one query finds them)."""
    pushed = [(event, kind, people) for event, kind, people in plans if kind in PUSH_KINDS and people]
    reachable = push_subscribed_person_ids(
        person_ids={person.pk for _, _, people in pushed for person in people}
    )
    pushed = [
        (event, kind, [person for person in people if person.pk in reachable])
        for event, kind, people in pushed
        if any(person.pk in reachable for person in people)
    ]
    if not pushed:
        return []
    languages = languages_for(person_ids={person.pk for _, _, people in pushed for person in people})
    return [
        request
        for event, kind, people in pushed
        for request in ticket_event_pushes(event, kind, people, languages)
    ]


def _shared_people(ticket_ids: set[int]) -> tuple[dict[int, list[User]], dict[tuple[str, int], list[User]]]:
    """The people each ticket is shared with — named, or in a shared unit or region (its active
    customer-side people) — and the members of each shared unit and region, in two queries."""
    shares = list(TicketShare.objects.filter(ticket_id__in=ticket_ids).select_related("person"))
    unit_ids = {share.unit_id for share in shares if share.unit_id}
    region_ids = {share.region_id for share in shares if share.region_id}
    members: dict[tuple[str, int], list[User]] = defaultdict(list)
    if unit_ids or region_ids:
        people = User.objects.filter(
            Q(unit_id__in=unit_ids) | Q(region_id__in=region_ids),
            is_active=True,
            role__in=list(CUSTOMER_SIDE),
        )
        for person in people:
            if person.unit_id in unit_ids:
                members[("unit", person.unit_id)].append(person)
            if person.region_id in region_ids:
                members[("region", person.region_id)].append(person)
    shared: dict[int, list[User]] = defaultdict(list)
    for share in shares:
        if share.person_id:
            shared[share.ticket_id].append(share.person)
        else:
            target = ("unit", share.unit_id) if share.unit_id else ("region", share.region_id)
            shared[share.ticket_id].extend(members[target])
    return shared, members


def _settled_prefix(rows: list[tuple[int, str, datetime.datetime]], before: datetime.datetime) -> int | None:
    """The highest id up to which every scanned event is older than `before`."""
    last = None
    for event_id, _, created_at in rows:
        if created_at >= before:
            break
        last = event_id
    return last


def _pass(cursor: FanoutCursor, now: datetime.datetime) -> tuple[int, bool]:
    rows = list(
        TicketEvent.objects.filter(id__gt=cursor.last_event_id)
        .order_by("id")
        .values_list("id", "kind", "created_at")[:BATCH]
    )
    wanted = [event_id for event_id, kind, _ in rows if kind in NOTIFYING_EVENTS + PUSH_ONLY_EVENTS]
    events = list(
        TicketEvent.objects.filter(id__in=wanted)
        .select_related("actor", "ticket__requester", "ticket__assignee")
        .order_by("id")
    )
    shared, members = _shared_people({event.ticket_id for event in events})
    desk = desk_person_ids(person_ids={event.actor_id for event in events if event.actor_id})
    plans = _plans(events, shared, members, desk)
    notifications = _notifications(plans)
    created = Notification.objects.bulk_create(notifications, ignore_conflicts=True) if notifications else []
    push_request_many(requests=_pushes(plans + _breach_plans(events)))
    settled = _settled_prefix(rows, now - SETTLE)
    if settled is not None and settled > cursor.last_event_id:
        cursor.last_event_id = settled
        cursor.save(update_fields=["last_event_id", "updated_at"])
    more = len(rows) == BATCH and settled == rows[-1][0]
    return len(created), more


def notification_fanout(*, budget_seconds: float = BUDGET_SECONDS) -> int:
    """Turn new ticket events into notifications. Returns how many rows were offered (repeats
    are dropped by the unique constraint). Reads every institution's history: the event ids are
    one stream, and each notification keeps its event's institution. Harmless to run twice or concurrently: a pass that
    finds the cursor locked by another returns at once."""
    FanoutCursor.objects.get_or_create(name=CURSOR)
    started = time.monotonic()
    total = 0
    more = True
    while more and time.monotonic() - started < budget_seconds:
        with transaction.atomic():
            cursor = FanoutCursor.objects.select_for_update(skip_locked=True).filter(name=CURSOR).first()
            if cursor is None:
                break
            count, more = _pass(cursor, timezone.now())
            total += count
    if total:
        logger.debug("notifications.fanout", extra={"count": total})
    return total
