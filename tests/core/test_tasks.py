import datetime

import pytest

from core import tasks
from core.models import IdempotencyRecord
from slaportal.celery import app
from tests.factories import IdempotencyRecordFactory

pytestmark = pytest.mark.django_db


def test_beat_purges_idempotency_records_hourly():
    # when
    entry = app.conf.beat_schedule["idempotency-purge"]
    # then
    assert entry["task"] == tasks.idempotency_purge.name == "core.idempotency_purge"
    assert entry["schedule"] == datetime.timedelta(hours=1)


def test_the_purge_task_deletes_expired_records(settings, time_machine):
    # given
    settings.IDEMPOTENCY_RETENTION = datetime.timedelta(hours=1)
    time_machine.move_to(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    IdempotencyRecordFactory()
    time_machine.move_to(datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC), tick=False)
    # when
    tasks.idempotency_purge.apply()
    # then
    assert not IdempotencyRecord.objects.exists()
