"""What the benchmarks that measure the project under gunicorn share (bench_http, bench_usage): a
free local port, the database in use as the DATABASE_URL of the server's processes, and starting
gunicorn and waiting until it answers."""

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The database this process uses, as the DATABASE_URL of a server started from it."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db.get("USER") or "postgres", safe="") + (
        f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    )
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _accepts(port: int) -> bool:
    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    return True


def gunicorn_start(
    *, port: int, args: list[str], env: dict, seconds: float, ready: Callable[[], bool] | None = None
) -> subprocess.Popen:
    """Start `gunicorn slaportal.wsgi` on 127.0.0.1:`port` with `args` (workers, threads) and
    `env`, and return it once `ready()` is true (by default: once the port accepts a connection;
    an OSError counts as not yet). CommandError when it stops, or does not answer within
    `seconds` (it is stopped then)."""
    command = [sys.executable, "-m", "gunicorn", "slaportal.wsgi", *args, "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=Path(settings.BASE_DIR), env=env)  # noqa: S603
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CommandError(f"gunicorn stopped at start (exit {server.returncode}).")
        try:
            if ready() if ready else _accepts(port):
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise CommandError(f"gunicorn did not answer within {seconds:g} s.")
