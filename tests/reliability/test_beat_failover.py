"""Beat that fails over: two real beat processes on the PostgreSQL test database and a Redis of the
test's own. Exactly one sends the schedule; killed with SIGKILL, the other takes over within 15 s
and sends from then on."""

import re
import time

import pytest

from slaportal.beat import LEASE_KEY, Lease
from tests.reliability.processes import Process, celery, database_url, engine_env, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SENT = re.compile(r"Scheduler: Sending due task")


def _beat(name, tmp_path, private_redis) -> Process:
    env = engine_env(
        database=database_url(),
        broker=private_redis.url,
        mail_dir=tmp_path / "mail",
        # celery.beat's "Sending due task" lines are DEBUG's (settings.LOGGING).
        LOG_LEVEL="DEBUG",
        BEAT_LEASE_TIMEOUT_SECONDS="10",
    )
    return Process(
        celery("beat", "-l", "debug", "--max-interval", "1", "-s", str(tmp_path / f"{name}.db")),
        env=env,
        log=tmp_path / f"{name}.log",
    )


def _sent(process: Process) -> int:
    return len(SENT.findall(process.log.read_text()))


def _leads(process: Process) -> bool:
    return "beat.lease.acquired" in process.log.read_text()


def test_one_beat_sends_and_the_other_takes_over_when_it_dies(postgres, private_redis, tmp_path):
    # given: two beats started together
    first, second = _beat("first", tmp_path, private_redis), _beat("second", tmp_path, private_redis)
    first.start()
    second.start()
    try:
        leader = wait_for(lambda: first if _leads(first) else second if _leads(second) else None, timeout=30)
        assert leader is not None, first.output() + second.output()
        standby = second if leader is first else first
        assert wait_for(lambda: _sent(leader) >= 3, timeout=20), leader.output()
        # then: only the one holding the lease sends (the sweep is due every second)
        time.sleep(3)
        assert not _leads(standby), standby.output()
        assert _sent(standby) == 0, standby.output()
        # when: the sending beat dies without a word
        killed_at = time.monotonic()
        leader.kill()
        # then: the other takes the lease within 15 s and sends the schedule
        assert wait_for(lambda: _leads(standby), timeout=15, interval=0.1), standby.output()
        took_over = time.monotonic() - killed_at
        assert took_over < 15
        assert wait_for(lambda: _sent(standby) >= 2, timeout=10), standby.output()
    finally:
        first.stop()
        second.stop()


def test_a_lease_is_held_by_one_session_at_a_time_and_freed_with_it(postgres):
    # given: two leases on the same database
    url = database_url()
    one, other = (
        Lease(url=url, timeout_seconds=10, check_every=0),
        Lease(url=url, timeout_seconds=10, check_every=0),
    )
    try:
        # when: both ask
        assert one.check() is True
        # then: the second waits
        assert other.check() is False
        assert other.check() is False
        # when: the holder's session ends
        one.release()
        # then: the other takes it as soon as the server has ended that session
        assert wait_for(lambda: other.check(), timeout=5)
        assert one.check() is False
    finally:
        one.release()
        other.release()


def test_a_lease_the_server_cuts_off_is_lost_and_taken_by_the_other(postgres):
    # given: one lease held, another waiting
    url = database_url()
    one, other = (
        Lease(url=url, timeout_seconds=10, check_every=0),
        Lease(url=url, timeout_seconds=10, check_every=0),
    )
    try:
        assert one.check() is True
        assert other.check() is False
        # when: the server ends the holder's session (as it does after the idle timeout)
        with other.connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s "
                "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [LEASE_KEY],
            )
        # then: the holder notices at its next check and the other takes over
        assert wait_for(lambda: other.check(), timeout=5)
        assert one.check() is False
    finally:
        one.release()
        other.release()
