"""Server-side SVG charts of the performance report (pygal), served as images: the page shows each
with a title and the same figures as a table, so nothing depends on seeing the picture."""

import pygal
from django.utils.translation import gettext as _

from core import charts as drawing

from .selectors import Report

CHARTS = ("tickets", "usage")
# Tickets are counted: that chart's value axis runs in whole numbers; hours keep one decimal.
DIGITS = {"tickets": 0, "usage": 1}


def chart_title(name: str) -> str:
    return {"tickets": _("Tickets filed and resolved"), "usage": _("Product usage (hours)")}[name]


def chart_series(report: Report, name: str) -> list[tuple[str, list]]:
    """The chart's series as (label, one value per row): the page's table shows the same."""
    if name == "tickets":
        return [
            (_("Filed"), [row.tickets["filed"] for row in report.rows]),
            (_("Resolved"), [row.tickets["resolved"] for row in report.rows]),
        ]
    return [(_("Hours"), [row.usage["hours"] for row in report.rows])]


def chart_svg(report: Report, name: str) -> bytes:
    title = chart_title(name)
    if not report.rows:
        return drawing.empty_svg(title, _("Nobody to show for this period."), width=640).encode()
    series = chart_series(report, name)
    values = [value for _label, figures in series for value in figures]
    digits = DIGITS[name]
    settings = drawing.config(
        width=640,
        height=max(220, 60 + 36 * len(report.rows)),
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        value_formatter=lambda value: drawing.number(value, digits),
    )
    if digits == 0:
        settings["y_labels"] = drawing.count_labels(values)
    chart = pygal.HorizontalBar(**settings)
    chart.x_labels = [row.label for row in report.rows]
    for label, figures in series:
        chart.add(label, figures)
    return drawing.render(chart, title).encode()
