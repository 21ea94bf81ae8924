"""The queues are declared once (slaportal/queues.py): a worker started without -Q consumes all of
them in that order, and everything that names a queue takes it from there."""

import re

import pytest

import dev
from slaportal.celery import app
from slaportal.queues import QUEUES, SWEEP_QUEUE
from tickets.dispatch import routing_queue

from .processes import ROOT


def test_a_plain_worker_consumes_every_queue_in_the_declared_order():
    # when: what `celery -A slaportal worker` without -Q consumes
    consumed = list(app.amqp.queues)
    # then
    assert consumed == list(QUEUES)
    assert consumed[0] == SWEEP_QUEUE


def test_every_queue_the_product_sends_to_is_declared():
    # given
    beat = {entry["options"]["queue"] for entry in app.conf.beat_schedule.values()}
    routes = {route["queue"] for route in app.conf.task_routes.values()}
    routing = {routing_queue(priority) for priority in (1, 2, 3, 4)}
    # then
    assert beat | routes | routing | {app.conf.task_default_queue} <= set(QUEUES)
    assert app.conf.beat_schedule["sla-sweep"]["options"]["queue"] == SWEEP_QUEUE


def test_dev_run_splits_the_queues_over_a_sweep_worker_with_beat_and_a_worker_for_the_rest(tmp_path):
    # when
    sweep, rest = dev.worker_commands("python", schedule=tmp_path / "schedule")
    # then
    assert sweep[sweep.index("-Q") + 1] == SWEEP_QUEUE and "-B" in sweep
    assert rest[rest.index("-X") + 1] == SWEEP_QUEUE and "-Q" not in rest and "-B" not in rest


@pytest.mark.parametrize("path", ["docker-compose.yml", "tickets/management/commands/bench_sla.py", "dev.py"])
def test_no_other_file_lists_the_queues(path):
    # then
    assert not re.search(r"routing_p1\W+routing_p2", (ROOT / path).read_text())
