"""Outgoing mail configured by one URL (EMAIL_URL): a test e-mail sent by `manage.py sendtestemail`
on the production settings reaches an SMTP server the test starts on loopback, over STARTTLS with
a login when the URL says smtp+tls://user:password@…, in plain SMTP when it says smtp://…"""

import email
import email.policy
import os
import secrets
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

ROOT = Path(__file__).resolve().parents[2]
# A self-signed certificate for localhost and 127.0.0.1 (valid until 2126) with its key, trusted
# by the sending process through SSL_CERT_FILE: the STARTTLS handshake is verified, not waived.
CERTIFICATE = Path(__file__).with_name("smtp-localhost.pem")
USER, PASSWORD = "portal@example.test", "s3cret:with@odd/chars"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.logins: list[tuple[str, str]] = []
        self.tls: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        self.tls.append(session.ssl is not None)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == (USER, PASSWORD), handled=False)


@pytest.fixture
def smtp_server():
    """aiosmtpd on loopback offering STARTTLS and requiring a login (only over TLS)."""
    mailbox = Mailbox()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTIFICATE)
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=_free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=mailbox.authenticate,
        auth_required=True,
    )
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def plain_smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


def _sendtestemail(email_url: str, *recipients: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        DJANGO_SETTINGS_MODULE="slaportal.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="portal.example.test",
        SITE_URL="https://portal.example.test",
        EMAIL_URL=email_url,
        DEFAULT_FROM_EMAIL="SLA Portal <destek@portal.example.test>",
        SSL_CERT_FILE=str(CERTIFICATE),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "sendtestemail", *recipients],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_test_email_is_delivered_over_starttls_with_the_login_of_email_url(smtp_server):
    # given: the URL of the README, password percent-encoded
    mailbox, port = smtp_server
    url = f"smtp+tls://portal%40example.test:s3cret%3Awith%40odd%2Fchars@localhost:{port}"
    # when
    result = _sendtestemail(url, "someone@example.test")
    # then: logged in with the decoded credentials, over TLS, from DEFAULT_FROM_EMAIL
    assert result.returncode == 0, result.stderr
    assert mailbox.logins == [(USER, PASSWORD)]
    assert mailbox.tls == [True]
    [message] = mailbox.messages
    assert message["To"] == "someone@example.test"
    assert message["From"] == "SLA Portal <destek@portal.example.test>"
    assert "Test email from" in message["Subject"]


def test_a_wrong_password_in_email_url_fails_the_send(smtp_server):
    # given
    mailbox, port = smtp_server
    # when
    result = _sendtestemail(
        f"smtp+tls://portal%40example.test:wrong@localhost:{port}", "someone@example.test"
    )
    # then: an error, and nothing delivered
    assert result.returncode != 0
    assert "SMTPAuthenticationError" in result.stderr
    assert mailbox.messages == []


def test_a_test_email_is_delivered_by_plain_smtp(plain_smtp_server):
    # given
    mailbox, port = plain_smtp_server
    # when
    result = _sendtestemail(f"smtp://127.0.0.1:{port}", "someone@example.test")
    # then
    assert result.returncode == 0, result.stderr
    assert mailbox.tls == [False]
    assert [m["To"] for m in mailbox.messages] == ["someone@example.test"]
