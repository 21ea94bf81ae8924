"""The report's charts read as SVG: whole numbers on the axis of a count, numbers and months in the
reader's language, one title, a compact empty state, and every series of the legend drawn."""

import datetime

import pytest
from django.utils import translation

from reports.charts import chart_svg, chart_tables
from tests import svg

COUNT_CHARTS = ("filed-by-kind", "filed-by-channel", "first-response", "satisfaction", "development")


def _quota(channel, allotment, *used):
    """A channel's quota with the units used in November and December 2026 (0 for a month without use)."""
    burn, running = [], 0
    for month, units in zip((datetime.date(2026, 11, 1), datetime.date(2026, 12, 1)), used, strict=False):
        if units:
            running += units
            burn.append({"month": month, "used": running, "remaining": allotment - running})
    return {
        "channel": channel,
        "allotment": allotment,
        "unlimited": False,
        "used": running,
        "burn_down": burn,
    }


def _figures(**changes) -> dict:
    figures = {
        "filed_by": {"kind": [{"key": "question", "count": 1}], "channel": [{"key": "written", "count": 1}]},
        "histogram": [{"from": 0, "to": 30, "count": 1}, {"from": 30, "to": None, "count": 0}],
        "satisfaction": {
            "distribution": [{"score": s, "count": 1 if s == 5 else 0} for s in range(1, 6)],
            "trend": [{"month": datetime.date(2026, 11, 1), "average": 4.5}],
        },
        "development_items": {"by_state": {"received": 1}},
        "quota": [
            _quota("written", 12500, 40, 0),
            _quota("phone", 20, 3, 2),
            _quota("remote", 10, 0, 1),
            _quota("onsite_days", 4, 0, 0),
            _quota("workshops", 2, 0, 0),
        ],
    }
    figures.update(changes)
    return figures


@pytest.fixture
def turkish():
    with translation.override("tr"):
        yield


@pytest.mark.parametrize("name", COUNT_CHARTS)
def test_a_count_of_one_has_whole_numbers_on_its_axis(turkish, name):
    # when a chart of counts whose largest figure is 1 is drawn
    picture = chart_svg(name, _figures())
    # then its axis reads 0 and 1, not 0, 0.1 … 1
    labels = svg.value_axis_labels(picture)
    assert labels == ["0", "1"]


def test_large_counts_are_grouped_the_turkish_way(turkish):
    # given
    figures = _figures(filed_by={"kind": [{"key": "question", "count": 12500}], "channel": []})
    # when
    picture = chart_svg("filed-by-kind", figures)
    # then the axis steps in whole thousands with a dot, and the bar's figure reads 12.500
    labels = svg.value_axis_labels(picture)
    assert labels and all(svg.is_whole_number(label) for label in labels)
    assert "10.000" in labels
    assert ">12.500<" in picture


@pytest.mark.parametrize("name", [*COUNT_CHARTS, "satisfaction-trend", "quota"])
def test_every_chart_has_one_title_its_own(turkish, name):
    # given
    title = chart_tables(_figures())[name]["title"]
    # when
    picture = chart_svg(name, _figures())
    # then the picture names itself once and draws no title over the plot (the page's heading does)
    assert svg.titles(picture) == [title]


def test_a_chart_with_nothing_to_show_is_one_compact_line(turkish):
    # when
    picture = chart_svg("filed-by-kind", _figures(filed_by={"kind": [], "channel": []}))
    # then
    assert "Bu dönem için veri yok." in picture
    assert 'viewBox="0 0 720 64"' in picture
    assert svg.titles(picture) == ["Türe göre açılan talepler"]


def test_quota_burn_down_draws_a_line_for_every_channel_of_its_legend(turkish):
    # when five limited channels, three of them used, are drawn
    picture = chart_svg("quota", _figures())
    # then the legend lists five channels and each is a line across the months, from the start
    legend = svg.legend(picture)
    assert len(legend) == 5
    assert svg.drawn_series(picture) == [0, 1, 2, 3, 4]
    assert svg.value_axis_labels(picture) and all(
        svg.is_whole_number(x) for x in svg.value_axis_labels(picture)
    )
    assert "Kas 2026" in picture and "Ara 2026" in picture and "2026-11" not in picture


def test_quota_table_carries_the_remainder_forward_through_months_without_use(turkish):
    # when
    rows = dict(chart_tables(_figures())["quota"]["rows"])
    # then the remote channel, unused in November, still has its whole allotment then
    assert [rows[f"Canlı uzaktan destek · {month}"] for month in ("Başlangıç", "Kas 2026", "Ara 2026")] == [
        10,
        10,
        9,
    ]


def test_satisfaction_trend_reads_its_average_with_a_decimal_comma(turkish):
    # when
    picture = chart_svg("satisfaction-trend", _figures())
    # then the axis is the scale 1 to 5 and the point's figure is 4,50
    assert svg.value_axis_labels(picture) == ["1", "2", "3", "4", "5"]
    assert "4,50" in picture
