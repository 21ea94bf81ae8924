"""The development unit's items: escalation from a ticket, the item's life (one transition table),
and merging. A change the customers see (state, plan date, planned or released version) is written
as one `development_updated` event on every linked ticket, in the change's transaction: the
notifications app turns each into one e-mail to that ticket's requester and the people it is
shared with, in their language, threaded on their own ticket."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.audit import audit_actions_register, audit_record, audited
from organizations.models import User
from organizations.permissions import is_desk, require_development
from tickets.models import DevelopmentItem, Product, Ticket, TicketEvent

from .events import event_record

State = DevelopmentItem.State

# The item's life: received → triaged → planned → in progress → released, or declined with a
# reason. A plan may be skipped into (a clear defect planned at once) and stepped back from; a
# released item is final; a declined one may be taken up again.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.RECEIVED: frozenset({State.TRIAGED, State.PLANNED, State.DECLINED}),
    State.TRIAGED: frozenset({State.PLANNED, State.IN_PROGRESS, State.DECLINED}),
    State.PLANNED: frozenset({State.TRIAGED, State.IN_PROGRESS, State.RELEASED, State.DECLINED}),
    State.IN_PROGRESS: frozenset({State.PLANNED, State.RELEASED, State.DECLINED}),
    State.RELEASED: frozenset(),
    State.DECLINED: frozenset({State.TRIAGED}),
}

# The ticket kinds the development unit receives, and the item kind each becomes.
ITEM_KIND_OF_TICKET = {
    Ticket.Kind.BUG: DevelopmentItem.Kind.DEFECT,
    Ticket.Kind.FEATURE: DevelopmentItem.Kind.FEATURE,
}

# The fields whose change the customers are told of.
NOTIFYING_FIELDS = ("state", "planned_on", "planned_version", "released_version")

audit_actions_register(
    {
        "development_item.create": gettext_lazy("Development item created"),
        "development_item.update": gettext_lazy("Development item changed"),
        "development_item.merge": gettext_lazy("Development items merged"),
        "development_item.link": gettext_lazy("Ticket linked to a development item"),
    }
)


def _require_desk(actor: User) -> None:
    if not is_desk(actor):
        raise PermissionDenied(_("Only support engineers can do this."))


def _public(item: DevelopmentItem) -> dict:
    return {
        "state": item.state,
        "planned_on": item.planned_on.isoformat() if item.planned_on else None,
        "planned_version": item.planned_version,
        "released_version": item.released_version,
    }


def _recount(*item_ids: int | None) -> None:
    """Keep each item's count of reporting institutions (inside the caller's transaction)."""
    for pk in {pk for pk in item_ids if pk is not None}:
        count = Ticket.objects.filter(development_item_id=pk).values("institution_id").distinct().count()
        DevelopmentItem.objects.filter(pk=pk).update(institutions_reporting=count)


def _tell_linked_tickets(*, actor: User, item: DevelopmentItem, old_state: str, tickets=None, **extra) -> int:
    """One development_updated event per linked ticket (or per ticket of `tickets`), showing the
    item's state and plan; returns how many."""
    if tickets is None:
        tickets = Ticket.objects.filter(development_item=item)
    tickets = list(tickets.only("pk", "institution_id"))
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=ticket,
                institution_id=ticket.institution_id,
                kind=TicketEvent.Kind.DEVELOPMENT_UPDATED,
                actor=actor,
                data={"item": item.pk, "old": old_state, "new": item.state, **_public(item), **extra},
            )
            for ticket in tickets
        ]
    )
    return len(tickets)


@audited("development_item.create")
def development_item_create(
    *,
    actor: User,
    title: str,
    kind: str = DevelopmentItem.Kind.DEFECT,
    product: Product | None = None,
    public_note: str = "",
) -> DevelopmentItem:
    """A new item, received, with no linked ticket yet. The development unit and vendor staff only.
    Each call creates one item."""
    require_development(actor)
    item = DevelopmentItem(title=title, kind=kind, product=product, public_note=public_note)
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit_record(actor=actor, action="development_item.create", target=item, after={"title": title})
    return item


def _item_for_ticket(ticket: Ticket, *, kind: str | None, title: str | None) -> DevelopmentItem:
    item = DevelopmentItem(
        product_id=ticket.product_id,
        kind=kind or ITEM_KIND_OF_TICKET.get(ticket.kind, DevelopmentItem.Kind.DEFECT),
        title=(title or ticket.subject)[:200],
        institutions_reporting=1,
    )
    item.full_clean(exclude=["product"])
    item.save()
    return item


def development_item_open_for_filing(
    *, ticket: Ticket, at: datetime.datetime | None = None
) -> DevelopmentItem:
    """The item a bug report or feature request opens as it is filed, before the ticket is saved
    (inside the filing's transaction); engineers link or merge it with others later. `at`: the
    filing's own moment when it is not now."""
    item = _item_for_ticket(ticket, kind=None, title=None)
    if at is not None:
        DevelopmentItem.objects.filter(pk=item.pk).update(created_at=at)
        item.created_at = at
    return item


@audited("development_item.create", "development_item.link")
def ticket_escalate_to_development(
    *,
    actor: User,
    ticket: Ticket,
    item: DevelopmentItem | None = None,
    kind: str | None = None,
    title: str | None = None,
    expected_on: datetime.date | None = None,
    note: str | None = None,
) -> tuple[DevelopmentItem, bool]:
    """Forward the ticket to the development unit: link it to `item` (moving it from any item it
    reported before; an item left without tickets counts as merged into `item`), or, without one,
    open a new item from the ticket (kind and title given or taken from the ticket). A ticket that
    already has its item keeps it. `expected_on` and `note`, when
    given, become the item's plan date and public note (and the customers are told of a new date).
    Returns the item and whether the ticket was newly linked. Running it twice links once."""
    _require_desk(actor)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        current = ticket.development_item_id
        linked = False
        if item is not None and item.pk != current:
            item = DevelopmentItem.objects.select_for_update().get(pk=item.pk)
            if item.merged_into_id is not None:
                raise ValidationError({"item": _("This item was merged into another; link that one.")})
            ticket.development_item = item
            ticket.save(update_fields=["development_item", "updated_at"])
            linked = True
        elif item is None and current is None:
            item = _item_for_ticket(ticket, kind=kind, title=title)
            ticket.development_item = item
            ticket.save(update_fields=["development_item", "updated_at"])
            linked = True
        else:
            item = DevelopmentItem.objects.get(pk=current)
        if linked:
            if current is not None and not Ticket.objects.filter(development_item_id=current).exists():
                # The item the ticket leaves reported nothing else: it was this same report, so it
                # leaves the queue as merged into the one the ticket joined.
                DevelopmentItem.objects.filter(pk=current, merged_into__isnull=True).update(
                    merged_into=item, updated_at=timezone.now()
                )
            _recount(current, item.pk)
            item.refresh_from_db(fields=["institutions_reporting"])
            event_record(
                ticket=ticket,
                kind=TicketEvent.Kind.ESCALATED,
                actor=actor,
                item=item.pk,
                previous_item=current,
            )
            audit_record(
                actor=actor,
                action="development_item.link",
                target=item,
                before={"item": current},
                after={"ticket": ticket.pk},
                institution=ticket.institution,
            )
        changes = {}
        if expected_on is not None and expected_on != item.planned_on:
            changes["planned_on"] = expected_on
        if note is not None and note != "" and note != item.public_note:
            changes["public_note"] = note
        if changes:
            item = _update(actor=actor, item=item, changes=changes)
    return item, linked


def _check_transition(item: DevelopmentItem, state: str, declined_reason: str) -> None:
    if state not in State.values:
        raise ValidationError({"state": _("Unknown state.")})
    if state not in TRANSITIONS[item.state]:
        raise ValidationError(
            {
                "state": _("A development item cannot go from %(old)s to %(new)s.")
                % {"old": State(item.state).label, "new": State(state).label}
            },
            code="invalid_transition",
        )
    if state == State.DECLINED and not (declined_reason or "").strip():
        raise ValidationError({"declined_reason": _("Say why the item is declined.")})


@audited("development_item.update")
def development_item_update(
    *,
    actor: User,
    item: DevelopmentItem,
    state: str | None = None,
    planned_on: datetime.date | None | object = ...,
    planned_version: str | None = None,
    released_version: str | None = None,
    public_note: str | None = None,
    declined_reason: str | None = None,
) -> DevelopmentItem:
    """Change the item: a state along TRANSITIONS (declining needs a reason), the plan date and
    versions, the public note. Only what is passed changes (`planned_on=None` clears the date).
    A change of state, plan date or version writes one event on every linked ticket, which tells
    each ticket's requester and the people it is shared with once. The development unit and
    vendor staff only. A call that changes nothing writes nothing, so a repeat is harmless."""
    require_development(actor)
    changes: dict = {}
    if state is not None and state != item.state:
        changes["state"] = state
    if planned_on is not ... and planned_on != item.planned_on:
        changes["planned_on"] = planned_on
    for name, value in (
        ("planned_version", planned_version),
        ("released_version", released_version),
        ("public_note", public_note),
        ("declined_reason", declined_reason),
    ):
        if value is not None and value != getattr(item, name):
            changes[name] = value
    if not changes:
        return item
    return _update(actor=actor, item=item, changes=changes)


def _update(*, actor: User, item: DevelopmentItem, changes: dict) -> DevelopmentItem:
    with transaction.atomic():
        item = DevelopmentItem.objects.select_for_update().get(pk=item.pk)
        if "state" in changes:
            _check_transition(item, changes["state"], changes.get("declined_reason", item.declined_reason))
        before = {name: getattr(item, name) for name in changes}
        old_state = item.state
        for name, value in changes.items():
            setattr(item, name, value)
        now = timezone.now()
        fields = [*changes, "updated_at"]
        if item.state == State.PLANNED and item.planned_at is None:
            item.planned_at = now
            fields.append("planned_at")
        if item.state == State.RELEASED and item.released_at is None:
            item.released_at = now
            fields.append("released_at")
            if item.planned_at is None:
                item.planned_at = now
                fields.append("planned_at")
        item.full_clean(exclude=["product", "merged_into"])
        item.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="development_item.update",
            target=item,
            before={k: _json(v) for k, v in before.items()},
            after={k: _json(v) for k, v in changes.items()},
            institution=None,
        )
        if any(name in changes for name in NOTIFYING_FIELDS):
            _tell_linked_tickets(actor=actor, item=item, old_state=old_state)
    return item


def _json(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


@audited("development_item.merge")
def development_item_merge(*, actor: User, item: DevelopmentItem, into: DevelopmentItem) -> DevelopmentItem:
    """Two items found to be one: `item`'s tickets move to `into`, whose customers-to-be are told
    once (one event per moved ticket, showing `into`'s state and plan); `item` stays as a record,
    pointing at `into`, out of the queue. The development unit and vendor staff only. Merging an
    already merged item again moves nothing and tells nobody."""
    require_development(actor)
    if item.pk == into.pk:
        raise ValidationError({"into": _("An item cannot be merged into itself.")})
    with transaction.atomic():
        first, second = sorted([item.pk, into.pk])
        locked = {i.pk: i for i in DevelopmentItem.objects.select_for_update().filter(pk__in=[first, second])}
        item, into = locked[item.pk], locked[into.pk]
        if into.merged_into_id is not None:
            raise ValidationError({"into": _("That item was itself merged into another.")})
        if item.merged_into_id == into.pk:
            return into
        if item.merged_into_id is not None:
            raise ValidationError({"item": _("This item was already merged into another.")})
        moved = list(Ticket.objects.filter(development_item=item).values_list("pk", flat=True))
        Ticket.objects.filter(pk__in=moved).update(development_item=into, updated_at=timezone.now())
        item.merged_into = into
        item.save(update_fields=["merged_into", "updated_at"])
        _recount(item.pk, into.pk)
        into.refresh_from_db(fields=["institutions_reporting"])
        audit_record(
            actor=actor,
            action="development_item.merge",
            target=item,
            before={"tickets": moved},
            after={"merged_into": into.pk},
            institution=None,
        )
        _tell_linked_tickets(
            actor=actor,
            item=into,
            old_state=item.state,
            tickets=Ticket.objects.filter(pk__in=moved),
            merged_from=item.pk,
        )
    return into
