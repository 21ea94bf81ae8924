"""What the desk's queue rows carry from apps above tickets: the customer's open requests for a
call or a remote session (bookings) are registered here at start-up, since tickets imports no
app above it."""

from collections.abc import Callable

# ticket ids -> {ticket id: [serialized contact request, ...]}
_contact_request_source: list[Callable[..., dict]] = []


def queue_contact_requests_register(source: Callable[..., dict]) -> None:
    _contact_request_source[:] = [source]


def queue_contact_requests(*, ticket_ids: list[int]) -> dict[int, list]:
    if not ticket_ids or not _contact_request_source:
        return {}
    return _contact_request_source[0](ticket_ids=ticket_ids)
