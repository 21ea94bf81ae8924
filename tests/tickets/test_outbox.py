import datetime

import pytest
from django.utils import timezone

from slaportal.celery import app
from tickets import tasks
from tickets.models import OutboxMessage
from tickets.services.outbox import outbox_purge

pytestmark = pytest.mark.django_db


def _route_row(**fields) -> OutboxMessage:
    """A routing row of the tickets outbox; pass processed_at for a done one."""
    return OutboxMessage.objects.create(kind=OutboxMessage.Kind.ROUTE, **fields)


def test_routing_purge_deletes_processed_rows_past_retention_in_batches_and_keeps_the_rest(settings):
    # given: five rows processed 40 days ago, one 10 days ago, one pending for 40 days
    settings.OUTBOX_RETENTION_DAYS = 30
    now = timezone.now()
    old = [_route_row(processed_at=now - datetime.timedelta(days=40)) for _ in range(5)]
    recent = _route_row(processed_at=now - datetime.timedelta(days=10))
    pending = _route_row(available_at=now - datetime.timedelta(days=40))
    # when: purged two at a time
    deleted = outbox_purge(now=now, batch=2)
    # then
    assert deleted == len(old)
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}


def test_purge_with_nothing_past_retention_deletes_nothing():
    # given
    _route_row(processed_at=timezone.now())
    # when
    deleted = outbox_purge()
    # then
    assert deleted == 0
    assert OutboxMessage.objects.count() == 1


def test_the_beat_schedules_the_routing_purge_task():
    # given
    _route_row(processed_at=timezone.now() - datetime.timedelta(days=365))
    entry = app.conf.beat_schedule["routing-purge"]
    # when: the task the entry names runs
    tasks.outbox_purge()
    # then
    assert entry["task"] == tasks.outbox_purge.name
    assert not OutboxMessage.objects.exists()
