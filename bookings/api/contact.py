"""GET|POST /api/v1/tickets/{id}/contact-requests/: a customer asks, on a ticket, for a phone call
or a remote session at preferred times; the desk sees the open ones on the ticket and in
GET /api/v1/queue/, and does them with the existing call or remote-session log."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from bookings import selectors, services
from slaportal.api.errors import error_responses
from tickets.api.serializers import ContactRequestSerializer
from tickets.api.tenancy import TicketScopedMixin
from tickets.api.views import TICKET_ID


class ContactRequestListView(TicketScopedMixin, GenericAPIView):
    serializer_class = ContactRequestSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="The ticket's call-back and remote-session requests",
        description="Oldest first, each with `is_done` (a call or remote session was logged after it).",
        parameters=[TICKET_ID],
        responses={200: ContactRequestSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk):
        ticket = self.get_ticket()
        return Response(
            ContactRequestSerializer(selectors.contact_request_list_for_ticket(ticket=ticket), many=True).data
        )

    @extend_schema(
        summary="Ask for a call or a remote session",
        description=(
            "The customer side of the institution (who sees the ticket) asks the desk to call or to open a "
            "remote session at one of the preferred times. 201 with the request; an open request of the same "
            "kind is answered again as it is. The desk is e-mailed; nothing is drawn from a quota until the "
            "desk logs the call or session. 409 `invalid_transition` on a closed ticket; 403 for vendor staff."
        ),
        parameters=[TICKET_ID],
        request=ContactRequestSerializer,
        responses={201: ContactRequestSerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk):
        ticket = self.get_ticket()
        serializer = ContactRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contact_request = services.contact_request_add(
            actor=request.user,
            ticket=ticket,
            kind=data["kind"],
            preferred_times="\n".join(data["preferred_times"]),
            note=data.get("note", ""),
        )
        return Response(ContactRequestSerializer(contact_request).data, status=status.HTTP_201_CREATED)


def queue_contact_requests(*, ticket_ids: list[int]) -> dict[int, list]:
    """The open requests of the queue's page of tickets, serialized, per ticket."""
    rows: dict[int, list] = {}
    for contact_request in selectors.contact_request_open_for_tickets_all_institutions(ticket_ids=ticket_ids):
        rows.setdefault(contact_request.ticket_id, []).append(ContactRequestSerializer(contact_request).data)
    return rows
