"""GET|POST /api/v1/tickets/{id}/survey/: the satisfaction survey of the ticket's latest
resolution. The ticket is reached through TicketScopedMixin (404 for another institution's)."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from reports.models import Survey
from reports.services.surveys import SCORES, SurveyError, survey_answer, survey_for_ticket, survey_state
from slaportal.api.errors import DomainError, error_responses
from tickets.api.tenancy import TicketScopedMixin

TICKET_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A ticket's id.")


class SurveySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["pending", "answered", "expired"])
    score = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    resolved_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class SurveyAnswerSerializer(serializers.Serializer):
    score = serializers.ChoiceField(
        choices=list(SCORES),
        help_text="1 very dissatisfied … 5 very satisfied.",
        error_messages={"invalid_choice": _("Choose a score from 1 to 5.")},
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")

    def to_internal_value(self, data):
        # "4" or 4.0 is not a score: only the integers 1–5 are.
        if (
            isinstance(data, dict)
            and "score" in data
            and (isinstance(data["score"], bool) or not isinstance(data["score"], int))
        ):
            raise serializers.ValidationError({"score": [_("Choose a score from 1 to 5.")]})
        return super().to_internal_value(data)


def _body(survey: Survey, ticket) -> dict:
    return SurveySerializer(
        {
            "state": survey_state(survey=survey, ticket=ticket),
            "score": survey.score,
            "comment": survey.comment,
            "resolved_at": survey.resolved_at,
            "expires_at": survey.expires_at,
            "answered_at": survey.answered_at,
        }
    ).data


class TicketSurveyView(TicketScopedMixin, GenericAPIView):
    serializer_class = SurveySerializer
    pagination_class = None
    filter_backends = []

    def _survey(self):
        ticket = self.get_ticket()
        survey = survey_for_ticket(ticket=ticket)
        if survey is None:
            raise NotFound(_("This ticket has not been resolved; there is no survey yet."))
        return ticket, survey

    @extend_schema(
        summary="The satisfaction survey of a ticket's latest resolution",
        description="`pending` (the requester may answer), `answered` or `expired` (30 days passed, or the "
        "ticket was reopened). 404 for a ticket never resolved, or one the person may not see.",
        parameters=[TICKET_ID],
        responses={200: SurveySerializer, **error_responses(404)},
    )
    def get(self, request, pk):
        ticket, survey = self._survey()
        return Response(_body(survey, ticket))

    @extend_schema(
        summary="Answer the satisfaction survey",
        description="The requester only (403 otherwise). A score of 1–5 and an optional comment. A second answer "
        "to the same resolution is 409 `survey_answered`; an expired survey 409 `survey_expired`.",
        parameters=[TICKET_ID],
        request=SurveyAnswerSerializer,
        responses={201: SurveySerializer, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request, pk):
        ticket, survey = self._survey()
        body = SurveyAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            survey = survey_answer(
                actor=request.user,
                survey=survey,
                ticket=ticket,
                score=body.validated_data["score"],
                comment=body.validated_data["comment"],
                via=Survey.Via.API,
            )
        except SurveyError as exc:
            raise DomainError(status_code=409, code=exc.code, message=exc.message()) from None
        return Response(_body(survey, ticket), status=status.HTTP_201_CREATED)
