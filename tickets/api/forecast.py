"""GET /api/v1/desk/forecast/: the breach forecast for the desk (docs/forecast.md)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.permissions import is_desk
from slaportal.api.errors import error_responses
from tickets.forecast.services import forecast_at_risk


class ForecastQuerySerializer(serializers.Serializer):
    within = serializers.IntegerField(
        min_value=1,
        max_value=1440,
        default=60,
        help_text="Minutes ahead: tickets whose first-response deadline falls within them.",
    )


class AtRiskSerializer(serializers.Serializer):
    ticket = serializers.IntegerField()
    priority = serializers.IntegerField()
    first_response_due_at = serializers.DateTimeField()
    expected_first_response_at = serializers.DateTimeField(
        allow_null=True, help_text="null when nobody on duty, nor planned to be, will answer it."
    )
    breach_probability = serializers.FloatField()
    cause = serializers.CharField()


class WhatIfSerializer(serializers.Serializer):
    at_risk = serializers.IntegerField()


class ForecastSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    on_duty = serializers.IntegerField()
    at_risk = AtRiskSerializer(many=True)
    with_one_more_engineer = WhatIfSerializer()


class DeskForecastView(APIView):
    """The desk's forecast crosses institutions by design: the desk works one queue for them all."""

    @extend_schema(
        operation_id="desk_forecast",
        summary="Tickets forecast to breach their first-response deadline",
        description=(
            "Open, unanswered tickets whose first-response deadline falls within `within` minutes "
            "and whose forecast breach probability reaches the threshold, the soonest deadline "
            "first, each with its expected first response and the cause; and how many would be at "
            "risk with one more engineer on duty. Refreshed every minute and after every filing, "
            "first response and duty change. Support desk only (403 for everyone else)."
        ),
        parameters=[ForecastQuerySerializer],
        responses={200: ForecastSerializer, **error_responses(400, 403)},
    )
    def get(self, request):
        if not is_desk(request.user):
            raise PermissionDenied(_("Only support engineers can do this."))
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        view = forecast_at_risk(within=query.validated_data["within"])
        return Response(
            ForecastSerializer(
                {
                    "generated_at": view.generated_at,
                    "on_duty": view.on_duty,
                    "at_risk": view.at_risk,
                    "with_one_more_engineer": {"at_risk": view.with_one_more_engineer},
                }
            ).data
        )
