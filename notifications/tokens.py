"""Signed tokens in notification e-mails: the reply address (one per ticket and person, so a
reply can only land on a ticket its sender was written to about) and the one-click unsubscribe
link (one per person and kind). Both are HMACs keyed by SECRET_KEY with their own salt."""

import re
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

REPLY_SALT = "notifications.reply-address"
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# Long enough that guessing one is hopeless, short enough for a 64-character local part.
REPLY_MAC_LENGTH = 20
_REPLY_TOKEN = re.compile(rf"^(\d+)-(\d+)-([0-9a-f]{{{REPLY_MAC_LENGTH}}})$")


def _reply_mac(ticket_id: int, person_id: int) -> str:
    return salted_hmac(REPLY_SALT, f"{ticket_id}:{person_id}", algorithm="sha256").hexdigest()[
        :REPLY_MAC_LENGTH
    ]


def _mailbox() -> tuple[str, str]:
    address = parseaddr(settings.NOTIFICATIONS_REPLY_ADDRESS)[1]
    local, _, domain = address.partition("@")
    return local, domain


def reply_address(*, ticket_id: int, person_id: int) -> str:
    """The Reply-To of a notification about this ticket to this person (plus-addressing)."""
    local, domain = _mailbox()
    return f"{local}+{ticket_id}-{person_id}-{_reply_mac(ticket_id, person_id)}@{domain}"


def reply_token_read(addresses: list[str]) -> tuple[int, int] | None | bool:
    """(ticket id, person id) from the first of our plus-addresses among `addresses`; None when
    the message was not sent to one (a new e-mail); False when one was there but forged."""
    local, domain = _mailbox()
    prefix = f"{local}+".lower()
    for _, address in getaddresses(addresses):
        box, _, host = address.lower().partition("@")
        if host != domain.lower() or not box.startswith(prefix):
            continue
        match = _REPLY_TOKEN.match(box[len(prefix) :])
        if match is None:
            return False
        ticket_id, person_id, mac = int(match[1]), int(match[2]), match[3]
        if not constant_time_compare(mac, _reply_mac(ticket_id, person_id)):
            return False
        return ticket_id, person_id
    return None


def unsubscribe_token(*, person_id: int, kind: str) -> str:
    return signing.dumps({"p": person_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int) or not isinstance(data.get("k"), str):
        return None
    return data["p"], data["k"]
