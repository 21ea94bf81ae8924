"""Ingestion of the usage events the vendor's products send with an installation key.

A batch costs a fixed number of queries whatever its size (the people it names, the product
codes, one bulk insert, one read of what was inserted, one upsert of the days touched): nothing is
looked up per event. Idempotency is the primary key: the product's event UUID, inserted with
ON CONFLICT DO NOTHING, so a repeated event — in the same batch, a retried batch, or two requests
racing — is stored once and counted as accepted once."""

import datetime
import uuid
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import User
from packages.models import Product
from packages.permissions import require_performance_tracking

from ..models import UsageDirtyDay, UsageEvent, UsageEventKind, UsageKey

FIELD_LIMITS = {"username": 150, "email": 254, "product": 40, "version": 40, "feature": 100}


class MalformedBatch(Exception):
    """The body is not a batch at all: the whole request is refused (400) and nothing is stored."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(_("The batch is malformed; nothing was stored."))


@dataclass
class IngestResult:
    accepted: int = 0
    duplicate: int = 0
    unmatched: int = 0
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "unmatched": self.unmatched,
            "rejected": len(self.rejected),
            "rejections": self.rejected,
        }


class _Rejected(Exception):
    def __init__(self, field_name: str, code: str, message: str):
        self.field_name, self.code, self.message = field_name, code, message


def _events_of(payload) -> list[dict]:
    if not isinstance(payload, dict):
        raise MalformedBatch({"non_field_errors": [_('Send a JSON object: {"events": […]}.')]})
    events = payload.get("events")
    if not isinstance(events, list):
        raise MalformedBatch({"events": [_("A list of events is required.")]})
    limit = settings.USAGE_BATCH_MAX_EVENTS
    if len(events) > limit:
        raise MalformedBatch({"events": [_("At most %(max)s events per batch.") % {"max": limit}]})
    not_objects = [str(i) for i, event in enumerate(events) if not isinstance(event, dict)]
    if not_objects:
        raise MalformedBatch({f"events.{i}": [_("Each event must be a JSON object.")] for i in not_objects})
    return events


def _text(event: dict, name: str, *, required: bool) -> str:
    value = event.get(name)
    if value is None or value == "":
        if required:
            raise _Rejected(name, "required", _("This field is required."))
        return ""
    if not isinstance(value, str):
        raise _Rejected(name, "invalid", _("Must be a string."))
    value = value.strip()
    if len(value) > FIELD_LIMITS[name]:
        raise _Rejected(name, "too_long", _("At most %(max)s characters.") % {"max": FIELD_LIMITS[name]})
    if required and not value:
        raise _Rejected(name, "required", _("This field is required."))
    return value


def _occurred_at(value, *, now: datetime.datetime, oldest: datetime.datetime) -> datetime.datetime:
    if not isinstance(value, str):
        raise _Rejected("occurred_at", "required", _("This field is required."))
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise _Rejected("occurred_at", "invalid", _("Not an ISO 8601 date and time.")) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _Rejected(
            "occurred_at", "naive", _("Give the time zone (for example 2026-03-01T09:30:00+03:00 or …Z).")
        )
    if moment > now + datetime.timedelta(seconds=settings.USAGE_MAX_FUTURE_SECONDS):
        raise _Rejected("occurred_at", "future", _("More than 5 minutes in the future."))
    if moment < oldest:
        raise _Rejected("occurred_at", "too_old", _("Older than the time raw events are kept."))
    return moment


def _parse(event: dict, *, now, oldest, products: set[str]) -> dict:
    try:
        event_id = uuid.UUID(str(event.get("id")))
    except ValueError:
        raise _Rejected("id", "invalid", _("Must be a UUID.")) from None
    username = _text(event, "username", required=False)
    email = _text(event, "email", required=False).lower()
    if not username and not email:
        raise _Rejected("username", "required", _("Give the person's username or e-mail."))
    product = _text(event, "product", required=True)
    if product not in products:
        raise _Rejected("product", "unknown_product", _("Not a product code of the vendor."))
    version = _text(event, "version", required=True)
    kind = event.get("kind")
    if kind not in UsageEventKind.values:
        raise _Rejected(
            "kind", "invalid_choice", _("One of: %(kinds)s.") % {"kinds": ", ".join(UsageEventKind.values)}
        )
    feature = _text(event, "feature", required=kind == UsageEventKind.FEATURE_USED)
    return {
        "id": event_id,
        "username": username,
        "email": email,
        "product": product,
        "version": version,
        "kind": kind,
        "feature": feature if kind == UsageEventKind.FEATURE_USED else "",
        "occurred_at": _occurred_at(event.get("occurred_at"), now=now, oldest=oldest),
    }


def _people(institution_id: int, usernames: set[str], emails: set[str]) -> tuple[dict, dict]:
    """The institution's people named by the batch, by username and by lower-cased e-mail. Only
    this institution is searched: a name of another institution's person finds nobody."""
    if not usernames and not emails:
        return {}, {}
    rows = (
        User.objects.for_institution(institution_id)
        .annotate(email_lower=Lower("email"))
        .filter(Q(username__in=usernames) | Q(email_lower__in=emails))
        .values_list("pk", "username", "email_lower")
    )
    by_username, by_email = {}, {}
    for pk, username, email in rows:
        by_username[username] = pk
        if email:
            by_email.setdefault(email, pk)
    return by_username, by_email


_COLUMNS = (
    "id",
    "institution_id",
    "person_id",
    "person_ref",
    "product",
    "version",
    "kind",
    "feature",
    "occurred_at",
    "received_at",
    "batch_id",
    "key_prefix",
)


def _insert(rows: list[tuple]) -> list[tuple[uuid.UUID, int | None]]:
    """Insert the events, skipping ids already stored; return (id, person_id) of those inserted.

    On PostgreSQL one statement does it all: the columns go as arrays (unnest), ON CONFLICT DO
    NOTHING skips the stored ids, and RETURNING names exactly the rows this statement inserted —
    the ORM's per-row compilation would cost more than the insert itself. Elsewhere (SQLite for
    development) bulk_create(ignore_conflicts=True), then the batch's own rows are read back."""
    if connection.vendor != "postgresql":
        events = [UsageEvent(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]
        UsageEvent.objects.bulk_create(events, ignore_conflicts=True)
        return list(
            UsageEvent.objects.filter(pk__in=[e.pk for e in events], batch_id=events[0].batch_id).values_list(
                "pk", "person_id"
            )
        )
    table = connection.ops.quote_name(UsageEvent._meta.db_table)
    types = (
        "uuid",
        "bigint",
        "bigint",
        "text",
        "text",
        "text",
        "text",
        "text",
        "timestamptz",
        "timestamptz",
        "uuid",
        "text",
    )
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    # Table, columns and types are the constants above; the values go as parameters.
    columns = ", ".join(_COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING RETURNING id, person_id"  # noqa: S608
    params = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def usage_events_ingest(*, key: UsageKey, payload, now: datetime.datetime | None = None) -> IngestResult:
    """Store a batch of usage events for the key's institution. Raises MalformedBatch when the body
    is not a batch (nothing stored), FeatureLocked when the institution's package does not include
    performance tracking. Each event is accepted, a duplicate (its id was stored before, or earlier
    in the batch), or rejected with one reason; an accepted event naming nobody of the institution
    is stored without a person and counted as unmatched. Sending the same batch again is harmless:
    everything in it is then a duplicate."""
    events = _events_of(payload)
    institution = key.institution
    require_performance_tracking(institution)
    now = now or timezone.now()
    oldest = now - relativedelta(months=settings.USAGE_EVENT_RETENTION_MONTHS)
    result = IngestResult()
    products = set(Product.objects.values_list("code", flat=True))
    parsed: dict[uuid.UUID, dict] = {}
    for index, raw in enumerate(events):
        try:
            event = _parse(raw, now=now, oldest=oldest, products=products)
        except _Rejected as refusal:
            event_id = raw.get("id")
            result.rejected.append(
                {
                    "index": index,
                    "id": event_id if isinstance(event_id, str) else None,
                    "field": refusal.field_name,
                    "code": refusal.code,
                    "message": refusal.message,
                }
            )
            continue
        if event["id"] in parsed:
            result.duplicate += 1
            continue
        parsed[event["id"]] = event
    if not parsed:
        return result

    by_username, by_email = _people(
        institution.pk,
        {e["username"] for e in parsed.values() if e["username"]},
        {e["email"] for e in parsed.values() if e["email"]},
    )
    batch_id = uuid.uuid4()
    rows = []
    for event in parsed.values():
        person_id = by_username.get(event["username"]) if event["username"] else None
        if person_id is None and event["email"]:
            person_id = by_email.get(event["email"])
        rows.append(
            (
                event["id"],
                institution.pk,
                person_id,
                event["username"] or event["email"],
                event["product"],
                event["version"],
                event["kind"],
                event["feature"],
                event["occurred_at"],
                now,
                batch_id,
                key.prefix,
            )
        )
    with transaction.atomic():
        inserted = _insert(rows)
        # Day boundaries fall on quarter hours in every time zone: the local day of each distinct
        # quarter hour is the local day of every event in it.
        quarters = {
            int(parsed[pk]["occurred_at"].timestamp()) // 900 for pk, person_id in inserted if person_id
        }
        days = {timezone.localdate(datetime.datetime.fromtimestamp(q * 900, datetime.UTC)) for q in quarters}
        if days:
            UsageDirtyDay.objects.bulk_create(
                [UsageDirtyDay(institution_id=institution.pk, on=day, marked_at=now) for day in sorted(days)],
                update_conflicts=True,
                unique_fields=["institution", "on"],
                update_fields=["marked_at"],
            )
    result.accepted = len(inserted)
    result.unmatched = sum(1 for _pk, person_id in inserted if person_id is None)
    result.duplicate += len(parsed) - len(inserted)
    return result
