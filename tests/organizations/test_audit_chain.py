"""The audit log's hash chain (organizations.audit_chain) and `manage.py audit_verify`."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from organizations.audit import audit_record
from organizations.audit_chain import GENESIS, chain_prune_oldest, chain_verify, event_digest
from organizations.models import AuditChain, AuditEvent
from tests.factories import AuditEventFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


def test_each_row_carries_the_hash_of_the_one_before(db):
    # given
    institution = InstitutionFactory()
    # when
    first = audit_record(actor=None, action="region.rename", target=institution, institution=institution)
    second = audit_record(actor=None, action="unit.rename", target=institution, institution=institution)
    # then
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.row_hash
    assert AuditChain.objects.get().head_id == second.pk


def test_audit_verify_exits_0_on_an_untouched_log(capsys):
    # given
    AuditEventFactory.create_batch(3)
    # when
    call_command("audit_verify")
    # then
    assert "audit chain holds: 3 rows" in capsys.readouterr().out


def test_audit_verify_names_an_edited_row():
    # given
    rows = AuditEventFactory.create_batch(3)
    AuditEvent.objects.filter(pk=rows[1].pk).update(after={"name": "Başka"})
    # when / then
    with pytest.raises(CommandError, match=f"audit row {rows[1].pk} was changed"):
        call_command("audit_verify")


def test_audit_verify_names_the_row_after_a_removed_one():
    # given
    rows = AuditEventFactory.create_batch(3)
    AuditEvent.objects.filter(pk=rows[1].pk).delete()
    # when / then
    with pytest.raises(CommandError, match=f"audit row {rows[2].pk} does not follow the row before it"):
        call_command("audit_verify")


def test_audit_verify_notices_the_newest_row_removed():
    # given
    rows = AuditEventFactory.create_batch(3)
    AuditEvent.objects.filter(pk=rows[2].pk).delete()
    # when / then
    with pytest.raises(CommandError, match=f"the chain's head is row {rows[2].pk}"):
        call_command("audit_verify")


def test_audit_verify_notices_a_row_edited_with_its_own_hash_recomputed():
    # given: someone edits a row and writes a matching hash for it
    rows = AuditEventFactory.create_batch(3)
    edited = AuditEvent.objects.get(pk=rows[0].pk)
    edited.target_label = "Başka"
    AuditEvent.objects.filter(pk=edited.pk).update(
        target_label="Başka", row_hash=event_digest(edited, edited.prev_hash)
    )
    # when
    checked, broken = chain_verify()
    # then the next row no longer follows it
    assert (checked, broken.event_id, broken.reason) == (1, rows[1].pk, "removed_before")


def test_pruning_the_oldest_rows_keeps_the_chain_verifiable():
    # given
    rows = AuditEventFactory.create_batch(5)
    cutoff = AuditEvent.objects.get(pk=rows[3].pk).created_at
    # when
    pruned = chain_prune_oldest(before=cutoff, batch_size=2)
    pruned += chain_prune_oldest(before=cutoff, batch_size=2)
    # then
    assert pruned == 3
    assert list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)) == [rows[3].pk, rows[4].pk]
    assert chain_verify() == (2, None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(postgres):
    # given two institutions written to from eight threads at once, each on its own connection
    institutions = [InstitutionFactory(), InstitutionFactory()]
    barrier = threading.Barrier(8)
    errors = []

    def write(index):
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                with transaction.atomic():
                    target = institutions[index % 2]
                    audit_record(actor=None, action="region.rename", target=target, institution=target)
        except Exception as error:  # noqa: BLE001 - reported to the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert chain_verify() == (40, None)
