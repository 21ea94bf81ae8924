"""The periodic destruction of data past its retention rule (`manage.py apply_retention`, run by
beat every night). Each category is destroyed in batches of RETENTION_BATCH_SIZE rows, each batch
its own short transaction found by primary key from where the last stopped, so no statement
holds locks for long and a run cut short carries on next time. Every run that destroys writes a
DestructionRecord (the "imha tutanağı") with one line per category."""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.audit import audit_actions_register, audit_record
from organizations.audit_chain import chain_prune_oldest
from organizations.models import AuditEvent, Institution, User
from performance.models import UsageEvent
from portal.models import DestructionLine, DestructionRecord, RetentionRule
from tickets.models import Attachment, Ticket, TicketMessage

logger = logging.getLogger(__name__)

# What a closed ticket's subject, description and messages read once destroyed.
DESTROYED_TEXT = "—"

Category = RetentionRule.Category

# How each category is destroyed, as the record states it.
METHODS = {
    Category.TICKET_TEXTS: _(
        "Subject, description and messages overwritten; the ticket and its figures kept"
    ),
    Category.ATTACHMENTS: _("Files deleted from storage, their rows deleted"),
    Category.USAGE_EVENTS: _("Raw events deleted; the daily figures kept"),
    Category.AUDIT_EVENTS: _("Oldest entries deleted; the hash chain anchored at the last one"),
}

audit_actions_register({"retention.apply": _("Retention rules applied")})

BatchHook = Callable[[str, int], None]


@dataclass
class CategoryResult:
    category: str
    keep_days: int
    cutoff_at: datetime.datetime
    destroyed: int = 0
    batches: int = 0


def _batch_size(batch_size: int | None) -> int:
    return max(1, batch_size or settings.RETENTION_BATCH_SIZE)


def _ticket_texts(cutoff, size: int, hook: BatchHook, *, dry_run: bool) -> tuple[int, int]:
    candidates = Ticket.objects.filter(status=Ticket.Status.CLOSED, closed_at__lt=cutoff).exclude(
        subject=DESTROYED_TEXT, description=DESTROYED_TEXT
    )
    if dry_run:
        return candidates.count(), 0
    destroyed = batches = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            ids = list(candidates.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:size])
            if not ids:
                break
            Ticket.objects.filter(pk__in=ids).update(subject=DESTROYED_TEXT, description=DESTROYED_TEXT)
            TicketMessage.objects.filter(ticket_id__in=ids).exclude(body=DESTROYED_TEXT).update(
                body=DESTROYED_TEXT
            )
        last_pk = ids[-1]
        destroyed += len(ids)
        batches += 1
        hook(Category.TICKET_TEXTS, len(ids))
    return destroyed, batches


def _attachments(cutoff, size: int, hook: BatchHook, *, dry_run: bool) -> tuple[int, int]:
    candidates = Attachment.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return candidates.count(), 0
    destroyed = batches = 0
    while True:
        with transaction.atomic():
            rows = list(candidates.order_by("pk").values_list("pk", "file")[:size])
            if not rows:
                break
            Attachment.objects.filter(pk__in=[pk for pk, _name in rows]).delete()
            names = [name for _pk, name in rows if name]
            transaction.on_commit(lambda names=names: _delete_files(names))
        destroyed += len(rows)
        batches += 1
        hook(Category.ATTACHMENTS, len(rows))
    return destroyed, batches


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _usage_events(cutoff, size: int, hook: BatchHook, *, dry_run: bool) -> tuple[int, int]:
    if dry_run:
        return UsageEvent.objects.filter(occurred_at__lt=cutoff).count(), 0
    destroyed = batches = 0
    # Institution by institution, so each batch is read from the (institution, occurred_at) index.
    for institution_id in Institution.objects.order_by("pk").values_list("pk", flat=True):
        while True:
            with transaction.atomic():
                ids = list(
                    UsageEvent.objects.filter(institution_id=institution_id, occurred_at__lt=cutoff)
                    .order_by("occurred_at")
                    .values_list("pk", flat=True)[:size]
                )
                if not ids:
                    break
                UsageEvent.objects.filter(pk__in=ids).delete()
            destroyed += len(ids)
            batches += 1
            hook(Category.USAGE_EVENTS, len(ids))
    return destroyed, batches


def _audit_events(cutoff, size: int, hook: BatchHook, *, dry_run: bool) -> tuple[int, int]:
    if dry_run:
        return AuditEvent.objects.filter(created_at__lt=cutoff).count(), 0
    destroyed = batches = 0
    while count := chain_prune_oldest(before=cutoff, batch_size=size):
        destroyed += count
        batches += 1
        hook(Category.AUDIT_EVENTS, count)
    return destroyed, batches


DESTROYERS = {
    Category.TICKET_TEXTS: _ticket_texts,
    Category.ATTACHMENTS: _attachments,
    Category.USAGE_EVENTS: _usage_events,
    Category.AUDIT_EVENTS: _audit_events,
}


def retention_rule_list():
    return RetentionRule.objects.order_by("category")


def retention_apply(
    *,
    actor: User | None = None,
    now: datetime.datetime | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
    on_batch: BatchHook | None = None,
) -> tuple[DestructionRecord | None, list[CategoryResult]]:
    """Destroy what each active rule says is past its time, in batches of `batch_size` (by default
    RETENTION_BATCH_SIZE), each its own transaction; then write the DestructionRecord and an audit
    row. With `dry_run`, count what would be destroyed and change nothing (no record). Running it
    twice is harmless: the second run finds nothing left and records zeros."""
    now = now or timezone.now()
    size = _batch_size(batch_size)
    hook = on_batch or (lambda category, count: None)
    started_at = timezone.now()
    results = []
    for rule in retention_rule_list().filter(is_active=True):
        cutoff = now - datetime.timedelta(days=rule.keep_days)
        destroyed, batches = DESTROYERS[rule.category](cutoff, size, hook, dry_run=dry_run)
        results.append(CategoryResult(rule.category, rule.keep_days, cutoff, destroyed, batches))
    if dry_run:
        return None, results
    with transaction.atomic():
        record = DestructionRecord.objects.create(
            started_at=started_at, finished_at=timezone.now(), run_by=actor
        )
        DestructionLine.objects.bulk_create(
            DestructionLine(
                record=record,
                category=result.category,
                keep_days=result.keep_days,
                cutoff_at=result.cutoff_at,
                destroyed=result.destroyed,
                batches=result.batches,
            )
            for result in results
        )
        audit_record(
            actor=actor,
            action="retention.apply",
            target=record,
            institution=None,
            after={result.category: result.destroyed for result in results},
        )
    logger.info(
        "retention.applied",
        extra={"record_id": record.pk, "destroyed": {r.category: r.destroyed for r in results}},
    )
    return record, results
