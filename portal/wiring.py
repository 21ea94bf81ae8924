"""Functions the composition layer lends one app on behalf of another (see PortalConfig.ready)."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from learning.models import Registration
from notifications.models import Kind
from notifications.selectors import language_for
from notifications.services.push import PushRequest, push_request_many
from organizations.models import Institution, User
from performance.monthly import monthly_section
from reports.extras import ReportSection
from reports.services.surveys import survey_link_for, survey_question_links
from tickets.models import Ticket

SCORE_WORDS = {
    1: lambda: _("very dissatisfied"),
    2: lambda: _("dissatisfied"),
    3: lambda: _("neither"),
    4: lambda: _("satisfied"),
    5: lambda: _("very satisfied"),
}


def survey_email_link(ticket: Ticket, recipient: User | None) -> list[tuple[str, str]]:
    """The satisfaction question in the e-mail telling the requester of the resolution: one
    link per score, each opening the survey with that score pre-selected; nothing for anyone
    else or once it is answered. This e-mail is the question; reports sends only a reminder."""
    return [
        (
            _("Rate the answer %(score)s of 5 (%(words)s)") % {"score": score, "words": SCORE_WORDS[score]()},
            url,
        )
        for score, url in survey_question_links(ticket, recipient)
    ]


def performance_report_section(
    *, institution: Institution, period_start: datetime.date, period_end: datetime.date, language: str
) -> ReportSection | None:
    """The performance part of the monthly report e-mail (Premium and Premium+): a summary per unit
    and the per-person report as a PDF attachment."""
    found = monthly_section(
        institution=institution, period_start=period_start, period_end=period_end, language=language
    )
    if found is None:
        return None
    text, attachments = found
    return ReportSection(text=text, attachments=attachments)


def survey_push_link(ticket: Ticket, recipient: User) -> str | None:
    """A push telling the requester of the resolution opens the survey (nothing pre-selected)."""
    return survey_link_for(ticket, recipient)


def training_reminder_push(registration: Registration, kind: str) -> None:
    """Push a training reminder to the person's devices, beside its e-mail, in their language."""
    training = registration.training
    with translation.override(language_for(person_id=registration.person_id)):
        starts = formats.date_format(timezone.localtime(training.starts_at), "DATETIME_FORMAT")
        if kind == "24h":
            body = _("Tomorrow at %(starts)s (Istanbul time).") % {"starts": starts}
        else:
            body = _("Starting within the hour, at %(starts)s (Istanbul time).") % {"starts": starts}
        push_request_many(
            requests=[
                PushRequest(
                    recipient_id=registration.person_id,
                    cause=f"training-reminder:{registration.pk}:{kind}",
                    kind=Kind.TRAINING_REMINDER,
                    title=training.title,
                    body=body,
                    url=settings.SITE_URL.rstrip("/") + reverse("learning-training", args=[training.pk]),
                )
            ]
        )
