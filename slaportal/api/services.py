"""Writes the API layer itself makes: app tokens and Idempotency-Key records."""

from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from organizations.models import User
from tickets.models import IdempotencyRecord


def api_token_issue(*, actor: User) -> Token:
    """The person's app token, created on first use. One token per person: every device of the
    person shares it, and revoking it signs all of them out. Running it twice returns the same token."""
    token, _created = Token.objects.get_or_create(user=actor)
    return token


def api_token_revoke(*, actor: User) -> bool:
    """Delete the person's token; True if there was one. Harmless to run twice."""
    deleted, _rows = Token.objects.filter(user=actor).delete()
    return bool(deleted)


def idempotency_claim(*, actor: User, key: str, scope: str) -> tuple[IdempotencyRecord, bool]:
    """Claim a key for one endpoint inside the caller's transaction: (record, True) for the first
    request, or (the earlier record, False) for a retry.

    The row is inserted before any work, so the unique constraint (person, key, scope) decides
    between concurrent duplicates: on PostgreSQL the second INSERT waits for the first transaction
    and fails once it commits, and the retry then reads the stored answer; if the first rolls
    back, the second proceeds as the first. Must run inside transaction.atomic()."""
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(person=actor, key=key, scope=scope)
        return record, True
    except IntegrityError:
        return IdempotencyRecord.objects.get(person=actor, key=key, scope=scope), False


def idempotency_store(*, record: IdempotencyRecord, status_code: int, response_body) -> IdempotencyRecord:
    """Keep the first answer with its key, in the same transaction as the work it answers."""
    record.status_code = status_code
    record.response_body = response_body
    record.save(update_fields=["status_code", "response_body"])
    return record
