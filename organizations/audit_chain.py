"""The audit log as a hash chain: each row carries the hash of the row before it (`prev_hash`) and
its own (`row_hash`, over its content and `prev_hash`), so a row edited or removed afterwards
breaks the chain at that point, and `manage.py audit_verify` names it.

Writers append under one lock, the `AuditChain` row taken FOR UPDATE: concurrent services keep
one chain, in the order of their rows' ids (the id is drawn after the lock). The chain row also
holds the head (the last row's id and hash, so removing the newest rows shows too) and the anchor
(the last row that the retention rule destroyed: the oldest row left starts from its hash)."""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import AuditChain, AuditEvent

GENESIS = "0" * 64
CHAIN_PK = 1


def _plain(value):
    """The JSON value as the database gives it back (dates and decimals as strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def row_digest(
    *,
    prev_hash: str,
    institution_id,
    actor_id,
    action,
    target_type,
    target_id,
    target_label,
    before,
    after,
    created_at,
) -> str:
    """SHA-256 of one row's content and the hash before it, in a canonical JSON form."""
    content = {
        "prev": prev_hash,
        "institution": institution_id,
        "actor": actor_id,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "before": _plain(before),
        "after": _plain(after),
        "created_at": created_at.isoformat(timespec="microseconds") if created_at else None,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_digest(event: AuditEvent, prev_hash: str) -> str:
    created_at = event.created_at.astimezone(datetime.UTC) if event.created_at else None
    return row_digest(
        prev_hash=prev_hash,
        institution_id=event.institution_id,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        target_label=event.target_label,
        before=event.before,
        after=event.after,
        created_at=created_at,
    )


def _chain_locked() -> AuditChain:
    chain = AuditChain.objects.select_for_update().filter(pk=CHAIN_PK).first()
    if chain is None:
        AuditChain.objects.get_or_create(pk=CHAIN_PK)
        chain = AuditChain.objects.select_for_update().get(pk=CHAIN_PK)
    return chain


def chain_append(event: AuditEvent) -> AuditEvent:
    """Save a new audit row at the head of the chain. Inside the caller's transaction: the lock is
    held until it commits, and a rollback takes the row and the new head back together."""
    with transaction.atomic():
        chain = _chain_locked()
        event.prev_hash = chain.head_hash
        event.row_hash = event_digest(event, event.prev_hash)
        event.save()
        chain.head_id = event.pk
        chain.head_hash = event.row_hash
        chain.save(update_fields=["head_id", "head_hash"])
    return event


def chain_reseal(*, from_id: int, batch_size: int = 1000) -> int:
    """Recompute the hashes from row `from_id` to the head, after rows were redacted on purpose
    (a person's anonymisation). Returns how many rows were sealed again."""
    sealed = 0
    with transaction.atomic():
        chain = _chain_locked()
        previous = (
            AuditEvent.objects.filter(pk__lt=from_id)
            .order_by("-pk")
            .values_list("row_hash", flat=True)
            .first()
        )
        prev_hash = previous if previous is not None else chain.anchor_hash
        last_id = None
        rows = AuditEvent.objects.filter(pk__gte=from_id).order_by("pk")
        batch: list[AuditEvent] = []
        for event in rows.iterator(chunk_size=batch_size):
            event.prev_hash = prev_hash
            event.row_hash = event_digest(event, prev_hash)
            prev_hash, last_id = event.row_hash, event.pk
            batch.append(event)
            if len(batch) >= batch_size:
                AuditEvent.objects.bulk_update(batch, ["prev_hash", "row_hash"])
                sealed += len(batch)
                batch = []
        if batch:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "row_hash"])
            sealed += len(batch)
        if last_id is not None:
            chain.head_id, chain.head_hash = last_id, prev_hash
            chain.save(update_fields=["head_id", "head_hash"])
    return sealed


def chain_prune_oldest(*, before, batch_size: int) -> int:
    """Destroy the oldest rows written before `before`, at most `batch_size`, in one short
    transaction; the chain's anchor moves to the last one destroyed. Only a run from the start
    of the log is removed (the first row at or after `before` stops it), so the chain stays whole."""
    with transaction.atomic():
        chain = _chain_locked()
        oldest = list(
            AuditEvent.objects.order_by("pk").values_list("pk", "created_at", "row_hash")[:batch_size]
        )
        run = []
        for pk, created_at, row_hash in oldest:
            if created_at >= before:
                break
            run.append((pk, row_hash))
        if not run:
            return 0
        last_pk, last_hash = run[-1]
        AuditEvent.objects.filter(pk__lte=last_pk).delete()
        chain.anchor_id, chain.anchor_hash = last_pk, last_hash
        chain.save(update_fields=["anchor_id", "anchor_hash"])
    return len(run)


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str  # "changed", "removed_before", "removed_after"


def chain_verify(*, chunk_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain from the anchor to the head. Returns (rows checked, the first break or None).
    A row whose own hash does not match its content was changed; a row whose `prev_hash` is not
    the hash of the row before it follows a removed row; a head that is not the last row means
    the newest rows were removed."""
    chain = AuditChain.objects.filter(pk=CHAIN_PK).first()
    expected = chain.anchor_hash if chain else GENESIS
    checked = 0
    last_id = chain.anchor_id if chain else None
    rows: Iterable[AuditEvent] = AuditEvent.objects.order_by("pk").iterator(chunk_size=chunk_size)
    for event in rows:
        if event.prev_hash != expected:
            return checked, ChainBreak(event.pk, "removed_before")
        if event_digest(event, event.prev_hash) != event.row_hash:
            return checked, ChainBreak(event.pk, "changed")
        expected, last_id = event.row_hash, event.pk
        checked += 1
    head_id = chain.head_id if chain else None
    if chain is not None and (head_id != last_id or chain.head_hash != expected):
        return checked, ChainBreak(head_id, "removed_after")
    return checked, None
