"""The report's charts, drawn on the server by pygal as SVG, so that the page, the PDF and the
e-mail show the same pictures.

pygal writes its look as a <style> element and its configuration as a <script> inside the SVG.
Inlined in the page, both would need 'unsafe-inline' in the Content Security Policy; so the page
shows each chart through <img src> from its own address (an SVG loaded as an image never runs
scripts, and its stylesheet is its own document's), and the script is removed anyway. The PDF
embeds the same SVG as a data: address. Every chart comes with a title, a description and, on the
page, a table of its figures for screen readers."""

import base64
import re

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from packages.models import Channel
from tickets.models import DevelopmentItem, Ticket

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c"),
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    value_font_size=13,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _config(title: str) -> dict:
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 720,
        "height": 360,
        "show_legend": False,
        "print_values": True,
        "print_zeroes": False,
        "no_data_text": _("No data"),
        "explicit_size": False,
        "x_label_rotation": 0,
        "truncate_label": 18,
    }


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _bar(title: str, rows: list[tuple[str, float | int | None]]) -> str:
    chart = pygal.Bar(**_config(title))
    chart.x_labels = [label for label, _value in rows]
    chart.add(title, [value or 0 for _label, value in rows])
    return _render(chart)


def _line(title: str, labels: list[str], series: dict[str, list], legend: bool = False) -> str:
    config = _config(title)
    config.update(show_legend=legend, legend_at_bottom=True, print_values=False, dots_size=4)
    chart = pygal.Line(**config)
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return _render(chart)


def _labels(choices) -> dict:
    return {value: str(label) for value, label in choices}


def chart_tables(figures: dict) -> dict[str, dict]:
    """Each chart's title, description and rows (label, figure): the data table beside the chart,
    and what the SVG is drawn from."""
    kinds, channels = _labels(Ticket.Kind.choices), _labels(Channel.choices)
    states = _labels(DevelopmentItem.State.choices)
    tables = {
        "filed-by-kind": {
            "title": _("Tickets filed by kind"),
            "description": _("How many tickets were filed in the period, per kind."),
            "rows": [(kinds.get(r["key"], r["key"]), r["count"]) for r in figures["filed_by"]["kind"]],
        },
        "filed-by-channel": {
            "title": _("Tickets filed by channel"),
            "description": _("How many tickets were filed in the period, per channel they came in by."),
            "rows": [(channels.get(r["key"], r["key"]), r["count"]) for r in figures["filed_by"]["channel"]],
        },
        "first-response": {
            "title": _("First-response time (service minutes)"),
            "description": _(
                "How many answered tickets had their first response within each band of service minutes."
            ),
            "rows": [
                (f"{b['from']}–{b['to']}" if b["to"] is not None else f"{b['from']}+", b["count"])
                for b in figures["histogram"]
            ],
        },
        "satisfaction": {
            "title": _("Satisfaction scores"),
            "description": _("How many answers gave each score from 1 to 5."),
            "rows": [(str(d["score"]), d["count"]) for d in figures["satisfaction"]["distribution"]],
        },
        "satisfaction-trend": {
            "title": _("Satisfaction by month"),
            "description": _("The average score of the answers given each month."),
            "rows": [(t["month"].strftime("%Y-%m"), t["average"]) for t in figures["satisfaction"]["trend"]],
        },
        "development": {
            "title": _("Development items by state"),
            "description": _("What became of the bug reports and feature requests filed in the period."),
            "rows": [(states[s], n) for s, n in figures["development_items"]["by_state"].items()],
        },
    }
    if figures.get("quota"):
        months = sorted({b["month"] for q in figures["quota"] for b in q["burn_down"]})
        channel_labels = _labels(Channel.choices)
        tables["quota"] = {
            "title": _("Quota remaining over the contract year"),
            "description": _("What is left of each limited channel's allotment at the end of each month."),
            "rows": [
                (f"{channel_labels.get(q['channel'], q['channel'])} · {b['month']:%Y-%m}", b["remaining"])
                for q in figures["quota"]
                if q["allotment"] is not None
                for b in q["burn_down"]
            ],
            "months": months,
        }
    return tables


def chart_svg(name: str, figures: dict) -> str | None:
    tables = chart_tables(figures)
    if name not in tables:
        return None
    table = tables[name]
    if name == "satisfaction-trend":
        return _line(
            table["title"], [r[0] for r in table["rows"]], {table["title"]: [r[1] for r in table["rows"]]}
        )
    if name == "quota":
        months = table["months"]
        series = {}
        channel_labels = _labels(Channel.choices)
        for q in figures["quota"]:
            if q["allotment"] is None:
                continue
            remaining = {b["month"]: b["remaining"] for b in q["burn_down"]}
            series[channel_labels.get(q["channel"], q["channel"])] = [remaining.get(m) for m in months]
        return _line(table["title"], [m.strftime("%Y-%m") for m in months], series, legend=True)
    return _bar(table["title"], table["rows"])


def chart_data_uri(name: str, figures: dict) -> str:
    svg = chart_svg(name, figures) or ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
