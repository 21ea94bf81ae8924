import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.permissions import is_desk
from packages.models import Channel
from packages.services import ticket_unit_draw
from tickets.errors import invalid_transition
from tickets.models import Ticket, TicketEvent, TicketMessage
from tickets.workflow import CUSTOMER, DESK, status_allowed

from .events import event_record
from .filing import attachment_add
from .sla import sla_first_response

Status = Ticket.Status


def _require_desk(actor: User) -> None:
    if not is_desk(actor):
        raise PermissionDenied(_("Only support engineers can do this."))


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _set_status(ticket: Ticket, actor: User, status: str, now: datetime.datetime) -> None:
    previous = ticket.status
    if previous == status:
        return
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.save(update_fields=fields)
    event_record(ticket=ticket, kind=TicketEvent.Kind.STATUS_CHANGED, actor=actor, old=previous, new=status)


def _message(
    *, actor: User, ticket: Ticket, kind: str, body: str, duration_minutes: int | None = None
) -> TicketMessage:
    message = TicketMessage(
        ticket=ticket,
        institution_id=ticket.institution_id,
        author=actor,
        kind=kind,
        body=body,
        duration_minutes=duration_minutes,
    )
    # The ticket, its institution and the author are the caller's, already read.
    message.full_clean(exclude=["ticket", "institution", "author"])
    message.save()
    return message


def ticket_reply(
    *, actor: User, ticket: Ticket, body: str, attachments: list[UploadedFile] | tuple = ()
) -> TicketMessage:
    """Add a public reply. The first public reply by a support engineer fulfils the first-response
    SLA and puts a new ticket in progress; a customer's reply to a ticket waiting on them opens it
    again. Refused on a closed ticket. Not idempotent: each call adds a reply."""
    now = timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == Status.CLOSED:
            raise ValidationError(_("This ticket is closed; file a new ticket instead."))
        message = _message(actor=actor, ticket=ticket, kind=TicketMessage.Kind.REPLY, body=body)
        for upload in attachments:
            attachment_add(actor=actor, ticket=ticket, upload=upload, message=message)
        event_record(ticket=ticket, kind=TicketEvent.Kind.REPLIED, actor=actor, message_id=message.pk)
        if is_desk(actor):
            sla_first_response(ticket=ticket, actor=actor, at=now)
            if ticket.status == Status.NEW:
                _set_status(ticket, actor, Status.OPEN, now)
        elif ticket.status in (Status.WAITING, Status.RESOLVED):
            _set_status(ticket, actor, Status.OPEN, now)
    return message


def ticket_note(*, actor: User, ticket: Ticket, body: str) -> TicketMessage:
    """Add an internal note, seen only by the desk. It does not count as a first response."""
    _require_desk(actor)
    with transaction.atomic():
        message = _message(actor=actor, ticket=ticket, kind=TicketMessage.Kind.NOTE, body=body)
        event_record(ticket=ticket, kind=TicketEvent.Kind.NOTE_ADDED, actor=actor, message_id=message.pk)
    return message


def _log_contact(
    *, actor: User, ticket: Ticket, kind: str, channel: str, body: str, duration_minutes: int | None
) -> TicketMessage:
    _require_desk(actor)
    now = timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status == Status.CLOSED:
            raise ValidationError(_("This ticket is closed; file a new ticket instead."))
        message = _message(
            actor=actor, ticket=ticket, kind=kind, body=body, duration_minutes=duration_minutes
        )
        # The ticket's row is locked above, so the counting rule sees every earlier handling.
        counted = ticket_unit_draw(
            actor=actor,
            institution=ticket.institution,
            ticket_id=ticket.pk,
            channel=channel,
            note=f"message:{message.pk}",
            at=now,
        )
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.CALL_LOGGED
            if kind == TicketMessage.Kind.CALL
            else TicketEvent.Kind.REMOTE_LOGGED,
            actor=actor,
            message_id=message.pk,
            duration_minutes=duration_minutes,
            counted=counted,
        )
        sla_first_response(ticket=ticket, actor=actor, at=now)
        if ticket.status == Status.NEW:
            _set_status(ticket, actor, Status.OPEN, now)
    message.is_counted = counted
    return message


def ticket_log_call(
    *, actor: User, ticket: Ticket, body: str, duration_minutes: int | None = None
) -> TicketMessage:
    """Log a phone call with the customer; it is the first response if none was recorded yet.
    The ticket's first handling by phone draws one phone unit (none when it was filed as a phone
    call or a call was logged before: the counting rule, packages.services.ticket_unit_draw); the
    message answers whether it did as `is_counted`. Raises QuotaExhausted (nothing written) when
    a unit is due and the phone allotment is used up. Not idempotent: each call logs a call."""
    return _log_contact(
        actor=actor,
        ticket=ticket,
        kind=TicketMessage.Kind.CALL,
        channel=Channel.PHONE,
        body=body,
        duration_minutes=duration_minutes,
    )


def ticket_log_remote(
    *, actor: User, ticket: Ticket, body: str, duration_minutes: int | None = None
) -> TicketMessage:
    """Log a live remote session; it is the first response if none was recorded yet. The ticket's
    first remote session draws one remote unit, later ones none (`is_counted` says which).
    Support escalates written → phone → remote, so a remote session follows a call: one logged,
    or the ticket came in by phone or by a remote session."""
    if (
        ticket.channel not in (Channel.PHONE, Channel.REMOTE)
        and not ticket.messages.filter(kind=TicketMessage.Kind.CALL).exists()
    ):
        raise ValidationError(
            _("Log a phone call first: a remote session follows a call that could not solve the problem.")
        )
    return _log_contact(
        actor=actor,
        ticket=ticket,
        kind=TicketMessage.Kind.REMOTE,
        channel=Channel.REMOTE,
        body=body,
        duration_minutes=duration_minutes,
    )


def ticket_change_status(*, actor: User, ticket: Ticket, status: str) -> Ticket:
    """Move a ticket along its life cycle. The desk works every step; the requester's side may
    only mark it resolved or closed. Raises TicketStateError for a move the status does not allow."""
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    side = DESK if is_desk(actor) else CUSTOMER
    with transaction.atomic():
        ticket = _locked(ticket)
        if status == ticket.status:
            return ticket
        if not status_allowed(side=side, current=ticket.status, target=status):
            raise invalid_transition(ticket.status, status)
        _set_status(ticket, actor, status, timezone.now())
    return ticket


def ticket_reopen(*, actor: User, ticket: Ticket) -> Ticket:
    """Reopen a resolved ticket within TICKET_REOPEN_DAYS of its resolution."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Status.RESOLVED:
            raise invalid_transition(ticket.status, Status.OPEN)
        limit = ticket.resolved_at + datetime.timedelta(days=settings.TICKET_REOPEN_DAYS)
        if timezone.now() > limit:
            raise ValidationError(
                _("Tickets can be reopened within %(days)s days of resolution; file a new ticket instead.")
                % {"days": settings.TICKET_REOPEN_DAYS},
                code="reopen_expired",
            )
        previous = ticket.status
        ticket.status = Status.OPEN
        ticket.resolved_at = None
        ticket.save(update_fields=["status", "resolved_at", "updated_at"])
        event_record(ticket=ticket, kind=TicketEvent.Kind.REOPENED, actor=actor, old=previous)
    return ticket


def ticket_assign(*, actor: User | None, ticket: Ticket, assignee: User | None) -> Ticket:
    """Give the ticket to a support engineer (or to nobody). actor None means the router."""
    if actor is not None:
        _require_desk(actor)
    if assignee is not None and not is_desk(assignee):
        raise ValidationError({"assignee": _("Tickets can only be assigned to support engineers.")})
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.assignee_id == (assignee.pk if assignee else None):
            return ticket
        previous = ticket.assignee_id
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.ASSIGNED,
            actor=actor,
            old=previous,
            new=assignee.pk if assignee else None,
        )
    return ticket
