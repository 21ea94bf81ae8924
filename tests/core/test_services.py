import datetime

import pytest

from core.models import IdempotencyRecord
from core.services import idempotency_purge
from tests.factories import IdempotencyRecordFactory

pytestmark = pytest.mark.django_db
IST = datetime.timezone(datetime.timedelta(hours=3))
NOW = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=IST)


def test_purge_deletes_records_past_the_retention_and_keeps_the_rest(settings, time_machine):
    # given: a record two days old and one an hour old, with a day's retention
    settings.IDEMPOTENCY_RETENTION = datetime.timedelta(days=1)
    time_machine.move_to(NOW - datetime.timedelta(days=2), tick=False)
    old = IdempotencyRecordFactory()
    time_machine.move_to(NOW - datetime.timedelta(hours=1), tick=False)
    recent = IdempotencyRecordFactory()
    time_machine.move_to(NOW, tick=False)
    # when
    deleted = idempotency_purge()
    # then
    assert deleted == 1
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()


def test_purge_works_in_batches_and_stops_after_its_budget(settings, time_machine):
    # given: five expired records
    settings.IDEMPOTENCY_RETENTION = datetime.timedelta(days=1)
    time_machine.move_to(NOW - datetime.timedelta(days=3), tick=False)
    IdempotencyRecordFactory.create_batch(5)
    time_machine.move_to(NOW, tick=False)
    # when: batches of two, at most two batches per run
    first_run = idempotency_purge(batch=2, max_batches=2)
    second_run = idempotency_purge(batch=2, max_batches=2)
    # then: the second run goes on where the first stopped
    assert (first_run, second_run) == (4, 1)
    assert not IdempotencyRecord.objects.exists()


def test_purge_twice_is_harmless(settings, time_machine):
    # given
    settings.IDEMPOTENCY_RETENTION = datetime.timedelta(days=1)
    time_machine.move_to(NOW - datetime.timedelta(days=2), tick=False)
    IdempotencyRecordFactory()
    time_machine.move_to(NOW, tick=False)
    idempotency_purge()
    # when
    again = idempotency_purge()
    # then
    assert again == 0
