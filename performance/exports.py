"""The performance report as files, the same rows as the page: an XLSX workbook (openpyxl) and a
PDF (WeasyPrint through slaportal.pdf, as the institution report; the charts drawn in it are the
page's SVG charts)."""

import base64
import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from organizations.models import Institution
from slaportal.pdf import template_pdf

from .charts import CHARTS, chart_svg, chart_title
from .selectors import Report


def report_columns(report: Report) -> list[str]:
    return [
        _("Name"),
        _("Tickets filed"),
        _("Tickets resolved"),
        _("First response in time"),
        _("First response late"),
        _("First response pending"),
        _("Written"),
        _("Phone"),
        _("Remote"),
        _("On-site"),
        _("Active days"),
        _("Hours"),
        _("Sessions"),
        _("Feature uses"),
        _("Top features"),
        _("Versions in use"),
        *[label for _key, label in report.figure_columns],
    ]


def report_values(report: Report) -> list[list]:
    lines = []
    for row in report.rows:
        tickets, usage = row.tickets, row.usage
        lines.append(
            [
                row.label,
                tickets["filed"],
                tickets["resolved"],
                tickets["first_response"]["met"],
                tickets["first_response"]["missed"],
                tickets["first_response"]["pending"],
                tickets["channels"]["written"],
                tickets["channels"]["phone"],
                tickets["channels"]["remote"],
                tickets["channels"]["onsite"],
                usage["active_days"],
                usage["hours"],
                usage["sessions"],
                usage["feature_uses"],
                row.features_text,
                row.versions_text,
                *[row.figures[key] for key, _label in report.figure_columns],
            ]
        )
    return lines


def report_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Performance")[:31]
    sheet.append([_("Performance report"), f"{report.start.isoformat()} – {report.end.isoformat()}"])
    sheet.append([])
    sheet.append(report_columns(report))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for line in report_values(report):
        sheet.append(line)
    sheet.freeze_panes = "B4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chart_src(report: Report, name: str) -> str:
    svg = chart_svg(report, name)
    svg = svg if isinstance(svg, bytes) else svg.encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def report_pdf(report: Report, *, institution: Institution, language: str | None = None) -> bytes:
    """The report as a PDF in `language` (by default the active one): the table and the charts,
    each chart followed by its figures."""
    with translation.override(language or translation.get_language()):
        context = {"report": report, "institution": institution, "charts": _charts(report)}
        return template_pdf("performance/report_pdf.html", context)


def _charts(report: Report) -> list[dict]:
    return [{"name": name, "title": chart_title(name), "src": _chart_src(report, name)} for name in CHARTS]
