"""Sections other apps add to the monthly report e-mail, without this app importing them.

An app of the same layer (the performance report of `performance`, say) cannot be imported from
here; the composition layer (`portal`) registers a function instead:

    report_section_register(performance_report_section)

`section(institution=…, period_start=…, period_end=…, language=…)` returns a ReportSection — a
plain-text fragment for the e-mail's body and files to attach — or None when it has nothing for
that institution (a package without the feature, say). It renders in `language`."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from organizations.models import Institution


@dataclass(frozen=True)
class ReportSection:
    text: str
    # (file name, content, MIME type), as EmailMessage.attach takes them
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


ReportSectionProvider = Callable[..., ReportSection | None]

_SECTIONS: list[ReportSectionProvider] = []


def report_section_register(section: ReportSectionProvider) -> None:
    """Add a section to every monthly report e-mail (once per function, however often called)."""
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def report_section_unregister(section: ReportSectionProvider) -> None:
    if section in _SECTIONS:
        _SECTIONS.remove(section)


def report_sections(
    *, institution: Institution, period_start: datetime.date, period_end: datetime.date, language: str
) -> list[ReportSection]:
    """The registered sections that have something for this institution and period, in the
    order they were registered."""
    found = (
        section(institution=institution, period_start=period_start, period_end=period_end, language=language)
        for section in _SECTIONS
    )
    return [section for section in found if section is not None]


# --- Questions answered before a ticket was filed -------------------------------------------------
# The suggestions (learning) record a deflection when a customer says an answer helped; the
# composition layer registers how they are counted:
#     deflection_source_register(learning.selectors.deflection_counts_by_month)
# `source(institution_id=…, starts_at=…, ends_at=…)` returns {first day of a month: count};
# institution_id None counts every institution (the vendor's report).

DeflectionSource = Callable[..., dict]

_DEFLECTION_SOURCES: list[DeflectionSource] = []


def deflection_source_register(source: DeflectionSource) -> None:
    if source not in _DEFLECTION_SOURCES:
        _DEFLECTION_SOURCES.append(source)


def deflection_counts(
    *, institution_id: int | None, starts_at: datetime.datetime, ends_at: datetime.datetime
) -> dict[datetime.date, int] | None:
    """Deflections per month from the registered sources; None when none is registered."""
    if not _DEFLECTION_SOURCES:
        return None
    total: dict[datetime.date, int] = {}
    for source in _DEFLECTION_SOURCES:
        for month, count in source(
            institution_id=institution_id, starts_at=starts_at, ends_at=ends_at
        ).items():
            total[month] = total.get(month, 0) + count
    return total
