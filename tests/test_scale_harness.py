"""The several-machines harness (scale/) is a command, not part of the suite: this checks that the
configuration it writes holds together."""

import configparser

from scale import config, run


def test_config_writes_a_balancer_a_pooler_and_one_environment_for_every_host(tmp_path):
    # when
    assert run.main(["config", "--workdir", str(tmp_path)]) == 0
    # then: HAProxy balances the two web hosts and retries a request whose host died
    haproxy = (tmp_path / "haproxy" / "haproxy.cfg").read_text()
    for address in config.WEB_HOSTS:
        assert f"{address}:{config.Ports().web} check" in haproxy
    assert "retry-on conn-failure" in haproxy
    # and: pgbouncer in transaction mode in front of the primary and the replica
    pooler = configparser.ConfigParser()
    pooler.read(tmp_path / "pgbouncer" / "pgbouncer.ini")
    assert pooler["pgbouncer"]["pool_mode"] == "transaction"
    assert config.PRIMARY in pooler["databases"]["slaportal"]
    assert config.REPLICA in pooler["databases"]["slaportal_replica"]
    # and: the hosts' settings send reports to the replica, through the pooler, and hold the beat's
    # lease on the primary itself
    env = dict(line.split("=", 1) for line in (tmp_path / "django.env").read_text().splitlines())
    assert env["DATABASE_URL"].endswith("?pooler=pgbouncer")
    assert "slaportal_replica" in env["DATABASE_REPLICA_URL"]
    assert f"{config.PRIMARY}:{config.Ports().postgres}" in env["BEAT_LEASE_DATABASE_URL"]
    assert all(address.startswith("127.") for address in (config.PRIMARY, config.REPLICA, config.BALANCER))


def test_the_kills_fall_at_a_quarter_a_half_and_three_quarters_of_the_run():
    # when / then
    assert config.Plan(600).kills == [(150, "web"), (300, "worker"), (450, "beat")]
    assert config.Plan(120).kills == [(30, "web"), (60, "worker"), (90, "beat")]


def test_each_worker_host_keeps_a_consumer_for_the_sweep_alone():
    # given
    from scale.run import worker_host_command
    from slaportal.queues import SWEEP_QUEUE

    # when
    shell, flag, script = worker_host_command("worker-a")
    # then: one consumer of the sweep's queue only, one of every other queue, in one process group
    assert (shell, flag) == ("bash", "-c")
    sweep, work = script.split(" & exec ")
    assert f"-Q {SWEEP_QUEUE}" in sweep and "worker-a-sweep@scale" in sweep
    assert f"-X {SWEEP_QUEUE}" in work and "worker-a-work@scale" in work
