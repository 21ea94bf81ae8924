"""Going on or off duty, now or planned ahead, as on `/desk/duty/`: routing gives new tickets only
to engineers on duty, and the breach forecast counts on the planned changes. An engineer sees and
sets their own duty; the desk lead sees the whole desk and sets anyone's, through
organizations.services.person_set_on_duty and duty_change_schedule (which check who may)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.permissions import is_desk
from organizations.roles import Role
from organizations.selectors import duty_change_list_upcoming, person_list_desk
from organizations.services import duty_change_schedule, person_set_on_duty
from slaportal.api.errors import error_responses


class DutySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)
    role = serializers.CharField(read_only=True)
    is_on_duty = serializers.BooleanField(read_only=True)


class DutyChangeSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="A desk person's id; yourself when left out.",
    )
    on_duty = serializers.BooleanField()


class PlannedDutyChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = serializers.IntegerField(
        source="person_id",
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="A desk person's id; yourself when left out.",
    )
    at = serializers.DateTimeField(help_text="When the change takes effect; in the future.")
    on_duty = serializers.BooleanField(source="is_on_duty")


class _DeskPeople:
    """Whom the signed-in desk person may see and set: themself, or the whole desk for the lead."""

    def _desk(self, request):
        if not is_desk(request.user):
            raise PermissionDenied(_("Only support engineers can do this."))
        if request.user.role == Role.DESK_LEAD:
            return list(person_list_desk())
        return [request.user]

    def _person(self, request, desk, pk: int):
        """The desk person `pk` names: 403 when an engineer names a colleague, 404 off the desk."""
        person = {person.pk: person for person in desk}.get(pk)
        if person is None:
            if request.user.role != Role.DESK_LEAD and any(p.pk == pk for p in person_list_desk()):
                raise PermissionDenied(_("Only the desk lead sets someone else's duty."))
            raise NotFound(_("Not found."))
        return person


class DeskDutyView(_DeskPeople, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Who is on duty",
        description="Support engineers see themselves; the desk lead sees the whole desk.",
        responses={200: DutySerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        return Response(DutySerializer(self._desk(request), many=True).data)

    @extend_schema(
        summary="Go on or off duty",
        description=(
            "`on_duty` for yourself, or with `person` for someone on the desk (desk lead only: 403 "
            "for an engineer naming someone else, 404 for an id not on the desk). Setting the state "
            "a person already has changes and records nothing."
        ),
        request=DutyChangeSerializer,
        responses={200: DutySerializer, **error_responses(400, 403, 404)},
    )
    def post(self, request):
        desk = self._desk(request)
        serializer = DutyChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = self._person(request, desk, serializer.validated_data.get("person", request.user.pk))
        person = person_set_on_duty(
            actor=request.user, person=person, is_on_duty=serializer.validated_data["on_duty"]
        )
        return Response(DutySerializer(person).data)


class DeskDutyPlanView(_DeskPeople, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="desk_duty_changes_list",
        summary="Planned duty changes",
        description=(
            "The duty changes planned and not yet made, soonest first: support engineers see their own, "
            "the desk lead the whole desk's."
        ),
        responses={200: PlannedDutyChangeSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        self._desk(request)
        mine = None if request.user.role == Role.DESK_LEAD else request.user
        return Response(PlannedDutyChangeSerializer(duty_change_list_upcoming(person=mine), many=True).data)

    @extend_schema(
        operation_id="desk_duty_changes_create",
        summary="Plan a duty change",
        description=(
            "A shift's start or end, or a break, at a moment in the future (422 on `at` otherwise): "
            "made on time by the workers, counted on by the breach forecast. `person` as for going on or "
            "off duty now (desk lead only for someone else: 403; 404 for an id not on the desk)."
        ),
        request=PlannedDutyChangeSerializer,
        responses={201: PlannedDutyChangeSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request):
        desk = self._desk(request)
        serializer = PlannedDutyChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = self._person(request, desk, data.get("person_id", request.user.pk))
        change = duty_change_schedule(
            actor=request.user, person=person, at=data["at"], is_on_duty=data["is_on_duty"]
        )
        return Response(PlannedDutyChangeSerializer(change).data, status=201)
