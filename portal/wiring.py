"""Functions the composition layer lends one app on behalf of another (see PortalConfig.ready)."""

import datetime

from django.utils.translation import gettext as _

from organizations.models import Institution, User
from performance.monthly import monthly_section
from reports.extras import ReportSection
from reports.services.surveys import survey_link_for
from tickets.models import Ticket


def survey_email_link(ticket: Ticket, recipient: User | None) -> tuple[str, str] | None:
    """The satisfaction survey's one-click link in the e-mail telling the requester of the
    resolution; nothing for anyone else or once it is answered."""
    url = survey_link_for(ticket, recipient)
    return (_("How satisfied are you with the answer? Tell us in one click"), url) if url else None


def performance_report_section(
    *, institution: Institution, period_start: datetime.date, period_end: datetime.date, language: str
) -> ReportSection | None:
    """The performance part of the monthly report e-mail (Premium and Premium+): a summary per unit
    and the per-person report as a PDF attachment."""
    found = monthly_section(institution=institution, period_start=period_start, period_end=period_end, language=language)
    if found is None:
        return None
    text, attachments = found
    return ReportSection(text=text, attachments=attachments)
