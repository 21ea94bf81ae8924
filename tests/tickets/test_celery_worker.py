"""End to end with a real Celery worker process (and its embedded beat) on Redis and the PostgreSQL
test database: a ticket is filed, its deadline passes, and the worker records the breach."""

import datetime
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from organizations.roles import Role
from slaportal.celery import app, broker_reset
from slaportal.queues import QUEUES
from tests.factories import PersonFactory, TicketFactory
from tests.reliability.processes import database_url, wait_for
from tickets.models import SLAEvent, Ticket
from tickets.services.sla import ticket_deadline_correct

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def worker(postgres, redis_url, tmp_path, monkeypatch):
    """A worker with embedded beat on the test database and the Redis db of REDIS_URL; this
    process sends its tasks there too."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.local",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_DEBUG": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "slaportal",
            "worker",
            "-B",
            "-P",
            "solo",
            "-l",
            "info",
            "-n",
            f"engine-test-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    broker_reset()
    monkeypatch.setattr(app.conf, "broker_write_url", redis_url)
    try:
        ready = wait_for(lambda: "ready." in log.read_text(), timeout=30)
        assert ready, log.read_text()[-3000:]
        yield log
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        broker_reset()
        client = redis.Redis.from_url(redis_url)
        client.delete(*QUEUES, "unacked", "unacked_index", "unacked_mutex")


def test_worker_records_the_breach_when_the_deadline_passes(worker):
    # given: a filed ticket whose deadline the desk lead moves to two seconds from now
    lead = PersonFactory(role=Role.DESK_LEAD)
    ticket = TicketFactory()
    due_at = timezone.now() + datetime.timedelta(seconds=2)
    ticket_deadline_correct(actor=lead, ticket=ticket, due_at=due_at)
    # when: the deadline passes
    breached_at = wait_for(lambda: Ticket.objects.get(pk=ticket.pk).breached_at, timeout=20)
    # then: recorded once, within five seconds of the deadline
    assert breached_at == due_at, worker.read_text()[-3000:]
    event = SLAEvent.objects.get(ticket=ticket, kind="breached")
    assert event.recorded_at - due_at < datetime.timedelta(seconds=5)
