"""The harness's topology and the configuration files it writes: each "host" is a set of
processes on its own loopback address (127.0.0.0/8), so HAProxy, pgbouncer and the replica see
separate machines while everything stays on this one."""

import dataclasses
from pathlib import Path

PRIMARY = "127.0.0.20"
REPLICA = "127.0.0.21"
POOLER = "127.0.0.22"
REDIS = "127.0.0.23"
BALANCER = "127.0.0.10"
WEB_HOSTS = ("127.0.0.11", "127.0.0.12")
WORKER_HOSTS = ("worker-a", "worker-b")
BEAT_HOSTS = ("beat-a", "beat-b")
DATABASE = "slaportal"


@dataclasses.dataclass(frozen=True)
class Ports:
    postgres: int = 25432
    pooler: int = 26432
    redis: int = 26379
    web: int = 28000
    balancer: int = 28080


@dataclasses.dataclass(frozen=True)
class Plan:
    """When the harness kills what, in seconds from the start of the load."""

    duration: int

    @property
    def kills(self) -> list[tuple[float, str]]:
        return [
            (round(self.duration * 0.25), "web"),
            (round(self.duration * 0.50), "worker"),
            (round(self.duration * 0.75), "beat"),
        ]


def haproxy_cfg(ports: Ports) -> str:
    servers = "\n".join(
        f"    server web{i + 1} {address}:{ports.web} check inter 1s fall 2 rise 2"
        for i, address in enumerate(WEB_HOSTS)
    )
    return f"""global
    maxconn 2000

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A request whose host died before answering goes to the other host: the API's
    # Idempotency-Key makes a repeated filing safe.
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout 502 503

frontend portal
    bind {BALANCER}:{ports.balancer}
    default_backend web

backend web
    balance roundrobin
    option httpchk GET /health/live/
{servers}
"""


def pgbouncer_ini(ports: Ports, workdir: Path) -> str:
    return f"""[databases]
{DATABASE} = host={PRIMARY} port={ports.postgres} dbname={DATABASE}
{DATABASE}_replica = host={REPLICA} port={ports.postgres} dbname={DATABASE}

[pgbouncer]
listen_addr = {POOLER}
listen_port = {ports.pooler}
auth_type = trust
auth_file = {workdir / "pgbouncer" / "userlist.txt"}
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = {workdir / "logs" / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer" / "pgbouncer.pid"}
admin_users = postgres
"""


def primary_conf(ports: Ports) -> str:
    return f"""listen_addresses = '{PRIMARY}'
port = {ports.postgres}
wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 200
shared_buffers = 256MB
fsync = on
"""


def hba_conf() -> str:
    return """local all all trust
host all all 127.0.0.0/8 trust
host replication all 127.0.0.0/8 trust
"""


def django_env(ports: Ports, workdir: Path) -> dict[str, str]:
    """The environment of every web, worker and beat process: production settings, the database
    through pgbouncer, the reports from the replica, the beat's lease on the primary itself."""
    pooled = f"postgres://postgres@{POOLER}:{ports.pooler}"
    return {
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.production",
        "DJANGO_SECRET_KEY": "scale-harness-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": ",".join([BALANCER, *WEB_HOSTS, "localhost"]),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "SITE_URL": f"http://{BALANCER}:{ports.balancer}",
        "EMAIL_URL": "consolemail://",
        "DATABASE_URL": f"{pooled}/{DATABASE}?pooler=pgbouncer",
        "DATABASE_REPLICA_URL": f"{pooled}/{DATABASE}_replica?pooler=pgbouncer",
        "BEAT_LEASE_DATABASE_URL": f"postgres://postgres@{PRIMARY}:{ports.postgres}/{DATABASE}",
        "DATABASE_RANDOM_PAGE_COST": "",
        "REDIS_URL": f"redis://{REDIS}:{ports.redis}/0",
        "CELERY_BROKER_URL": f"redis://{REDIS}:{ports.redis}/0",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "INFO",
        # The load files tickets and replies far faster than one person would.
        "API_THROTTLE_USER": "100000/min",
        "API_THROTTLE_WRITE": "100000/min",
    }


def write_all(workdir: Path, ports: Ports) -> dict[str, Path]:
    """Write every configuration file under workdir; returns them by name."""
    files = {
        "haproxy": workdir / "haproxy" / "haproxy.cfg",
        "pgbouncer": workdir / "pgbouncer" / "pgbouncer.ini",
        "userlist": workdir / "pgbouncer" / "userlist.txt",
        "env": workdir / "django.env",
        "primary_conf": workdir / "postgres" / "primary.conf",
        "hba": workdir / "postgres" / "pg_hba.conf",
    }
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    files["haproxy"].write_text(haproxy_cfg(ports))
    files["pgbouncer"].write_text(pgbouncer_ini(ports, workdir))
    files["userlist"].write_text('"postgres" ""\n')
    files["env"].write_text("".join(f"{key}={value}\n" for key, value in django_env(ports, workdir).items()))
    files["primary_conf"].write_text(primary_conf(ports))
    files["hba"].write_text(hba_conf())
    return files
