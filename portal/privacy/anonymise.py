"""The anonymisation of a person (KVKK article 7): their name, e-mail, phone and username are
replaced, every occurrence of their e-mail, phone and full name in any stored text is redacted,
and the files they uploaded are deleted. Tickets, surveys, usage figures and every report total
stay as they were: the rows remain, only what identifies the person goes.

The redaction reads every text column of every table (CharField, TextField, JSONField), so what
other apps store (the outbox's addresses, the tickets' history, the audit log) is covered without
each app naming its fields; on a large installation it is a scan of each such column, which an
anonymisation, a rare act, can afford. The audit rows it redacts are sealed again into the hash
chain (organizations.audit_chain.chain_reseal)."""

import json
import logging
import re
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from bookings.models import OnsiteRequest
from organizations.audit import audit_actions_register, audit_record
from organizations.audit_chain import chain_reseal
from organizations.models import AuditEvent, User
from organizations.permissions import refuse_self, require_person_admin
from performance.models import UsageEvent
from reports.models import Survey
from slaportal.api.services import api_token_revoke
from tickets.models import Attachment, Ticket, TicketMessage

logger = logging.getLogger(__name__)

# What a redacted identifier reads as, wherever it stood.
REDACTED = "[…]"
ANONYMOUS_PREFIX = "anonim-"

audit_actions_register({"person.anonymise": _("Person anonymised")})


def anonymous_username(person: User) -> str:
    return f"{ANONYMOUS_PREFIX}{person.pk}"


def person_identifiers(person: User) -> list[str]:
    """What identifies the person on its own in free text: e-mail, full name, the phones they
    gave (and the phones as bare digits), longest first so a longer one is replaced before a part
    of it."""
    found = set()
    if person.email:
        found.add(person.email)
    full_name = person.get_full_name().strip()
    if len(full_name) >= 3:
        found.add(full_name)
    phones = OnsiteRequest.objects.filter(requested_by=person).exclude(contact_phone="")
    for phone in phones.values_list("contact_phone", flat=True):
        found.add(phone.strip())
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 7:
            found.add(digits)
    return sorted((value for value in found if value), key=len, reverse=True)


def person_name_parts(person: User) -> list[str]:
    """The first and last name alone: redacted only where the text is about the person (their
    own texts, or a text that also holds their e-mail, phone or full name), since a first name
    alone names many people."""
    parts = {part.strip() for part in (person.first_name, person.last_name)}
    return sorted((part for part in parts if len(part) >= 2), key=len, reverse=True)


def _pattern(identifiers: list[str]) -> re.Pattern:
    # Not inside a longer word or number: "Ali Veli" is not redacted out of "Ali Velioğlu".
    alternatives = "|".join(re.escape(value) for value in sorted(identifiers, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _redact_value(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redact_value(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _redact_value(item, pattern) for key, item in value.items()}
    return value


def _json_variants(values: list[str]) -> list[str]:
    """The values and, where they have letters beyond ASCII, as JSON escapes them: SQLite keeps
    a JSONField's text as Django wrote it (ensure_ascii)."""
    escaped = [json.dumps(value)[1:-1] for value in values]
    return sorted(set(values) | set(escaped))


def _text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.local_concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not field.primary_key
        and not field.choices
    ]


def _redact_everywhere(identifiers: list[str], name_parts: list[str]) -> dict[str, int]:
    """Replace the identifiers (and in the same text the name parts) in every text column of
    every table. Returns rows changed by model label; audit rows are sealed again from the first
    one changed."""
    pattern = _pattern(identifiers + name_parts)
    changed: dict[str, int] = {}
    first_audit_id = None
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in _text_fields(model):
            probes = _json_variants(identifiers) if isinstance(field, models.JSONField) else identifiers
            condition = reduce(or_, (models.Q(**{f"{field.attname}__icontains": value}) for value in probes))
            rows = model._base_manager.filter(condition).values_list("pk", field.attname)
            for pk, value in rows.iterator(chunk_size=500):
                redacted = _redact_value(value, pattern)
                if redacted == value:
                    continue
                if isinstance(redacted, str) and field.max_length:
                    redacted = redacted[: field.max_length]
                model._base_manager.filter(pk=pk).update(**{field.attname: redacted})
                changed[model._meta.label] = changed.get(model._meta.label, 0) + 1
                if model is AuditEvent:
                    first_audit_id = pk if first_audit_id is None else min(first_audit_id, pk)
    if first_audit_id is not None:
        chain_reseal(from_id=first_audit_id)
    return changed


def _redact_own_texts(person: User, pattern: re.Pattern) -> int:
    """The texts the person wrote: their tickets' subject and description, their messages and
    survey comments, where their name alone is redacted too."""
    sources = [
        (Ticket.objects.filter(requester=person), ("subject", "description")),
        (TicketMessage.objects.filter(author=person), ("body",)),
        (Survey.objects.filter(requester=person).exclude(comment=""), ("comment",)),
    ]
    changed = 0
    for queryset, fields in sources:
        for row in queryset.values("pk", *fields).iterator(chunk_size=500):
            redacted = {field: pattern.sub(REDACTED, row[field]) for field in fields}
            redacted = {field: value for field, value in redacted.items() if value != row[field]}
            if redacted:
                queryset.model._base_manager.filter(pk=row["pk"]).update(**redacted)
                changed += 1
    return changed


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def person_anonymise(*, actor: User | None, person: User) -> dict:
    """Anonymise the person, in one transaction: the institution's admin (or a package manager)
    for one of its people, never themselves; `actor=None` for `manage.py anonymise_person`. The
    files they uploaded are deleted from storage after the commit. Their sign-in goes (inactive,
    no usable password, no app token). Returns what was done (counts). Running it again finds
    nothing more to redact and changes nothing but the audit row it writes."""
    if actor is not None:
        require_person_admin(actor, person)
        refuse_self(actor, person)
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        identifiers = person_identifiers(person)
        name_parts = person_name_parts(person)
        old_refs = [value for value in (person.username, person.email) if value]
        attachments = Attachment.objects.filter(uploaded_by=person)
        file_names = [name for name in attachments.values_list("file", flat=True) if name]
        files_deleted, _detail = attachments.delete()
        new_username = anonymous_username(person)
        UsageEvent.objects.filter(person_ref__in=old_refs, institution_id=person.institution_id).update(
            person_ref=new_username
        )
        person.username = new_username
        person.first_name = ""
        person.last_name = ""
        person.email = ""
        person.is_active = False
        person.set_unusable_password()
        person.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
        api_token_revoke(actor=person)
        own = _redact_own_texts(person, _pattern(identifiers + name_parts)) if identifiers + name_parts else 0
        changed = _redact_everywhere(identifiers, name_parts) if identifiers else {}
        transaction.on_commit(lambda: _delete_files(file_names))
        summary = {"files_deleted": files_deleted, "rows_redacted": own + sum(changed.values())}
        audit_record(actor=actor, action="person.anonymise", target=person, after=summary)
    logger.info("person.anonymised", extra={"person_id": person.pk, **summary})
    return summary
