"""The monthly report e-mail: on the 1st at 09:00 Istanbul time each institution admin receives the
last month's report, a summary in the body and the PDF attached.

ReportDelivery records that the month's report of an institution is due. Scheduling writes one
row per institution and month — the unique (institution, period_on) makes a second beat, a
repeated task or the command write nothing more — and asks for a drain after commit. The drain
locks a pending row (others skip it), renders the report once per language and writes one row
per admin to the outbox (core.outbox), marking the delivery done in the same transaction.

The outbox sends each admin's e-mail on its own, with its one retry policy: its key is the
delivery and the admin's address, so a failure for one admin is retried for that admin alone and
never reaches another twice. Each admin reads the report in their own e-mail language
(core.languages): subject, body and PDF written in that language."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.languages import email_language
from core.outbox import outbox_drain, outbox_enqueue_many, outbox_message
from organizations.models import Institution, User
from organizations.roles import Role
from packages.models import Subscription
from slaportal.celery import publish

from .. import files
from ..extras import report_sections
from ..models import ReportDelivery
from ..periods import Period, last_full_month, month_period
from ..selectors import report_scope_institution
from . import report_context, report_figures

logger = logging.getLogger(__name__)


def _publish_drain() -> None:
    publish("reports.report_delivery_drain", queue="celery")


def report_delivery_schedule(*, period: Period, now: datetime.datetime | None = None) -> int:
    """Write the month's delivery of every active institution whose contract covered part of the
    month (across all institutions: the vendor reports to each). Returns how many rows are new.
    Harmless to repeat."""
    now = now or timezone.now()
    covered = Subscription.objects.filter(starts_on__lte=period.last, ends_on__gte=period.first).values(
        "institution_id"
    )
    institution_ids = list(Institution.objects.active().filter(pk__in=covered).values_list("pk", flat=True))
    before = ReportDelivery.objects.filter(period_on=period.first).count()
    with transaction.atomic():
        ReportDelivery.objects.bulk_create(
            [
                ReportDelivery(
                    institution_id=pk,
                    period_on=period.first,
                    available_at=now,
                    language=settings.LANGUAGE_CODE,
                )
                for pk in institution_ids
            ],
            ignore_conflicts=True,
        )
        transaction.on_commit(_publish_drain)
    created = ReportDelivery.objects.filter(period_on=period.first).count() - before
    logger.info("reports.delivery_scheduled", extra={"period": period.first.isoformat(), "count": created})
    return created


def report_delivery_schedule_last_month(*, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return report_delivery_schedule(period=last_full_month(timezone.localdate(now)), now=now)


def _recipients(institution_id: int) -> dict[str, list[str]]:
    """The active admins' addresses, by their e-mail language."""
    admins = (
        User.objects.for_institution(institution_id).with_role(Role.INSTITUTION_ADMIN).filter(is_active=True)
    )
    by_language: dict[str, set[str]] = {}
    for person_id, email in admins.values_list("pk", "email"):
        if email:
            by_language.setdefault(email_language(person_id), set()).add(email)
    return {language: sorted(emails) for language, emails in sorted(by_language.items())}


def _figures(delivery: ReportDelivery) -> tuple:
    period = month_period(delivery.period_on.strftime("%Y-%m"))
    scope = report_scope_institution(institution=delivery.institution)
    return scope, period, report_figures(scope=scope, period=period)


def _rendered(delivery: ReportDelivery, language: str, computed: tuple) -> tuple[str, str, list]:
    """Subject, body and attachments of the report in one language."""
    scope, period, figures = computed
    with translation.override(language):
        context = report_context(scope=scope, period=period, figures=figures, query=period.query())
        context["site_url"] = settings.SITE_URL.rstrip("/")
        subject = render_to_string("reports/email/monthly_subject.txt", context).strip()
        body = render_to_string("reports/email/monthly_body.txt", context)
        pdf = files.report_pdf(context)
    # What other apps add (portal wires them in: the performance report on Premium, say).
    sections = report_sections(
        institution=delivery.institution,
        period_start=period.first,
        period_end=period.last,
        language=language,
    )
    body = "\n\n".join([body.rstrip("\n"), *(section.text.strip("\n") for section in sections)]) + "\n"
    attachments = [(f"report-{delivery.period_on:%Y-%m}.pdf", pdf, "application/pdf")]
    for section in sections:
        attachments.extend(section.attachments)
    return subject, body, attachments


def report_delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> bool:
    """Queue one pending delivery now: one outbox row per admin, in the admin's language. False
    when it is gone, done, not yet due or being worked by someone else."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            ReportDelivery.objects.select_for_update(skip_locked=True)
            .select_related("institution")
            .filter(pk=delivery_id, sent_at__isnull=True, available_at__lte=now)
            .first()
        )
        if delivery is None:
            return False
        messages = []
        computed = None
        for language, emails in _recipients(delivery.institution_id).items():
            computed = computed or _figures(delivery)
            subject, body, attachments = _rendered(delivery, language, computed)
            messages += [
                outbox_message(
                    cause=f"reports.monthly:{delivery.pk}",
                    recipient=email,
                    subject=subject,
                    body=body,
                    attachments=attachments,
                    language=language,
                )
                for email in emails
            ]
        outbox_enqueue_many(messages=messages)
        delivery.recipients = sorted(message.recipient for message in messages)
        delivery.sent_at = now
        delivery.save(update_fields=["recipients", "sent_at"])
    logger.info("reports.delivery_queued", extra={"delivery_id": delivery.pk, "recipients": len(messages)})
    return True


def report_delivery_drain(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Queue the pending deliveries that are due, one locked row at a time (a PDF each takes a
    moment; other drains work other rows meanwhile). Returns how many were queued."""
    now = now or timezone.now()
    due = list(
        ReportDelivery.objects.filter(sent_at__isnull=True, available_at__lte=now)
        .order_by("available_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(report_delivery_send(delivery_id=pk, now=now) for pk in due)


def report_delivery_run(*, period: Period) -> tuple[int, int]:
    """Schedule and send one month by hand (the management command): the deliveries queued, then
    the outbox drained. Harmless to repeat."""
    created = report_delivery_schedule(period=period)
    queued = report_delivery_drain()
    outbox_drain()
    return created, queued
