"""The ticket's life cycle as one table: which status each side may move a ticket to from each
status. The services enforce it (tickets.services.conversation), the API's schema prints it, and
tests/tickets/test_workflow.py checks every pair. Reopening a resolved ticket has its own service
because it has a time limit.

The desk closes only what is resolved, so every resolution reaches the requester's survey; the
customer side may withdraw its ticket (close it) at any step."""

from tickets.models import Ticket

Status = Ticket.Status

DESK = "desk"
CUSTOMER = "customer"

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    DESK: {
        Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED}),
        Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED}),
        Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED}),
        Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
        Status.CLOSED: frozenset(),
    },
    CUSTOMER: {
        Status.NEW: frozenset({Status.CLOSED}),
        Status.OPEN: frozenset({Status.RESOLVED, Status.CLOSED}),
        Status.WAITING: frozenset({Status.RESOLVED, Status.CLOSED}),
        Status.RESOLVED: frozenset({Status.CLOSED}),
        Status.CLOSED: frozenset(),
    },
}


def status_allowed(*, side: str, current: str, target: str) -> bool:
    return target in TRANSITIONS[side][current]


def transitions_markdown() -> str:
    """The table as the API schema's description shows it."""
    rows = ["| from | the desk may move it to | the customer side may move it to |", "| --- | --- | --- |"]
    for status in Status.values:
        desk = ", ".join(sorted(TRANSITIONS[DESK][status])) or "—"
        customer = ", ".join(sorted(TRANSITIONS[CUSTOMER][status])) or "—"
        rows.append(f"| {status} | {desk} | {customer} |")
    return "\n".join(rows)
