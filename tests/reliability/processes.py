"""Real processes for the fault tests: a private redis-server on a free port that a test can kill
and start again empty, and Celery workers and beat started the way production or `dev.py run`
starts them, each in its own process group so that SIGKILL takes the pool with it."""

import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from slaportal.benchserver import free_port

ROOT = Path(settings.BASE_DIR)


def wait_for(condition, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return None


def database_url() -> str:
    """The URL of the test database, for processes started by the test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class PrivateRedis:
    """A redis-server of the test's own, without persistence: stopping it with SIGKILL loses every
    queued message, as a crashed or replaced Redis would."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, timeout=10), "redis-server did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def redis_server_available() -> bool:
    return shutil.which("redis-server") is not None


def engine_env(*, database: str, broker: str, mail_dir: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database,
        "REDIS_URL": broker if broker.startswith("redis") else "",
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        **extra,
    }


class Process:
    """A command in its own process group, its output in a log file."""

    def __init__(self, command: list[str], *, env: dict, log: Path):
        self.command = command
        self.env = env
        self.log = log
        self.process = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("a") as out:
            out.write(f"\n===== start {self.starts} =====\n")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the whole group: the worker and its pool die at once, holding their messages."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text()[-4000:]


def celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "slaportal", *args]


def sent_subjects(mail_dir: Path) -> list[str]:
    """Subjects of every e-mail the file-based backend wrote (one file per connection, messages
    separated by a line of 79 dashes)."""
    subjects = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                subjects.append(str(make_header(decode_header(email.message_from_bytes(chunk)["Subject"]))))
    return subjects
