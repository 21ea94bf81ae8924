"""Links other apps add to a ticket notification's e-mail, without this app importing them.

An app of the same layer (the satisfaction survey of `reports`, say) cannot be imported from
here; the composition layer (`portal`) registers a function per notification kind instead:

    email_link_register(Kind.RESOLVED, survey_email_link)

`link(ticket, recipient)` returns `(label, url)`, a list of them, or None (or an empty list) when
it has nothing for that person."""

from collections.abc import Callable

from organizations.models import User
from tickets.models import Ticket

EmailLink = Callable[[Ticket, User], tuple[str, str] | list[tuple[str, str]] | None]

_LINKS: dict[str, list[EmailLink]] = {}


def email_link_register(kind: str, link: EmailLink) -> None:
    """Add a link to every e-mail of this kind (once per function, however often called)."""
    links = _LINKS.setdefault(str(kind), [])
    if link not in links:
        links.append(link)


def email_links(kind: str, ticket: Ticket, recipient: User | None) -> list[dict]:
    """The links registered for the kind, for this ticket and recipient, as template rows."""
    rows = []
    for link in _LINKS.get(str(kind), []):
        found = link(ticket, recipient)
        for label, url in [found] if isinstance(found, tuple) else found or []:
            rows.append({"label": label, "url": url})
    return rows


PushLink = Callable[[Ticket, User], str | None]

_PUSH_LINKS: dict[str, list[PushLink]] = {}


def push_link_register(kind: str, link: PushLink) -> None:
    """Open a push of this kind on another page than the ticket's (the survey, for a resolution)
    when `link(ticket, recipient)` gives one; the first that answers wins."""
    links = _PUSH_LINKS.setdefault(str(kind), [])
    if link not in links:
        links.append(link)


def push_link(kind: str, ticket: Ticket, recipient: User) -> str | None:
    for link in _PUSH_LINKS.get(str(kind), []):
        found = link(ticket, recipient)
        if found:
            return found
    return None
