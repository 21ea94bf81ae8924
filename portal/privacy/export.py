"""A person's data as one ZIP (KVKK article 11: the right to learn what is kept): JSON of their
profile, the tickets they filed, the messages they wrote, their survey answers, their training
registrations, the usage events the products sent about them and the audit entries about them or
by them, and the files they uploaded under `files/`.

The archive is written to a temporary file (kept in memory up to a few megabytes, then on disk),
so a person with years of usage events does not fill the server's memory."""

import json
import tempfile
import zipfile
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from learning.models import Registration
from organizations.audit import audit_actions_register, audit_record
from organizations.models import AuditEvent, User
from organizations.permissions import require_person_admin
from performance.models import UsageEvent
from reports.models import Survey
from tickets.models import Attachment, Ticket, TicketMessage

audit_actions_register({"person.export": _("Personal data exported")})

SPOOL_BYTES = 4 * 1024 * 1024
CHUNK = 2000

TICKET_FIELDS = (
    "id",
    "subject",
    "description",
    "kind",
    "status",
    "channel",
    "product__name",
    "created_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
)
MESSAGE_FIELDS = ("id", "ticket_id", "kind", "body", "duration_minutes", "created_at")
SURVEY_FIELDS = ("id", "ticket_id", "resolved_at", "score", "comment", "answered_at", "answered_via")
REGISTRATION_FIELDS = (
    "id",
    "training_id",
    "training__title",
    "training__starts_at",
    "created_at",
    "is_waiting",
    "promoted_at",
    "attended_at",
)
USAGE_FIELDS = ("id", "person_ref", "product", "version", "kind", "feature", "occurred_at", "received_at")
AUDIT_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
)


def export_allowed(*, actor: User, person: User) -> None:
    """The person themselves, or the admin of their institution (PermissionDenied otherwise)."""
    if actor.pk != person.pk:
        require_person_admin(actor, person)


def profile_data(person: User) -> dict:
    return {
        "id": person.pk,
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": person.role,
        "institution": person.institution.name if person.institution_id else None,
        "region": person.region.name if person.region_id else None,
        "unit": person.unit.name if person.unit_id else None,
        "is_active": person.is_active,
        "date_joined": person.date_joined,
        "last_login": person.last_login,
    }


def _rows(queryset, fields) -> Iterable[dict]:
    return queryset.values(*fields).iterator(chunk_size=CHUNK)


def _write_json_array(archive: zipfile.ZipFile, name: str, rows: Iterable[dict]) -> int:
    """One JSON array, written row by row."""
    count = 0
    with archive.open(name, "w") as out:
        out.write(b"[")
        for row in rows:
            out.write(
                (b",\n" if count else b"\n")
                + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
            )
            count += 1
        out.write(b"\n]\n")
    return count


def person_export_archive(*, actor: User, person: User):
    """The person's data as a ZIP in a temporary file, rewound; the caller closes it. Writes one
    audit row (`person.export`: who took whose data); one per call."""
    export_allowed(actor=actor, person=person)
    institution_id = person.institution_id
    # Returned open: FileResponse closes it once the download is sent.
    archive_file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    attachments = Attachment.objects.filter(uploaded_by=person).order_by("pk")
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        counts = {
            "tickets": _write_json_array(
                archive,
                "tickets.json",
                _rows(Ticket.objects.filter(requester=person).order_by("pk"), TICKET_FIELDS),
            ),
            "messages": _write_json_array(
                archive,
                "messages.json",
                _rows(TicketMessage.objects.filter(author=person).order_by("pk"), MESSAGE_FIELDS),
            ),
            "surveys": _write_json_array(
                archive,
                "surveys.json",
                _rows(
                    Survey.objects.filter(requester=person, answered_at__isnull=False).order_by("pk"),
                    SURVEY_FIELDS,
                ),
            ),
            "training_registrations": _write_json_array(
                archive,
                "training_registrations.json",
                _rows(Registration.objects.filter(person=person).order_by("pk"), REGISTRATION_FIELDS),
            ),
            "usage_events": _write_json_array(
                archive,
                "usage_events.json",
                _rows(
                    # Matched to them, or naming them without a match (person_ref as the product sent it).
                    UsageEvent.objects.filter(institution_id=institution_id)
                    .filter(Q(person=person) | Q(person_ref__in=[person.username, person.email]))
                    .order_by("occurred_at"),
                    USAGE_FIELDS,
                ),
            ),
            "audit_entries": _write_json_array(
                archive,
                "audit_entries.json",
                _rows(
                    AuditEvent.objects.filter(
                        Q(target_type=User._meta.label_lower, target_id=person.pk) | Q(actor=person)
                    ).order_by("pk"),
                    AUDIT_FIELDS,
                ),
            ),
        }
        files = []
        for attachment in attachments:
            name = f"files/{attachment.pk}-{get_valid_filename(attachment.original_name) or 'file'}"
            try:
                with attachment.file.open("rb") as source, archive.open(name, "w") as target:
                    while chunk := source.read(1024 * 1024):
                        target.write(chunk)
            except FileNotFoundError:
                continue
            files.append(
                {
                    "id": attachment.pk,
                    "ticket_id": attachment.ticket_id,
                    "path": name,
                    "original_name": attachment.original_name,
                    "size": attachment.size,
                }
            )
        counts["files"] = _write_json_array(archive, "files.json", files)
        person_data = {
            "exported_at": timezone.now(),
            "person": profile_data(person),
            "counts": counts,
        }
        archive.writestr(
            "person.json", json.dumps(person_data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
    with transaction.atomic():
        audit_record(actor=actor, action="person.export", target=person, after={"counts": counts})
    archive_file.seek(0)
    return archive_file


def export_filename(person: User) -> str:
    return f"kvkk-{get_valid_filename(person.username)}-{timezone.localdate():%Y%m%d}.zip"
