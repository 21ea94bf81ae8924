"""docker-compose.yml as the production shape: Caddy terminating TLS in front of the web app, a
one-shot migrate that web, worker and beat wait for, health checks, volumes for the data, every
setting documented in deploy/env.example; validated by `docker compose config` and Caddy itself
where those are installed."""

import json
import re
import shutil
import subprocess

import pytest
import yaml

from .processes import ROOT

COMPOSE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_migrate_runs_once_and_web_worker_and_beat_wait_for_it(compose):
    # given
    services = compose["services"]
    # then: a one-shot migrate, and nothing else migrates
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
        assert "migrate" not in " ".join(services[name]["command"]), name


def test_web_is_reached_only_through_caddy_over_tls(compose):
    # given
    services = compose["services"]
    caddy = services["caddy"]
    # then: Caddy publishes 80 and 443 with the repository's Caddyfile; web publishes nothing
    assert caddy["image"].startswith("caddy:")
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert caddy["depends_on"]["web"] == {"condition": "service_healthy"}
    assert "ports" not in services["web"]
    assert services["web"]["expose"] == ["8000"]


def test_web_health_check_probes_liveness(compose):
    # given
    healthcheck = compose["services"]["web"]["healthcheck"]
    # then
    assert "http://localhost:8000/health/live/" in " ".join(healthcheck["test"])
    for name in ("postgres", "redis"):
        assert compose["services"][name]["healthcheck"]["test"], name


def test_site_url_and_allowed_hosts_follow_site_domain(compose):
    # given
    environment = compose["services"]["web"]["environment"]
    # then: links in e-mails point at the HTTPS address, production settings run
    assert environment["SITE_URL"] == "https://${SITE_DOMAIN}"
    assert environment["DJANGO_ALLOWED_HOSTS"].startswith("${SITE_DOMAIN:?")
    assert environment["DJANGO_ALLOWED_HOSTS"].endswith(",localhost")
    assert environment["DJANGO_SETTINGS_MODULE"] == "slaportal.settings.production"
    assert environment["EMAIL_URL"].startswith("${EMAIL_URL:?")
    assert compose["services"]["caddy"]["environment"]["SITE_DOMAIN"].startswith("${SITE_DOMAIN:?")


def test_postgres_media_and_certificates_live_in_volumes(compose):
    # given
    services = compose["services"]
    # then
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in (*APP_SERVICES, "migrate"):
        assert "media:/data/media" in services[name]["volumes"], name
        assert services[name]["environment"]["MEDIA_ROOT"] == "/data/media", name
    assert "caddy_data:/data" in services["caddy"]["volumes"]
    assert {"pgdata", "media", "redisdata", "caddy_data", "caddy_config"} <= set(compose["volumes"])


def test_exactly_one_beat(compose):
    # then
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1
    assert compose["services"]["beat"]["command"][:4] == ["celery", "-A", "slaportal", "beat"]


def test_env_example_names_every_setting_read_from_the_environment():
    # given: every variable the settings read
    read = set()
    for path in (ROOT / "slaportal" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', path.read_text()))
    # when
    example = (ROOT / "deploy" / "env.example").read_text()
    # then
    assert {"SITE_URL", "EMAIL_URL", "DJANGO_SECRET_KEY"} <= read
    assert sorted(name for name in read if not re.search(rf"\b{name}\b", example)) == []


def test_dockerignore_keeps_local_state_out_of_the_image():
    # given
    ignored = (ROOT / ".dockerignore").read_text().split()
    # then
    assert {".venv/", "node_modules/", "var/", "media/", ".env", ".git/"} <= set(ignored)


def _docker_compose() -> list[str] | None:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


def test_docker_compose_accepts_the_file(tmp_path):
    # given: the compose file beside a .env filled in as the README says
    command = _docker_compose()
    if command is None:
        pytest.skip("needs docker compose (the Docker CLI's compose plugin) to validate docker-compose.yml")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    (tmp_path / ".env").write_text(
        "SITE_DOMAIN=destek.example.test\nDJANGO_SECRET_KEY=x\nPOSTGRES_PASSWORD=p\nEMAIL_URL=consolemail://\n"
    )
    # when
    result = subprocess.run(
        [*command, "--project-directory", str(tmp_path), "config", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 0, result.stderr
    web = json.loads(result.stdout)["services"]["web"]
    assert web["environment"]["SITE_URL"] == "https://destek.example.test"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_docker_compose_refuses_to_start_without_the_required_settings(tmp_path):
    # given: an empty .env
    command = _docker_compose()
    if command is None:
        pytest.skip("needs docker compose (the Docker CLI's compose plugin) to validate docker-compose.yml")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    (tmp_path / ".env").write_text("")
    # when
    result = subprocess.run(
        [*command, "--project-directory", str(tmp_path), "config"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode != 0
    assert "in .env" in result.stderr


@pytest.mark.parametrize("domain", ["destek.example.test", "localhost"])
def test_caddy_serves_site_domain_and_proxies_to_web(domain):
    # given
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("needs caddy (Debian package 'caddy') to read deploy/Caddyfile")
    # when
    result = subprocess.run(
        [caddy, "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
        env={"PATH": "/usr/bin:/bin", "SITE_DOMAIN": domain},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then: one HTTPS site for the domain, everything handed to web:8000
    assert result.returncode == 0, result.stderr
    [server] = json.loads(result.stdout)["apps"]["http"]["servers"].values()
    assert server["listen"] == [":443"]
    [route] = server["routes"]
    assert route["match"] == [{"host": [domain]}]
    assert '"dial": "web:8000"' in json.dumps(route)
