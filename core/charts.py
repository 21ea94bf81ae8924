"""What every chart of the portal shares (pygal, drawn on the server as SVG): the look, whole-number
axes for counts, numbers in the reader's language, one title, and a compact empty state.

A chart is shown as an image under its own heading (the page's figcaption), so the picture draws
no title of its own: the SVG's <title> carries the chart's name for whoever opens the image alone.
Numbers go through Django's localisation (`django.utils.formats.number_format` with grouping), so
Turkish reads "12.500" and "3,5" and English "12,500" and "3.5"."""

import math
import re
from collections.abc import Iterable
from decimal import Decimal
from html import escape

from django.utils import formats
from pygal.style import Style

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
    no_data_font_size=16,
)
EMPTY_HEIGHT = 64
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_TITLE = re.compile(r"<title>.*?</title>", re.S)
_STEPS = (1, 2, 5)


def number(value, digits: int | None = None) -> str:
    """The value in the active language, thousands grouped: 12500 → "12.500", 3.25 → "3,3"
    (digits=1); a dash for None."""
    if value is None:
        return "—"
    if digits is None:
        digits = 0 if isinstance(value, int) or float(value).is_integer() else 1
    return formats.number_format(value, digits, use_l10n=True, force_grouping=True)


def money(value) -> str:
    """An amount in Turkish lira in the active language: 12500 → "12.500,00 TL"."""
    if value is None:
        return "—"
    return f"{number(Decimal(value), 2)}\u00a0TL"


def count_labels(values: Iterable) -> list[int]:
    """The axis of a count: whole numbers from 0 (or below, for a negative figure) past the
    largest value, at most six steps of 1, 2, 5, 10, 20, 50…"""
    figures = [v for v in values if v is not None]
    low, high = min([0, *figures]), max([0, *figures])
    span = max(high - low, 1)
    magnitude = 1
    while True:
        step = next((s * magnitude for s in _STEPS if span / (s * magnitude) <= 5), None)
        if step:
            break
        magnitude *= 10
    bottom = math.floor(low / step) * step
    top = max(math.ceil(high / step) * step, bottom + step)
    return list(range(int(bottom), int(top) + 1, int(step)))


def config(**overrides) -> dict:
    """pygal's settings every chart starts from: no title drawn (the page's heading is the title),
    no script, sized by its viewBox."""
    settings = {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 720,
        "height": 360,
        "show_legend": False,
        "print_values": False,
        "print_zeroes": False,
        "explicit_size": False,
        "x_label_rotation": 0,
        "truncate_label": 18,
        "value_formatter": number,
    }
    settings.update(overrides)
    return settings


def render(chart, title: str) -> str:
    """The chart's SVG, without pygal's script, its <title> the chart's name."""
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    return _TITLE.sub(f"<title>{escape(title)}</title>", svg, count=1)


def empty_svg(title: str, text: str, width: int = 720) -> str:
    """A one-line picture for a chart with nothing to draw, instead of pygal's large "no data"."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pygal-chart empty" viewBox="0 0 {width} {EMPTY_HEIGHT}" '
        f'role="img"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="{EMPTY_HEIGHT}" fill="#ffffff" stroke="#d9dee5"/>'
        f'<text x="16" y="{EMPTY_HEIGHT // 2 + 5}" font-family="DejaVu Sans, Arial, sans-serif" font-size="15" '
        f'fill="#52606d">{escape(text)}</text></svg>'
    )
