import logging

logger = logging.getLogger(__name__)


def enqueue_after_filing(ticket_id: int) -> None:
    logger.info("ticket.filed", extra={"ticket_id": ticket_id})
