"""Production settings and the image: Django's deployment checks pass with zero warnings, the
settings refuse to start without SITE_URL or a mail server and read the mail server from
EMAIL_URL, and the Dockerfile cannot hide a failed install."""

import os
import re
import secrets
import subprocess
import sys

import pytest

from .processes import ROOT


def production_env(**extra) -> dict:
    # Not the test run's own: DJANGO_ALLOW_ASYNC_UNSAFE (set by the browser tests) fails async.E001.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "portal.example.test",
        "SITE_URL": "https://portal.example.test",
        "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.test:587",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        **extra,
    }


def _production_settings(env: dict, *names: str) -> subprocess.CompletedProcess:
    """Import the production settings in a process of their own and print the named settings."""
    read = "; ".join(f"print(repr(s.{name}))" for name in names)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings as s; {read}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_passes_with_zero_warnings_on_production_settings():
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_and_ssl_redirect_can_be_turned_down_from_the_environment():
    # given: a host trying HTTPS out, with a short HSTS and no redirect
    env = production_env(DJANGO_SECURE_HSTS_SECONDS="300", DJANGO_SECURE_SSL_REDIRECT="false")
    # when
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    # then: the cookies stay secure
    assert result.stdout.split() == ["300", "False", "True", "True"], result.stderr


@pytest.mark.parametrize("unset", ["SITE_URL", "EMAIL_URL"])
def test_production_refuses_to_start_without_site_url_or_mail(unset):
    # given: everything else set, the one variable empty (as an unset one in a .env or compose file)
    env = production_env(**{unset: ""})
    # when
    result = _production_settings(env, "SITE_URL")
    # then: Django does not start, and the message says what to set
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{unset} is not set" in result.stderr
    assert f"{unset}=" in result.stderr.split(f"{unset} is not set", 1)[1]


def test_production_reads_the_mail_server_from_email_url():
    # given
    env = production_env(
        EMAIL_URL="smtp+tls://portal%40example.test:p%40ss@smtp.example.test:587",
        DEFAULT_FROM_EMAIL="Destek <destek@example.test>",
    )
    # when
    result = _production_settings(
        env,
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "DEFAULT_FROM_EMAIL",
        "SERVER_EMAIL",
    )
    # then
    assert result.stdout.splitlines() == [
        "'django.core.mail.backends.smtp.EmailBackend'",
        "'smtp.example.test'",
        "587",
        "'portal@example.test'",
        "'p@ss'",
        "True",
        "False",
        "'Destek <destek@example.test>'",
        "'Destek <destek@example.test>'",
    ], result.stderr


def test_production_accepts_console_mail_when_asked_for_explicitly():
    # when
    result = _production_settings(production_env(EMAIL_URL="consolemail://"), "EMAIL_BACKEND")
    # then
    assert result.stdout.strip() == "'django.core.mail.backends.console.EmailBackend'", result.stderr


def test_dockerfile_lets_a_failed_pip_install_fail_the_build():
    # given
    dockerfile = (ROOT / "Dockerfile").read_text()
    # when
    install = [line for line in dockerfile.splitlines() if "pip install" in line]
    # then: one RUN of its own, nothing after it that could swallow its exit status
    assert install == ['RUN pip install --no-cache-dir ".[ldap]"']
    assert not re.search(r"\|\|\s*(true|:)|;\s*true|set \+e", dockerfile)
