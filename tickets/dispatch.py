"""Hand-off from committed writes to the Celery workers. Called through transaction.on_commit;
sending must never fail the request that wrote the data: the periodic sweep finds anything a
lost message would have done from the rows themselves."""

import logging

logger = logging.getLogger(__name__)


def ticket_filed(ticket_id: int) -> None:
    """Queue routing and the SLA timers of a newly filed ticket."""
    from . import tasks

    tasks.enqueue_after_filing(ticket_id)
