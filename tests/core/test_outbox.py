"""The one outbox (core.outbox): the deduplication key, the transaction, the retry policy, the
one worker path and the purge."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone

from core import outbox, tasks
from core.models import OutboxMessage
from core.outbox import (
    MAX_ATTEMPTS,
    Rendered,
    outbox_drain,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_message,
    outbox_purge,
    outbox_renderer_register,
    retry_delay,
)
from organizations.roles import Role
from slaportal.celery import app
from tests.factories import OutboxMessageFactory, PersonFactory

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status
REFUSED: set[str] = set()


class RefusingBackend(EmailBackend):
    """The test mail server: keeps what it accepts, refuses the addresses in REFUSED."""

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & REFUSED:
                raise smtplib.SMTPRecipientsRefused(dict.fromkeys(message.to, (550, b"unknown")))
        return super().send_messages(messages)


@pytest.fixture
def staff_client(client):
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.RefusingBackend"
    REFUSED.clear()
    yield REFUSED
    REFUSED.clear()


def test_the_same_cause_for_the_same_recipient_is_one_row():
    # when: a cause is queued twice for one recipient, and once for another
    first = outbox_enqueue(cause="test:1", recipient="a@example.test", subject="S", body="B")
    again = outbox_enqueue(cause="test:1", recipient="a@example.test", subject="S2", body="B2")
    outbox_enqueue_many(
        messages=[
            outbox_message(cause="test:1", recipient="a@example.test", subject="S3", body="B3"),
            outbox_message(cause="test:1", recipient="b@example.test", subject="S", body="B"),
        ]
    )
    # then
    assert again.pk == first.pk
    assert sorted(OutboxMessage.objects.values_list("recipient", "subject")) == [
        ("a@example.test", "S"),
        ("b@example.test", "S"),
    ]


def test_nobody_to_write_to_is_no_row():
    # when
    message = outbox_enqueue(cause="test:1", recipient="  ", subject="S", body="B")
    # then
    assert message is None
    assert not OutboxMessage.objects.exists()


def test_a_rolled_back_transaction_writes_nothing_and_sends_nothing(django_capture_on_commit_callbacks):
    # when: the change that queued the message fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_enqueue(cause="test:1", recipient="a@example.test", subject="S", body="B")
        raise RuntimeError("the change fails")
    # then
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert outbox_drain() == 0
    assert mail.outbox == []


def test_a_committed_message_has_the_drain_sent_by_name_after_commit(
    sent_tasks, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(cause="test:1", recipient="a@example.test", subject="S", body="B")
    # then
    assert sent_tasks == ["core.outbox_drain"]


def test_drain_sends_each_row_once_with_its_html_headers_and_attachments():
    # given
    outbox_enqueue(
        cause="test:1",
        recipient="a@example.test",
        subject="Konu",
        body="Metin",
        html="<p>Metin</p>",
        headers={"Auto-Submitted": "auto-generated"},
        attachments=[("a.txt", b"ek", "text/plain")],
    )
    # when: the drain runs twice
    sent = outbox_drain()
    outbox_drain()
    # then
    [message] = mail.outbox
    assert sent == 1
    assert (message.to, message.subject, message.body) == (["a@example.test"], "Konu", "Metin")
    assert message.alternatives[0].content == "<p>Metin</p>"
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.attachments[0][:2] == ("a.txt", "ek")
    row = OutboxMessage.objects.get()
    assert row.status == Status.SENT and row.sent_at is not None


def test_retry_policy_waits_longer_each_time_up_to_an_hour():
    # then
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(30) == datetime.timedelta(hours=1)


def test_a_refused_row_waits_and_is_retried_without_holding_up_the_others(refusing, time_machine):
    # given
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    refusing.add("gone@example.test")
    outbox_enqueue(cause="test:1", recipient="gone@example.test", subject="S", body="B")
    outbox_enqueue(cause="test:1", recipient="here@example.test", subject="S", body="B")
    # when
    sent = outbox_drain()
    # then
    failing = OutboxMessage.objects.get(recipient="gone@example.test")
    assert sent == 1 and [m.to for m in mail.outbox] == [["here@example.test"]]
    assert (failing.status, failing.attempts) == (Status.PENDING, 1)
    assert failing.next_attempt_at == start + retry_delay(1)
    assert "550" in failing.last_error
    # and when it is due again and the server takes it
    refusing.clear()
    time_machine.move_to(failing.next_attempt_at, tick=False)
    assert outbox_drain() == 1
    assert [m.to for m in mail.outbox] == [["here@example.test"], ["gone@example.test"]]


def test_a_row_is_failed_after_the_last_attempt(refusing):
    # given
    refusing.add("gone@example.test")
    message = outbox_enqueue(cause="test:1", recipient="gone@example.test", subject="S", body="B")
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=MAX_ATTEMPTS - 1)
    # when
    outbox_drain()
    # then
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert outbox_drain() == 0


def test_a_named_renderer_renders_at_sending_time_in_the_rows_language():
    # given
    from django.utils.translation import get_language

    def render(message):
        return Rendered(subject=f"{message.context['word']} ({get_language()})", body="B")

    outbox_renderer_register("test.render", render)
    outbox_enqueue(
        cause="test:1",
        recipient="a@example.test",
        renderer="test.render",
        context={"word": "hi"},
        language="en",
    )
    # when
    outbox_drain()
    # then
    assert mail.outbox[0].subject == "hi (en)"


def test_a_row_whose_renderer_finds_nothing_is_failed_without_a_send():
    # given
    def render(message):
        raise OutboxMessage.DoesNotExist

    outbox_renderer_register("test.gone", render)
    message = outbox_enqueue(cause="test:1", recipient="a@example.test", renderer="test.gone")
    # when
    outbox_drain()
    # then
    message.refresh_from_db()
    assert message.status == Status.FAILED and mail.outbox == []


def test_purge_deletes_finished_rows_past_retention_in_batches_and_keeps_the_rest(settings):
    # given: five rows sent 40 days ago, one failed 40 days ago, one sent 10 days ago, one pending for 40 days
    settings.OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old = now - datetime.timedelta(days=40)
    for _ in range(5):
        OutboxMessageFactory(status=Status.SENT, created_at=old, sent_at=old)
    OutboxMessageFactory(status=Status.FAILED, created_at=old)
    recent = OutboxMessageFactory(status=Status.SENT, created_at=now - datetime.timedelta(days=10))
    pending = OutboxMessageFactory(created_at=old, next_attempt_at=old)
    # when: purged two at a time
    deleted = outbox_purge(now=now, batch=2)
    # then
    assert deleted == 6
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


def test_the_beat_runs_the_one_drain_and_the_one_purge():
    # given
    old = timezone.now() - datetime.timedelta(days=365)
    OutboxMessageFactory(status=Status.SENT, created_at=old)
    due = OutboxMessageFactory(recipient="due@example.test")
    # when: the tasks the entries name run
    tasks.outbox_drain()
    tasks.outbox_purge()
    # then
    assert app.conf.beat_schedule["outbox-drain"]["task"] == tasks.outbox_drain.name == "core.outbox_drain"
    assert app.conf.beat_schedule["outbox-purge"]["task"] == tasks.outbox_purge.name == "core.outbox_purge"
    assert [m.to for m in mail.outbox] == [[due.recipient]]
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [due.pk]


def test_recipient_language_comes_from_the_registered_source(settings):
    # given
    from core import languages

    saved = list(languages._SOURCE)
    try:
        languages.email_language_register(lambda person_id: {1: "en", 2: "xx"}.get(person_id, ""))
        # then: a known choice, an unknown language and no choice
        assert outbox.recipient_language(1) == "en"
        assert outbox.recipient_language(2) == settings.LANGUAGE_CODE
        assert outbox.recipient_language(None) == settings.LANGUAGE_CODE
    finally:
        languages._SOURCE[:] = saved


def test_pending_mail_of_the_tickets_outbox_moves_to_one_row_per_address():
    # given: tickets' outbox as it was, a pending e-mail to two, a sent one and a routing row
    from importlib import import_module

    from django.apps import apps

    from tickets.models import OutboxMessage as TicketsOutbox

    move = import_module("tickets.migrations.0015_email_rows_to_core_outbox").email_rows_to_core
    later = timezone.now() + datetime.timedelta(minutes=5)
    pending = TicketsOutbox.objects.create(
        kind="email",
        payload={"subject": "Konu", "body": "Metin", "to": ["a@example.test", "b@example.test"]},
        attempts=2,
        available_at=later,
    )
    TicketsOutbox.objects.create(
        kind="email",
        payload={"subject": "S", "body": "B", "to": ["c@example.test"]},
        processed_at=timezone.now(),
    )
    route = TicketsOutbox.objects.create(kind="route")
    # when: the data migration runs, twice
    move(apps, None)
    move(apps, None)
    # then: the pending mail waits in core's outbox as it waited before, the routing row stays
    rows = OutboxMessage.objects.order_by("recipient")
    assert [(r.cause, r.recipient, r.subject, r.body, r.status, r.attempts) for r in rows] == [
        (f"tickets.outbox:{pending.pk}", address, "Konu", "Metin", Status.PENDING, 2)
        for address in ("a@example.test", "b@example.test")
    ]
    assert all(r.next_attempt_at == later for r in rows)
    assert list(TicketsOutbox.objects.values_list("pk", flat=True)) == [route.pk]


def test_the_outbox_is_listed_read_only_in_the_admin(staff_client):
    # given
    OutboxMessageFactory()
    # when
    response = staff_client.get("/admin/core/outboxmessage/")
    # then
    assert response.status_code == 200
    assert "lead@example.test" in response.content.decode()
    assert staff_client.get("/admin/core/outboxmessage/add/").status_code == 403
