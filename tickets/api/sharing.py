"""Sharing a ticket with a named person, a unit or a region of its institution, and undoing it.

The ticket is reached through TicketScopedMixin (tickets.selectors.ticket_visible_to), the target
through organizations.selectors with the ticket's institution, and the write through
tickets.services.sharing, which checks the role and the package. slaportal.api.errors shapes
every refusal: 404 for a ticket or share the person may not see (another institution's looks
missing), 422 with the field for a refused target, 403 `feature_locked` naming the packages on a
package without region management, 403 `permission_denied` for anyone else the rules refuse."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from organizations.selectors import person_get, region_get, unit_get
from slaportal.api.errors import error_responses
from slaportal.api.tenancy import object_id
from tickets.models import TicketShare
from tickets.selectors import ticket_share_get, ticket_share_list
from tickets.services.sharing import ticket_share, ticket_unshare

from .tenancy import TicketScopedMixin

# Ids beyond a 64-bit key name nothing; bounding them keeps the database from being asked.
MAX_ID = 2**63 - 1

TICKET_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A ticket's id.")
SHARE_ID = OpenApiParameter("share_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A share's id.")


class TicketShareSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField(help_text="person, unit or region")
    target_id = serializers.SerializerMethodField()
    target_name = serializers.SerializerMethodField()

    class Meta:
        model = TicketShare
        fields = ["id", "target", "target_id", "target_name", "shared_by", "created_at"]

    def _target(self, share):
        kind = "person" if share.person_id else "unit" if share.unit_id else "region"
        return kind, getattr(share, kind)

    def get_target(self, share) -> str:
        return self._target(share)[0]

    def get_target_id(self, share) -> int:
        return self._target(share)[1].pk

    def get_target_name(self, share) -> str:
        kind, target = self._target(share)
        return (target.get_full_name() or target.get_username()) if kind == "person" else str(target)


class ShareRequestSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A person's id."
    )
    unit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="A unit's id.")
    region = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A region's id."
    )

    def validate(self, attrs):
        if len(attrs) != 1:
            raise serializers.ValidationError(_("Share with exactly one person, unit or region."))
        return attrs


TARGETS = {
    "person": (person_get, lambda: _("Choose a person of this institution.")),
    "unit": (unit_get, lambda: _("Choose a unit of this institution.")),
    "region": (region_get, lambda: _("Choose a region of this institution.")),
}


class TicketShareListView(TicketScopedMixin, GenericAPIView):
    serializer_class = TicketShareSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Who a ticket is shared with",
        description="Whoever sees the ticket.",
        parameters=[TICKET_ID],
        responses={200: TicketShareSerializer(many=True), **error_responses(404)},
    )
    def get(self, request, pk):
        shares = ticket_share_list(person=request.user, ticket=self.get_ticket())
        return Response(TicketShareSerializer(shares, many=True).data)

    @extend_schema(
        summary="Share a ticket",
        description="With exactly one person, unit or region of the ticket's institution. The requester, "
        "the institution admin, or a manager monitoring the ticket; Premium and Premium+ only (403 "
        "`feature_locked` naming the packages otherwise). Sharing twice returns the existing share.",
        parameters=[TICKET_ID],
        request=ShareRequestSerializer,
        responses={201: TicketShareSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request, pk):
        ticket = self.get_ticket()
        body = ShareRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        targets = {}
        for name, (selector, refusal) in TARGETS.items():
            if name in body.validated_data:
                # Looked up in the ticket's institution: another institution's id is not found.
                targets[name] = selector(institution=ticket.institution, pk=body.validated_data[name])
                if targets[name] is None:
                    raise DjangoValidationError({name: refusal()})
        share = ticket_share(actor=request.user, ticket=ticket, **targets)
        return Response(TicketShareSerializer(share).data, status=status.HTTP_201_CREATED)


class TicketShareDetailView(TicketScopedMixin, GenericAPIView):
    serializer_class = TicketShareSerializer

    @extend_schema(
        summary="Undo a share",
        description="Whoever may share the ticket; allowed on every package, so access can always be taken back.",
        parameters=[TICKET_ID, SHARE_ID],
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request, pk, share_id):
        share = ticket_share_get(person=request.user, ticket=self.get_ticket(), pk=object_id(share_id))
        if share is None:
            raise NotFound(_("Not found."))
        ticket_unshare(actor=request.user, share=share)
        return Response(status=status.HTTP_204_NO_CONTENT)
