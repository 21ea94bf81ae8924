"""Raw e-mails as mail clients send them, for the intake tests."""

import itertools
from email.message import EmailMessage

from notifications.tokens import reply_address

_counter = itertools.count(1)


def raw_mail(
    *,
    sender: str,
    to: str = "destek@slaportal.local",
    subject: str = "Export fails",
    body: str = "The export stops at 40 %.",
    message_id: str | None = None,
    headers: dict | None = None,
    attachments: tuple = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<mail-{next(_counter)}@client.example.test>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def reply_mail(*, ticket, person, body: str, sender: str | None = None, **kwargs) -> bytes:
    """A reply to a notification: sent to the notification's Reply-To, history quoted below."""
    quoted = (
        body
        + "\n\nOn Mon, 30 Nov 2026 at 10:00, SLA Portal wrote:\n> ##- Reply above this line -##\n> old text\n"
    )
    return raw_mail(
        sender=sender or person.email,
        to=reply_address(ticket_id=ticket.pk, person_id=person.pk),
        subject=f"Re: [#{ticket.pk}] {ticket.subject}",
        body=quoted,
        **kwargs,
    )
