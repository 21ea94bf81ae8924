"""Thin API views for ticket shares and monitoring grants, over the services. Not wired into
slaportal/api_urls.py here: the API's router includes `urlpatterns` below under /api/v1/.

Errors: 404 for a ticket, share, grant or target the person may not see (another institution's
looks missing); 400 with the field's message for a refused target; 403 with
{"code": "feature_locked", "detail": ..., "packages": [...]} on a package without region
management; 403 for anyone else the rules refuse."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import MonitoringGrant
from organizations.permissions import FeatureLocked, require_own_institution_admin
from organizations.selectors import (
    monitoring_grant_get,
    monitoring_grant_list,
    person_get,
    region_get,
    unit_get,
)
from organizations.services import monitoring_grant_give, monitoring_grant_revoke
from tickets.models import TicketShare
from tickets.selectors import ticket_get_visible, ticket_share_get, ticket_share_list
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


def _refusal(error: Exception) -> Response:
    if isinstance(error, FeatureLocked):
        return Response(
            {"code": error.code, "detail": error.message(), "packages": error.packages},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(error, ValidationError):
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": str(error)}, status=status.HTTP_403_FORBIDDEN)


def _visible_ticket(request, pk):
    ticket = ticket_get_visible(person=request.user, pk=pk)
    if ticket is None:
        raise Http404
    return ticket


class TicketShareListView(APIView):
    @extend_schema(responses=TicketShareSerializer(many=True))
    def get(self, request, pk):
        ticket = _visible_ticket(request, pk)
        return Response(TicketShareSerializer(ticket_share_list(person=request.user, ticket=ticket), many=True).data)

    @extend_schema(request=ShareRequestSerializer, responses={201: TicketShareSerializer})
    def post(self, request, pk):
        ticket = _visible_ticket(request, pk)
        body = ShareRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lookups = {"person": person_get, "unit": unit_get, "region": region_get}
        targets = {}
        for name, lookup in lookups.items():
            if name in body.validated_data:
                # Looked up in the ticket's institution: another institution's id is not found.
                targets[name] = lookup(institution=ticket.institution, pk=body.validated_data[name])
                if targets[name] is None:
                    return Response({name: [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            share = ticket_share(actor=request.user, ticket=ticket, **targets)
        except (PermissionDenied, ValidationError) as error:
            return _refusal(error)
        return Response(TicketShareSerializer(share).data, status=status.HTTP_201_CREATED)


class TicketShareDetailView(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk, share_pk):
        ticket = _visible_ticket(request, pk)
        share = ticket_share_get(person=request.user, ticket=ticket, pk=share_pk)
        if share is None:
            raise Http404
        try:
            ticket_unshare(actor=request.user, share=share)
        except PermissionDenied as error:
            return _refusal(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _admin_institution(request):
    institution = request.user.institution
    if institution is None:
        raise PermissionDenied
    require_own_institution_admin(request.user, institution)
    return institution


class MonitoringGrantListView(APIView):
    @extend_schema(responses=MonitoringGrantSerializer(many=True))
    def get(self, request):
        try:
            institution = _admin_institution(request)
        except PermissionDenied as error:
            return _refusal(error)
        grants = monitoring_grant_list(institution=institution, active_only=False).order_by("-granted_at", "-id")
        return Response(MonitoringGrantSerializer(grants, many=True).data)

    @extend_schema(request=GrantRequestSerializer, responses={201: MonitoringGrantSerializer})
    def post(self, request):
        body = GrantRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            institution = _admin_institution(request)
            person = person_get(institution=institution, pk=body.validated_data["person"])
            if person is None:
                return Response({"person": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
            grant = monitoring_grant_give(actor=request.user, person=person)
        except (PermissionDenied, ValidationError) as error:
            return _refusal(error)
        return Response(MonitoringGrantSerializer(grant).data, status=status.HTTP_201_CREATED)


class MonitoringGrantRevokeView(APIView):
    @extend_schema(request=None, responses=MonitoringGrantSerializer)
    def post(self, request, pk):
        try:
            institution = _admin_institution(request)
        except PermissionDenied as error:
            return _refusal(error)
        grant = monitoring_grant_get(institution=institution, pk=pk)
        if grant is None:
            raise Http404
        grant = monitoring_grant_revoke(actor=request.user, grant=grant)
        return Response(MonitoringGrantSerializer(grant).data)


urlpatterns = [
    path("tickets/<int:pk>/shares/", TicketShareListView.as_view(), name="ticket-share-list"),
    path("tickets/<int:pk>/shares/<int:share_pk>/", TicketShareDetailView.as_view(), name="ticket-share-detail"),
    path("monitoring-grants/", MonitoringGrantListView.as_view(), name="monitoring-grant-list"),
    path("monitoring-grants/<int:pk>/revoke/", MonitoringGrantRevokeView.as_view(), name="monitoring-grant-revoke"),
]
