from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class TicketStateError(ValidationError):
    """An action the ticket's status does not allow (e.g. reopening long after resolution)."""


def invalid_transition(current: str, target: str) -> TicketStateError:
    from .models import Ticket

    return TicketStateError(
        _("A ticket that is “%(current)s” cannot become “%(target)s”.")
        % {"current": Ticket.Status(current).label, "target": Ticket.Status(target).label},
        code="invalid_transition",
    )
