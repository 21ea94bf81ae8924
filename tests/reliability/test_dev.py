"""`python3 dev.py run` says so when it cannot start: a port in use, or a process that ends."""

import socket
import subprocess
import sys

import pytest

import dev

from .processes import ROOT, free_port


def test_run_with_the_port_taken_says_so_suggests_another_and_fails():
    # given: something listens on the port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # when
        result = subprocess.run(
            [sys.executable, "dev.py", "run"],
            cwd=ROOT,
            env={"PATH": "/usr/bin:/bin", "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    # then
    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PORT=" in result.stderr and "python3 dev.py run" in result.stderr
    assert "is running" not in result.stdout


def test_startup_fails_naming_a_worker_that_exits(monkeypatch):
    # given: a web server that answers and a worker that dies at once
    monkeypatch.setattr(dev, "SETTLE_SECONDS", 1)
    port = free_port()
    procs = {
        "web server": subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "-b", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        "Celery worker": subprocess.Popen([sys.executable, "-c", "import sys; sys.exit(3)"]),
    }
    # when
    with pytest.raises(SystemExit) as stopped:
        dev.wait_started(procs, "127.0.0.1", port)
    # then: it names the worker, and stopped the web server
    assert "Celery worker exited with code 3" in str(stopped.value.code)
    assert procs["web server"].poll() is not None


def test_run_links_e_mails_to_the_port_it_serves(monkeypatch):
    # given: another port, no SITE_URL, no settings module chosen
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    # when
    env = dev.run_env("127.0.0.1", 18555)
    # then
    assert env["SITE_URL"] == "http://127.0.0.1:18555"
    assert env["DJANGO_SETTINGS_MODULE"] == "slaportal.settings.local"


def test_run_keeps_a_site_url_it_is_given(monkeypatch):
    # given
    monkeypatch.setenv("SITE_URL", "https://destek.example.test")
    # when
    env = dev.run_env("127.0.0.1", 18555)
    # then
    assert env["SITE_URL"] == "https://destek.example.test"


def test_run_starts_the_workers_at_the_log_level_asked_for(monkeypatch, tmp_path):
    # given
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    # when
    commands = dev.worker_commands(sys.executable, schedule=tmp_path / "schedule")
    # then
    assert all(command[command.index("-l") + 1] == "debug" for command in commands)
