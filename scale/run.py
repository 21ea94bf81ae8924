"""The several-machines harness (scale/README.md).

    python3 scale/run.py config [--workdir var/scale]      # write the configuration files only
    python3 scale/run.py run --duration 600 [--users 24]   # the whole run (10 minutes)
    python3 scale/run.py run --quick                        # 2 minutes

Puts each host in a network namespace of its own on a bridge (each on its own loopback address
where `ip netns` is not permitted, or with --loopback); starts PostgreSQL (a primary, a streaming
replica made with pg_basebackup), pgbouncer in transaction mode, Redis, two gunicorn web hosts
behind HAProxy, two Celery worker hosts and two beats; seeds the demo data and tickets whose
deadlines fall during the load; drives Locust headless through HAProxy; kills one web host, one
worker host and the beat holding the lease at a quarter, half and three quarters of the run;
then prints requests by status, filings lost or doubled against the client's log, breaches lost,
doubled or late beyond 2 s, where the report reads ran (the servers' statement counters, and
read-your-writes), and the failover times. Run as root (PostgreSQL runs as the postgres user)."""

import argparse
import csv
import datetime
import importlib.util
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale import config, network  # noqa: E402


def _sweep_queue() -> str:
    """slaportal/queues.py's SWEEP_QUEUE, read without importing the package (which needs the
    virtualenv: the harness runs with the system's python3, as dev.py does)."""
    spec = importlib.util.spec_from_file_location("slaportal_queues", ROOT / "slaportal" / "queues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SWEEP_QUEUE


SWEEP_QUEUE = _sweep_queue()

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
# A breach recorded more than this after its deadline is late.
LATE_SECONDS = 2.0
# After the load, the harness waits until the last deadline is this far behind before it reads.
SETTLE_SECONDS = 15
# Report reads are counted from this long after the load starts: each user's sign-in is a write,
# and keeps that user's reads on the primary for READ_YOUR_WRITES_SECONDS (5 s) after it; the 24
# sign-ins at once took up to 12 s on the saturated 2-core machine.
REPORT_COUNT_FROM = 30
PASSWORD = "demo-pass-2026"


class Host:
    """One process (group) standing for a machine: killed with SIGKILL as a machine dies, with
    every other process of its namespace when it has one."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, net: config.Network):
        self.name, self.env, self.log, self.net = name, env, log, net
        self.command = net.command(name, command)
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.net.netns(self.name):
            network.kill_namespace(self.net.netns(self.name))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def worker_host_command(name: str) -> list[str]:
    celery = [
        str(PYTHON),
        "-m",
        "celery",
        "-A",
        "slaportal",
        "worker",
        "-l",
        "info",
        "--without-gossip",
        "--without-mingle",
    ]
    sweep = [*celery, "-c", "1", "-Q", SWEEP_QUEUE, "-n", f"{name}-sweep@scale"]
    work = [*celery, "-c", "1", "-X", SWEEP_QUEUE, "-n", f"{name}-work@scale"]
    return ["bash", "-c", f"{shlex.join(sweep)} & exec {shlex.join(work)}"]


def as_postgres(net: config.Network, host: str, *command: str) -> None:
    subprocess.run(net.command(host, ["runuser", "-u", "postgres", "--", *command]), check=True, cwd="/")


def psql(
    net: config.Network, ports: config.Ports, host: str, sql: str, database: str = config.DATABASE
) -> str:
    result = subprocess.run(
        [PG_BIN / "psql", "-X", "-At", "-F", "\t", "-h", net.address(host), "-p", str(ports.postgres),
         "-U", "postgres", "-d", database, "-c", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return result.stdout


def start_databases(workdir: Path, ports: config.Ports, net: config.Network) -> None:
    primary, replica = workdir / "postgres" / "primary", workdir / "postgres" / "replica"
    for folder in (primary, replica):
        shutil.rmtree(folder, ignore_errors=True)
    (workdir / "postgres").mkdir(parents=True, exist_ok=True)
    shutil.chown(workdir / "postgres", "postgres")
    # Each cluster's socket outside its data folder, which pg_basebackup copies.
    sockets = workdir / "postgres" / "sockets"
    for name in ("primary", "replica"):
        (sockets / name).mkdir(parents=True, exist_ok=True)
        shutil.chown(sockets / name, "postgres")
    as_postgres(
        net,
        "primary",
        str(PG_BIN / "initdb"),
        "-D",
        str(primary),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
    )
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(config.primary_conf(ports, net))
        conf.write(f"unix_socket_directories = '{sockets / 'primary'}'\n")
    (primary / "pg_hba.conf").write_text(config.hba_conf(net))
    as_postgres(
        net,
        "primary",
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(primary),
        "-l",
        str(workdir / "postgres" / "primary.log"),
        "-w",
        "start",
    )
    as_postgres(
        net,
        "replica",
        str(PG_BIN / "pg_basebackup"),
        "-h",
        net.address("primary"),
        "-p",
        str(ports.postgres),
        "-U",
        "postgres",
        "-D",
        str(replica),
        "-R",
        "-X",
        "stream",
    )
    with (replica / "postgresql.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '{net.address('replica')}'\nunix_socket_directories = '{sockets / 'replica'}'\n"
        )
    as_postgres(
        net,
        "replica",
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(replica),
        "-l",
        str(workdir / "postgres" / "replica.log"),
        "-w",
        "start",
    )
    psql(net, ports, "primary", f"CREATE DATABASE {config.DATABASE}", database="postgres")
    psql(net, ports, "primary", "CREATE EXTENSION pg_stat_statements")


def stop_databases(workdir: Path) -> None:
    for name in ("replica", "primary"):
        folder = workdir / "postgres" / name
        if folder.exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(folder), "-m", "fast", "stop"],
                check=False,
            )  # fmt: skip


def manage(env: dict, *args: str, net: config.Network, ports: config.Ports) -> str:
    run_env = dict(env)
    # Migrations and seeding straight to the primary, not through the pooler.
    run_env["DATABASE_URL"] = (
        f"postgres://postgres@{net.address('primary')}:{ports.postgres}/{config.DATABASE}"
    )
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=run_env, check=True, capture_output=True, text=True
    )
    return result.stdout


# The tickets whose deadlines fall during the load belong to Premium Plus; the load's engineers
# reply to Premium's tickets only, so no first response stops one of these clocks.
SEED_DEADLINES = """
import datetime, json
from django.utils import timezone
from organizations.models import User
from packages.models import Allotment
from tickets.services.filing import ticket_file
from tickets.services.sla import ticket_deadline_correct
lead = User.objects.get(username="lead")
customer = User.objects.get(username="premiumplus-user1")
# The load files more tickets than any contract's quota holds.
Allotment.objects.filter(subscription__institution__slug__in=["premium", "premiumplus"]).update(is_unlimited=True)
tickets = [ticket_file(actor=customer, subject=f"deadline {{i}}", description="Süre testi.") for i in range({count})]
start = timezone.now() + datetime.timedelta(seconds={first})
out = []
for i, ticket in enumerate(tickets):
    due = start + datetime.timedelta(seconds={spread} * i / max(1, {count} - 1))
    ticket_deadline_correct(actor=lead, ticket=ticket, due_at=due)
    out.append([ticket.pk, due.isoformat()])
print(json.dumps(out))
"""

RESULTS = """
import json
from django.db.models import Count
from tickets.models import SLAEvent, Ticket
ids = {ids}
events = list(SLAEvent.objects.filter(ticket_id__in=ids, kind="breached").values("ticket_id", "recorded_at", "deadline_at"))
answered = {{pk: at.isoformat() for pk, at in Ticket.objects.filter(pk__in=ids, first_responded_at__isnull=False).values_list("pk", "first_responded_at")}}
subjects = dict(Ticket.objects.filter(subject__startswith="scale ").values_list("subject").annotate(n=Count("id")))
print(json.dumps({{"events": [[e["ticket_id"], e["recorded_at"].isoformat(), e["deadline_at"].isoformat()] for e in events],
                   "answered": answered, "subjects": subjects}}))
"""


def seed_deadlines(env: dict, net: config.Network, ports: config.Ports, duration: int) -> list:
    """Tickets whose deadlines fall evenly over the load, from FIRST s after this returns (the load
    starts at once) to 10 s before its end: some just after each kill."""
    count = max(60, duration // 5)
    script = SEED_DEADLINES.format(first=15, count=count, spread=max(30, duration - 25))
    return json.loads(manage(env, "shell", "-c", script, net=net, ports=ports).strip().splitlines()[-1])


def wait_ready(url: str, timeout: float) -> None:
    """Until the balancer answers through both web hosts."""
    deadline, answered = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and answered < 4:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - the harness's own balancer
                answered += response.status == 200
        except OSError:
            answered = 0
        time.sleep(0.5)
    if answered < 4:
        raise RuntimeError(f"{url} did not answer within {timeout} s")


def lease_holder(beats: list[Host]) -> Host | None:
    """The beat whose log last said it took the lease and has not lost it since."""
    for beat in beats:
        text = beat.log.read_text() if beat.log.exists() else ""
        if text.rfind("beat.lease.acquired") > text.rfind("beat.lease.lost") and beat.process.poll() is None:
            return beat
    return None


def haproxy_server_down(socket_path: Path, server: str) -> bool:
    """Whether HAProxy has marked the server down (its stats socket)."""
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(socket_path))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    except OSError:
        return False
    for row in csv.reader(data.decode().lstrip("# ").splitlines()):
        if len(row) > 17 and row[1] == server:
            return row[17].startswith("DOWN")
    return False


def last_sweep(net: config.Network, ports: config.Ports) -> str:
    """When the last SLA sweep completed, as the primary has it (ISO, UTC)."""
    return psql(
        net, ports, "primary",
        "SELECT to_char(completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
        "FROM tickets_engineheartbeat WHERE name = 'sla_sweep'",
    ).strip()  # fmt: skip


def seconds_until_sweep(
    net: config.Network, ports: config.Ports, after: datetime.datetime, timeout: float
) -> float | None:
    """Seconds from `after` until a sweep that started after it completed; None past timeout."""
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        done = last_sweep(net, ports)
        if done:
            at = datetime.datetime.fromisoformat(done).replace(tzinfo=datetime.UTC)
            if at > after:
                return round((at - after).total_seconds(), 1)
        time.sleep(0.2)
    return None


# A report read's statements: the reads (SELECT or WITH) of the reports' tables.
STATEMENTS = """
SELECT queryid, calls, (query ~* '^\\s*(select|with)' AND query LIKE '%reports\\_%')
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def statements(net: config.Network, ports: config.Ports) -> dict[str, dict[str, tuple[int, bool]]]:
    """Each server's statement counters: {server: {queryid: (calls, is a report read)}}."""
    counters = {}
    for server in ("primary", "replica"):
        rows = [line.split("\t") for line in psql(net, ports, server, STATEMENTS).splitlines() if line]
        counters[server] = {qid: (int(calls), flag == "t") for qid, calls, flag in rows}
    return counters


def report_reads(before: dict, after: dict) -> dict[str, int]:
    """How many report-read statements each server ran between two snapshots: the reads of the
    reports' tables that the replica has run (the same statement has the same id on both; a
    statement of the primary's own, such as the roll-up's refresh, is not a report read)."""
    report_ids = {qid for qid, (_calls, is_report) in after["replica"].items() if is_report}

    def moved(server: str) -> int:
        return sum(
            after[server].get(qid, (0, False))[0] - before[server].get(qid, (0, False))[0]
            for qid in report_ids
        )

    return {"replica": moved("replica"), "primary": moved("primary")}


def _api(base: str, path: str, *, token: str = "", body: dict | None = None) -> dict:
    method = "POST" if body is not None else "GET"
    request = urllib.request.Request(base + path, method=method)  # noqa: S310 - the harness's own balancer
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data=data, timeout=30) as response:  # noqa: S310 - the harness's own balancer
        return json.loads(response.read() or b"{}")


def read_your_writes(base: str, net: config.Network, ports: config.Ports) -> dict:
    """An institution admin reads the report summary, writes (asks for the app token again with
    it), and reads the summary again at once: the first read from the replica, the second from
    the primary. No cookie is kept: the mark the write leaves is the shared cache's, so the read
    may land on either web host."""
    token = _api(base, "/api/v1/auth/token/", body={"username": "premium-admin", "password": PASSWORD})[
        "token"
    ]
    now = datetime.datetime.now(datetime.UTC)
    query = urllib.parse.urlencode(
        {"from": (now - datetime.timedelta(days=30)).isoformat(), "to": now.isoformat()}
    )
    time.sleep(1)
    first = statements(net, ports)
    _api(base, f"/api/v1/reports/summary/?{query}", token=token)
    second = statements(net, ports)
    _api(base, "/api/v1/auth/token/", token=token, body={"username": "premium-admin", "password": PASSWORD})
    _api(base, f"/api/v1/reports/summary/?{query}", token=token)
    third = statements(net, ports)
    return {
        "read_before_a_write": report_reads(first, second),
        "read_just_after_a_write": report_reads(second, third),
    }


def analyse(client_log: Path, results: dict, deadlines: list, locust_csv: Path) -> dict:
    attempts = [json.loads(line) for line in client_log.read_text().splitlines() if line.strip()]
    keys = {a["key"] for a in attempts}
    answered = {a["key"] for a in attempts if a["status"] in (200, 201)}
    subjects = results["subjects"]
    doubled = sum(1 for key in keys if subjects.get(f"scale {key}", 0) > 1)
    lost = sum(1 for key in answered if subjects.get(f"scale {key}", 0) == 0)
    by_status: dict[str, int] = {}
    for attempt in attempts:
        by_status[str(attempt["status"])] = by_status.get(str(attempt["status"]), 0) + 1
    events: dict[int, list] = {}
    for ticket_id, recorded, deadline in results["events"]:
        events.setdefault(ticket_id, []).append(
            (
                datetime.datetime.fromisoformat(recorded) - datetime.datetime.fromisoformat(deadline)
            ).total_seconds()
        )
    now = datetime.datetime.now(datetime.UTC)
    first_responses = {int(pk): datetime.datetime.fromisoformat(at) for pk, at in results["answered"].items()}
    # A ticket answered before its deadline does not breach: not counted as due.
    due = [
        t for t, d in deadlines
        if datetime.datetime.fromisoformat(d) < now
        and not (t in first_responses and first_responses[t] < datetime.datetime.fromisoformat(d))
    ]  # fmt: skip
    lags = sorted(max(lag) for lag in events.values())
    requests = {}
    if locust_csv.exists():
        with locust_csv.open() as stats:
            for row in csv.DictReader(stats):
                requests[row["Name"]] = {
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50_ms": row["50%"],
                    "p95_ms": row["95%"],
                }
    return {
        "filing_attempts_by_status": by_status,
        "filings": len(keys),
        "filings_answered": len(answered),
        "filings_lost": lost,
        "filings_doubled": doubled,
        "breaches_due": len(due),
        "breaches_answered_before_deadline": len(deadlines) - len(due),
        "breaches_recorded": sum(1 for t in due if t in events),
        "breaches_lost": sum(1 for t in due if t not in events),
        "breaches_doubled": sum(1 for lag in events.values() if len(lag) > 1),
        "breaches_late_over_2s": sum(1 for lag in lags if lag > LATE_SECONDS),
        "breach_lag_s": {
            "p50": lags[len(lags) // 2] if lags else None,
            "p95": lags[min(len(lags) - 1, int(len(lags) * 0.95))] if lags else None,
            "max": lags[-1] if lags else None,
        },
        "requests": requests,
    }


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def run(args) -> int:
    workdir, ports = Path(args.workdir).resolve(), config.Ports()
    duration = 120 if args.quick else args.duration
    net = config.Network(namespaces=False, fallback="--loopback") if args.loopback else network.up()
    print(f"hosts: {net.describe()}", flush=True)
    files = config.write_all(workdir, ports, net)
    env = {**os.environ, **config.django_env(ports, workdir, net)}
    logs = workdir / "logs"
    for old in logs.glob("*.log"):
        old.unlink()
    client_log = workdir / "client.jsonl"
    client_log.unlink(missing_ok=True)
    hosts: list[Host] = []
    base = f"http://{net.address('balancer')}:{ports.balancer}"
    try:
        start_databases(workdir, ports, net)
        redis = Host(
            "redis",
            # Protected mode refuses every address but the loopback: the other hosts are on the bridge.
            [
                "redis-server",
                "--bind",
                net.address("redis"),
                "--port",
                str(ports.redis),
                "--save",
                "",
                "--protected-mode",
                "no",
            ],
            env,
            logs / "redis.log",
            net,
        )
        pooler = Host(
            "pooler",
            ["runuser", "-u", "postgres", "--", "pgbouncer", str(files["pgbouncer"])],
            env,
            logs / "pgbouncer.out",
            net,
        )
        shutil.chown(files["pgbouncer"].parent, "postgres")
        shutil.chown(logs, "postgres")
        hosts += [redis, pooler]
        redis.start()
        pooler.start()
        time.sleep(1)
        manage(env, "migrate", "--noinput", net=net, ports=ports)
        manage(env, "seed_demo", net=net, ports=ports)
        webs = [
            Host(host, [PYTHON, "-m", "gunicorn", "slaportal.wsgi", "-b", f"{net.address(host)}:{ports.web}", "-w", "2", "--threads", "4"], env, logs / f"{host}.log", net)
            for host in config.WEB_HOSTS
        ]  # fmt: skip
        # Each worker host runs what `dev.py run` runs: a consumer of the SLA sweep's queue alone, so
        # no burst of filings or e-mails delays a sweep, and one for every other queue. Both are
        # in the host's process group (and namespace), so killing the host kills both.
        workers = [
            Host(name, worker_host_command(name), env, logs / f"{name}.log", net)
            for name in config.WORKER_HOSTS
        ]
        beats = [
            Host(name, [PYTHON, "-m", "celery", "-A", "slaportal", "beat", "-l", "info", "--max-interval", "1", "-s", str(workdir / f"{name}.schedule")], env, logs / f"{name}.log", net)
            for name in config.BEAT_HOSTS
        ]  # fmt: skip
        balancer = Host(
            "balancer", ["haproxy", "-f", str(files["haproxy"]), "-db"], env, logs / "haproxy.log", net
        )
        for host in [*webs, *workers, *beats, balancer]:
            hosts.append(host)
            host.start()
        wait_ready(f"{base}/health/live/", timeout=180)
        deadlines = seed_deadlines(env, net, ports, duration)
        locust_prefix = workdir / "locust"
        load = subprocess.Popen(
            [PYTHON, "-m", "locust", "-f", str(ROOT / "scale" / "locustfile.py"), "--headless", "-u", str(args.users),
             "-r", str(args.users), "-t", f"{duration}s", "-H", base, "--csv", str(locust_prefix), "--only-summary"],
            cwd=ROOT, env={**env, "SCALE_CLIENT_LOG": str(client_log)}, stdout=(logs / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.monotonic()
        failovers, load_samples = {}, [load_average()]
        events = [(REPORT_COUNT_FROM, "count"), *config.Plan(duration).kills]
        for at, what in sorted(events):
            time.sleep(max(0.0, started + at - time.monotonic()))
            load_samples.append(load_average())
            killed_at = datetime.datetime.now(datetime.UTC)
            if what == "count":
                counted_from = statements(net, ports)
            elif what == "web":
                killed = time.monotonic()
                webs[0].kill()
                while time.monotonic() - killed < 10 and not haproxy_server_down(
                    workdir / "haproxy" / "admin.sock", "web1"
                ):
                    time.sleep(0.05)
                failovers["web"] = {
                    "killed_at_s": at,
                    "marked_down_by_haproxy_after_s": round(time.monotonic() - killed, 1),
                }
            elif what == "worker":
                workers[0].kill()
                failovers["worker"] = {
                    "killed": workers[0].name, "killed_at_s": at,
                    "next_sweep_completed_after_s": seconds_until_sweep(net, ports, killed_at, 30),
                }  # fmt: skip
            else:
                holder = lease_holder(beats) or beats[0]
                other = beats[1] if holder is beats[0] else beats[0]
                killed = time.monotonic()
                holder.kill()
                while time.monotonic() - killed < 30 and "beat.lease.acquired" not in other.log.read_text():
                    time.sleep(0.1)
                failovers["beat"] = {
                    "killed": holder.name, "killed_at_s": at,
                    "lease_taken_by": other.name, "lease_taken_after_s": round(time.monotonic() - killed, 1),
                    "next_sweep_completed_after_s": seconds_until_sweep(net, ports, killed_at, 30),
                }  # fmt: skip
        while load.poll() is None:
            time.sleep(min(30.0, max(1.0, started + duration - time.monotonic())))
            load_samples.append(load_average())
        counted_to = statements(net, ports)
        # Settle: every deadline at least SETTLE_SECONDS behind before the results are read.
        last = max(datetime.datetime.fromisoformat(d) for _, d in deadlines)
        time.sleep(max(5.0, (last - datetime.datetime.now(datetime.UTC)).total_seconds() + SETTLE_SECONDS))
        ids = [t for t, _ in deadlines]
        results = json.loads(
            manage(env, "shell", "-c", RESULTS.format(ids=ids), net=net, ports=ports).strip().splitlines()[-1]
        )
        report = {"hosts": net.describe(), "duration_s": duration, "users": args.users}
        report |= analyse(client_log, results, deadlines, Path(f"{locust_prefix}_stats.csv"))
        report["report_reads"] = report_reads(counted_from, counted_to) | {
            "counted": f"reads of the reports' tables (pg_stat_statements), from {REPORT_COUNT_FROM} s into the load to its end"
        }
        report["read_your_writes"] = read_your_writes(base, net, ports)
        report["failovers"] = failovers
        report["load_average_1m"] = {
            "min": min(s[0] for s in load_samples), "max": max(s[0] for s in load_samples),
            "mean": round(sum(s[0] for s in load_samples) / len(load_samples), 2),
        }  # fmt: skip
        print(json.dumps(report, indent=2, ensure_ascii=False))
        replica_served = report["report_reads"]["replica"] > 0 and report["report_reads"]["primary"] == 0
        ryw = report["read_your_writes"]
        ryw_held = (
            ryw["read_before_a_write"]["replica"] > 0 and ryw["read_before_a_write"]["primary"] == 0
            and ryw["read_just_after_a_write"]["primary"] > 0 and ryw["read_just_after_a_write"]["replica"] == 0
        )  # fmt: skip
        ok = not (report["filings_lost"] or report["filings_doubled"] or report["breaches_lost"]
                  or report["breaches_doubled"] or report["breaches_late_over_2s"]) and replica_served and ryw_held  # fmt: skip
        return 0 if ok else 1
    finally:
        for host in reversed(hosts):
            host.stop()
        stop_databases(workdir)
        if net.namespaces:
            network.down()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["config", "run"])
    parser.add_argument("--workdir", default=str(ROOT / "var" / "scale"))
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (10 minutes)")
    parser.add_argument("--quick", action="store_true", help="2 minutes of load")
    parser.add_argument("--users", type=int, default=24, help="Locust users")
    parser.add_argument(
        "--loopback", action="store_true", help="each host on a loopback address, not in a network namespace"
    )
    args = parser.parse_args(argv)
    if args.command == "config":
        net = config.Network(namespaces=not args.loopback)
        for name, path in config.write_all(Path(args.workdir).resolve(), config.Ports(), net).items():
            print(f"{name}: {path}")
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
