"""The vendor's report for the apps, as `/vendor/reports/`: every institution (or one package, or
one institution) compared over a period, and the same report as PDF or workbook. Package managers
and desk leads only."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import vendor
from reports.files import vendor_file_response
from reports.selectors import institution_get_all_institutions, report_scope_all_institutions
from reports.services import report_figures, report_summary
from slaportal.api.errors import error_responses
from slaportal.api.media import SIGNED_URL_HELP, FileView, report_file_format, report_file_schema, signed_url

from .summary import RANGE, SummarySerializer, query_period

FILTERS = [
    OpenApiParameter(
        "package", OpenApiTypes.STR, required=False, description="Only this package (its code)."
    ),
    OpenApiParameter(
        "institution", OpenApiTypes.STR, required=False, description="Only this institution (its slug)."
    ),
]


class RankedByBreachesSerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution__name")
    slug = serializers.CharField(source="institution__slug")
    breaches = serializers.IntegerField()
    filed = serializers.IntegerField()


class RankedBySatisfactionSerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution__name")
    slug = serializers.CharField(source="institution__slug")
    average = serializers.FloatField(allow_null=True)
    responses = serializers.IntegerField()


class EngineerRowSerializer(serializers.Serializer):
    engineer = serializers.CharField()
    resolved = serializers.IntegerField()
    breaches = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True, help_text="Median first-response service minutes.")
    satisfaction = serializers.FloatField(allow_null=True)
    responses = serializers.IntegerField()


class TrendRowSerializer(serializers.Serializer):
    month = serializers.DateField()
    filed = serializers.IntegerField()
    breaches = serializers.IntegerField()
    compliance = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    responses = serializers.IntegerField()


class PackageQuotaSerializer(serializers.Serializer):
    package = serializers.CharField()
    package_code = serializers.CharField()
    channel = serializers.CharField()
    contracts = serializers.IntegerField()
    allotment = serializers.IntegerField()
    unlimited = serializers.IntegerField(help_text="Contracts on which the channel is unlimited.")
    used = serializers.IntegerField()


class OpenByProductSerializer(serializers.Serializer):
    product = serializers.CharField(source="product__name", allow_null=True)
    count = serializers.IntegerField()


class DevelopmentSummarySerializer(serializers.Serializer):
    open_by_product = OpenByProductSerializer(many=True)
    open = serializers.IntegerField()
    days_to_plan = serializers.FloatField(allow_null=True)
    days_to_release = serializers.FloatField(allow_null=True)
    planned = serializers.IntegerField()
    released = serializers.IntegerField()


class VendorReportSerializer(serializers.Serializer):
    summary = SummarySerializer()
    ranked_by_breaches = RankedByBreachesSerializer(many=True)
    ranked_by_satisfaction = RankedBySatisfactionSerializer(many=True)
    engineers = EngineerRowSerializer(many=True)
    trend = TrendRowSerializer(many=True, help_text="The twelve months up to the period's last.")
    quota_by_package = PackageQuotaSerializer(many=True)
    development = DevelopmentSummarySerializer()
    pdf_url = serializers.URLField(help_text="The report as PDF. " + SIGNED_URL_HELP)
    xlsx_url = serializers.URLField(help_text="The report as a workbook. " + SIGNED_URL_HELP)


def _scope_period_query(request):
    """The scope (refused for anyone but the vendor's report readers, 404 for an unknown
    institution), the period (400 when invalid) and the filters as a query string."""
    slug = request.query_params.get("institution", "")
    institution = institution_get_all_institutions(slug=slug) if slug else None
    if slug and institution is None:
        raise NotFound(_("Not found."))
    package = request.query_params.get("package", "")
    scope = report_scope_all_institutions(person=request.user, package=package, institution=institution)
    if scope is None:
        raise PermissionDenied(_("Your role does not give access to reports."))
    period = query_period(request)
    filters = {key: value for key, value in (("package", package), ("institution", slug)) if value}
    return scope, period, filters


class VendorReportView(APIView):
    @extend_schema(
        operation_id="vendor_report",
        summary="The vendor's report for a period",
        description=(
            "Package managers and desk leads: every institution's figures together (or one package's, "
            "or one institution's), the institutions ranked by breaches and by satisfaction, the "
            "engineers, the twelve months' trend, quota use per package and channel and the development "
            "items. A reversed, malformed or naive range, or one longer than 3 years, is 400."
        ),
        parameters=[*RANGE, *FILTERS],
        responses={200: VendorReportSerializer, **error_responses(400, 403, 404)},
    )
    def get(self, request):
        scope, period, filters = _scope_period_query(request)
        body = vendor.vendor_figures(scope=scope, period=period, today=timezone.localdate())
        body["summary"] = report_summary(scope=scope, period=period) | {"pdf_url": None, "xlsx_url": None}
        base = signed_url(request, reverse("api-vendor-report-download"))
        query = urlencode({"from": period.first.isoformat(), "to": period.last.isoformat(), **filters})
        body |= {f"{fmt}_url": f"{base}&format={fmt}&{query}" for fmt in ("pdf", "xlsx")}
        return Response(VendorReportSerializer(body).data)


class VendorReportDownloadView(FileView):
    @extend_schema(
        operation_id="vendor_report_download",
        summary="The vendor's report as a file",
        **report_file_schema(
            parameters=[*RANGE, *FILTERS],
            description="The same report as `/vendor/reports/`'s download, as PDF or Excel workbook. Reached "
            "through the report's signed `pdf_url` / `xlsx_url` or with the app's token.",
        ),
    )
    def get(self, request):
        fmt = report_file_format(request)
        scope, period, filters = _scope_period_query(request)
        extra = "&" + urlencode(filters) if filters else ""
        context = vendor.vendor_file_context(
            scope=scope,
            period=period,
            today=timezone.localdate(),
            figures=report_figures(scope=scope, period=period),
            query=period.query() + extra,
        )
        return vendor_file_response(fmt=fmt, context=context)
