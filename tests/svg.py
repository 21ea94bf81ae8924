"""Reading a pygal chart's SVG as a reader would: its title, the labels on its value axis, its
legend, and what each series draws."""

import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def parse(svg: str | bytes):
    return ET.fromstring(svg if isinstance(svg, bytes) else svg.encode())


def titles(svg) -> list[str]:
    """The chart's title: the SVG's own <title> and any title text drawn on the picture."""
    root = parse(svg)
    own = [t.text for t in root.findall(f"{NS}title")]
    drawn = [
        t.text for g in root.iter(f"{NS}g") if "titles" in _classes(g) for t in g.iter(f"{NS}text") if t.text
    ]
    return own + drawn


def value_axis_labels(svg, axis: str = "y") -> list[str]:
    """The labels along the axis of values (`y`; `x` for a horizontal bar chart)."""
    root = parse(svg)
    for g in root.iter(f"{NS}g"):
        classes = _classes(g)
        if "axis" in classes and axis in classes:
            return [t.text for t in g.iter(f"{NS}text") if t.text]
    return []


def legend(svg) -> list[str]:
    root = parse(svg)
    return [
        t.text for g in root.iter(f"{NS}g") if "legend" in _classes(g) for t in g.iter(f"{NS}text") if t.text
    ]


def drawn_series(svg) -> list[int]:
    """The index of every series with something drawn in the plot: a line through two points or
    more, or a bar."""
    root = parse(svg)
    plot = next(g for g in root.iter(f"{NS}g") if _classes(g) == ["plot"])
    drawn = set()
    for g in plot.iter(f"{NS}g"):
        classes = _classes(g)
        if "series" not in classes:
            continue
        index = int(next(c for c in classes if c.startswith("serie-")).split("-")[1])
        lines = [p for p in g.iter(f"{NS}path") if "line" in _classes(p) and " L" in (p.get("d") or "")]
        bars = [r for r in g.iter(f"{NS}rect") if "rect" in _classes(r)]
        if lines or bars:
            drawn.add(index)
    return sorted(drawn)


def is_whole_number(label: str, thousands: str = ".") -> bool:
    return label.lstrip("-").replace(thousands, "").isdigit()
