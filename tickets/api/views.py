"""Tickets for the apps: filing, the conversation, files, and the support desk's actions. Every
ticket is reached through TicketScopedMixin (tickets.selectors.ticket_visible_to) and every write
goes through tickets.services, which check the role and keep the history."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from organizations.permissions import is_desk
from organizations.selectors import customer_get_all_institutions_by_id, person_list_desk
from packages.models import Channel
from slaportal.api.errors import error_responses
from slaportal.api.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from slaportal.api.media import FILE_AUTHENTICATION
from slaportal.api.pagination import QueueCursorPagination, TicketCursorPagination
from slaportal.api.tenancy import object_id
from tickets import selectors
from tickets.development import development_item_get_all_institutions
from tickets.services import (
    attachment_add,
    development_item_update,
    ticket_assign,
    ticket_change_status,
    ticket_deadline_correct,
    ticket_escalate_to_development,
    ticket_file,
    ticket_log_call,
    ticket_log_remote,
    ticket_note,
    ticket_reopen,
    ticket_reply,
)
from tickets.services.filing import attachment_validate
from tickets.workflow import transitions_markdown

from .filters import TicketFilter
from .queue import queue_contact_requests
from .serializers import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ContactLoggedSerializer,
    ContactLogSerializer,
    DeadlineSerializer,
    DevelopmentItemSerializer,
    DevelopmentItemUpdateSerializer,
    EscalateSerializer,
    MessageSerializer,
    QueueQuerySerializer,
    QueueTicketSerializer,
    ReplySerializer,
    StatusChangeSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
)
from .tenancy import TicketScopedMixin

TICKET_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A ticket's id.")
ATTACHMENT_ID = OpenApiParameter(
    "attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="An attachment's id."
)
DESK_ONLY = " Support desk only (403 for everyone else)."


class DownloadRenderer(BaseRenderer):
    """Lets a client ask for a file with Accept: application/octet-stream; errors stay JSON."""

    media_type = "application/octet-stream"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


@extend_schema_view(
    list=extend_schema(
        summary="Tickets I may see",
        description=(
            "Customers: their own and those shared with them; institution admins: the institution's; "
            "vendor staff: every institution's. Cursor-paginated, newest first by default."
        ),
        responses={200: TicketSerializer(many=True), **error_responses(400, 404)},
    ),
    create=extend_schema(
        summary="File a ticket",
        description=(
            "A customer files in writing: one unit of the written quota (409 `quota_exhausted` with "
            "`channel`, `allotment`, `renews_on` when used up); naming `requester` is refused (400). "
            "The support desk files for a caller as on /desk/tickets/new/: `requester` (a customer's "
            "id) and `channel` (`written`, `phone`, `remote`); a phone or remote filing is the ticket's "
            "first response and draws that channel's unit. Honours Idempotency-Key."
        ),
        parameters=[IDEMPOTENCY_PARAMETER],
        request=TicketCreateSerializer,
        responses={201: TicketSerializer, **error_responses(400, 403, 409, 422)},
    ),
    retrieve=extend_schema(
        summary="One ticket",
        parameters=[TICKET_ID],
        responses={200: TicketSerializer, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Change a ticket's status or assignee",
        description=(
            "`status` through the ticket's life cycle, as the table below allows (409 `invalid_transition` "
            "otherwise); `assignee` is for the support desk.\n\n" + transitions_markdown()
        ),
        parameters=[TICKET_ID],
        request=TicketUpdateSerializer,
        responses={200: TicketSerializer, **error_responses(400, 403, 404, 409, 422)},
    ),
)
class TicketViewSet(TicketScopedMixin, GenericViewSet):
    serializer_class = TicketSerializer
    # Any segment reaches the view, which answers a malformed id with the same JSON 404 as a missing one.
    lookup_value_regex = "[^/]+"
    pagination_class = TicketCursorPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = TicketFilter
    ordering_fields = ["created_at", "updated_at", "first_response_due_at", "priority"]
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        return self.visible_tickets().select_related(
            "product", "requester", "assignee", "institution", "development_item"
        )

    def _ticket_response(self, pk, status_code=status.HTTP_200_OK) -> Response:
        ticket = selectors.ticket_get_visible(person=self.request.user, pk=pk)
        if ticket is None:
            raise NotFound(_("Not found."))
        return Response(TicketSerializer(ticket).data, status=status_code)

    def list(self, request):
        tickets = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(TicketSerializer(page, many=True).data)

    @idempotent
    def create(self, request):
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = None
        if data.get("product"):
            product = selectors.product_list().filter(code=data["product"]).first()
            if product is None:
                raise ValidationError({"product": [_("Unknown product.")]})
        actor, filed_by = request.user, None
        if is_desk(request.user):
            if data.get("requester") is None:
                raise ValidationError({"requester": [_("Name the customer the ticket is filed for.")]})
            actor = customer_get_all_institutions_by_id(pk=data["requester"])
            if actor is None:
                raise ValidationError({"requester": [_("No active customer has this id.")]})
            filed_by = request.user
        elif data.get("requester") is not None:
            raise ValidationError({"requester": [_("Only the support desk files tickets for someone else.")]})
        elif data["channel"] != Channel.WRITTEN:
            raise ValidationError(
                {"channel": [_("Only the support desk files tickets by phone or remote session.")]}
            )
        ticket = ticket_file(
            actor=actor,
            subject=data["subject"],
            description=data["description"],
            kind=data["kind"],
            product=product,
            channel=data["channel"],
            filed_by=filed_by,
            suggestions_shown=data["suggestions_shown"],
        )
        # The ticket just filed holds everything the answer shows; reading it back would only
        # repeat what the filing wrote.
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, pk):
        return Response(TicketSerializer(self.get_ticket()).data)

    def partial_update(self, request, pk):
        ticket = self.get_ticket()
        serializer = TicketUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with transaction.atomic():
            if "assignee" in data:
                ticket = ticket_assign(
                    actor=request.user, ticket=ticket, assignee=self._assignee(data["assignee"])
                )
            if "status" in data:
                ticket = ticket_change_status(actor=request.user, ticket=ticket, status=data["status"])
        return self._ticket_response(pk)

    def _assignee(self, pk):
        if not is_desk(self.request.user):
            raise PermissionDenied(_("Only support engineers can do this."))
        if pk is None:
            return None
        person = person_list_desk().filter(pk=pk).first()
        if person is None:
            raise ValidationError({"assignee": [_("Tickets can only be assigned to support engineers.")]})
        return person

    # --- the conversation -----------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The conversation",
        description="Replies, logged calls and remote sessions; internal notes only for vendor staff.",
        parameters=[TICKET_ID],
        responses={200: MessageSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Reply",
        description=(
            "A public reply. The first reply by a support engineer is the first response of the SLA; "
            "a customer's reply reopens a ticket waiting on them. Refused on a closed ticket (422). "
            "With an Idempotency-Key (an app's outbox sending what was written offline) a retry adds "
            "nothing."
        ),
        parameters=[TICKET_ID, IDEMPOTENCY_PARAMETER],
        request=ReplySerializer,
        responses={201: MessageSerializer, **error_responses(400, 404, 422)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def replies(self, request, pk):
        ticket = self.get_ticket()
        if request.method == "GET":
            messages = selectors.ticket_messages_visible_to(person=request.user, ticket=ticket)
            return Response(
                MessageSerializer(
                    messages.select_related("author"), many=True, context=self.get_serializer_context()
                ).data
            )
        return self._reply(request, pk, ticket=ticket)

    @idempotent
    def _reply(self, request, pk, *, ticket):
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = ticket_reply(actor=request.user, ticket=ticket, body=serializer.validated_data["body"])
        # A reply sent here carries no files (they come through attachments/): its answer lists
        # none without reading them back.
        message._prefetched_objects_cache = {"attachments": message.attachments.none()}
        return Response(
            MessageSerializer(message, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Add an internal note",
        description="Seen only by vendor staff; not a first response." + DESK_ONLY,
        parameters=[TICKET_ID],
        request=ReplySerializer,
        responses={201: MessageSerializer, **error_responses(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def notes(self, request, pk):
        ticket = self.get_ticket(desk_only=True)
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = ticket_note(actor=request.user, ticket=ticket, body=serializer.validated_data["body"])
        return Response(
            MessageSerializer(message, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Log a phone call",
        description=(
            "The ticket's first handling by phone draws one unit of the phone quota (409 "
            "`quota_exhausted` when used up); later calls, or a call on a ticket filed as a phone call, "
            "are logged without drawing again. `counted` says whether a unit was drawn. The first "
            "response if none was recorded yet. Honours Idempotency-Key." + DESK_ONLY
        ),
        parameters=[TICKET_ID, IDEMPOTENCY_PARAMETER],
        request=ContactLogSerializer,
        responses={201: ContactLoggedSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    @idempotent
    def calls(self, request, pk):
        return self._log_contact(request, ticket_log_call)

    @extend_schema(
        summary="Log a live remote session",
        description=(
            "Follows a logged call or a phone or remote filing (422 otherwise). The ticket's first "
            "remote session draws one unit of the remote quota (409 `quota_exhausted` when used up); "
            "later ones are logged without drawing again. `counted` says whether a unit was drawn. "
            "The first response if none was recorded yet. Honours Idempotency-Key." + DESK_ONLY
        ),
        parameters=[TICKET_ID, IDEMPOTENCY_PARAMETER],
        request=ContactLogSerializer,
        responses={201: ContactLoggedSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(
        detail=True, methods=["post"], url_path="remote-sessions", pagination_class=None, filter_backends=[]
    )
    @idempotent
    def remote_sessions(self, request, pk):
        return self._log_contact(request, ticket_log_remote)

    def _log_contact(self, request, log):
        """A call or remote session logged by the desk through `log` (ticket_log_call, ticket_log_remote)."""
        ticket = self.get_ticket(desk_only=True)
        serializer = ContactLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = log(actor=request.user, ticket=ticket, **serializer.validated_data)
        return Response(
            ContactLoggedSerializer(message, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    # --- files ----------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary="The ticket's files",
        parameters=[TICKET_ID],
        responses={200: AttachmentSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach a file",
        description="multipart/form-data with one `file`; refused (400) when too large or of a type not accepted.",
        parameters=[TICKET_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **error_responses(400, 404, 422)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def attachments(self, request, pk):
        ticket = self.get_ticket()
        if request.method == "GET":
            return Response(
                AttachmentSerializer(
                    selectors.attachment_list_visible(person=request.user, ticket=ticket).select_related(
                        "uploaded_by"
                    ),
                    many=True,
                    context=self.get_serializer_context(),
                ).data
            )
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            attachment_validate(upload)
        except DjangoValidationError as error:
            # The service names the web form's field; the API's is "file".
            raise ValidationError({"file": error.message_dict.get("attachments", error.messages)}) from None
        attachment = attachment_add(actor=request.user, ticket=ticket, upload=upload)
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Download a file",
        parameters=[TICKET_ID, ATTACHMENT_ID],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[^/]+)",
        url_name="attachment-download",
        pagination_class=None,
        filter_backends=[],
        renderer_classes=[JSONRenderer, DownloadRenderer],
        authentication_classes=FILE_AUTHENTICATION,
    )
    def attachment_download(self, request, pk, attachment_id):
        ticket = self.get_ticket()
        attachment = (
            selectors.attachment_list_visible(person=request.user, ticket=ticket)
            .filter(pk=object_id(attachment_id))
            .first()
        )
        if attachment is None or not attachment.file.storage.exists(attachment.file.name):
            raise NotFound(_("Not found."))
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type="application/octet-stream",
        )

    # --- life cycle -----------------------------------------------------------------------------

    @extend_schema(
        summary="Reopen a resolved ticket",
        description="Within TICKET_REOPEN_DAYS of resolution (409 `reopen_expired` after).",
        parameters=[TICKET_ID],
        request=None,
        responses={200: TicketSerializer, **error_responses(404, 409)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def reopen(self, request, pk):
        ticket_reopen(actor=request.user, ticket=self.get_ticket())
        return self._ticket_response(pk)

    @extend_schema(
        summary="Change the status",
        description="Any step of the life cycle the current status allows (409 otherwise):\n\n"
        + transitions_markdown()
        + "\n\n"
        + DESK_ONLY,
        parameters=[TICKET_ID],
        request=StatusChangeSerializer,
        responses={200: TicketSerializer, **error_responses(400, 403, 404, 409, 422)},
    )
    @action(detail=True, methods=["post"], url_path="status", pagination_class=None, filter_backends=[])
    def change_status(self, request, pk):
        ticket = self.get_ticket(desk_only=True)
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_change_status(actor=request.user, ticket=ticket, status=serializer.validated_data["status"])
        return self._ticket_response(pk)

    @extend_schema(
        summary="Assign to a support engineer",
        description="`null` unassigns." + DESK_ONLY,
        parameters=[TICKET_ID],
        request=AssignSerializer,
        responses={200: TicketSerializer, **error_responses(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def assign(self, request, pk):
        ticket = self.get_ticket(desk_only=True)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_assign(
            actor=request.user, ticket=ticket, assignee=self._assignee(serializer.validated_data["assignee"])
        )
        return self._ticket_response(pk)

    @extend_schema(
        summary="Correct the first-response deadline",
        description=(
            "Desk lead or package manager (403 for anyone else): `due_at` with its time zone. The "
            "warning moves with it; refused with 422 once the clock has stopped (answered or "
            "breached). The same deadline again changes nothing."
        ),
        parameters=[TICKET_ID],
        request=DeadlineSerializer,
        responses={200: TicketSerializer, **error_responses(400, 403, 404, 422)},
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def deadline(self, request, pk):
        ticket = self.get_ticket()
        serializer = DeadlineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket_deadline_correct(actor=request.user, ticket=ticket, due_at=serializer.validated_data["due_at"])
        return self._ticket_response(pk)

    @extend_schema(
        summary="Escalate to development",
        description=(
            "With `item`, links the ticket to that existing development item; without, opens a new "
            "item from the ticket (`kind`, `title`), or keeps the item the ticket already has. 201 when "
            "the ticket was newly linked, 200 otherwise. `expected_on` and `note` set the item's plan "
            "date and public note, on an existing item too." + DESK_ONLY
        ),
        parameters=[TICKET_ID],
        request=EscalateSerializer,
        responses={
            200: DevelopmentItemSerializer,
            201: DevelopmentItemSerializer,
            **error_responses(400, 403, 404, 422),
        },
    )
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def escalate(self, request, pk):
        ticket = self.get_ticket(desk_only=True)
        serializer = EscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "item" in data:
            data["item"] = development_item_get_all_institutions(person=request.user, pk=data["item"])
            if data["item"] is None:
                raise ValidationError({"item": [_("No such development item.")]})
        item, linked = ticket_escalate_to_development(actor=request.user, ticket=ticket, **data)
        code = status.HTTP_201_CREATED if linked else status.HTTP_200_OK
        return Response(DevelopmentItemSerializer(item).data, status=code)

    @extend_schema(
        methods=["GET"],
        summary="The development item",
        description="Its public part: state, plan, release, reporting institutions (404 when the ticket has none).",
        parameters=[TICKET_ID],
        responses={200: DevelopmentItemSerializer, **error_responses(404)},
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Update the development item",
        description="The same change as PATCH /development-items/{id}/; every linked ticket sees it."
        + DESK_ONLY,
        parameters=[TICKET_ID],
        request=DevelopmentItemUpdateSerializer,
        responses={200: DevelopmentItemSerializer, **error_responses(400, 403, 404, 422)},
    )
    @action(
        detail=True,
        methods=["get", "patch"],
        url_path="development-item",
        pagination_class=None,
        filter_backends=[],
    )
    def development_item(self, request, pk):
        ticket = self.get_ticket(desk_only=request.method == "PATCH")
        item = selectors.development_item_for(ticket=ticket)
        if item is None:
            raise NotFound(_("This ticket has no development item."))
        if request.method == "GET":
            return Response(DevelopmentItemSerializer(item).data)
        serializer = DevelopmentItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = development_item_update(actor=request.user, item=item, **serializer.validated_data)
        return Response(DevelopmentItemSerializer(item).data)


class QueueView(GenericAPIView):
    """The desk's queue crosses institutions by design: the desk serves them all."""

    serializer_class = TicketSerializer
    pagination_class = QueueCursorPagination
    filter_backends = []

    @extend_schema(
        operation_id="queue_list",
        summary="The support desk's queue",
        description=(
            "Open tickets of every institution in the order the desk works them: contract priority "
            "(1 first), then first-response deadline, then age. Cursor-paginated." + DESK_ONLY
        ),
        parameters=[QueueQuerySerializer],
        responses={200: QueueTicketSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def get(self, request):
        if not is_desk(request.user):
            raise PermissionDenied(_("Only support engineers can do this."))
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Only the relations the rows show: the contract and its package (which the web queue
        # shows) made it eight tables, and PostgreSQL spent 20 ms choosing a join order for them.
        queue = (
            selectors.ticket_queue_all_institutions(engineer=request.user, **query.validated_data)
            .select_related(None)
            .select_related("institution", "product", "assignee", "requester", "development_item")
        )
        page = self.paginate_queryset(queue)
        context = {"contact_requests": queue_contact_requests(ticket_ids=[ticket.pk for ticket in page])}
        return self.get_paginated_response(QueueTicketSerializer(page, many=True, context=context).data)
