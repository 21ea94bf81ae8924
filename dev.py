#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py run    install into .venv, migrate, load demo data, start web + Celery worker + beat
    python3 dev.py test   install into .venv, run ruff, the import-linter contracts (the layers of
                          docs/architecture.md) and the whole test suite (extra args go to pytest)

Only Python 3.11+ is needed: everything else is installed into ./.venv.
"""

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"
LDAP_MISSING = VENV / ".ldap-missing"
# How long the web server and the workers get to come up before `run` calls the start a failure.
STARTUP_SECONDS = 60
# A process that is still running this long after the web server answered is taken as started.
SETTLE_SECONDS = 3


def _queues():
    """slaportal/queues.py, read without importing the package (which needs the virtualenv)."""
    spec = importlib.util.spec_from_file_location("slaportal_queues", ROOT / "slaportal" / "queues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def worker_commands(python, *, schedule: Path, name: str = "slaportal") -> list[list[str]]:
    """The two Celery workers of `run`: one consuming only the SLA sweep's queue, with beat embedded,
    so no burst of timers or routing can delay a sweep; one consuming every other queue in their
    declared order. Tests start the embedded default with the same commands."""
    sweep_queue = _queues().SWEEP_QUEUE
    level = os.environ.get("LOG_LEVEL", "info").lower()
    celery = [str(python), "-m", "celery", "-A", "slaportal", "worker", "-l", level]
    return [
        [*celery, "-B", "-s", str(schedule), "-c", "1", "-Q", sweep_queue, "-n", f"{name}-sweep@%h"],
        [*celery, "-c", "2", "-X", sweep_queue, "-n", f"{name}-work@%h"],
    ]


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def port_taken(host: str, port: int) -> None:
    suggestion = next((p for p in range(port + 1, port + 100) if port_free(host, p)), port + 1)
    sys.exit(
        f"Port {port} on {host} is already in use (another SLA Portal or another program).\n"
        f"Stop it, or start on another port:  PORT={suggestion} python3 dev.py run"
    )


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_all(procs: dict) -> None:
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs.values():
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()


def dead(procs: dict) -> list[str]:
    return [f"{name} exited with code {p.returncode}" for name, p in procs.items() if p.poll() is not None]


def wait_started(procs: dict, host: str, port: int) -> None:
    """Return once the web server answers and every process has stayed up; otherwise stop the rest
    and exit non-zero, saying which process ended (its own output is above)."""
    started = time.monotonic()
    answered = None
    while time.monotonic() - started < STARTUP_SECONDS:
        failures = dead(procs)
        if failures:
            stop_all(procs)
            if procs["web server"].returncode is not None and not port_free(host, port):
                port_taken(host, port)
            sys.exit("SLA Portal did not start: " + "; ".join(failures) + " (see its output above).")
        if answered is None and answers(host, port):
            answered = time.monotonic()
        if answered is not None and time.monotonic() - answered >= SETTLE_SECONDS:
            return
        time.sleep(0.2)
    stop_all(procs)
    sys.exit(
        f"SLA Portal did not start: nothing answered on http://{host}:{port}/ within {STARTUP_SECONDS} s."
    )


def sh(*args, **kwargs):
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def install():
    if sys.version_info < (3, 11):  # noqa: UP036 - the newcomer's interpreter is not ours to choose
        sys.exit("SLA Portal needs Python 3.11 or newer.")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = ROOT / "pyproject.toml"
    if not STAMP.exists() or STAMP.stat().st_mtime < pyproject.stat().st_mtime:
        sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[dev]")
        install_ldap()
        STAMP.touch()
    elif LDAP_MISSING.exists():
        install_ldap()


def install_ldap():
    """LDAP sign-in's python-ldap, which builds against the OpenLDAP and SASL headers. Without
    them the product runs with local passwords and OpenID Connect, and the LDAP tests skip with
    the reason (under CI=true the install must succeed)."""
    try:
        sh(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[ldap]")
        LDAP_MISSING.unlink(missing_ok=True)
    except subprocess.CalledProcessError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        LDAP_MISSING.touch()
        print(
            "python-ldap could not be built, so LDAP sign-in is off and its tests skip. To have it: "
            "apt-get install gcc libldap2-dev libsasl2-dev, then run this command again.",
            flush=True,
        )


def install_browser_checks():
    """axe-core (package.json) for the browser tests' accessibility audit, when npm is at hand;
    without it those tests skip with the reason (and fail under CI=true)."""
    lock = ROOT / "package-lock.json"
    installed = ROOT / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        print(
            "npm not found: the accessibility checks of the browser tests will skip (install Node.js and npm)."
        )
        return
    sh(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")


def run_env(host: str, port: int) -> dict:
    """The environment of every process `run` starts: the local settings unless chosen otherwise,
    and SITE_URL (the links in e-mails) at the address it serves unless set."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "slaportal.settings.local"),
        "SITE_URL": os.environ.get("SITE_URL") or f"http://{host}:{port}",
    }


def run():
    host, port = "127.0.0.1", int(os.environ.get("PORT", "8000"))
    # Before installing or migrating anything: a port in use is the commonest failure to start.
    if not port_free(host, port):
        port_taken(host, port)
    install()
    env = run_env(host, port)
    broker = Path(os.environ.get("CELERY_BROKER_DIR", ROOT / "var" / "broker"))
    for folder in ("queue", "processed", "control"):
        (broker / folder).mkdir(parents=True, exist_ok=True)
    sh(PY, "manage.py", "migrate", "--noinput", env=env)
    sh(PY, "manage.py", "seed_demo", "--history", env=env)
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v", "0", env=env)
    sweep_worker, worker = worker_commands(PY, schedule=ROOT / "var" / "celerybeat-schedule")
    procs = {
        "web server": subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "slaportal.wsgi",
                "-b",
                f"{host}:{port}",
                "-w",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            cwd=ROOT,
            env=env,
        ),
        "Celery sweep worker and beat": subprocess.Popen(sweep_worker, cwd=ROOT, env=env),
        "Celery worker": subprocess.Popen(worker, cwd=ROOT, env=env),
    }

    def stop(*_):
        stop_all(procs)
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    wait_started(procs, host, port)
    print(
        f"""
SLA Portal is running: http://{host}:{port}/   (API docs: http://{host}:{port}/api/docs/)
Demo logins, password demo-pass-2026:
  vendor        staff (package manager, admin), lead (desk lead), engineer1, engineer2
  institutions  standard-, professional-, premium-, premiumplus-  +  admin | user1 | user2
  Premium tree  premium-unit (unit manager), premium-region (region manager); same for premiumplus
Press Ctrl+C to stop.
""",
        flush=True,
    )
    while not dead(procs):
        time.sleep(1)
    failures = dead(procs)
    stop_all(procs)
    sys.exit("SLA Portal stopped: " + "; ".join(failures) + " (see its output above).")


def test(args):
    install()
    install_browser_checks()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "slaportal.settings.test"}
    sh(PY, "-m", "ruff", "check", ".")
    sh(PY, "-m", "ruff", "format", "--check", ".")
    # The layers of docs/architecture.md; the contracts are in pyproject.toml.
    sh(BIN / "lint-imports", "--no-cache", "--no-logo")
    # Two pytest-xdist workers (each with its own test database) unless the caller chose: the
    # browser, worker and fault tests spend most of their time waiting, so two halve the run.
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in args):
        args = ["-n", os.environ.get("TEST_WORKERS", "2"), *args]
    sys.exit(subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)
