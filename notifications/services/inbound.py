"""E-mail intake: the written channel by e-mail. A reply to a notification lands on its ticket
as the sender's message; a new e-mail from a known person of an institution with a contract in
force files a ticket through the same service as the web form (one unit of written quota).
Each message is handled once, by its Message-ID (unique constraint), whichever way it came in
and however often it is fetched. Automatic mail is ignored, so two robots never loop; an address
the portal does not know is recorded and never answered, and a known sender's refusal is
answered at most once a day."""

import datetime
import email
import email.policy
import hashlib
import html
import logging
import re
from email.message import EmailMessage
from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.permissions import is_customer_side
from packages.errors import QuotaError
from tickets.models import Ticket
from tickets.selectors import ticket_get_visible
from tickets.services import ticket_file, ticket_reopen, ticket_reply
from tickets.services.filing import attachment_validate

from ..models import InboundMessage, Kind, Notification
from ..selectors import language_for
from ..tokens import reply_token_read

logger = logging.getLogger(__name__)

Outcome = InboundMessage.Outcome
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
ROBOT_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.IGNORECASE)
# Where the quoted history of a reply begins: our own marker line, the attribution lines of the
# common mail clients (English and Turkish), Outlook's header block and separator.
QUOTE_STARTS = [
    re.compile(r"^\s*##-"),
    re.compile(r"^\s*On\b.*\bwrote:\s*$"),
    re.compile(r"^.*\btarihinde\b.*\byazdı:\s*$"),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Orijinal (İleti|Mesaj)|Forwarded message)\s*-{2,}", re.IGNORECASE
    ),
    re.compile(r"^\s*(From|Kimden|Gönderen):\s.+", re.IGNORECASE),
    re.compile(r"^\s*_{20,}\s*$"),
]
SIGNATURE_STARTS = [
    re.compile(r"^-- ?$"),
    re.compile(r"^(Sent from my|iPhone'umdan gönderildi|Android'den gönderildi)", re.IGNORECASE),
]
SUBJECT_MAX = 200
# A known sender whose e-mail is refused is answered at most this often.
REFUSAL_ANSWER_INTERVAL = datetime.timedelta(days=1)


def reply_trim(text: str) -> str:
    """The newly written part of a reply: quoted history, the quote attribution and the
    signature cut off."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if any(p.match(line) for p in QUOTE_STARTS) or any(p.match(line) for p in SIGNATURE_STARTS):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def is_automatic(message: EmailMessage) -> bool:
    """Auto-replies, bounces and list mail (RFC 3834 Auto-Submitted, Precedence, delivery status
    notifications) — answering them is how mail loops start."""
    if (message.get("Auto-Submitted") or "no").strip().lower() != "no":
        return True
    if (message.get("Precedence") or "").strip().lower() in AUTOMATIC_PRECEDENCE:
        return True
    if message.get_content_type() == "multipart/report":
        return True
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return True
    if (message.get("Return-Path") or "").strip() == "<>":
        return True
    sender = parseaddr(str(message.get("From", "")))[1]
    return not sender or bool(ROBOT_SENDERS.match(sender))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = html.unescape(strip_tags(content))
    return content


def _attachments(message: EmailMessage) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The files within the attachment limits, and the names of those left out."""
    kept, dropped = [], []
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name:
            continue
        content = part.get_content()
        if isinstance(content, str):
            content = content.encode(part.get_content_charset() or "utf-8")
        elif isinstance(content, EmailMessage):
            content = content.as_bytes()
        upload = SimpleUploadedFile(name, content, content_type=part.get_content_type())
        try:
            attachment_validate(upload)
        except ValidationError:
            dropped.append(name)
            continue
        kept.append(upload)
    return kept, dropped


def _message_id(message: EmailMessage, raw: bytes) -> str:
    given = (message.get("Message-ID") or "").strip()
    return given[:500] if given else f"<sha256-{hashlib.sha256(raw).hexdigest()}@inbound>"


def _addressed_to(message: EmailMessage, envelope_recipient: str) -> list[str]:
    headers = ("To", "Cc", "Delivered-To", "X-Original-To")
    return [str(v) for h in headers for v in message.get_all(h, [])] + (
        [envelope_recipient] if envelope_recipient else []
    )


def _refuse(record: InboundMessage, *, reason: str, reply: str | None, person: User | None = None) -> None:
    """Record the refusal and, when `reply` is given and the sender is a known person, answer
    them politely: at most once a day (REFUSAL_ANSWER_INTERVAL), so a sender whose mail keeps
    being refused — or a loop with an auto-responder — gets one answer, not one per mail. An
    address nobody of the portal has is never answered (backscatter to forged senders)."""
    record.outcome, record.reason = Outcome.REFUSED, reason
    if reply is None or person is None or not record.from_address:
        return
    answered = Notification.objects.filter(
        kind=Kind.INTAKE_REFUSED,
        recipient=person,
        created_at__gt=timezone.now() - REFUSAL_ANSWER_INTERVAL,
    )
    if answered.exists():
        logger.info("notifications.inbound_refusal_unanswered", extra={"reason": reason})
        return
    Notification.objects.create(
        kind=Kind.INTAKE_REFUSED,
        inbound=record,
        recipient=person,
        institution_id=person.institution_id if person else None,
        to_address=record.from_address,
        data={"reason_text": reply, "subject": record.subject, "in_reply_to": record.message_id},
    )


def _reply_to_ticket(record: InboundMessage, token: tuple[int, int], body: str, files: list) -> None:
    ticket_id, person_id = token
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None or person.email.lower() != record.from_address:
        _refuse(record, reason="sender_mismatch", reply=None)
        return
    ticket = ticket_get_visible(person=person, pk=ticket_id)
    if ticket is None:
        _refuse(record, reason="not_visible", reply=None)
        return
    record.person, record.ticket = person, ticket
    if not body and not files:
        # Nothing written above the quoted history: a mistaken send, not a message for the desk.
        _refuse(record, reason="empty", reply=None)
        return
    with translation.override(language_for(person_id=person.pk)):
        try:
            with transaction.atomic():
                if ticket.status == Ticket.Status.RESOLVED:
                    ticket = ticket_reopen(actor=person, ticket=ticket)
                ticket_reply(
                    actor=person, ticket=ticket, body=body or _("(attachments only)"), attachments=files
                )
        except ValidationError as exc:
            _refuse(
                record,
                reason=getattr(exc, "code", None) or "rejected",
                reply=" ".join(exc.messages),
                person=person,
            )
            return
    record.outcome = Outcome.REPLIED


def _sender_person(address: str) -> User | None:
    people = list(User.objects.filter(email__iexact=address, is_active=True, institution__isnull=False)[:2])
    if len(people) != 1 or not is_customer_side(people[0]):
        return None
    return people[0]


def _file_ticket(record: InboundMessage, subject: str, body: str, files: list) -> None:
    person = _sender_person(record.from_address)
    if person is None:
        # Recorded and dropped: an address the portal does not know is never answered.
        _refuse(record, reason="unknown_sender", reply=None)
        return
    record.person = person
    with translation.override(language_for(person_id=person.pk)):
        try:
            ticket = ticket_file(
                actor=person,
                subject=(subject or _("(no subject)"))[:SUBJECT_MAX],
                description=body or subject or _("(no text)"),
                attachments=files,
            )
        except QuotaError as exc:
            _refuse(record, reason=exc.code, reply=exc.message(), person=person)
            return
        except ValidationError as exc:
            _refuse(record, reason="rejected", reply=" ".join(exc.messages), person=person)
            return
    record.ticket, record.outcome = ticket, Outcome.FILED


def inbound_receive(*, raw: bytes, source: str, envelope_recipient: str = "") -> InboundMessage | None:
    """Handle one received e-mail. None when its Message-ID was handled before (nothing is done
    again). A reply must come from the address of the person its reply address was signed for
    and to a ticket that person sees; anything else is refused without an answer, so a forged
    sender learns nothing. Unexpected errors roll everything back, so the next fetch retries."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    subject = str(message.get("Subject", "")).strip()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = InboundMessage.objects.create(
                    message_id=_message_id(message, raw),
                    source=source,
                    from_address=sender[:320],
                    subject=subject[:300],
                    outcome=Outcome.IGNORED,
                )
        except IntegrityError:
            logger.info("notifications.inbound_duplicate", extra={"from": sender})
            return None
        if is_automatic(message):
            record.reason = "automatic"
        else:
            body = reply_trim(_body(message))
            files, dropped = _attachments(message)
            token = reply_token_read(_addressed_to(message, envelope_recipient))
            if token is False:
                _refuse(record, reason="bad_token", reply=None)
            elif token is not None:
                _reply_to_ticket(record, token, body, files)
            else:
                _file_ticket(record, subject, body, files)
            if dropped:
                logger.info("notifications.inbound_attachments_dropped", extra={"names": dropped})
        record.save()
    logger.info(
        "notifications.inbound", extra={"outcome": record.outcome, "reason": record.reason, "source": source}
    )
    return record
