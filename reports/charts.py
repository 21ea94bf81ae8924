"""The report's charts, drawn on the server by pygal as SVG, so that the page, the PDF and the
e-mail show the same pictures.

pygal writes its look as a <style> element and its configuration as a <script> inside the SVG.
Inlined in the page, both would need 'unsafe-inline' in the Content Security Policy; so the page
shows each chart through <img src> from its own address (an SVG loaded as an image never runs
scripts, and its stylesheet is its own document's), and the script is removed anyway. The PDF
embeds the same SVG as a data: address. Every chart comes with a title, a description and, on the
page, a table of its figures for screen readers."""

import base64
import datetime

import pygal
from django.utils import formats
from django.utils.translation import gettext as _

from core import charts as drawing
from packages.models import Channel
from tickets.models import DevelopmentItem, Ticket

STYLE = drawing.STYLE
# The charts whose figures are counts: their value axis runs in whole numbers.
COUNTS = ("filed-by-kind", "filed-by-channel", "first-response", "satisfaction", "development", "quota")


def _month(month: datetime.date) -> str:
    """A month as the reader's language writes it ("Kas 2026"), the same on the axis and in the table."""
    return formats.date_format(month, "M Y")


def _empty(title: str) -> str:
    return drawing.empty_svg(title, _("No data for this period."))


def _bar(title: str, rows: list[tuple[str, float | int | None]]) -> str:
    values = [value or 0 for _label, value in rows]
    if not rows:
        return _empty(title)
    chart = pygal.Bar(**drawing.config(print_values=True, y_labels=drawing.count_labels(values)))
    chart.x_labels = [label for label, _value in rows]
    chart.add(title, values)
    return drawing.render(chart, title)


def _line(
    title: str,
    labels: list[str],
    series: dict[str, list],
    *,
    legend: bool = False,
    y_labels=None,
    digits=None,
) -> str:
    if not labels or not any(v is not None for values in series.values() for v in values):
        return _empty(title)
    settings = drawing.config(
        show_legend=legend,
        legend_at_bottom=True,
        dots_size=4,
        y_labels=y_labels or drawing.count_labels(v for values in series.values() for v in values),
        value_formatter=lambda value: drawing.number(value, 0 if float(value).is_integer() else digits),
    )
    chart = pygal.Line(**settings)
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return drawing.render(chart, title)


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
            "rows": [(_month(t["month"]), t["average"]) for t in figures["satisfaction"]["trend"]],
        },
        "development": {
            "title": _("Development items by state"),
            "description": _("What became of the bug reports and feature requests filed in the period."),
            "rows": [(states[s], n) for s, n in figures["development_items"]["by_state"].items()],
        },
    }
    burn_down = quota_burn_down(figures.get("quota") or [])
    if burn_down["series"]:
        tables["quota"] = {
            "title": _("Quota remaining over the contract year"),
            "description": _("What is left of each limited channel's allotment at the end of each month."),
            "rows": [
                (f"{channel} · {label}", value)
                for channel, values in burn_down["series"].items()
                for label, value in zip(burn_down["labels"], values, strict=True)
            ],
            "burn_down": burn_down,
        }
    return tables


def quota_burn_down(quota: list[dict]) -> dict:
    """Each limited channel's remainder from the start of the contract year (the whole allotment)
    to the end of every month that saw use, carried forward through months without use — so every
    channel is a line across the same months, not a lone point."""
    channel_labels = _labels(Channel.choices)
    limited = [q for q in quota if q["allotment"] is not None]
    months = sorted({b["month"] for q in limited for b in q["burn_down"]})
    labels = [_("Start"), *(_month(m) for m in months)]
    series = {}
    for q in limited:
        remaining = {b["month"]: b["remaining"] for b in q["burn_down"]}
        values, left = [q["allotment"]], q["allotment"]
        for month in months:
            left = remaining.get(month, left)
            values.append(left)
        series[channel_labels.get(q["channel"], q["channel"])] = values
    return {"labels": labels, "series": series}


def chart_svg(name: str, figures: dict) -> str | None:
    tables = chart_tables(figures)
    if name not in tables:
        return None
    table = tables[name]
    if name == "satisfaction-trend":
        return _line(
            table["title"],
            [r[0] for r in table["rows"]],
            {table["title"]: [r[1] for r in table["rows"]]},
            y_labels=[1, 2, 3, 4, 5],
            digits=2,
        )
    if name == "quota":
        burn_down = table["burn_down"]
        return _line(table["title"], burn_down["labels"], burn_down["series"], legend=True)
    return _bar(table["title"], table["rows"])


def chart_data_uri(name: str, figures: dict) -> str:
    svg = chart_svg(name, figures) or ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
