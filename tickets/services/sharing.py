"""Sharing a ticket with a named person, a unit or a region of the ticket's institution.

TicketShare is the one record of who a ticket is shared with: ticket_visible_to reads it (one
table for the three kinds of target, so a list stays one query); docs/visibility.md says why no
second, per-object permission table mirrors it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.audit import audit_actions_register, audit_record, audited
from organizations.models import Region, Unit, User
from organizations.permissions import is_customer_side
from organizations.roles import CUSTOMER_SIDE
from packages.permissions import require_region_management
from tickets.models import Ticket, TicketEvent, TicketShare
from tickets.selectors import ticket_can_share

from .events import event_record

audit_actions_register(
    {"ticket.share": gettext_lazy("Ticket shared"), "ticket.unshare": gettext_lazy("Sharing undone")}
)


def _require_may_share(actor: User, ticket: Ticket) -> None:
    if not is_customer_side(actor) or actor.institution_id != ticket.institution_id:
        raise PermissionDenied(_("You are not allowed to do this."))
    require_region_management(ticket.institution)
    if not ticket_can_share(person=actor, ticket=ticket):
        raise PermissionDenied(_("Only the requester or a manager above them can share this ticket."))


def _target(person: User | None, unit: Unit | None, region: Region | None) -> tuple[str, object]:
    given = [
        (name, value) for name, value in (("person", person), ("unit", unit), ("region", region)) if value
    ]
    if len(given) != 1:
        raise ValidationError(_("Share with exactly one person, unit or region."))
    return given[0]


def _check_target(ticket: Ticket, kind: str, target) -> None:
    if target.institution_id != ticket.institution_id:
        raise ValidationError(
            {
                "person": _("Choose a person of this institution."),
                "unit": _("Choose a unit of this institution."),
                "region": _("Choose a region of this institution."),
            }[kind]
        )
    if kind == "person":
        if not target.is_active or target.role not in CUSTOMER_SIDE:
            raise ValidationError({"person": _("Choose an active person of this institution.")})
        if target.pk == ticket.requester_id:
            raise ValidationError({"person": _("The requester already sees this ticket.")})


def _describe(kind: str, target) -> dict:
    name = (target.get_full_name() or target.get_username()) if kind == "person" else target.name
    return {"target": kind, "target_id": target.pk, "target_name": name}


@audited("ticket.share")
def ticket_share(
    *,
    actor: User,
    ticket: Ticket,
    person: User | None = None,
    unit: Unit | None = None,
    region: Region | None = None,
) -> TicketShare:
    """Share the ticket with exactly one of: a named person, a unit or a region of the ticket's
    institution (never outside it).

    Allowed to whoever tickets.selectors.ticket_can_share admits; only on a package with region management (Premium, Premium+),
    otherwise FeatureLocked naming those packages. Raises PermissionDenied for anyone else and
    ValidationError for a target outside the institution, an inactive or vendor-side person, or the
    requester. In one transaction: the share, a `shared` event and a `ticket.share` audit row. Running it twice is harmless: the second call returns the existing share and
    records nothing."""
    _require_may_share(actor, ticket)
    kind, target = _target(person, unit, region)
    _check_target(ticket, kind, target)
    existing = TicketShare.objects.for_institution(ticket.institution_id).filter(
        ticket=ticket, **{kind: target}
    )
    share = existing.first()
    if share is not None:
        return share
    try:
        with transaction.atomic():
            share = TicketShare(
                ticket=ticket, institution_id=ticket.institution_id, shared_by=actor, **{kind: target}
            )
            share.full_clean()
            share.save()
            event_record(ticket=ticket, kind=TicketEvent.Kind.SHARED, actor=actor, **_describe(kind, target))
            audit_record(actor=actor, action="ticket.share", target=ticket, after=_describe(kind, target))
    except IntegrityError:
        # Someone shared the same ticket with the same target at the same moment.
        return existing.get()
    return share


@audited("ticket.unshare")
def ticket_unshare(*, actor: User, share: TicketShare) -> None:
    """Undo a share. Allowed to whoever may share the ticket (see ticket_share); allowed on every
    package, so access can always be taken back. In one transaction: the share is deleted, and an
    `unshared` event and a
    `ticket.unshare` audit row recorded. Running it
    twice is harmless: the second call finds nothing to delete and records nothing."""
    ticket = share.ticket
    if not ticket_can_share(person=actor, ticket=ticket):
        raise PermissionDenied(_("Only the requester or a manager above them can undo this sharing."))
    kind = "person" if share.person_id else "unit" if share.unit_id else "region"
    target = getattr(share, kind)
    with transaction.atomic():
        deleted, _rows = (
            TicketShare.objects.for_institution(ticket.institution_id).filter(pk=share.pk).delete()
        )
        if not deleted:
            return
        event_record(ticket=ticket, kind=TicketEvent.Kind.UNSHARED, actor=actor, **_describe(kind, target))
        audit_record(actor=actor, action="ticket.unshare", target=ticket, before=_describe(kind, target))
