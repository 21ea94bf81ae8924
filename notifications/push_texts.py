"""What a push about a ticket says: short, in the recipient's language, opening the ticket (or
the survey, for the requester of a resolved ticket)."""

from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from organizations.models import User
from tickets.models import DevelopmentItem, TicketEvent
from tickets.services.outbox import ticket_link

from .extras import push_link
from .models import Kind
from .selectors import message_body
from .services.push import PushRequest

EXCERPT = 140


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _name(person) -> str:
    return (person.get_full_name() or person.get_username()) if person else _("The support desk")


def _body(event: TicketEvent, kind: str, survey: bool) -> str:
    data, actor = event.data, _name(event.actor)
    if kind == Kind.DESK_ANSWERED:
        return _("%(name)s answered: %(text)s") % {
            "name": actor,
            "text": _excerpt(message_body(message_id=data.get("message_id") or 0)),
        }
    if kind == Kind.CUSTOMER_REPLIED:
        return _("%(name)s replied: %(text)s") % {
            "name": actor,
            "text": _excerpt(message_body(message_id=data.get("message_id") or 0)),
        }
    if kind == Kind.WAITING_ON_CUSTOMER:
        return _("The desk is waiting for your answer to continue.")
    if kind == Kind.RESOLVED:
        if survey:
            return _("Your ticket was resolved. How was the answer? Tap to rate it.")
        return _("The ticket was resolved.")
    if kind == Kind.REOPENED:
        return _("%(name)s reopened the ticket.") % {"name": actor}
    if kind == Kind.DEVELOPMENT_UPDATED and data.get("new") in DevelopmentItem.State.values:
        return _("The development item is now: %(state)s.") % {
            "state": DevelopmentItem.State(data["new"]).label
        }
    if kind == Kind.SHARE_GIVEN:
        return _("%(name)s shared this ticket with you.") % {"name": actor}
    if kind == Kind.SLA_BREACH:
        due = parse_datetime(data.get("due_at") or "")
        shown = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT") if due else ""
        return _("No first response by its deadline, %(due)s.") % {"due": shown}
    return str(Kind(kind).label)


def ticket_event_pushes(
    event: TicketEvent, kind: str, people: list[User], languages: dict[int, str]
) -> list[PushRequest]:
    """One push request per person for a ticket event, written in each person's language."""
    ticket = event.ticket
    requests = []
    for person in people:
        with translation.override(languages.get(person.pk)):
            survey = push_link(kind, ticket, person)
            requests.append(
                PushRequest(
                    recipient_id=person.pk,
                    cause=f"ticket-event:{event.pk}:{kind}",
                    kind=kind,
                    title=f"#{ticket.pk} {ticket.subject}",
                    body=_body(event, kind, survey=bool(survey)),
                    url=survey or ticket_link(ticket.pk),
                )
            )
    return requests
