"""GET /api/v1/reports/summary/?from=…&to=…: the report's headline figures for the mobile apps,
over what the person's report covers (reports.selectors)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.permissions import vendor_report_reader
from reports.files import report_file_response
from reports.periods import Period, PeriodError, period_from_query
from reports.selectors import institution_get_all_institutions, report_scope_for
from reports.services import report_context, report_figures, report_summary
from reports.services.vendor_reads import report_scope_read_by_vendor
from slaportal.api.errors import DomainError, error_responses
from slaportal.api.media import SIGNED_URL_HELP, FileView, report_file_format, report_file_schema, signed_url
from slaportal.api.tenancy import object_id


class PercentilesSerializer(serializers.Serializer):
    median = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)


class SatisfactionSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True)
    responses = serializers.IntegerField()


class QuotaSerializer(serializers.Serializer):
    allotment = serializers.IntegerField(allow_null=True, help_text="null when unlimited")
    used = serializers.IntegerField()


# "from" is a Python keyword, so the serializer is built from a dict of its fields.
SummarySerializer = type(
    "SummarySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "tickets_filed": serializers.IntegerField(),
        "tickets_resolved": serializers.IntegerField(),
        "first_response_compliance": serializers.FloatField(
            allow_null=True, help_text="0–1; null when no ticket of the period is decided yet"
        ),
        "first_response_minutes": PercentilesSerializer(help_text="service minutes"),
        "breaches": serializers.IntegerField(),
        "satisfaction": SatisfactionSerializer(),
        "quota": serializers.DictField(
            child=QuotaSerializer(), help_text="per channel; empty for a manager's part"
        ),
        "development_items": serializers.DictField(
            child=serializers.IntegerField(), help_text="count per state"
        ),
        "pdf_url": serializers.URLField(
            allow_null=True,
            help_text="The period's report as PDF (null for vendor staff, who download from "
            "/vendor/reports/). " + SIGNED_URL_HELP,
        ),
        "xlsx_url": serializers.URLField(
            allow_null=True,
            help_text="The period's report as a workbook (null for vendor staff). " + SIGNED_URL_HELP,
        ),
    },
)


RANGE = [
    OpenApiParameter(
        "from", OpenApiTypes.STR, required=True, description="First day, YYYY-MM-DD (or an aware datetime)."
    ),
    OpenApiParameter(
        "to", OpenApiTypes.STR, required=True, description="Last day, inclusive; at most 3 years after from."
    ),
]


INSTITUTION = OpenApiParameter(
    "institution",
    OpenApiTypes.INT,
    required=False,
    description="Vendor staff (package manager, desk lead): any institution's id, read-only and written "
    "to the audit log. Anyone else: only their own institution's (404 otherwise).",
)


def query_period(request) -> Period:
    """The period of the query's `from` and `to`; a 400 naming the field when it is invalid."""
    try:
        return period_from_query(request.query_params.get("from", ""), request.query_params.get("to", ""))
    except PeriodError as exc:
        raise DomainError(
            status_code=400, code="invalid", message=exc.message(), fields={exc.field: [exc.message()]}
        ) from None


class ReportSummaryView(APIView):
    @extend_schema(
        summary="The report's summary for a period",
        description="The institution admin: the whole institution; unit and region managers on Premium and "
        "Premium+: what they monitor (no quota); vendor staff: the institution named by `institution`. A reversed, malformed or naive range, or one longer than "
        "3 years, is 400 with the field `range`.",
        parameters=[*RANGE, INSTITUTION],
        responses={200: SummarySerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request):
        reference = request.query_params.get("institution")
        vendor = reference is not None and vendor_report_reader(request.user)
        scope = None if vendor else report_scope_for(person=request.user)
        if scope is None and not vendor:
            raise PermissionDenied(_("Your role does not give access to reports."))
        if reference is not None and not vendor and object_id(reference) != request.user.institution_id:
            raise NotFound(_("Not found."))
        period = query_period(request)
        if vendor:
            institution = institution_get_all_institutions(slug=str(object_id(reference)))
            if institution is None:
                raise NotFound(_("Not found."))
            scope = report_scope_read_by_vendor(
                actor=request.user, institution=institution, period=period, what="summary"
            )
        summary = report_summary(scope=scope, period=period)
        summary |= {"pdf_url": None, "xlsx_url": None}
        if not vendor:
            base = signed_url(request, reverse("api-report-download"))
            query = urlencode({"from": request.query_params["from"], "to": request.query_params["to"]})
            summary |= {"pdf_url": f"{base}&format=pdf&{query}", "xlsx_url": f"{base}&format=xlsx&{query}"}
        return Response(SummarySerializer(summary).data)


def _scope_and_period(request):
    scope = report_scope_for(person=request.user)
    if scope is None:
        raise PermissionDenied(_("Your role does not give access to reports."))
    return scope, query_period(request)


class ReportDownloadView(FileView):
    @extend_schema(
        summary="The report as a file",
        **report_file_schema(
            parameters=RANGE,
            description="The same report as the web's download, as PDF or Excel workbook, for the same people "
            "as the summary. Reached through the summary's signed `pdf_url` / `xlsx_url` or with the app's token.",
        ),
    )
    def get(self, request):
        fmt = report_file_format(request)
        scope, period = _scope_and_period(request)
        figures = report_figures(scope=scope, period=period)
        context = report_context(scope=scope, period=period, figures=figures)
        return report_file_response(fmt=fmt, context=context, request=request)
