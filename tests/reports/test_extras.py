import datetime

import pytest

from reports.extras import ReportSection, report_section_register, report_section_unregister, report_sections
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_sections_are_asked_in_order_and_those_with_nothing_left_out():
    # given: two sections, one of which has nothing for this institution, registered twice
    institution = InstitutionFactory()
    calls = []

    def first(**kwargs):
        calls.append(kwargs)
        return ReportSection(text="bir")

    def nothing(**kwargs):
        return None

    for section in (first, nothing, first):
        report_section_register(section)
    try:
        # when
        found = report_sections(
            institution=institution,
            period_start=datetime.date(2026, 10, 1),
            period_end=datetime.date(2026, 10, 31),
            language="en",
        )
    finally:
        report_section_unregister(first)
        report_section_unregister(nothing)
    # then
    assert [section.text for section in found if section.text == "bir"] == ["bir"]
    assert calls[0] == {
        "institution": institution,
        "period_start": datetime.date(2026, 10, 1),
        "period_end": datetime.date(2026, 10, 31),
        "language": "en",
    }
