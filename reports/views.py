"""The institution report (/reports/), its charts and files, and the vendor-wide view."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.decorators import role_required
from organizations.permissions import vendor_report_reader

from . import charts, files, vendor
from .deflections import deflection_context
from .forms import PeriodForm
from .periods import PeriodError, last_full_month, period_from_query
from .selectors import (
    VENDOR_REPORT_ROLES,
    institution_get_all_institutions,
    report_scope_all_institutions,
    report_scope_for,
)
from .services import report_context, report_figures
from .services.vendor_reads import report_scope_read_by_vendor


def _scope(request, period=None, what: str = "page"):
    """The person's own report scope; for vendor staff naming `institution=` (id or slug), that
    institution's whole report, read-only and written to the audit log."""
    reference = request.GET.get("institution", "")
    if reference and vendor_report_reader(request.user):
        institution = institution_get_all_institutions(slug=reference)
        if institution is None:
            raise Http404
        if period is None:
            period, _error = _period_or_400(request)
        return report_scope_read_by_vendor(
            actor=request.user,
            institution=institution,
            period=period or last_full_month(timezone.localdate()),
            what=what,
            record=what != "chart",
        )
    scope = report_scope_for(person=request.user)
    if scope is None:
        raise PermissionDenied(_("Your role does not give access to reports."))
    return scope


def _institution_query(request) -> str:
    reference = request.GET.get("institution", "")
    return (
        "&" + urlencode({"institution": reference})
        if reference and vendor_report_reader(request.user)
        else ""
    )


def _cache_key(request) -> str:
    # Everything the person's scope depends on: a move or a role change reads afresh.
    person = request.user
    return (
        f"person:{person.pk}:{person.role}:{person.institution_id}:{person.region_id}:{person.unit_id}"
        + _institution_query(request)
    )


def _context(request, scope, period, *, base_url: str, extra_query: str = "") -> dict:
    figures = report_figures(scope=scope, period=period, cache_key=_cache_key(request) + extra_query)
    return report_context(
        scope=scope, period=period, figures=figures, chart_base=base_url, query=period.query() + extra_query
    )


@login_required
def report_page(request):
    scope = _scope(request, what="page")
    today = timezone.localdate()
    contract_start = scope.subscription.starts_on if scope.subscription else None
    form = PeriodForm(request.GET or None, today=today, contract_start=contract_start)
    if request.GET and "from" in request.GET and "period" not in request.GET:
        form = PeriodForm(
            {"period": "custom", "start": request.GET.get("from"), "end": request.GET.get("to")},
            today=today,
            contract_start=contract_start,
        )
    if form.is_bound and not form.is_valid():
        return render(request, "reports/report_page.html", {"form": form, "scope": scope}, status=400)
    period = form.cleaned_data["range"] if form.is_bound else last_full_month(today)
    context = _context(
        request, scope, period, base_url=reverse("report-page"), extra_query=_institution_query(request)
    )
    context["form"] = form
    if scope.whole_institution and scope.institution is not None:
        context.update(deflection_context(institution_id=scope.institution.pk, period=period))
    return render(request, "reports/report_page.html", context)


def _period_or_400(request):
    try:
        return period_from_query(request.GET.get("from", ""), request.GET.get("to", "")), None
    except PeriodError as exc:
        return None, HttpResponseBadRequest(exc.message())


def _svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The chart's own stylesheet is the only thing it may use: no scripts, nothing fetched.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=120"
    return response


@login_required
def report_chart(request, name):
    period, error = _period_or_400(request)
    if error:
        return error
    scope = _scope(request, period, what="chart")
    svg = charts.chart_svg(name, report_figures(scope=scope, period=period, cache_key=_cache_key(request)))
    if svg is None:
        return HttpResponse(status=404)
    return _svg_response(svg)


@login_required
def report_download(request, fmt):
    period, error = _period_or_400(request)
    if error:
        return error
    scope = _scope(request, period, what=fmt)
    context = _context(
        request, scope, period, base_url=reverse("report-page"), extra_query=_institution_query(request)
    )
    return files.report_file_response(fmt=fmt, context=context, request=request)


# --- the vendor-wide view ----------------------------------------------------------------------


def _vendor_scope(request):
    institution = institution_get_all_institutions(slug=request.GET.get("institution", ""))
    package = request.GET.get("package", "")
    scope = report_scope_all_institutions(person=request.user, package=package, institution=institution)
    if scope is None:
        raise PermissionDenied(_("Your role does not give access to reports."))
    extra = ""
    if package:
        extra += "&" + urlencode({"package": package})
    if institution:
        extra += "&" + urlencode({"institution": institution.slug})
    return scope, extra


@role_required(*VENDOR_REPORT_ROLES)
def vendor_report_page(request):
    scope, extra = _vendor_scope(request)
    today = timezone.localdate()
    data = {k: v for k, v in request.GET.items() if k not in ("package", "institution")}
    if "from" in data and "period" not in data:
        # The same from/to as /reports/.
        data = {"period": "custom", "start": data.get("from"), "end": data.get("to")}
    form = PeriodForm(data or None, today=today, contract_start=None)
    if form.is_bound and not form.is_valid():
        return render(
            request, "reports/vendor_report.html", vendor.filter_context(request, form=form), status=400
        )
    period = form.cleaned_data["range"] if form.is_bound else last_full_month(today)
    context = _context(request, scope, period, base_url=reverse("vendor-report-page"), extra_query=extra)
    context.update(vendor.filter_context(request, form=form))
    context.update(vendor.vendor_figures(scope=scope, period=period, today=today))
    context["download_query"] = period.query() + extra
    context.update(
        deflection_context(institution_id=scope.institution.pk if scope.institution else None, period=period)
    )
    return render(request, "reports/vendor_report.html", context)


@role_required(*VENDOR_REPORT_ROLES)
def vendor_report_download(request, fmt):
    """The vendor-wide report (or one institution's, with institution=) as PDF or XLSX."""
    scope, extra = _vendor_scope(request)
    period, error = _period_or_400(request)
    if error:
        return error
    figures = report_figures(scope=scope, period=period, cache_key=_cache_key(request) + extra)
    context = vendor.vendor_file_context(
        scope=scope, period=period, today=timezone.localdate(), figures=figures, query=period.query() + extra
    )
    return files.vendor_file_response(fmt=fmt, context=context)


@role_required(*VENDOR_REPORT_ROLES)
def vendor_report_chart(request, name):
    scope, extra = _vendor_scope(request)
    period, error = _period_or_400(request)
    if error:
        return error
    figures = report_figures(scope=scope, period=period, cache_key=_cache_key(request) + extra)
    svg = charts.chart_svg(name, figures)
    if svg is None:
        return HttpResponse(status=404)
    return _svg_response(svg)
