"""Numbers and amounts in the reader's language (core/charts.py, `{% load formats_ui %}`)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.charts import count_labels, money, number


@pytest.mark.parametrize(
    ("language", "amount", "count", "hours"),
    [("tr", "12.500,00\u00a0TL", "12.500", "3,5"), ("en", "12,500.00\u00a0TL", "12,500", "3.5")],
)
def test_amounts_and_figures_follow_the_active_language(language, amount, count, hours):
    # when
    with translation.override(language):
        written = (money(Decimal("12500")), number(12500), number(3.5, 1))
    # then
    assert written == (amount, count, hours)


def test_templates_write_amounts_with_the_filter():
    # given
    template = Template("{% load formats_ui %}{{ total|money }} · {{ missing|money }} · {{ rate|number:2 }}")
    # when
    with translation.override("tr"):
        text = template.render(Context({"total": Decimal("12500.5"), "missing": None, "rate": 1500}))
    # then
    assert text == "12.500,50\u00a0TL · — · 1.500,00"


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([], [0, 1]),
        ([1], [0, 1]),
        ([3], [0, 1, 2, 3]),
        ([16], [0, 5, 10, 15, 20]),
        ([-2, 7], [-2, 0, 2, 4, 6, 8]),
    ],
)
def test_a_count_axis_is_whole_numbers_in_at_most_six_steps(values, labels):
    # then
    assert count_labels(values) == labels
