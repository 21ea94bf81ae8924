"""`dev.py install` on a machine that cannot build python-ldap: everything else is installed, the
newcomer is told why LDAP sign-in is off, and CI (CI=true) fails instead."""

import subprocess

import pytest

import dev


@pytest.fixture
def ldap_build_fails(monkeypatch, tmp_path):
    def sh(*args, **kwargs):
        if ".[ldap]" in args:
            raise subprocess.CalledProcessError(1, list(args))

    monkeypatch.setattr(dev, "sh", sh)
    monkeypatch.setattr(dev, "LDAP_MISSING", tmp_path / ".ldap-missing")
    return tmp_path / ".ldap-missing"


def test_a_failed_ldap_build_is_told_and_remembered_for_the_next_install(
    ldap_build_fails, monkeypatch, capsys
):
    # given
    monkeypatch.delenv("CI", raising=False)
    # when
    dev.install_ldap()
    # then
    assert "LDAP sign-in is off" in capsys.readouterr().out
    assert ldap_build_fails.exists()


def test_under_ci_a_failed_ldap_build_fails_the_install(ldap_build_fails, monkeypatch):
    # given
    monkeypatch.setenv("CI", "true")
    # when / then
    with pytest.raises(subprocess.CalledProcessError):
        dev.install_ldap()


def test_a_later_successful_build_forgets_the_failure(monkeypatch, tmp_path):
    # given
    marker = tmp_path / ".ldap-missing"
    marker.touch()
    monkeypatch.setattr(dev, "sh", lambda *args, **kwargs: None)
    monkeypatch.setattr(dev, "LDAP_MISSING", marker)
    # when
    dev.install_ldap()
    # then
    assert not marker.exists()
