"""The vendor's week for the apps, as `/vendor/calendar/`: scheduled and held workshops, confirmed
on-site days, scheduled onboarding items and published trainings, per day and person."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.selectors import calendar_week_all_institutions
from organizations.permissions import is_vendor_staff
from slaportal.api.errors import DomainError, error_responses


class CalendarPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, person) -> str:
        return person.get_full_name() or person.username


class CalendarEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="workshop, onsite, onboarding or training")
    id = serializers.IntegerField(source="pk")
    day = serializers.DateField()
    at = serializers.DateTimeField(allow_null=True, help_text="null for an on-site day")
    title = serializers.CharField()
    institution = serializers.CharField(source="institution.name", allow_null=True, default=None)
    person = CalendarPersonSerializer(
        allow_null=True, help_text="The trainer or engineer; null when unassigned."
    )


class CalendarWeekSerializer(serializers.Serializer):
    monday = serializers.DateField()
    days = serializers.ListField(child=serializers.DateField())
    entries = CalendarEntrySerializer(many=True)


class VendorCalendarView(APIView):
    @extend_schema(
        operation_id="vendor_calendar",
        summary="The vendor's week",
        description="Vendor staff. The week (Monday to Sunday) holding `week`, this week when left out; "
        "entries by day and time.",
        parameters=[
            OpenApiParameter("week", OpenApiTypes.DATE, required=False, description="Any day of the week."),
        ],
        responses={200: CalendarWeekSerializer, **error_responses(400, 403)},
    )
    def get(self, request):
        if not is_vendor_staff(request.user):
            raise PermissionDenied(_("You are not allowed to do this."))
        raw = request.query_params.get("week", "")
        try:
            day = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError:
            message = _("Enter a valid date.")
            raise DomainError(
                status_code=400, code="invalid", message=message, fields={"week": [message]}
            ) from None
        monday = day - datetime.timedelta(days=day.weekday())
        week = calendar_week_all_institutions(monday=monday)
        entries = [entry for row in week["rows"] for day in week["days"] for entry in row["days"][day]]
        entries.sort(key=lambda e: (e["day"], e["at"] or datetime.datetime.min.replace(tzinfo=datetime.UTC)))
        return Response(
            CalendarWeekSerializer({"monday": monday, "days": week["days"], "entries": entries}).data
        )
