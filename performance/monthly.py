"""The performance part of the institution's monthly report e-mail (sent by `reports`, which
portal wires this into): a summary per unit in the body and the per-person report as a PDF."""

import datetime

from django.template.loader import render_to_string
from django.utils import translation

from organizations.models import Institution
from packages.permissions import performance_tracking_lock

from .exports import report_pdf
from .selectors import performance_report_institution


def monthly_section(
    *, institution: Institution, period_start: datetime.date, period_end: datetime.date, language: str
) -> tuple[str, list[tuple[str, bytes, str]]] | None:
    """The body's fragment and the attachment (`performance-YYYY-MM.pdf`) for the whole
    institution, in `language`; None when its package has no performance tracking."""
    if performance_tracking_lock(institution) is not None:
        return None
    with translation.override(language):
        return _section(institution, period_start, period_end)


def _section(institution, period_start, period_end):
    # Built in the language: the labels of the rows ("No unit") and the columns are translated.
    units = performance_report_institution(
        institution=institution, group_by="unit", start=period_start, end=period_end
    )
    people = performance_report_institution(
        institution=institution, group_by="person", start=period_start, end=period_end
    )
    rows = units.rows
    totals = {
        "people": len(people.rows),
        "filed": sum(row.tickets["filed"] for row in rows),
        "resolved": sum(row.tickets["resolved"] for row in rows),
        "active_days": sum(row.usage["active_days"] for row in rows),
        "hours": round(sum(row.usage["hours"] for row in rows), 1),
        "sessions": sum(row.usage["sessions"] for row in rows),
    }
    name = f"performance-{period_start:%Y-%m}.pdf"
    text = render_to_string(
        "performance/email/monthly_section.txt",
        {
            "institution": institution,
            "totals": totals,
            "lines": [
                (row, [(label, row.figures[key]) for key, label in units.figure_columns]) for row in rows
            ],
            "attachment": name,
        },
    )
    return text, [(name, report_pdf(people, institution=institution), "application/pdf")]
