from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Ticket


class TicketStateError(ValidationError):
    """An action the ticket's status does not allow (e.g. reopening long after resolution). The
    API answers its code (`invalid_transition`) with 409, as every state-conflict code."""


def invalid_transition(current: str, target: str) -> TicketStateError:
    return TicketStateError(
        _("A ticket that is “%(current)s” cannot become “%(target)s”.")
        % {"current": Ticket.Status(current).label, "target": Ticket.Status(target).label},
        code="invalid_transition",
    )
