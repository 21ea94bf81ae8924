"""Writes on core's own records: the Idempotency-Key answers of the API."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import IdempotencyRecord

logger = logging.getLogger(__name__)

PURGE_BATCH = 1000


def idempotency_claim(*, actor, key: str, scope: str, request_hash: str) -> tuple[IdempotencyRecord, bool]:
    """Claim a key for one endpoint inside the caller's transaction: (record, True) for the first
    request, or (the earlier record, False) for a retry.

    The row is inserted before any work, so the unique constraint (person, key, scope) decides
    between concurrent duplicates: on PostgreSQL the second INSERT waits for the first transaction
    and fails once it commits, and the retry then reads the stored answer; if the first rolls
    back, the second proceeds as the first. Must run inside transaction.atomic()."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                person=actor, key=key, scope=scope, request_hash=request_hash
            )
        return record, True
    except IntegrityError:
        return IdempotencyRecord.objects.get(person=actor, key=key, scope=scope), False


def idempotency_store(*, record: IdempotencyRecord, status_code: int, response_body) -> IdempotencyRecord:
    """Keep the first answer with its key, in the same transaction as the work it answers."""
    record.status_code = status_code
    record.response_body = response_body
    record.save(update_fields=["status_code", "response_body"])
    return record


def idempotency_purge(
    *, now: datetime.datetime | None = None, batch: int = PURGE_BATCH, max_batches: int = 50
) -> int:
    """Delete the records older than IDEMPOTENCY_RETENTION, oldest first, in batches of `batch`
    rows (each its own short statement, so a large backlog never holds one long lock), at most
    `max_batches` per call: the next beat goes on where this one stopped. Returns how many rows
    were deleted; harmless to run twice or concurrently."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_RETENTION
    deleted = 0
    for _batch in range(max_batches):
        ids = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff)
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            break
        count, _rows = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count
    if deleted:
        logger.info("idempotency.purged", extra={"deleted": deleted, "cutoff": cutoff.isoformat()})
    return deleted
