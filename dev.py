#!/usr/bin/env python3
"""The two commands of the README.

    python3 dev.py run    install into .venv, migrate, load demo data, start web + Celery worker + beat
    python3 dev.py test   install into .venv, run ruff, the import-linter contracts (the layers of
                          docs/architecture.md) and the whole test suite (extra args go to pytest)

Only Python 3.11+ is needed: everything else is installed into ./.venv.
"""

import os
import shutil
import signal
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
        STAMP.touch()


def install_browser_checks():
    """axe-core (package.json) for the browser tests' accessibility audit, when npm is at hand;
    without it those tests skip with the reason (and fail under CI=true)."""
    lock = ROOT / "package-lock.json"
    installed = ROOT / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the accessibility checks of the browser tests will skip (install Node.js and npm).")
        return
    sh(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")


def run():
    install()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "slaportal.settings.local")}
    host, port = "127.0.0.1", os.environ.get("PORT", "8000")
    (ROOT / "var" / "broker" / "queue").mkdir(parents=True, exist_ok=True)
    for folder in ("processed", "control"):
        (ROOT / "var" / "broker" / folder).mkdir(parents=True, exist_ok=True)
    sh(PY, "manage.py", "migrate", "--noinput", env=env)
    sh(PY, "manage.py", "seed_demo", env=env)
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v", "0", env=env)
    procs = [
        subprocess.Popen(
            [str(BIN / "gunicorn"), "slaportal.wsgi", "-b", f"{host}:{port}", "-w", "2", "--threads", "4",
             "--access-logfile", "-"],
            cwd=ROOT, env=env,
        ),
        subprocess.Popen(
            [str(PY), "-m", "celery", "-A", "slaportal", "worker", "-B", "-l", "info", "-c", "2",
             "-Q", "sla,routing_p1,routing_p2,routing_p3,routing_p4,celery",
             "-s", str(ROOT / "var" / "celerybeat-schedule")],
            cwd=ROOT, env=env,
        ),
    ]
    time.sleep(2)
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

    def stop(*_):
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(p.poll() is None for p in procs):
        time.sleep(1)
    stop()


def test(args):
    install()
    install_browser_checks()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "slaportal.settings.test"}
    sh(PY, "-m", "ruff", "check", ".")
    # The layers of docs/architecture.md; the contracts are in pyproject.toml.
    sh(BIN / "lint-imports", "--no-cache", "--no-logo")
    sys.exit(subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)
