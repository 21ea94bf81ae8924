from organizations.models import User
from tickets.models import Ticket, TicketEvent


def event_record(*, ticket: Ticket, kind: str, actor: User | None = None, **data) -> TicketEvent:
    """Append one row to the ticket's history."""
    return TicketEvent.objects.create(
        ticket=ticket, institution_id=ticket.institution_id, kind=kind, actor=actor, data=data
    )
