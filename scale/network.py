"""The harness's machines on this one: a network namespace per host, each with one end of a veth
pair whose other end is on a bridge in the harness's own namespace (the client, which runs Locust
and the checks). Where `ip netns` is not permitted, every host is a process group on its own
loopback address instead (config.Network(namespaces=False)).

Nothing leaves the machine: the namespaces have no route but the bridge's subnet, and the
subnet is in the range set aside for benchmarks (RFC 2544), which no real network uses."""

import os
import signal
import subprocess

from scale import config


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def _quiet(*args: str) -> str:
    """Run ip, whatever comes of it (no ip at all included); its output."""
    try:
        return subprocess.run(["ip", *args], check=False, capture_output=True, text=True).stdout
    except OSError:
        return ""


def down() -> None:
    """Remove the namespaces and the bridge of this or an earlier run (one that was killed)."""
    for line in _quiet("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        if name.startswith(config.NETNS_PREFIX):
            kill_namespace(name)
            _quiet("netns", "delete", name)
    _quiet("link", "delete", config.BRIDGE)


def up() -> config.Network:
    """A namespace per host on a bridge; the loopback addresses when that is not permitted (the
    reason is in the returned Network's `fallback`)."""
    down()
    network = config.Network(namespaces=True)
    prefix = config.SUBNET.split("/")[1]
    try:
        _ip("link", "add", config.BRIDGE, "type", "bridge")
        _ip("addr", "add", f"{network.address('client')}/{prefix}", "dev", config.BRIDGE)
        _ip("link", "set", config.BRIDGE, "up")
        for host in config.HOSTS:
            if host == "client":
                continue
            namespace, veth = network.netns(host), config.VETH_PREFIX + host
            _ip("netns", "add", namespace)
            _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            _ip("link", "set", veth, "master", config.BRIDGE, "up")
            _ip("-n", namespace, "addr", "add", f"{network.address(host)}/{prefix}", "dev", "eth0")
            _ip("-n", namespace, "link", "set", "eth0", "up")
            _ip("-n", namespace, "link", "set", "lo", "up")
    except (OSError, subprocess.CalledProcessError) as exc:
        down()
        reason = (getattr(exc, "stderr", "") or str(exc)).strip()
        return config.Network(namespaces=False, fallback=f"ip netns not permitted: {reason}")
    return network


def kill_namespace(namespace: str) -> int:
    """SIGKILL every process in a namespace, as when its machine dies; how many there were."""
    killed = 0
    for pid in _quiet("netns", "pids", namespace).split():
        try:
            os.kill(int(pid), signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, ValueError):
            pass
    return killed
