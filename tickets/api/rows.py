"""A page of tickets as TicketSerializer shows them, built directly: the desk's queue answers 50
rows on every refresh, and a serializer walking 22 fields and four nested serializers per row
(a new DevelopmentItemSerializer, with its fields built again, for every escalated ticket) cost
more than finding the rows. The output is TicketSerializer's, key for key
(tests/tickets/test_api_desk.py compares them); the OpenAPI schema still describes it with
TicketSerializer."""

from rest_framework import serializers

from tickets.models import DevelopmentItem, Ticket


def _person(person) -> dict | None:
    if person is None:
        return None
    return {"id": person.pk, "name": person.get_full_name() or person.username}


def ticket_rows(tickets) -> list[dict]:
    """TicketSerializer(tickets, many=True).data for tickets read with their product, institution,
    requester, assignee and development item (select_related)."""
    # DRF's own fields format the dates, in the current time zone as the serializer does.
    moment = serializers.DateTimeField().to_representation
    day = serializers.DateField().to_representation
    kinds = {value: str(label) for value, label in Ticket.Kind.choices}
    statuses = {value: str(label) for value, label in Ticket.Status.choices}
    states = {value: str(label) for value, label in DevelopmentItem.State.choices}

    def when(value):
        return None if value is None else moment(value)

    rows = []
    for ticket in tickets:
        product = ticket.product
        institution = ticket.institution
        try:
            item = ticket.development_item
        except DevelopmentItem.DoesNotExist:
            item = None
        rows.append(
            {
                "id": ticket.pk,
                "subject": ticket.subject,
                "description": ticket.description,
                "kind": ticket.kind,
                "kind_label": kinds.get(ticket.kind, ticket.kind),
                "product": None if product is None else {"code": product.code, "name": product.name},
                "channel": ticket.channel,
                "status": ticket.status,
                "status_label": statuses.get(ticket.status, ticket.status),
                "priority": ticket.priority,
                "institution": {"id": institution.pk, "name": institution.name, "slug": institution.slug},
                "requester": _person(ticket.requester),
                "assignee": _person(ticket.assignee),
                "first_response_due_at": when(ticket.first_response_due_at),
                "first_responded_at": when(ticket.first_responded_at),
                "breached_at": when(ticket.breached_at),
                "sla_state": ticket.sla_state,
                "created_at": when(ticket.created_at),
                "updated_at": when(ticket.updated_at),
                "resolved_at": when(ticket.resolved_at),
                "closed_at": when(ticket.closed_at),
                "development_item": None
                if item is None
                else {
                    "state": item.state,
                    "state_label": states.get(item.state, item.state),
                    "expected_on": None if item.expected_on is None else day(item.expected_on),
                    "note": item.note,
                    "updated_at": when(item.updated_at),
                },
            }
        )
    return rows
