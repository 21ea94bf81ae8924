import copy
import io
import smtplib

import pypdf
import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command

from core.models import OutboxMessage
from core.outbox import outbox_drain, retry_delay
from organizations.roles import Role
from reports.models import ReportDelivery
from reports.services.delivery import report_delivery_drain, report_delivery_schedule_last_month
from tests.factories import PersonFactory

from . import dataset

pytestmark = pytest.mark.django_db

# Addresses the mail server of PerRecipientMailServer refuses.
REFUSED: set[str] = set()


class PerRecipientMailServer(locmem.EmailBackend):
    """A provider that takes a message recipient by recipient: those before a refused address are
    reached (kept in mail.outbox, one message each) before the error for it is raised."""

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                if address in REFUSED:
                    raise smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable")})
                single = copy.copy(message)
                single.to = [address]
                super().send_messages([single])
        return len(messages)


def _send_due() -> None:
    """What beat does: the deliveries queued, the outbox drained."""
    report_delivery_drain()
    outbox_drain()


@pytest.fixture
def data():
    return dataset.build()


def _first_of_december():
    return dataset.at(12, 1, 9)


def test_monthly_run_twice_sends_one_report_per_institution(data):
    # given the beat fires twice on the 1st at 09:00, and the drain runs twice
    with time_machine.travel(_first_of_december(), tick=False):
        report_delivery_schedule_last_month()
        report_delivery_schedule_last_month()
        _send_due()
        _send_due()
    # then each institution has one delivery for November, and A's admin one e-mail
    assert ReportDelivery.objects.filter(period_on="2026-11-01").count() == 2
    to_admin = [m for m in mail.outbox if data["admin"].email in m.to]
    assert len(to_admin) == 1
    assert all(data["admin"].email not in m.to for m in mail.outbox if m is not to_admin[0])


def test_scheduling_has_the_drain_sent_by_name_after_commit(
    data, sent_tasks, django_capture_on_commit_callbacks
):
    # when
    with (
        time_machine.travel(_first_of_december(), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report_delivery_schedule_last_month()
    # then
    assert sent_tasks == ["reports.report_delivery_drain"]


def test_monthly_email_has_the_summary_and_the_pdf(data):
    # given
    with time_machine.travel(_first_of_december(), tick=False):
        report_delivery_schedule_last_month()
        _send_due()
    # when
    message = next(m for m in mail.outbox if data["admin"].email in m.to)
    # then
    assert "Ankara Büyükşehir Belediyesi" in message.subject
    assert "İlk yanıt uyumu: 60,0 %" in message.body
    assert "Açılan talepler: 5" in message.body
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == ("report-2026-11.pdf", "application/pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    assert "Ankara Büyükşehir Belediyesi" in text
    assert "B kurumunun gizli yorumu" not in text


def test_command_sends_one_month_idempotently(data):
    # given
    out = io.StringIO()
    # when it runs twice
    call_command("send_periodic_reports", "--period", "2026-11", stdout=out)
    call_command("send_periodic_reports", "--period", "2026-11", stdout=out)
    # then
    assert len([m for m in mail.outbox if data["admin"].email in m.to]) == 1
    assert "2026-11: 2 new deliveries, 2 sent" in out.getvalue()
    assert "2026-11: 0 new deliveries, 0 sent" in out.getvalue()


def test_failed_send_is_tried_again_later(data, monkeypatch):
    # given the mail server refuses
    from django.core.mail import EmailMessage

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    with time_machine.travel(_first_of_december(), tick=False):
        report_delivery_schedule_last_month()
        monkeypatch.setattr(EmailMessage, "send", refuse)
        queued = report_delivery_drain()
        sent = outbox_drain()
        monkeypatch.undo()
    # when the outbox drains an hour later
    with time_machine.travel(dataset.at(12, 1, 10), tick=False):
        later = outbox_drain()
    # then A's report (B has no admin to write to) failed once and went out on the next pass
    a_delivery = ReportDelivery.objects.get(institution=data["institution"])
    row = OutboxMessage.objects.get(cause=f"reports.monthly:{a_delivery.pk}")
    assert (queued, sent, later) == (2, 0, 1)
    assert (row.attempts, row.status) == (1, OutboxMessage.Status.SENT)
    assert a_delivery.recipients == [data["admin"].email]
    assert len([m for m in mail.outbox if data["admin"].email in m.to]) == 1


def test_a_retry_after_a_partial_failure_reaches_each_admin_exactly_once(data, settings):
    # given three admins of A, all reading Turkish, and a mail server that takes the first and
    # refuses the second (in the order a message names them)
    settings.EMAIL_BACKEND = "tests.reports.test_delivery.PerRecipientMailServer"
    institution = data["institution"]
    first = data["admin"]
    first.email = "birinci@example.test"
    first.save(update_fields=["email"])
    admins = [first.email] + [
        PersonFactory(institution=institution, role=Role.INSTITUTION_ADMIN, email=address).email
        for address in ("ikinci@example.test", "ucuncu@example.test")
    ]
    REFUSED.clear()
    REFUSED.add("ikinci@example.test")
    try:
        with time_machine.travel(_first_of_december(), tick=False):
            report_delivery_schedule_last_month()
            _send_due()
        # when the server takes the second admin's mail again and the retry runs
        REFUSED.clear()
        with time_machine.travel(_first_of_december() + retry_delay(1), tick=False):
            _send_due()
            _send_due()
    finally:
        REFUSED.clear()
    # then each admin has exactly one monthly report
    reached = sorted(address for m in mail.outbox for address in m.to if address in admins)
    assert reached == sorted(admins)
