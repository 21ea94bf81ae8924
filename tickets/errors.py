from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Ticket


class TicketStateError(ValidationError, DomainError):
    """An action the ticket's status does not allow (e.g. reopening long after resolution). A
    ValidationError for forms, a DomainError for the API: 409, the ticket's current state refuses it."""

    code = "invalid_transition"
    status_code = 409

    def message(self) -> str:
        return " ".join(str(m) for m in self.messages)


def invalid_transition(current: str, target: str) -> TicketStateError:
    return TicketStateError(
        _("A ticket that is “%(current)s” cannot become “%(target)s”.")
        % {"current": Ticket.Status(current).label, "target": Ticket.Status(target).label},
        code="invalid_transition",
    )
