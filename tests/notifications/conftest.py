"""Real mail servers on loopback: an SMTP sink (aiosmtpd) that records what the portal sends and
can refuse chosen addresses, and a throwaway dovecot IMAP server for e-mail intake."""

import email
import email.policy
import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import require_service

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "support", "support-pass"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """Keeps every message accepted; answers 550 to RCPT TO of a refused address."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield sink
    controller.stop()


def _dovecot_config(root: Path, port: int) -> Path:
    user = getpass.getuser()
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
    # As root dovecot runs its login processes as its own users (from the Debian package); as
    # anyone else, everything runs as that person.
    users = "" if os.geteuid() == 0 else f"default_internal_user = {user}\ndefault_login_user = {user}\n"
    # Dovecot never opens a mailbox as root: under root the mail belongs to its own user.
    uid, gid = (
        (pwd.getpwnam("dovecot").pw_uid, pwd.getpwnam("dovecot").pw_gid)
        if os.geteuid() == 0
        else (os.getuid(), os.getgid())
    )
    config = root / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{users}first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
"""
    )
    return config


@pytest.fixture
def imap_server(settings):
    """A dovecot of our own on a free loopback port, with one mailbox; NOTIFICATIONS_IMAP points at it."""
    require_service(os.path.exists(DOVECOT), "needs dovecot (Debian package 'dovecot-imapd')")
    # Not under pytest's tmp_path: that is private to this user, and dovecot's own processes
    # must read their files.
    root = Path(tempfile.mkdtemp(prefix="slaportal-dovecot-"))
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True)
    for sub in ("run", "state", "mail", "home"):
        os.chmod(root / sub, 0o777)
    port = free_port()
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(_dovecot_config(root, port))],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    else:
        process.kill()
    if process.poll() is not None:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        output = process.stdout.read().decode(errors="replace") if process.stdout else ""
        pytest.fail(f"dovecot did not start: {output} {log}", pytrace=False)
    settings.NOTIFICATIONS_IMAP = {
        "HOST": "127.0.0.1",
        "PORT": port,
        "USER": IMAP_USER,
        "PASSWORD": IMAP_PASSWORD,
        "SSL": False,
        "STARTTLS": False,
        "FOLDER": "INBOX",
    }
    yield settings.NOTIFICATIONS_IMAP
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)
