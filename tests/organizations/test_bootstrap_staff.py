"""`manage.py bootstrap_staff`: the first vendor account of a new installation, idempotent."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from organizations.models import AuditEvent, User
from organizations.roles import Role

pytestmark = pytest.mark.django_db
PASSWORD = "Kuzey-Rüzgarı-2026"


def _run(*args, stdin: str = "", **options) -> str:
    out = io.StringIO()
    original = sys.stdin
    sys.stdin = io.StringIO(stdin)  # not a terminal, as in a compose run or a script
    try:
        call_command("bootstrap_staff", *args, stdout=out, **options)
    finally:
        sys.stdin = original
    return out.getvalue()


def test_creates_a_package_manager_who_can_administer_everything(monkeypatch):
    # given
    monkeypatch.setenv("DJANGO_STAFF_PASSWORD", PASSWORD)
    # when
    output = _run("--username", "ops", "--email", "ops@example.test")
    # then
    person = User.objects.get(username="ops")
    assert (person.role, person.is_staff, person.is_superuser, person.institution) == (
        Role.PACKAGE_MANAGER,
        True,
        True,
        None,
    )
    assert person.email == "ops@example.test"
    assert person.check_password(PASSWORD)
    assert list(person.groups.values_list("name", flat=True)) == [Role.PACKAGE_MANAGER]
    assert AuditEvent.objects.get(target_id=person.pk).action == "person.bootstrap"
    assert 'Vendor account "ops" created' in output


def test_running_it_again_changes_nothing(monkeypatch):
    # given
    monkeypatch.setenv("DJANGO_STAFF_PASSWORD", PASSWORD)
    _run("--username", "ops", "--email", "ops@example.test")
    # when: again, with another password and address
    monkeypatch.setenv("DJANGO_STAFF_PASSWORD", "Başka-Parola-2027")
    output = _run("--username", "ops", "--email", "other@example.test")
    # then
    person = User.objects.get(username="ops")
    assert person.check_password(PASSWORD) and person.email == "ops@example.test"
    assert AuditEvent.objects.filter(action="person.bootstrap").count() == 1
    assert "already exists; nothing changed" in output


def test_reads_the_password_from_standard_input(monkeypatch):
    # given
    monkeypatch.delenv("DJANGO_STAFF_PASSWORD", raising=False)
    # when
    _run("--username", "ops", "--email", "ops@example.test", "--password-stdin", stdin=PASSWORD + "\n")
    # then
    assert User.objects.get(username="ops").check_password(PASSWORD)


def test_a_common_password_is_refused_and_nothing_written(monkeypatch):
    # given
    monkeypatch.setenv("DJANGO_STAFF_PASSWORD", "password123")
    # when: Django's validator says so, in Turkish first
    with pytest.raises(CommandError, match="çok geneldir"):
        _run("--username", "ops", "--email", "ops@example.test")
    # then
    assert not User.objects.filter(username="ops").exists()


def test_without_a_terminal_every_answer_must_be_given(monkeypatch):
    # given
    monkeypatch.delenv("DJANGO_STAFF_PASSWORD", raising=False)
    # when / then
    with pytest.raises(CommandError, match="--username is required"):
        _run("--email", "ops@example.test")
    with pytest.raises(CommandError, match="DJANGO_STAFF_PASSWORD"):
        _run("--username", "ops", "--email", "ops@example.test")
    assert not User.objects.filter(username="ops").exists()
