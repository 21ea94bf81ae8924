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
