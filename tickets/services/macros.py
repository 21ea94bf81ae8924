"""The desk's macros: kept by the desk lead for everyone, or by an engineer for themselves, and
applied to a ticket after the answer they filled in was sent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.audit import audit_actions_register, audit_record, audited
from organizations.models import User
from organizations.permissions import keeps_desk_macros, require_desk
from tickets.macros import PLACEHOLDERS, macro_placeholders_unknown
from tickets.models import Macro, Ticket, TicketEvent

from .conversation import ticket_change_status
from .events import event_record

audit_actions_register(
    {
        "macro.created": gettext_lazy("Macro created"),
        "macro.deleted": gettext_lazy("Macro deleted"),
    }
)


def _record(macro: Macro) -> dict:
    return {
        "name": macro.name,
        "personal": macro.is_personal,
        "status": macro.status,
        "kind": macro.kind,
    }


@audited("macro.created")
def macro_create(
    *,
    actor: User,
    name: str,
    body: str,
    personal: bool = True,
    status: str = "",
    kind: str = "",
) -> Macro:
    """Keep a macro: the actor's own, or (desk lead only) the desk's. The body may use only the
    placeholders of tickets.macros; another {{ name }} is refused, naming the ones there are."""
    require_desk(actor)
    if not personal and not keeps_desk_macros(actor):
        raise PermissionDenied(_("Only the desk lead keeps the desk's shared macros."))
    unknown = macro_placeholders_unknown(body)
    if unknown:
        raise ValidationError(
            {
                "body": _("Unknown placeholder %(names)s; the placeholders are %(known)s.")
                % {
                    "names": ", ".join("{{ " + name + " }}" for name in unknown),
                    "known": ", ".join("{{ " + name + " }}" for name in PLACEHOLDERS),
                }
            }
        )
    macro = Macro(
        name=name.strip(),
        body=body,
        owner=actor if personal else None,
        status=status or "",
        kind=kind or "",
        created_by=actor,
    )
    macro.full_clean(exclude=["owner", "created_by"], validate_constraints=False)
    scope = Macro.objects.filter(owner=macro.owner) if personal else Macro.objects.filter(owner__isnull=True)
    with transaction.atomic():
        if scope.filter(name__iexact=macro.name).exists():
            raise ValidationError({"name": _("A macro of this name is already kept here.")})
        macro.save()
        audit_record(
            actor=actor, action="macro.created", target=macro, after=_record(macro), institution=None
        )
    return macro


@audited("macro.deleted")
def macro_delete(*, actor: User, macro: Macro) -> None:
    """Remove a macro: one's own, or (desk lead) the desk's."""
    require_desk(actor)
    if macro.owner_id != actor.pk and not (macro.owner_id is None and keeps_desk_macros(actor)):
        raise PermissionDenied(_("Only the desk lead removes the desk's shared macros."))
    with transaction.atomic():
        before = _record(macro)
        pk = macro.pk
        macro.delete()
        macro.pk = pk
        audit_record(actor=actor, action="macro.deleted", target=macro, before=before, institution=None)


def ticket_change_kind(*, actor: User, ticket: Ticket, kind: str) -> Ticket:
    """Set what the ticket is (question, problem, bug report, feature request); desk only."""
    require_desk(actor)
    if kind not in Ticket.Kind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.kind == kind:
            return ticket
        previous = ticket.kind
        ticket.kind = kind
        ticket.save(update_fields=["kind", "updated_at"])
        event_record(ticket=ticket, kind=TicketEvent.Kind.KIND_CHANGED, actor=actor, old=previous, new=kind)
    return ticket


def macro_apply(*, actor: User, ticket: Ticket, macro: Macro) -> Ticket:
    """Set the status and kind the macro names (either may be blank), once its answer was sent.
    A status the ticket's life cycle does not allow from where it stands is refused."""
    with transaction.atomic():
        if macro.kind:
            ticket = ticket_change_kind(actor=actor, ticket=ticket, kind=macro.kind)
        if macro.status:
            ticket = ticket_change_status(actor=actor, ticket=ticket, status=macro.status)
    return ticket
