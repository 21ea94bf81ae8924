"""A throwaway OpenLDAP server (Debian's slapd) for the directory sign-in tests, on a free loopback
port with its own configuration and database in a temporary folder, loaded with a small tree:
two people, two groups that the tests map to roles, and one group that gives nothing."""

import importlib.util
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import require_service

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
LDAPADD = shutil.which("ldapadd") or "/usr/bin/ldapadd"
BASE_DN = "dc=kurum,dc=gov,dc=tr"
ADMIN_DN = f"cn=admin,{BASE_DN}"
ADMIN_PASSWORD = "admin-secret"  # noqa: S105
PEOPLE_DN = f"ou=people,{BASE_DN}"
GROUPS_DN = f"ou=groups,{BASE_DN}"
ADMINS_GROUP = f"cn=portal-admins,{GROUPS_DN}"
USERS_GROUP = f"cn=portal-users,{GROUPS_DN}"
OTHER_GROUP = f"cn=accounting,{GROUPS_DN}"
# uid → (password, given name, surname, groups)
PEOPLE = {
    "ayse": ("ayse-secret-1", "Ayşe", "Yılmaz", [ADMINS_GROUP, USERS_GROUP]),
    "mehmet": ("mehmet-secret-1", "Mehmet", "Kaya", [USERS_GROUP]),
    "zeynep": ("zeynep-secret-1", "Zeynep", "Demir", [OTHER_GROUP]),
}

SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tree_ldif() -> str:
    entries = [
        f"dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: kurum\no: Kurum\n",
        f"dn: {PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    for uid, (password, given, surname, _) in PEOPLE.items():
        entries.append(
            f"dn: uid={uid},{PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {surname}\n"
            f"givenName: {given}\nsn: {surname}\nmail: {uid}@kurum.gov.tr\nuserPassword: {password}\n"
        )
    for group in (ADMINS_GROUP, USERS_GROUP, OTHER_GROUP):
        members = [f"member: uid={uid},{PEOPLE_DN}" for uid, person in PEOPLE.items() if group in person[3]]
        cn = group.split(",", 1)[0].split("=", 1)[1]
        entries.append(f"dn: {group}\nobjectClass: groupOfNames\ncn: {cn}\n" + "\n".join(members) + "\n")
    return "\n".join(entries)


class Slapd:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        data = self.root / "data"
        data.mkdir()
        includes = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS)
        config = self.root / "slapd.conf"
        config.write_text(
            f"{includes}\npidfile {self.root / 'slapd.pid'}\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
            f'database mdb\nmaxsize 10485760\nsuffix "{BASE_DN}"\nrootdn "{ADMIN_DN}"\n'
            f"rootpw {ADMIN_PASSWORD}\ndirectory {data}\n"
        )
        self.process = subprocess.Popen(  # noqa: S603
            [SLAPD, "-d", "0", "-h", f"{self.uri}/", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError("slapd did not start")
        self.ldif(_tree_ldif())

    def ldif(self, text: str, *, tool: str = LDAPADD) -> None:
        subprocess.run(  # noqa: S603
            [tool, "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
        )

    def delete(self, dn: str) -> None:
        subprocess.run(  # noqa: S603
            [
                shutil.which("ldapdelete") or "/usr/bin/ldapdelete",
                "-x",
                "-H",
                self.uri,
                "-D",
                ADMIN_DN,
                "-w",
                ADMIN_PASSWORD,
                dn,
            ],
            check=True,
            capture_output=True,
        )

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def slapd(tmp_path):
    """A running slapd with the tree above; stopped after the test."""
    require_service(
        importlib.util.find_spec("ldap") is not None,
        "needs python-ldap: pip install -e '.[ldap]' (it builds against Debian's libldap2-dev and libsasl2-dev)",
    )
    require_service(
        Path(SLAPD).exists() and Path(LDAPADD).exists(),
        "needs OpenLDAP's slapd and ldap-utils (Debian packages 'slapd' and 'ldap-utils')",
    )
    server = Slapd(tmp_path / "slapd")
    server.root.mkdir()
    server.start()
    yield server
    server.stop()
