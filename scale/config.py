"""The harness's topology and the configuration files it writes. Each "host" is a network
namespace of its own on a bridge (scale/network.py), so HAProxy, pgbouncer and the replica see
separate machines while everything stays on this one; where `ip netns` is not permitted, each is
a set of processes on its own loopback address (127.0.0.0/8) instead."""

import dataclasses
from pathlib import Path

# The range set aside for benchmarks (RFC 2544): no real network uses it. Only the bridge and the
# namespaces carry it; the namespaces have no other route.
SUBNET = "198.18.0.0/24"
BRIDGE = "slpscale0"
NETNS_PREFIX = "slpscale-"
VETH_PREFIX = "slp-"  # + the host's name: at most 15 characters

# Every host: its address in its namespace and its loopback address. The client is the harness
# itself (Locust, the seeding and the checks), in the namespace it was started in, on the bridge.
HOSTS = {
    "client": ("198.18.0.1", "127.0.0.1"),
    "balancer": ("198.18.0.10", "127.0.0.10"),
    "web1": ("198.18.0.11", "127.0.0.11"),
    "web2": ("198.18.0.12", "127.0.0.12"),
    "worker-a": ("198.18.0.13", "127.0.0.13"),
    "worker-b": ("198.18.0.14", "127.0.0.14"),
    "beat-a": ("198.18.0.15", "127.0.0.15"),
    "beat-b": ("198.18.0.16", "127.0.0.16"),
    "primary": ("198.18.0.20", "127.0.0.20"),
    "replica": ("198.18.0.21", "127.0.0.21"),
    "pooler": ("198.18.0.22", "127.0.0.22"),
    "redis": ("198.18.0.23", "127.0.0.23"),
}
WEB_HOSTS = ("web1", "web2")
WORKER_HOSTS = ("worker-a", "worker-b")
BEAT_HOSTS = ("beat-a", "beat-b")
DATABASE = "slaportal"


@dataclasses.dataclass(frozen=True)
class Network:
    """Where the hosts are: each in its namespace, or each on its loopback address (with the
    reason namespaces were not used in `fallback`)."""

    namespaces: bool = True
    fallback: str = ""

    def address(self, host: str) -> str:
        in_namespace, loopback = HOSTS[host]
        return in_namespace if self.namespaces else loopback

    def netns(self, host: str) -> str | None:
        return f"{NETNS_PREFIX}{host}" if self.namespaces and host != "client" else None

    def command(self, host: str, argv: list[str]) -> list[str]:
        """argv as run on the host: inside its namespace, or as it is."""
        namespace = self.netns(host)
        return ["ip", "netns", "exec", namespace, *argv] if namespace else list(argv)

    @property
    def clients(self) -> str:
        """The addresses PostgreSQL lets in."""
        return SUBNET if self.namespaces else "127.0.0.0/8"

    def describe(self) -> str:
        if self.namespaces:
            return f"a network namespace per host, on the bridge {BRIDGE} ({SUBNET})"
        return f"each host on its own loopback address ({self.fallback or 'chosen with --loopback'})"


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


def haproxy_cfg(ports: Ports, network: Network, workdir: Path) -> str:
    servers = "\n".join(
        f"    server {host} {network.address(host)}:{ports.web} check inter 1s fall 2 rise 2"
        for host in WEB_HOSTS
    )
    return f"""global
    maxconn 2000
    # The harness asks it when it marked a killed web host down.
    stats socket {workdir / "haproxy" / "admin.sock"} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # A refused connection marks a dead host down at once (two checks a second apart); a slow
    # answer on a saturated machine is not a dead host.
    timeout check 5s
    # A request whose host died before answering goes to the other host: the API's
    # Idempotency-Key makes a repeated filing safe.
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout 502 503

frontend portal
    bind {network.address("balancer")}:{ports.balancer}
    # The client's address for the throttles and lockouts (TRUSTED_PROXY_COUNT=1 on the web hosts).
    option forwardfor
    default_backend web

backend web
    balance roundrobin
    option httpchk GET /health/live/
{servers}
"""


def pgbouncer_ini(ports: Ports, workdir: Path, network: Network) -> str:
    return f"""[databases]
{DATABASE} = host={network.address("primary")} port={ports.postgres} dbname={DATABASE}
{DATABASE}_replica = host={network.address("replica")} port={ports.postgres} dbname={DATABASE}

[pgbouncer]
listen_addr = {network.address("pooler")}
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


def primary_conf(ports: Ports, network: Network) -> str:
    # pg_stat_statements: the harness counts the report's statements on each server.
    return f"""listen_addresses = '{network.address("primary")}'
port = {ports.postgres}
shared_preload_libraries = 'pg_stat_statements'

wal_level = replica
max_wal_senders = 5
hot_standby = on
max_connections = 200
shared_buffers = 256MB
fsync = on
"""


def hba_conf(network: Network) -> str:
    return f"""local all all trust
host all all {network.clients} trust
host replication all {network.clients} trust
"""


def django_env(ports: Ports, workdir: Path, network: Network) -> dict[str, str]:
    """The environment of every web, worker and beat process: production settings, the database
    through pgbouncer, the reports from the replica, the beat's lease on the primary itself."""
    pooled = f"postgres://postgres@{network.address('pooler')}:{ports.pooler}"
    balancer, redis = network.address("balancer"), network.address("redis")
    return {
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.production",
        "DJANGO_SECRET_KEY": "scale-harness-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": ",".join(
            [balancer, *(network.address(host) for host in WEB_HOSTS), "localhost"]
        ),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "SITE_URL": f"http://{balancer}:{ports.balancer}",
        "EMAIL_URL": "consolemail://",
        "DATABASE_URL": f"{pooled}/{DATABASE}?pooler=pgbouncer",
        "DATABASE_REPLICA_URL": f"{pooled}/{DATABASE}_replica?pooler=pgbouncer",
        "BEAT_LEASE_DATABASE_URL": f"postgres://postgres@{network.address('primary')}:{ports.postgres}/{DATABASE}",
        "DATABASE_RANDOM_PAGE_COST": "",
        "REDIS_URL": f"redis://{redis}:{ports.redis}/0",
        "CELERY_BROKER_URL": f"redis://{redis}:{ports.redis}/0",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "INFO",
        # The balancer's X-Forwarded-For names the client (slaportal/client_address.py).
        "TRUSTED_PROXY_COUNT": "1",
        # The load files tickets and replies far faster than one person would, and all its users
        # sign in at once from one address (the load generator's).
        "API_THROTTLE_USER": "100000/min",
        "API_THROTTLE_WRITE": "100000/min",
        "API_THROTTLE_LOGIN": "100000/min",
    }


def write_all(workdir: Path, ports: Ports, network: Network) -> dict[str, Path]:
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
    files["haproxy"].write_text(haproxy_cfg(ports, network, workdir))
    files["pgbouncer"].write_text(pgbouncer_ini(ports, workdir, network))
    files["userlist"].write_text('"postgres" ""\n')
    files["env"].write_text(
        "".join(f"{key}={value}\n" for key, value in django_env(ports, workdir, network).items())
    )
    files["primary_conf"].write_text(primary_conf(ports, network))
    files["hba"].write_text(hba_conf(network))
    return files
