"""The retention rules' periodic destruction (portal.privacy.retention), `manage.py
apply_retention` and the destruction record's PDF."""

import datetime
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from organizations.audit_chain import chain_verify
from organizations.models import AuditEvent
from organizations.roles import Role
from performance.models import UsageEvent
from performance.services import usage_events_ingest
from portal.models import DestructionRecord, RetentionRule
from portal.privacy.records import destruction_record_get, destruction_record_pdf
from portal.privacy.retention import DESTROYED_TEXT, retention_apply
from tests.clients import login
from tests.factories import AuditEventFactory, PersonFactory, TicketFactory
from tests.factories.performance import ProductFactory, UsageKeyFactory, usage_event
from tickets.models import Attachment, Ticket, TicketMessage
from tickets.services import ticket_reply
from tickets.services.filing import attachment_add

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=4000)


def _close_long_ago(ticket: Ticket) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED, closed_at=LONG_AGO)


@pytest.fixture
def rules(db):
    """The rules as the migration writes them (ten years for tickets' texts and audit entries)."""
    return {rule.category: rule for rule in RetentionRule.objects.all()}


def test_migration_writes_one_rule_per_category(rules):
    # then
    assert set(rules) == {"ticket_texts", "attachments", "usage_events", "audit_events"}


def test_closed_tickets_texts_past_the_rule_are_destroyed_and_the_ticket_kept(rules, customer, engineer):
    # given an old closed ticket with a reply, and a recent closed one
    old, recent = TicketFactory(requester=customer), TicketFactory(requester=customer)
    ticket_reply(actor=engineer, ticket=old, body="Yanıtımız")
    _close_long_ago(old)
    Ticket.objects.filter(pk=recent.pk).update(status=Ticket.Status.CLOSED, closed_at=timezone.now())
    # when
    record, results = retention_apply()
    # then
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.subject, old.description) == (DESTROYED_TEXT, DESTROYED_TEXT)
    assert set(TicketMessage.objects.filter(ticket=old).values_list("body", flat=True)) == {DESTROYED_TEXT}
    assert recent.subject != DESTROYED_TEXT
    assert Ticket.objects.filter(pk=old.pk).exists()
    assert {r.category: r.destroyed for r in results}["ticket_texts"] == 1


def test_open_ticket_keeps_its_text_however_old(rules, customer):
    # given
    ticket = TicketFactory(requester=customer)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=LONG_AGO)
    # when
    retention_apply()
    # then
    ticket.refresh_from_db()
    assert ticket.subject != DESTROYED_TEXT


def test_old_attachments_are_deleted_with_their_files(rules, customer, django_capture_on_commit_callbacks):
    # given
    ticket = TicketFactory(requester=customer)
    upload = SimpleUploadedFile("eski.txt", b"eski dosya", content_type="text/plain")
    attachment = attachment_add(actor=customer, ticket=ticket, upload=upload)
    Attachment.objects.filter(pk=attachment.pk).update(created_at=LONG_AGO)
    storage, name = attachment.file.storage, attachment.file.name
    # when
    with django_capture_on_commit_callbacks(execute=True):
        retention_apply()
    # then
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not storage.exists(name)


def test_usage_events_past_the_rule_are_deleted(rules, admin):
    # given an event of 100 days ago and one of today, under a 30-day rule
    key = UsageKeyFactory(institution=admin.institution, actor=admin)
    ProductFactory(code="netcad")
    old_at = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    usage_events_ingest(key=key, payload={"events": [usage_event(occurred_at=old_at), usage_event()]})
    RetentionRule.objects.filter(category="usage_events").update(keep_days=30)
    # when
    _record, results = retention_apply()
    # then
    assert {r.category: r.destroyed for r in results}["usage_events"] == 1
    assert UsageEvent.objects.filter(institution=admin.institution).count() == 1


def test_old_audit_entries_are_destroyed_and_the_chain_still_verifies(rules):
    # given
    old, recent = AuditEventFactory(), AuditEventFactory()
    AuditEvent.objects.filter(pk=old.pk).update(created_at=LONG_AGO)
    # when
    retention_apply()
    # then
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert chain_verify()[1] is None


def test_dry_run_counts_and_changes_nothing(rules, customer):
    # given
    ticket = TicketFactory(requester=customer)
    _close_long_ago(ticket)
    # when
    record, results = retention_apply(dry_run=True)
    # then
    assert record is None
    assert {r.category: r.destroyed for r in results}["ticket_texts"] == 1
    assert Ticket.objects.get(pk=ticket.pk).subject != DESTROYED_TEXT
    assert DestructionRecord.objects.count() == 0


def test_inactive_rule_destroys_nothing(rules, customer):
    # given
    ticket = TicketFactory(requester=customer)
    _close_long_ago(ticket)
    RetentionRule.objects.filter(category="ticket_texts").update(is_active=False)
    # when
    retention_apply()
    # then
    assert Ticket.objects.get(pk=ticket.pk).subject != DESTROYED_TEXT


def test_run_writes_the_destruction_record_and_an_audit_row(rules, customer):
    # given
    _close_long_ago(TicketFactory(requester=customer))
    # when
    record, _results = retention_apply(batch_size=10)
    # then
    lines = {line.category: line for line in record.lines.all()}
    assert set(lines) == {"ticket_texts", "attachments", "usage_events", "audit_events"}
    assert (
        lines["ticket_texts"].destroyed,
        lines["ticket_texts"].batches,
        lines["ticket_texts"].keep_days,
    ) == (
        1,
        1,
        rules["ticket_texts"].keep_days,
    )
    assert AuditEvent.objects.filter(action="retention.apply", target_id=record.pk).count() == 1


def test_a_second_run_finds_nothing_left(rules, customer):
    # given
    _close_long_ago(TicketFactory(requester=customer))
    retention_apply()
    # when
    _record, results = retention_apply()
    # then
    assert {r.category: r.destroyed for r in results}["ticket_texts"] == 0


def test_command_dry_run_prints_what_would_go(rules, customer, capsys):
    # given
    _close_long_ago(TicketFactory(requester=customer))
    # when
    call_command("apply_retention", "--dry-run")
    # then
    assert "ticket_texts: would destroy 1" in capsys.readouterr().out
    assert DestructionRecord.objects.count() == 0


def test_command_destroys_and_names_the_record(rules, customer, capsys):
    # given
    _close_long_ago(TicketFactory(requester=customer))
    # when
    call_command("apply_retention")
    # then
    assert f"destruction record #{DestructionRecord.objects.get().pk}" in capsys.readouterr().out


def test_package_manager_downloads_the_record_as_pdf(rules, client, package_manager):
    # given
    record, _results = retention_apply()
    login(client, package_manager)
    # when
    response = client.get(reverse("destruction-record-pdf", args=[record.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_destruction_record_pdf_names_the_categories_and_counts(rules, customer):
    # given
    _close_long_ago(TicketFactory(requester=customer))
    record, _results = retention_apply()
    # when
    pdf = destruction_record_pdf(record=destruction_record_get(pk=record.pk), language="tr")
    # then
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "İmha tutanağı" in text
    assert "Kapanmış taleplerin metinleri" in text
    assert "Toplam 1" in text


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.SUPPORT_ENGINEER])
def test_others_get_403_for_the_record(rules, client, role):
    # given
    record, _results = retention_apply()
    login(client, PersonFactory(role=role))
    # when
    response = client.get(reverse("destruction-record-pdf", args=[record.pk]))
    # then
    assert response.status_code == 403


def test_missing_record_is_404(rules, client, package_manager):
    # given
    login(client, package_manager)
    # when
    response = client.get(reverse("destruction-record-pdf", args=[999999]))
    # then
    assert response.status_code == 404


def _other_connection_locks_at_once(ticket_id: int) -> bool:
    """Whether another connection can lock the ticket's row without waiting."""
    outcome = []

    def probe():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM tickets_ticket WHERE id = %s FOR UPDATE NOWAIT", [ticket_id])
            outcome.append(True)
        except Exception:  # noqa: BLE001 - a lock held elsewhere is the answer, not an error
            outcome.append(False)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return outcome == [True]


@pytest.mark.django_db(transaction=True)
def test_100000_tickets_are_destroyed_in_short_batches_holding_no_lock_between_them(postgres, customer):
    # given 100,000 tickets closed long ago (bulk-created copies of one filed ticket)
    RetentionRule.objects.update(is_active=False)
    RetentionRule.objects.filter(category="ticket_texts").update(is_active=True, keep_days=30)
    model = TicketFactory(requester=customer)
    fields = {f.attname: getattr(model, f.attname) for f in Ticket._meta.concrete_fields if not f.primary_key}
    fields.update(status=Ticket.Status.CLOSED, closed_at=LONG_AGO)
    Ticket.objects.filter(pk=model.pk).update(status=Ticket.Status.CLOSED, closed_at=LONG_AGO)
    Ticket.objects.bulk_create((Ticket(**fields) for _ in range(99_999)), batch_size=10_000)
    batches, outside_transaction, unlocked = [], [], []

    def on_batch(category, count):
        batches.append(count)
        outside_transaction.append(not connection.in_atomic_block)
        # the rows just destroyed are free for others at once: the batch's transaction committed
        if len(batches) % 10 == 1:
            done = Ticket.objects.filter(subject=DESTROYED_TEXT).order_by("-pk").values_list("pk", flat=True)
            unlocked.append(_other_connection_locks_at_once(done[0]))

    # when
    record, results = retention_apply(batch_size=2_000, on_batch=on_batch)
    # then
    assert batches == [2_000] * 50
    assert all(outside_transaction)
    assert unlocked == [True] * 5
    assert Ticket.objects.exclude(subject=DESTROYED_TEXT).count() == 0
    assert Ticket.objects.count() == 100_000
    assert record.lines.get(category="ticket_texts").batches == 50
