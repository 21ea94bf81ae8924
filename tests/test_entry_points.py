"""Which settings each entry point starts with when DJANGO_SETTINGS_MODULE is not set: the
servers (web and Celery) production, the developer's manage.py the local settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRINT_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE)"


def _unset_environment() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return {
        **env,
        "DJANGO_SECRET_KEY": "entry-point-test",
        "DJANGO_ALLOWED_HOSTS": "portal.example",
        "SITE_URL": "https://portal.example",
        "EMAIL_URL": "consolemail://",
    }


def _settings_module(*command: str) -> str:
    result = subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=_unset_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("module", ["slaportal.wsgi", "slaportal.asgi", "slaportal.celery"])
def test_servers_default_to_production_settings(module):
    # when
    settings_module = _settings_module("-c", f"import {module}; {PRINT_SETTINGS}")
    # then
    assert settings_module == "slaportal.settings.production"


def test_manage_py_defaults_to_local_settings():
    # when
    settings_module = _settings_module("manage.py", "shell", "-c", PRINT_SETTINGS)
    # then
    assert settings_module == "slaportal.settings.local"
