"""Monitoring grants for the institution admin: the record (who gave, who revoked, when), giving
one to a unit or region manager, and revoking it — through organizations.services, which check
the admin and the package (giving is Premium and Premium+ only; the record and revoking are open
on every package, so access can always be taken back)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from organizations.models import MonitoringGrant
from organizations.selectors import monitoring_grant_get, monitoring_grant_list, person_get
from organizations.services import monitoring_grant_give, monitoring_grant_revoke
from slaportal.api.errors import error_responses

from .tenancy import InstitutionAdminMixin

GRANT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A monitoring grant's id."
)


class MonitoringGrantSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringGrant
        fields = ["id", "person", "unit", "region", "granted_by", "granted_at", "revoked_by", "revoked_at"]


class GrantRequestSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="A unit or region manager's id."
    )


class MonitoringGrantListView(InstitutionAdminMixin, GenericAPIView):
    serializer_class = MonitoringGrantSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="Monitoring grants of my institution",
        description="Institution admins. Every grant, active and revoked, newest first.",
        responses={200: MonitoringGrantSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        grants = monitoring_grant_list(institution=self.institution, active_only=False).order_by(
            "-granted_at", "-id"
        )
        return Response(MonitoringGrantSerializer(grants, many=True).data)

    @extend_schema(
        summary="Give a monitoring grant",
        description="Institution admins, on Premium and Premium+ (403 `feature_locked` otherwise). A unit "
        "manager monitors their unit, a region manager their region. Giving it twice returns the active grant.",
        request=GrantRequestSerializer,
        responses={201: MonitoringGrantSerializer, **error_responses(400, 403, 422)},
    )
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

    @extend_schema(
        summary="Revoke a monitoring grant",
        description="Institution admins, on every package. The grant stays as the record; revoking twice "
        "keeps the first revocation.",
        parameters=[GRANT_ID],
        request=None,
        responses={200: MonitoringGrantSerializer, **error_responses(403, 404)},
    )
    def post(self, request, pk):
        grant = self.lookup(monitoring_grant_get, pk)
        grant = monitoring_grant_revoke(actor=request.user, grant=grant)
        return Response(MonitoringGrantSerializer(grant).data)
