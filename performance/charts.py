"""Server-side SVG charts of the performance report (pygal), served as images: the page shows each
with a title and the same figures as a table, so nothing depends on seeing the picture."""

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from .selectors import Report

# Colours with enough contrast on white for the bars next to each other.
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1f5fa8", "#b4540a", "#2f7d32", "#7b2f9e"),
    font_family="system-ui, sans-serif",
)

CHARTS = ("tickets", "usage")


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
    chart = pygal.HorizontalBar(
        style=STYLE,
        js=[],
        width=640,
        height=max(220, 60 + 36 * len(report.rows)),
        legend_at_bottom=True,
        print_values=False,
        no_data_text=_("No data"),
    )
    chart.title = chart_title(name)
    chart.x_labels = [row.label for row in report.rows]
    for label, values in chart_series(report, name):
        chart.add(label, values)
    return chart.render()
