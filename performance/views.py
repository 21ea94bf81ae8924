"""The institution's pages of the performance app: installation keys (its admin) and the
performance report (the admin, managers over what they monitor, everyone over themselves)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import own_institution_row, role_required
from organizations.forms import form_errors_add
from organizations.permissions import performance_scope, require_own_institution_admin
from organizations.roles import CUSTOMER_SIDE, Role
from packages.permissions import performance_tracking_lock

from . import selectors, services
from .charts import CHARTS, chart_series, chart_svg, chart_title
from .exports import report_pdf, report_xlsx
from .forms import PeriodForm, UsageKeyForm

# A chart is an image: its SVG carries pygal's own <style>, allowed for that document only.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _keys_page(request, *, form=None, issued=None, status=200):
    institution = request.user.institution
    lock = performance_tracking_lock(institution)
    context = {
        "lock": lock,
        "keys": selectors.usage_key_list(institution=institution),
        "unmatched": [] if lock else selectors.usage_unmatched_list(institution=institution),
        "form": None if lock else form or UsageKeyForm(),
        "issued": issued,
    }
    response = render(request, "performance/usage_keys.html", context, status=status)
    if issued:
        # The key is in this page only: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@role_required(Role.INSTITUTION_ADMIN)
def usage_keys(request):
    """The institution admin issues installation keys for the vendor's products and revokes them;
    a new key is shown on the answer to the form, once."""
    institution = request.user.institution
    require_own_institution_admin(request.user, institution)
    if request.method != "POST":
        return _keys_page(request)
    form = UsageKeyForm(request.POST)
    if form.is_valid():
        try:
            key, raw = services.usage_key_issue(
                actor=request.user, institution=institution, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            return _keys_page(request, issued={"key": key, "raw": raw})
    return _keys_page(request, form=form, status=400)


@require_POST
@role_required(Role.INSTITUTION_ADMIN)
def usage_key_revoke(request, pk):
    key = own_institution_row(request, selectors.usage_key_get, pk)
    services.usage_key_revoke(actor=request.user, key=key)
    messages.success(request, _("The key “%(name)s” was revoked.") % {"name": key.name})
    return redirect("usage-keys")


def _customer_side(view):
    return role_required(*CUSTOMER_SIDE)(view)


def _query(request) -> dict:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data


def _locked(request):
    lock = performance_tracking_lock(request.user.institution)
    if lock is not None:
        return render(request, "performance/report_locked.html", {"locked": lock})
    return None


@_customer_side
def performance(request):
    """The performance report for a period, per person, unit or region, with charts, tables and
    XLSX and PDF downloads. Standard and Professional see it locked, with what it would give."""
    locked = _locked(request)
    if locked:
        return locked
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "performance/report.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    report = selectors.performance_report(
        actor=request.user, group_by=data["group_by"], start=data["from"], end=data["to"]
    )
    query = f"group_by={data['group_by']}&from={data['from'].isoformat()}&to={data['to'].isoformat()}"
    charts = [
        {"name": name, "title": chart_title(name), "series": chart_series(report, name)} for name in CHARTS
    ]
    for chart in charts:
        chart["rows"] = [
            (row.label, [(label, values[index]) for label, values in chart["series"]])
            for index, row in enumerate(report.rows)
        ]
    return render(
        request,
        "performance/report.html",
        {
            "form": form,
            "report": report,
            "query": query,
            "charts": charts,
            "scope": performance_scope(request.user),
        },
    )


@_customer_side
def performance_chart(request, name):
    if name not in CHARTS or performance_tracking_lock(request.user.institution) is not None:
        raise Http404
    data = _query(request)
    report = selectors.performance_report(
        actor=request.user, group_by=data["group_by"], start=data["from"], end=data["to"]
    )
    response = HttpResponse(chart_svg(report, name), content_type="image/svg+xml")
    response["Content-Security-Policy"] = CHART_CSP
    return response


def _download(request, fmt: str) -> HttpResponse:
    """The report as a file, the same rows as the page, in the reader's language."""
    if performance_tracking_lock(request.user.institution) is not None:
        raise PermissionDenied(_("Your package does not include performance tracking."))
    data = _query(request)
    report = selectors.performance_report(
        actor=request.user, group_by=data["group_by"], start=data["from"], end=data["to"]
    )
    if fmt == "pdf":
        response = HttpResponse(
            report_pdf(report, institution=request.user.institution), content_type="application/pdf"
        )
    else:
        response = HttpResponse(
            report_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    filename = f"performance-{data['group_by']}-{data['from'].isoformat()}-{data['to'].isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@_customer_side
def performance_export(request):
    return _download(request, "xlsx")


@_customer_side
def performance_pdf(request):
    return _download(request, "pdf")
