import io

import pypdf
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from reports.models import ReportDelivery
from reports.services.delivery import report_delivery_drain, report_delivery_schedule_last_month

from . import dataset

pytestmark = pytest.mark.django_db


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
        report_delivery_drain()
        report_delivery_drain()
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
        report_delivery_drain()
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
    import smtplib

    from django.core.mail import EmailMessage

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    with time_machine.travel(_first_of_december(), tick=False):
        report_delivery_schedule_last_month()
        monkeypatch.setattr(EmailMessage, "send", refuse)
        sent = report_delivery_drain()
        monkeypatch.undo()
    # when the drain runs an hour later
    with time_machine.travel(dataset.at(12, 1, 10), tick=False):
        later = report_delivery_drain()
    # then A's report (B has no admin to write to) failed once and went out on the next pass
    a_delivery = ReportDelivery.objects.get(institution=data["institution"])
    assert (sent, later) == (1, 1)
    assert a_delivery.attempts == 1
    assert a_delivery.sent_at is not None
    assert a_delivery.recipients == [data["admin"].email]
