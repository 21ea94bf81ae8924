"""Polling an IMAP mailbox (the support address's, on the institution's or vendor's own mail
server) with the standard library's imaplib. Unseen messages are fetched without marking them,
handled, and only then flagged \\Seen, so a crash between the two means a second fetch, which
the Message-ID constraint turns into nothing."""

import imaplib
import logging

from django.conf import settings

from core.heartbeats import INBOUND_MAIL
from tickets.services.sla import engine_heartbeat_record

from ..models import InboundMessage
from .inbound import inbound_receive

logger = logging.getLogger(__name__)

POLL_LIMIT = 50
TIMEOUT_SECONDS = 20


def _connect(config: dict) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if config["SSL"] else imaplib.IMAP4
    client = cls(config["HOST"], config["PORT"], timeout=TIMEOUT_SECONDS)
    if config.get("STARTTLS") and not config["SSL"]:
        client.starttls()
    client.login(config["USER"], config["PASSWORD"])
    return client


def imap_poll(*, config: dict | None = None, limit: int = POLL_LIMIT) -> int:
    """Fetch and handle up to `limit` unseen messages. Returns how many were handled (duplicates
    included). Does nothing when no mailbox is configured (NOTIFICATIONS_IMAP["HOST"] empty)."""
    config = config or settings.NOTIFICATIONS_IMAP
    if not config.get("HOST"):
        return 0
    client = _connect(config)
    handled = 0
    try:
        client.select(config.get("FOLDER") or "INBOX")
        _, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split()[:limit]:
            _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            if raw is None:
                continue
            inbound_receive(raw=raw, source=InboundMessage.Source.IMAP)
            client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
            handled += 1
        # The mailbox answered and was read to the end: what /metrics reports as the last fetch.
        engine_heartbeat_record(name=INBOUND_MAIL)
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("notifications.imap_logout_failed")
    if handled:
        logger.info("notifications.imap_polled", extra={"count": handled})
    return handled
