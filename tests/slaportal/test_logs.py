"""The console: an event's fields on its line, and the engine's per-run chatter (Celery's task
received/succeeded, beat's sending) kept for LOG_LEVEL=DEBUG."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from slaportal.logs import EventFormatter

ROOT = Path(__file__).resolve().parents[2]
# Logs through the settings' configuration, as a worker started with `-l <LOG_LEVEL>` does.
EMIT = """
import logging, django
django.setup()
from django.conf import settings
logging.getLogger().setLevel(settings.LOG_LEVEL)
logging.getLogger("celery.beat").info("Scheduler: Sending due task sla-sweep (tickets.sla_sweep)")
logging.getLogger("celery.worker.strategy").info("Task tickets.sla_sweep[1] received")
logging.getLogger("celery.app.trace").info("Task tickets.sla_sweep[1] succeeded in 0.01s: None")
logging.getLogger("tickets.services.sla").info("sla.recorded", extra={"kind": "breached", "count": 2})
logging.getLogger("celery.app.trace").error("Task tickets.sla_sweep[2] raised unexpected: OSError()")
"""


def test_an_event_line_carries_its_plain_fields():
    # given
    formatter = EventFormatter("%(levelname)s %(name)s %(message)s")
    record = logging.makeLogRecord(
        {"name": "tickets", "levelname": "INFO", "msg": "ticket.filed", "ticket_id": 7, "request": object()}
    )
    # when
    line = formatter.format(record)
    # then: the id, not the object a library may pass along
    assert line == "INFO tickets ticket.filed ticket_id=7"


def _console(**env) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=ROOT,
        env={
            **{key: value for key, value in os.environ.items() if key != "LOG_LEVEL"},
            "DJANGO_SETTINGS_MODULE": "slaportal.settings.local",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # The lines of the loggers above (date and time cut off); not what django.setup() says.
    lines = [line.split(" ", 2)[2] for line in result.stderr.splitlines() if line[:2].isdigit()]
    return [line for line in lines if line.split(" ")[1].startswith(("celery", "tickets"))]


@pytest.mark.parametrize(
    "level", [{}, {"LOG_LEVEL": "INFO"}, {"LOG_LEVEL": ""}], ids=["unset", "INFO", "empty"]
)
def test_the_console_shows_breaches_and_failures_but_not_each_periodic_task(level):
    # when
    lines = _console(**level)
    # then
    assert lines == [
        "INFO tickets.services.sla sla.recorded kind=breached count=2",
        "ERROR celery.app.trace Task tickets.sla_sweep[2] raised unexpected: OSError()",
    ]


def test_log_level_debug_shows_every_periodic_task():
    # when
    lines = _console(LOG_LEVEL="DEBUG")
    # then
    assert [line.split(" ")[1] for line in lines] == [
        "celery.beat",
        "celery.worker.strategy",
        "celery.app.trace",
        "tickets.services.sla",
        "celery.app.trace",
    ]
