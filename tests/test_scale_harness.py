"""The several-machines harness (scale/) is a command, not part of the suite: this checks that the
configuration it writes holds together."""

import configparser
import ipaddress

import pytest

from scale import config, run


@pytest.mark.parametrize("loopback", [False, True], ids=["namespaces", "loopback"])
def test_config_writes_a_balancer_a_pooler_and_one_environment_for_every_host(tmp_path, loopback):
    # given
    net = config.Network(namespaces=not loopback)
    # when
    assert run.main(["config", "--workdir", str(tmp_path), *(["--loopback"] if loopback else [])]) == 0
    # then: HAProxy balances the two web hosts and retries a request whose host died
    haproxy = (tmp_path / "haproxy" / "haproxy.cfg").read_text()
    for host in config.WEB_HOSTS:
        assert f"{net.address(host)}:{config.Ports().web} check" in haproxy
    assert f"bind {net.address('balancer')}:" in haproxy
    assert "retry-on conn-failure" in haproxy
    # and: pgbouncer in transaction mode in front of the primary and the replica
    pooler = configparser.ConfigParser()
    pooler.read(tmp_path / "pgbouncer" / "pgbouncer.ini")
    assert pooler["pgbouncer"]["pool_mode"] == "transaction"
    assert pooler["pgbouncer"]["listen_addr"] == net.address("pooler")
    assert net.address("primary") in pooler["databases"]["slaportal"]
    assert net.address("replica") in pooler["databases"]["slaportal_replica"]
    # and: the hosts' settings send reports to the replica, through the pooler, and hold the beat's
    # lease on the primary itself
    env = dict(line.split("=", 1) for line in (tmp_path / "django.env").read_text().splitlines())
    assert env["DATABASE_URL"].endswith("?pooler=pgbouncer")
    assert f"@{net.address('pooler')}:" in env["DATABASE_REPLICA_URL"]
    assert "slaportal_replica" in env["DATABASE_REPLICA_URL"]
    assert f"{net.address('primary')}:{config.Ports().postgres}" in env["BEAT_LEASE_DATABASE_URL"]
    assert env["REDIS_URL"].startswith(f"redis://{net.address('redis')}:")
    # and: PostgreSQL lets in the hosts' addresses and nothing else
    hba = (tmp_path / "postgres" / "pg_hba.conf").read_text()
    assert f"host all all {net.clients} trust" in hba
    assert (
        (tmp_path / "postgres" / "primary.conf")
        .read_text()
        .startswith(f"listen_addresses = '{net.address('primary')}'")
    )


def test_every_host_has_an_address_of_its_own_on_the_bridge_or_on_the_loopback():
    # given
    namespaces, loopback = config.Network(namespaces=True), config.Network(namespaces=False)
    subnet = ipaddress.ip_network(config.SUBNET)
    # then: one address per host in each layout, in the benchmark range or the loopback range
    for net, network in ((namespaces, subnet), (loopback, ipaddress.ip_network("127.0.0.0/8"))):
        addresses = [net.address(host) for host in config.HOSTS]
        assert len(set(addresses)) == len(config.HOSTS)
        assert all(ipaddress.ip_address(address) in network for address in addresses)
    assert subnet.subnet_of(ipaddress.ip_network("198.18.0.0/15"))
    # and: in namespaces every host but the client runs inside its own; on the loopback none does
    assert namespaces.command("web1", ["gunicorn"]) == ["ip", "netns", "exec", "slpscale-web1", "gunicorn"]
    assert namespaces.command("client", ["locust"]) == ["locust"]
    assert loopback.command("web1", ["gunicorn"]) == ["gunicorn"]
    # and: each veth's name fits the kernel's 15 characters
    assert all(len(config.VETH_PREFIX + host) <= 15 for host in config.HOSTS)


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


def test_report_reads_are_the_roll_up_statements_each_server_ran_between_two_snapshots():
    # given: the report's statement (1) and another (2) on each server, before and after the load
    before = {"primary": {"1": (5, True), "2": (100, False)}, "replica": {"1": (3, True)}}
    after = {"primary": {"1": (5, True), "2": (180, False)}, "replica": {"1": (40, True), "3": (9, False)}}
    # when / then: only the replica ran the report's statement meanwhile
    assert run.report_reads(before, after) == {"replica": 37, "primary": 0}
    # and: a report read on the primary counts there, even where it had never run it before; a read
    # of the reports' tables that only the primary runs (the roll-up's refresh) does not
    after["primary"]["1"] = (7, True)
    after["primary"]["4"] = (50, True)
    assert run.report_reads(before, after) == {"replica": 37, "primary": 2}
    del before["primary"]["1"]
    assert run.report_reads(before, after) == {"replica": 37, "primary": 7}


def test_the_hosts_fall_back_to_loopback_addresses_when_namespaces_are_not_permitted(monkeypatch):
    # given: ip refuses to make a namespace, as in a container without CAP_SYS_ADMIN
    import subprocess

    from scale import network

    calls = []

    def refusing(argv, check=False, **kwargs):
        calls.append(argv)
        if argv[:3] == ["ip", "netns", "add"] and check:
            raise subprocess.CalledProcessError(
                1, argv, stderr="mount --make-shared /run/netns failed: Operation not permitted"
            )
        return subprocess.CompletedProcess(argv, 0, stdout="", stderr="")

    monkeypatch.setattr(network.subprocess, "run", refusing)
    # when
    net = network.up()
    # then: every host on its loopback address, with the reason, and the bridge made so far removed
    assert not net.namespaces
    assert "Operation not permitted" in net.fallback
    assert net.address("web1") == "127.0.0.11"
    assert "loopback" in net.describe() and "Operation not permitted" in net.describe()
    assert calls[-1] == ["ip", "link", "delete", config.BRIDGE]
