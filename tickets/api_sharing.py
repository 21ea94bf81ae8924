"""Thin API views for ticket shares and monitoring grants, over the services. Not wired into
slaportal/api_urls.py: add `path("", include("tickets.api_sharing"))` there to publish them.

They reach tickets through TicketScopedMixin and organization objects through
InstitutionAdminMixin, and raise; slaportal.api.errors shapes every refusal: 404 for a ticket,
share or grant the person may not see (another institution's looks missing), 422 with the field
for a refused target, 403 `feature_locked` naming the packages on a package without region
management, 403 for anyone else the rules refuse."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from organizations.models import MonitoringGrant
from organizations.selectors import (
    monitoring_grant_get,
    monitoring_grant_list,
    person_get,
    region_get,
    unit_get,
)
from organizations.services import monitoring_grant_give, monitoring_grant_revoke
from slaportal.api.tenancy import InstitutionAdminMixin, TicketScopedMixin, object_id
from tickets.models import TicketShare
from tickets.selectors import ticket_share_get, ticket_share_list
from tickets.services.sharing import ticket_share, ticket_unshare


class TicketShareSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
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
    person = serializers.IntegerField(required=False)
    unit = serializers.IntegerField(required=False)
    region = serializers.IntegerField(required=False)


class MonitoringGrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringGrant
        fields = ["id", "person", "unit", "region", "granted_by", "granted_at", "revoked_by", "revoked_at"]


class GrantRequestSerializer(serializers.Serializer):
    person = serializers.IntegerField()


TARGETS = {
    "person": (person_get, lambda: _("Choose a person of this institution.")),
    "unit": (unit_get, lambda: _("Choose a unit of this institution.")),
    "region": (region_get, lambda: _("Choose a region of this institution.")),
}


class TicketShareListView(TicketScopedMixin, GenericAPIView):
    serializer_class = TicketShareSerializer
    pagination_class = None

    @extend_schema(responses=TicketShareSerializer(many=True))
    def get(self, request, pk):
        shares = ticket_share_list(person=request.user, ticket=self.get_ticket())
        return Response(TicketShareSerializer(shares, many=True).data)

    @extend_schema(request=ShareRequestSerializer, responses={201: TicketShareSerializer})
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

    @extend_schema(responses={204: None})
    def delete(self, request, pk, share_pk):
        share = ticket_share_get(person=request.user, ticket=self.get_ticket(), pk=object_id(share_pk))
        if share is None:
            raise NotFound(_("Not found."))
        ticket_unshare(actor=request.user, share=share)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MonitoringGrantListView(InstitutionAdminMixin, GenericAPIView):
    serializer_class = MonitoringGrantSerializer
    pagination_class = None

    @extend_schema(responses=MonitoringGrantSerializer(many=True))
    def get(self, request):
        grants = monitoring_grant_list(institution=self.institution, active_only=False).order_by("-granted_at", "-id")
        return Response(MonitoringGrantSerializer(grants, many=True).data)

    @extend_schema(request=GrantRequestSerializer, responses={201: MonitoringGrantSerializer})
    def post(self, request):
        body = GrantRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = person_get(institution=self.institution, pk=body.validated_data["person"])
        if person is None:
            raise DjangoValidationError({"person": _("Choose a person of this institution.")})
        grant = monitoring_grant_give(actor=request.user, person=person)
        return Response(MonitoringGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class MonitoringGrantRevokeView(InstitutionAdminMixin, GenericAPIView):
    serializer_class = MonitoringGrantSerializer

    @extend_schema(request=None, responses=MonitoringGrantSerializer)
    def post(self, request, pk):
        grant = self.lookup(monitoring_grant_get, pk)
        grant = monitoring_grant_revoke(actor=request.user, grant=grant)
        return Response(MonitoringGrantSerializer(grant).data)


urlpatterns = [
    path("tickets/<int:pk>/shares/", TicketShareListView.as_view(), name="ticket-share-list"),
    path("tickets/<int:pk>/shares/<int:share_pk>/", TicketShareDetailView.as_view(), name="ticket-share-detail"),
    path("monitoring-grants/", MonitoringGrantListView.as_view(), name="monitoring-grant-list"),
    path("monitoring-grants/<int:pk>/revoke/", MonitoringGrantRevokeView.as_view(), name="monitoring-grant-revoke"),
]
