"""The performance report as an XLSX workbook (openpyxl), the same rows as the page."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

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
                ", ".join(f"{f['product']}/{f['feature']} ({f['uses']})" for f in usage["top_features"]),
                ", ".join(f"{v['product']} {v['version']}" for v in usage["versions"]),
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
