"""The desk's macros for the apps: the ones the person may insert (the desk's shared macros and
their own), keeping a new one, removing one. Reads through tickets.selectors (macro_list_for, so
another engineer's personal macro is never listed and reads as 404), writes through
tickets.services, which check the role and write the audit row."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from organizations.permissions import is_desk
from slaportal.api.errors import error_responses
from slaportal.api.tenancy import object_id
from tickets.macros import PLACEHOLDERS
from tickets.models import Macro, Ticket
from tickets.selectors import macro_get_for, macro_list_for
from tickets.services import macro_create, macro_delete

MACRO_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A macro's id.")
DESK_ONLY = " Support engineers and the desk lead only (403 for everyone else)."
PLACEHOLDER_HELP = "Placeholders: " + ", ".join("`{{ " + name + " }}`" for name in PLACEHOLDERS) + "."


class MacroSerializer(serializers.ModelSerializer):
    personal = serializers.BooleanField(source="is_personal", read_only=True)
    status = serializers.ChoiceField(
        choices=Ticket.Status.choices,
        allow_blank=True,
        read_only=True,
        help_text="The status a reply from this macro sets; empty when it sets none.",
    )
    kind = serializers.ChoiceField(
        choices=Ticket.Kind.choices,
        allow_blank=True,
        read_only=True,
        help_text="The kind a reply from this macro sets; empty when it sets none.",
    )

    class Meta:
        model = Macro
        fields = ["id", "name", "body", "personal", "status", "kind", "created_at", "updated_at"]
        read_only_fields = fields


class MacroCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    body = serializers.CharField(help_text=PLACEHOLDER_HELP)
    personal = serializers.BooleanField(
        default=True, help_text="false keeps it for the whole desk (desk lead only)."
    )
    status = serializers.ChoiceField(
        choices=Ticket.Status.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The status set when a reply from this macro is sent.",
    )
    kind = serializers.ChoiceField(
        choices=Ticket.Kind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The kind set when a reply from this macro is sent.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="The desk's macros",
        description="The desk's shared macros and the person's own, by name." + DESK_ONLY,
        responses={200: MacroSerializer(many=True), **error_responses(403)},
    ),
    create=extend_schema(
        summary="Keep a macro",
        description=(
            "A named answer with placeholders, optionally setting status and kind when sent. "
            + PLACEHOLDER_HELP
            + " An unknown placeholder or a name already kept is 422."
            + DESK_ONLY
        ),
        request=MacroCreateSerializer,
        responses={201: MacroSerializer, **error_responses(400, 403, 422)},
    ),
    destroy=extend_schema(
        summary="Remove a macro",
        description="One's own, or (desk lead) a shared one; another's personal macro is 404." + DESK_ONLY,
        parameters=[MACRO_ID],
        responses={204: None, **error_responses(403, 404)},
    ),
)
class MacroViewSet(GenericViewSet):
    serializer_class = MacroSerializer
    pagination_class = None
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not is_desk(request.user):
            raise PermissionDenied(_("Only support engineers can do this."))

    def get_queryset(self):
        return macro_list_for(person=self.request.user)

    def list(self, request):
        return Response(MacroSerializer(macro_list_for(person=request.user), many=True).data)

    def create(self, request):
        serializer = MacroCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        macro = macro_create(actor=request.user, **serializer.validated_data)
        return Response(MacroSerializer(macro).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk):
        macro = macro_get_for(person=request.user, pk=object_id(pk))
        if macro is None:
            raise NotFound(_("Not found."))
        macro_delete(actor=request.user, macro=macro)
        return Response(status=status.HTTP_204_NO_CONTENT)
