"""The embedded default as `python3 dev.py run` starts it — SQLite file, filesystem broker, the
same two worker commands — under a burst: 100 tickets filed at once, each with its warning and
breach timers queued, then one ticket's deadline moved into the past. The sweep runs on its own
queue and worker, so the breach is recorded within the 5 s promise. Needs neither PostgreSQL nor
Redis."""

import json
import subprocess
import sys

import pytest

import dev

from .processes import ROOT, Process, engine_env, wait_for

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def embedded(tmp_path):
    broker = tmp_path / "broker"
    for folder in ("queue", "processed", "control"):
        (broker / folder).mkdir(parents=True)
    env = engine_env(
        database=f"sqlite:///{tmp_path / 'slaportal.sqlite3'}",
        broker="filesystem://",
        mail_dir=tmp_path / "mail",
        CELERY_BROKER_DIR=str(broker),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    workers = [
        Process(command, env=env, log=tmp_path / f"worker{i}.log")
        for i, command in enumerate(
            dev.worker_commands(sys.executable, schedule=tmp_path / "beat-schedule", name="embedded-test")
        )
    ]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            assert wait_for(lambda w=worker: "ready." in w.log.read_text(), timeout=60), worker.output()
        yield {"env": env, "workers": workers}
    finally:
        for worker in workers:
            worker.stop()


def test_a_deadline_moved_into_the_past_is_breached_within_5_s_during_a_burst_of_100_filings(embedded):
    # given: the embedded default's workers running
    # when: 100 tickets are filed at once with their timers, and one deadline is moved into the past
    run = subprocess.run(
        [sys.executable, "-m", "tests.reliability.embedded_burst"],
        cwd=ROOT,
        env={**embedded["env"], "BURST_TICKETS": "100"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then: its breach is recorded once, within 5 s
    logs = "\n".join(worker.output() for worker in embedded["workers"])
    assert run.returncode == 0, run.stderr[-3000:]
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    print(figures)
    assert figures["breaches"] == 1, logs
    assert figures["lag_seconds"] <= 5, (figures, logs)
