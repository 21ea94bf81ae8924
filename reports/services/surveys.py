"""Satisfaction surveys: one question per resolution of a ticket, asked of its requester.

Tickets know nothing of surveys (reports sits above tickets). A survey row is made from the
ticket's history — the `status_changed` event to `resolved` — in two ways that agree through the
unique resolution event: the periodic sweep (survey_sync), which reads the history by primary key
from a cursor, and survey_for_ticket, which the ticket page, the API and
the e-mail link call so that a survey is there the moment a ticket is resolved, sweep or not.

The e-mail link is signed (django.core.signing, SECRET_KEY) and carries the survey's id; it is
refused after SURVEY_DAYS and whenever the signature does not match.

One e-mail asks: the notifications app's resolution e-mail, to which the composition layer adds
the score links (survey_question_links, which marks the survey asked). Reports itself sends only
the one reminder, REMINDER_DAYS later if still unanswered, through the outbox and marked
on the row in the same transaction (reminded_at), so a repeated sweep sends nothing twice; it is
written in the requester's language (core.languages)."""

import datetime
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.languages import email_language
from core.outbox import outbox_enqueue_many, outbox_message
from organizations.models import User
from organizations.permissions import is_desk
from tickets.figures import first_response_met
from tickets.models import Ticket, TicketEvent

from ..models import Survey, SurveyScanCursor

logger = logging.getLogger(__name__)

SURVEY_DAYS = 30
REMINDER_DAYS = 3
SWEEP_BATCH = 2000
# Events younger than this are read again on the next pass: an event row becomes visible only
# when its transaction commits, so a smaller id may still appear behind a larger one for as long
# as a ticket transaction can last.
CURSOR_LAG = datetime.timedelta(minutes=2)
SIGNING_SALT = "reports.survey"
ANSWERABLE_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
SCORES = (1, 2, 3, 4, 5)


class SurveyError(Exception):
    code = "survey_error"

    def message(self) -> str:
        raise NotImplementedError


class SurveyAlreadyAnswered(SurveyError):
    code = "survey_answered"

    def message(self) -> str:
        return _("This resolution has already been rated. Thank you!")


class SurveyExpired(SurveyError):
    code = "survey_expired"

    def message(self) -> str:
        return _("This survey is closed: it could be answered for %(days)s days after the resolution.") % {
            "days": SURVEY_DAYS
        }


def _resolutions():
    return TicketEvent.objects.filter(kind=TicketEvent.Kind.STATUS_CHANGED, data__new=Ticket.Status.RESOLVED)


def _snapshot(ticket: Ticket, event: TicketEvent) -> Survey:
    """The survey of one resolution, with what its answer will be about (not saved)."""
    actor = event.actor
    engineer_id = actor.pk if actor is not None and is_desk(actor) else ticket.assignee_id
    met = first_response_met(ticket)
    return Survey(
        ticket=ticket,
        institution_id=ticket.institution_id,
        resolution_event=event,
        requester_id=ticket.requester_id,
        resolved_at=event.created_at,
        expires_at=event.created_at + datetime.timedelta(days=SURVEY_DAYS),
        engineer_id=engineer_id,
        first_response_met=met,
        package=ticket.subscription.package.code,
        product_id=ticket.product_id,
        resolution_minutes=max(0, int((event.created_at - ticket.created_at).total_seconds() // 60)),
    )


def _surveys_create(events: list[TicketEvent]) -> int:
    if not events:
        return 0
    tickets = {
        t.pk: t
        for t in Ticket.objects.filter(pk__in={e.ticket_id for e in events}).select_related(
            "subscription__package"
        )
    }
    rows = [_snapshot(tickets[e.ticket_id], e) for e in events if e.ticket_id in tickets]
    Survey.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def survey_for_ticket(*, ticket: Ticket) -> Survey | None:
    """The survey of the ticket's latest resolution (made now if the sweep has not got there
    yet), or None for a ticket never resolved. Harmless to repeat: the unique resolution event
    keeps one row however many callers race."""
    latest = _resolutions().filter(ticket_id=ticket.pk).select_related("actor").order_by("-pk").first()
    if latest is None:
        return None
    survey = Survey.objects.for_institution(ticket.institution_id).filter(resolution_event=latest).first()
    if survey is None:
        ticket = Ticket.objects.select_related("subscription__package").get(pk=ticket.pk)
        _surveys_create([latest])
        survey = Survey.objects.for_institution(ticket.institution_id).get(resolution_event=latest)
    return survey


def survey_state(*, survey: Survey, ticket: Ticket, now: datetime.datetime | None = None) -> str:
    """answered; expired once SURVEY_DAYS have passed or the ticket was reopened since; else pending."""
    now = now or timezone.now()
    if survey.answered_at is not None:
        return "answered"
    if now >= survey.expires_at or ticket.status not in ANSWERABLE_STATUSES:
        return "expired"
    return "pending"


def _clean_score(score) -> int:
    if isinstance(score, bool):
        score = None
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = None
    if value not in SCORES or str(score).strip() != str(value):
        raise ValidationError({"score": [_("Choose a score from 1 to 5.")]}, code="invalid")
    return value


def survey_answer(
    *,
    actor: User | None,
    survey: Survey,
    ticket: Ticket,
    score,
    comment: str = "",
    via: str,
    now: datetime.datetime | None = None,
) -> Survey:
    """Record the requester's answer. actor None means the signed e-mail link, which stands for
    the requester. Raises ValidationError for a score outside 1–5, PermissionDenied for anyone
    but the requester, SurveyExpired and SurveyAlreadyAnswered; a second answer changes nothing
    (the conditional UPDATE lets one through)."""
    now = now or timezone.now()
    value = _clean_score(score)
    comment = (comment or "").strip()
    if len(comment) > 4000:
        raise ValidationError({"comment": [_("Keep the comment under 4000 characters.")]}, code="invalid")
    if actor is not None and actor.pk != survey.requester_id:
        raise PermissionDenied(_("Only the person who filed the ticket can rate its resolution."))
    state = survey_state(survey=survey, ticket=ticket, now=now)
    if state == "answered":
        raise SurveyAlreadyAnswered()
    if state == "expired":
        raise SurveyExpired()
    with transaction.atomic():
        updated = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
            score=value, comment=comment, answered_at=now, answered_via=via
        )
    if updated != 1:
        raise SurveyAlreadyAnswered()
    survey.refresh_from_db()
    logger.info("survey.answered", extra={"survey_id": survey.pk, "via": via})
    return survey


# --- the signed link -------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk}, salt=SIGNING_SALT, compress=True)


def survey_from_token(token: str) -> Survey | None:
    """The survey a link names, or None for a tampered or expired link."""
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=datetime.timedelta(days=SURVEY_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        return None
    # The token itself is the tenant check: only the signer could have named this survey.
    return Survey.objects.select_related("ticket__institution").filter(pk=data["s"]).first()


def _link(survey: Survey, score: int | None = None) -> str:
    path = reverse("survey-link", args=[survey_token(survey)])
    query = "?" + urlencode({"score": score}) if score else ""
    return settings.SITE_URL.rstrip("/") + path + query


def survey_link_for(ticket: Ticket, person: User, *, score: int | None = None) -> str | None:
    """The one-click address of the ticket's open survey for its requester (with a score
    pre-selected if given), for e-mails that tell of the resolution; None when the person is not
    the requester or there is nothing to answer."""
    if person is None or person.pk != ticket.requester_id:
        return None
    survey = survey_for_ticket(ticket=ticket)
    if survey is None or survey_state(survey=survey, ticket=ticket) != "pending":
        return None
    return _link(survey, score)


def survey_question_links(ticket: Ticket, person: User | None) -> list[tuple[int, str]]:
    """The question, for the e-mail that tells the requester of the resolution: one signed link
    per score (1–5), each opening the form with that score pre-selected; empty for anyone else
    or once there is nothing to answer. Marks the survey asked (the first time only), which is
    what its one reminder counts from."""
    if person is None or person.pk != ticket.requester_id:
        return []
    survey = survey_for_ticket(ticket=ticket)
    if survey is None or survey_state(survey=survey, ticket=ticket) != "pending":
        return []
    if survey.asked_at is None:
        Survey.objects.filter(pk=survey.pk, asked_at__isnull=True).update(asked_at=timezone.now())
    return [(score, _link(survey, score)) for score in SCORES]


# --- the sweeps --------------------------------------------------------------------------------


def survey_sync(*, limit: int = SWEEP_BATCH, now: datetime.datetime | None = None) -> int:
    """Make the surveys of resolutions recorded since the last pass, across all institutions (the
    history of every ticket is read once, in id order). Returns how many events were read.
    Harmless to run twice or concurrently: the cursor row is locked and creation ignores
    resolutions that already have their survey."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor, _created = SurveyScanCursor.objects.select_for_update().get_or_create(pk=1)
        events = list(
            TicketEvent.objects.filter(pk__gt=cursor.last_event_id)
            .order_by("pk")
            .only("pk", "kind", "data", "created_at", "ticket_id", "actor")
            .select_related("actor")[:limit]
        )
        settled = now - CURSOR_LAG
        oldest = now - datetime.timedelta(days=SURVEY_DAYS)
        resolutions = [
            e
            for e in events
            if e.kind == TicketEvent.Kind.STATUS_CHANGED
            and e.data.get("new") == Ticket.Status.RESOLVED
            and e.created_at > oldest
        ]
        _surveys_create(resolutions)
        last = cursor.last_event_id
        for event in events:
            if event.created_at > settled:
                break
            last = event.pk
        if last != cursor.last_event_id:
            cursor.last_event_id = last
            cursor.save(update_fields=["last_event_id", "updated_at"])
    return len(events)


def _reminder_email(survey: Survey) -> object:
    """The reminder, written in the requester's language (core.languages)."""
    ticket = survey.ticket
    values = {"id": ticket.pk, "subject": ticket.subject}
    language = email_language(survey.requester_id)
    with translation.override(language):
        subject = _("Reminder: how did we do on ticket #%(id)s?") % values
        lines = [
            _(
                "Your ticket #%(id)s “%(subject)s” was resolved a few days ago. We have not heard from you yet: "
                "how satisfied are you with the answer?"
            )
            % values,
            "",
        ]
        for score in SCORES:
            lines.append(_("%(score)s of 5: %(link)s") % {"score": score, "link": _link(survey, score)})
        lines += [
            "",
            _("One click is enough. The link works until %(date)s; this is the only reminder.")
            % {"date": formats.date_format(timezone.localtime(survey.expires_at), "DATE_FORMAT")},
        ]
        return outbox_message(
            cause=f"reports.survey_reminder:{survey.pk}",
            recipient=survey.requester.email,
            subject=subject,
            body="\n".join(lines),
            language=language,
        )


def survey_remind_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """One reminder for each survey whose question went out (asked_at, in the resolution e-mail)
    and that is still unanswered REMINDER_DAYS after both the resolution and the question, while
    it can still be answered. Exactly once: reminded_at is set in the transaction that writes the
    e-mail to the outbox, and the rows are locked (skip locked) against a concurrent pass."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=REMINDER_DAYS)
    due = Survey.objects.filter(
        answered_at__isnull=True,
        reminded_at__isnull=True,
        resolved_at__lte=since,
        asked_at__lte=since,
        expires_at__gt=now,
    ).filter(~Q(ticket__status__in=[s for s in Ticket.Status.values if s not in ANSWERABLE_STATUSES]))
    with transaction.atomic():
        rows = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket", "requester")
            .order_by("resolved_at", "pk")[:limit]
        )
        if not rows:
            return 0
        Survey.objects.filter(pk__in=[s.pk for s in rows]).update(reminded_at=now)
        outbox_enqueue_many(messages=[_reminder_email(s) for s in rows if s.requester.email])
    logger.info("survey.reminded", extra={"count": len(rows)})
    return len(rows)


def survey_sweep(*, now: datetime.datetime | None = None) -> dict:
    """One pass of the beat entry: make the surveys, send the reminders that are due. The question
    itself is the resolution e-mail of the notifications app, which carries the links
    (survey_question_links)."""
    now = now or timezone.now()
    return {"read": survey_sync(now=now), "reminded": survey_remind_due(now=now)}
