"""A macro's placeholders and how they are filled in for one ticket.

The body is not a template: only the names in PLACEHOLDERS are replaced, by plain text, so a macro
cannot reach anything else of the ticket or of the server. The text lands in the composer's text
box, where the page escapes it like anything else typed there."""

import re

from django.utils import timezone
from django.utils.formats import date_format

from .models import Ticket

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")


def _first_name(ticket: Ticket) -> str:
    requester = ticket.requester
    return requester.first_name or requester.get_full_name() or requester.username


def _due(ticket: Ticket) -> str:
    return date_format(timezone.localtime(ticket.first_response_due_at), "SHORT_DATETIME_FORMAT")


PLACEHOLDERS = {
    "requester.first_name": _first_name,
    "ticket.id": lambda ticket: str(ticket.pk),
    "sla.due": _due,
}


def macro_placeholders_unknown(body: str) -> list[str]:
    """The names written as {{ name }} in the body that are not placeholders, in order, once each."""
    names = [match.group(1) for match in PLACEHOLDER.finditer(body)]
    return list(dict.fromkeys(name for name in names if name not in PLACEHOLDERS))


def macro_render(body: str, *, ticket: Ticket) -> str:
    """The body with each known placeholder replaced by the ticket's value; anything else stays
    as written."""
    values: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        if name not in values:
            values[name] = PLACEHOLDERS[name](ticket)
        return values[name]

    return PLACEHOLDER.sub(replace, body)
