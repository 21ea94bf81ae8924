"""The several-machines harness (scale/README.md).

    python3 scale/run.py config [--workdir var/scale]      # write the configuration files only
    python3 scale/run.py run --duration 600 [--users 24]   # the whole run (10 minutes)
    python3 scale/run.py run --quick                        # 2 minutes

Starts PostgreSQL (primary on its own address, a streaming replica made with pg_basebackup),
pgbouncer in transaction mode, Redis, two gunicorn web hosts behind HAProxy, two Celery worker
hosts and two beats; seeds the demo data and tickets whose deadlines fall during the run; drives
Locust headless through HAProxy; kills one web host, one worker host and the beat holding the
lease at a quarter, half and three quarters of the run; then prints requests by status, filings
lost or doubled against the client's log, breaches lost, doubled or late beyond 2 s, and the
failover times. Run as root (PostgreSQL runs as the postgres user)."""

import argparse
import csv
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scale import config  # noqa: E402
from slaportal.queues import SWEEP_QUEUE  # noqa: E402

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
BREACH_TICKETS = 60


class Host:
    """One process (group) standing for a machine: killed with SIGKILL as a machine dies."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
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


def as_postgres(*command: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, cwd="/")


def start_databases(workdir: Path, ports: config.Ports) -> None:
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
    as_postgres(str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    with (primary / "postgresql.conf").open("a") as conf:
        conf.write(config.primary_conf(ports))
        conf.write(f"unix_socket_directories = '{sockets / 'primary'}'\n")
    (primary / "pg_hba.conf").write_text(config.hba_conf())
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(primary),
        "-l",
        str(workdir / "postgres" / "primary.log"),
        "-w",
        "start",
    )
    as_postgres(
        str(PG_BIN / "pg_basebackup"), "-h", config.PRIMARY, "-p", str(ports.postgres), "-U", "postgres",
        "-D", str(replica), "-R", "-X", "stream",
    )  # fmt: skip
    with (replica / "postgresql.conf").open("a") as conf:
        conf.write(
            f"listen_addresses = '{config.REPLICA}'\nunix_socket_directories = '{sockets / 'replica'}'\n"
        )
    as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(replica),
        "-l",
        str(workdir / "postgres" / "replica.log"),
        "-w",
        "start",
    )
    subprocess.run(
        [PG_BIN / "psql", "-h", config.PRIMARY, "-p", str(ports.postgres), "-U", "postgres", "-c",
         f"CREATE DATABASE {config.DATABASE}"],
        check=True,
    )  # fmt: skip


def stop_databases(workdir: Path) -> None:
    for name in ("replica", "primary"):
        folder = workdir / "postgres" / name
        if folder.exists():
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(folder),
                    "-m",
                    "fast",
                    "stop",
                ],
                check=False,
            )


def manage(env: dict, *args: str, direct: bool = True, ports: config.Ports) -> str:
    run_env = dict(env)
    if direct:  # migrations and seeding straight to the primary, not through the pooler
        run_env["DATABASE_URL"] = f"postgres://postgres@{config.PRIMARY}:{ports.postgres}/{config.DATABASE}"
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=run_env, check=True, capture_output=True, text=True
    )
    return result.stdout


SEED_DEADLINES = """
import datetime, json
from django.utils import timezone
from organizations.models import User
from packages.models import Allotment
from tickets.services.filing import ticket_file
from tickets.services.sla import ticket_deadline_correct
lead = User.objects.get(username="lead")
customer = User.objects.get(username="premium-user1")
# The load files more tickets than any contract's quota holds.
Allotment.objects.filter(subscription__institution=customer.institution).update(is_unlimited=True)
start = timezone.now() + datetime.timedelta(seconds={first})
out = []
for i in range({count}):
    ticket = ticket_file(actor=customer, subject=f"deadline {{i}}", description="Süre testi.")
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
subjects = dict(Ticket.objects.filter(subject__startswith="scale ").values_list("subject").annotate(n=Count("id")))
print(json.dumps({{"events": [[e["ticket_id"], e["recorded_at"].isoformat(), e["deadline_at"].isoformat()] for e in events],
                   "subjects": subjects}}))
"""


def seed(env: dict, ports: config.Ports, duration: int) -> list:
    manage(env, "migrate", "--noinput", ports=ports)
    manage(env, "seed_demo", ports=ports)
    script = SEED_DEADLINES.format(first=60, count=BREACH_TICKETS, spread=max(30, duration - 30))
    return json.loads(manage(env, "shell", "-c", script, ports=ports).strip().splitlines()[-1])


def wait_ready(url: str, timeout: float) -> None:
    """Until the balancer answers through both web hosts."""
    import urllib.request

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


def analyse(client_log: Path, results: dict, deadlines: list, locust_csv: Path) -> dict:
    import datetime

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
    due = [t for t, d in deadlines if datetime.datetime.fromisoformat(d) < now]
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
        "breaches_lost": sum(1 for t in due if t not in events),
        "breaches_doubled": sum(1 for lags in events.values() if len(lags) > 1),
        "breaches_late_over_2s": sum(1 for lags in events.values() if max(lags) > 2),
        "breach_lag_max_s": max((max(lags) for lags in events.values()), default=None),
        "requests": requests,
    }


def run(args) -> int:
    workdir, ports = Path(args.workdir).resolve(), config.Ports()
    duration = 120 if args.quick else args.duration
    files = config.write_all(workdir, ports)
    env = {**os.environ, **config.django_env(ports, workdir)}
    logs = workdir / "logs"
    for old in logs.glob("*.log"):
        old.unlink()
    client_log = workdir / "client.jsonl"
    client_log.unlink(missing_ok=True)
    hosts: list[Host] = []
    try:
        start_databases(workdir, ports)
        redis = Host(
            "redis",
            ["redis-server", "--bind", config.REDIS, "--port", str(ports.redis), "--save", ""],
            env,
            logs / "redis.log",
        )
        pooler = Host(
            "pgbouncer",
            ["runuser", "-u", "postgres", "--", "pgbouncer", str(files["pgbouncer"])],
            env,
            logs / "pgbouncer.out",
        )
        shutil.chown(files["pgbouncer"].parent, "postgres")
        shutil.chown(logs, "postgres")
        hosts += [redis, pooler]
        redis.start()
        pooler.start()
        time.sleep(1)
        deadlines = seed(env, ports, duration)
        webs = [
            Host(f"web{i + 1}", [PYTHON, "-m", "gunicorn", "slaportal.wsgi", "-b", f"{address}:{ports.web}", "-w", "2", "--threads", "4"], env, logs / f"web{i + 1}.log")
            for i, address in enumerate(config.WEB_HOSTS)
        ]  # fmt: skip
        # Each worker host runs what `dev.py run` runs: a consumer of the SLA sweep's queue alone, so
        # no burst of filings or e-mails delays a sweep, and one for every other queue. Both are
        # in the host's process group, so killing the host kills both.
        workers = [
            Host(name, worker_host_command(name), env, logs / f"{name}.log") for name in config.WORKER_HOSTS
        ]
        beats = [
            Host(name, [PYTHON, "-m", "celery", "-A", "slaportal", "beat", "-l", "info", "--max-interval", "1", "-s", str(workdir / f"{name}.schedule")], env, logs / f"{name}.log")
            for name in config.BEAT_HOSTS
        ]  # fmt: skip
        balancer = Host("haproxy", ["haproxy", "-f", str(files["haproxy"]), "-db"], env, logs / "haproxy.log")
        for host in [*webs, *workers, *beats, balancer]:
            hosts.append(host)
            host.start()
        wait_ready(f"http://{config.BALANCER}:{ports.balancer}/health/live/", timeout=120)
        locust_prefix = workdir / "locust"
        load = subprocess.Popen(
            [PYTHON, "-m", "locust", "-f", str(ROOT / "scale" / "locustfile.py"), "--headless", "-u", str(args.users),
             "-r", str(args.users), "-t", f"{duration}s", "-H", f"http://{config.BALANCER}:{ports.balancer}",
             "--csv", str(locust_prefix), "--only-summary"],
            cwd=ROOT, env={**env, "SCALE_CLIENT_LOG": str(client_log)}, stdout=(logs / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.monotonic()
        failovers = {}
        for at, what in config.Plan(duration).kills:
            time.sleep(max(0.0, started + at - time.monotonic()))
            if what == "web":
                webs[0].kill()
                failovers["web"] = f"web1 killed at {at} s; HAProxy retries its requests on web2"
            elif what == "worker":
                workers[0].kill()
                failovers["worker"] = f"{workers[0].name} killed at {at} s"
            else:
                holder = lease_holder(beats) or beats[0]
                other = beats[1] if holder is beats[0] else beats[0]
                killed = time.monotonic()
                holder.kill()
                while time.monotonic() - killed < 30 and "beat.lease.acquired" not in other.log.read_text():
                    time.sleep(0.1)
                failovers["beat"] = (
                    f"{holder.name} killed at {at} s; {other.name} took the lease after {time.monotonic() - killed:.1f} s"
                )
        load.wait(timeout=duration + 120)
        time.sleep(5)
        ids = [t for t, _ in deadlines]
        results = json.loads(
            manage(env, "shell", "-c", RESULTS.format(ids=ids), ports=ports).strip().splitlines()[-1]
        )
        report = analyse(client_log, results, deadlines, Path(f"{locust_prefix}_stats.csv"))
        report["duration_s"] = duration
        report["failovers"] = failovers
        print(json.dumps(report, indent=2, ensure_ascii=False))
        ok = not (report["filings_lost"] or report["filings_doubled"] or report["breaches_lost"]
                  or report["breaches_doubled"] or report["breaches_late_over_2s"])  # fmt: skip
        return 0 if ok else 1
    finally:
        for host in reversed(hosts):
            host.stop()
        stop_databases(workdir)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["config", "run"])
    parser.add_argument("--workdir", default=str(ROOT / "var" / "scale"))
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (10 minutes)")
    parser.add_argument("--quick", action="store_true", help="2 minutes of load")
    parser.add_argument("--users", type=int, default=24, help="Locust users")
    args = parser.parse_args(argv)
    if args.command == "config":
        for name, path in config.write_all(Path(args.workdir).resolve(), config.Ports()).items():
            print(f"{name}: {path}")
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
