"""The report as files: an Excel workbook with one sheet per table (openpyxl) and the page's
content as a PDF (WeasyPrint, which draws the same SVG charts; DejaVu fonts carry the Turkish
letters). Both in the language of the request."""

import datetime
import io

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from slaportal.pdf import template_pdf

from . import charts
from .templatetags.report_ui import label_of

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]):
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for index, _name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = 22
    return sheet


def _cell(value):
    """Excel has no time zones: instants are written as Istanbul wall-clock time."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Promise):
        return str(value)
    return value


def report_workbook(context: dict) -> bytes:
    figures = context["figures"]
    kinds, channels, states = context["kinds"], context["channels"], context["states"]
    workbook = Workbook()
    workbook.remove(workbook.active)
    previous = figures["previous"]
    headline = [
        (_("Tickets filed"), figures["tickets_filed"], previous["tickets_filed"]),
        (_("Tickets resolved"), figures["tickets_resolved"], previous["tickets_resolved"]),
        (
            _("First-response compliance"),
            figures["first_response_compliance"],
            previous["first_response_compliance"],
        ),
        (_("Breaches"), figures["breaches"], previous["breaches"]),
        (
            _("First response, median (service minutes)"),
            figures["first_response_minutes"]["median"],
            previous["first_response_minutes"]["median"],
        ),
        (
            _("First response, 90th percentile (service minutes)"),
            figures["first_response_minutes"]["p90"],
            previous["first_response_minutes"]["p90"],
        ),
        (
            _("Resolution time, median (hours)"),
            figures["resolution_hours"]["median"],
            previous["resolution_hours"]["median"],
        ),
        (
            _("Resolution time, average (hours)"),
            figures["resolution_hours"]["average"],
            previous["resolution_hours"]["average"],
        ),
        (
            _("Satisfaction (average of 5)"),
            figures["satisfaction"]["average"],
            previous["satisfaction"]["average"],
        ),
        (_("Survey answers"), figures["satisfaction"]["responses"], previous["satisfaction"]["responses"]),
    ]
    _sheet(
        workbook,
        _("Summary"),
        [_("Figure"), _("This period"), _("Previous period")],
        [list(r) for r in headline],
    )
    for key, title, choices in (
        ("kind", _("Filed by kind"), kinds),
        ("channel", _("Filed by channel"), context["ticket_channels"]),
        ("product", _("Filed by product"), None),
    ):
        rows = [
            [label_of(r["key"], choices) if choices else (r["key"] or _("No product")), r["count"]]
            for r in figures["filed_by"][key]
        ]
        _sheet(workbook, title, [_("Item"), _("Filed")], rows)
    _sheet(
        workbook,
        _("Resolved by kind"),
        [_("Kind"), _("Resolved")],
        [[label_of(r["key"], kinds), r["count"]] for r in figures["resolved_by"]["kind"]],
    )
    _sheet(
        workbook,
        _("First-response time"),
        [_("From (service minutes)"), _("To (service minutes)"), _("Tickets")],
        [[b["from"], b["to"], b["count"]] for b in figures["histogram"]],
    )
    _sheet(
        workbook,
        _("Breaches"),
        [_("Ticket"), _("Subject"), _("Institution"), _("Deadline"), _("First response")],
        [
            [
                b["id"],
                b["subject"],
                b["institution__name"],
                b["first_response_due_at"],
                b["first_responded_at"],
            ]
            for b in figures["breach_list"]
        ],
    )
    if figures["quota"]:
        _sheet(
            workbook,
            _("Quota"),
            [_("Channel"), _("Allotment"), _("Used"), _("Runs out at the current pace")],
            [
                [
                    label_of(q["channel"], channels),
                    q["allotment"] if not q["unlimited"] else _("Unlimited"),
                    q["used"],
                    q["runs_out_on"],
                ]
                for q in figures["quota"]
            ],
        )
    _sheet(
        workbook,
        _("Satisfaction"),
        [_("Score"), _("Answers")],
        [[d["score"], d["count"]] for d in figures["satisfaction"]["distribution"]],
    )
    _sheet(
        workbook,
        _("Satisfaction by month"),
        [_("Month"), _("Average"), _("Answers")],
        [[t["month"], t["average"], t["responses"]] for t in figures["satisfaction"]["trend"]],
    )
    _sheet(
        workbook,
        _("Comments"),
        [_("Ticket"), _("Score"), _("Comment"), _("Answered at")],
        [
            [c["ticket_id"], c["score"], c["comment"], c["answered_at"]]
            for c in figures["satisfaction"]["comments"]
        ],
    )
    _sheet(
        workbook,
        _("Development items"),
        [_("State"), _("Items")],
        [[label_of(s, states), n] for s, n in figures["development_items"]["by_state"].items()],
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def report_pdf(context: dict) -> bytes:
    figures = context["figures"]
    context = {
        **context,
        "charts": [
            {**chart, "src": charts.chart_data_uri(chart["name"], figures)} for chart in context["charts"]
        ],
    }
    return template_pdf("reports/report_pdf.html", context)


def report_file_response(*, fmt: str, context: dict, request) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    content = report_pdf(context) if fmt == "pdf" else report_workbook(context)
    period = context["period"]
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"report-{period.first.isoformat()}-{period.last.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def vendor_workbook(context: dict) -> bytes:
    """The institution report's sheets over the vendor's scope, and the vendor's own tables."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(report_workbook(context)))
    channels = context["channels"]
    _sheet(
        workbook,
        _("Quota by package"),
        [_("Package"), _("Channel"), _("Contracts"), _("Allotment"), _("Unlimited contracts"), _("Used")],
        [
            [
                q["package"],
                label_of(q["channel"], channels),
                q["contracts"],
                q["allotment"],
                q["unlimited"],
                q["used"],
            ]
            for q in context["quota_by_package"]
        ],
    )
    development = context["development"]
    _sheet(
        workbook,
        _("Open development items"),
        [_("Product"), _("Open items")],
        [[r["product__name"] or _("No product"), r["count"]] for r in development["open_by_product"]]
        + [
            [_("Median days from the first report to the plan"), development["days_to_plan"]],
            [_("Median days from the first report to the release"), development["days_to_release"]],
        ],
    )
    _sheet(
        workbook,
        _("Engineers"),
        [
            _("Engineer"),
            _("Resolved"),
            _("First response, median (service minutes)"),
            _("Breaches"),
            _("Satisfaction (average of 5)"),
            _("Survey answers"),
        ],
        [
            [e["engineer"], e["resolved"], e["median"], e["breaches"], e["satisfaction"], e["responses"]]
            for e in context["engineers"]
        ],
    )
    _sheet(
        workbook,
        _("Institutions by breaches"),
        [_("Institution"), _("Breaches"), _("Filed")],
        [[r["institution__name"], r["breaches"], r["filed"]] for r in context["ranked_by_breaches"]],
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def vendor_file_response(*, fmt: str, context: dict) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    if fmt == "pdf":
        figures = context["figures"]
        charts_context = {
            **context,
            "charts": [{**c, "src": charts.chart_data_uri(c["name"], figures)} for c in context["charts"]],
        }
        content = template_pdf("reports/vendor_report_pdf.html", charts_context)
    else:
        content = vendor_workbook(context)
    period = context["period"]
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"vendor-report-{period.first.isoformat()}-{period.last.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
