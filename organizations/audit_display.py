"""The audit log as people read it: each event a sentence in the reader's language ("Ayşe Yılmaz,
Kuzey Bölge adlı bölgeyi ekledi."), the objects by their names, each changed field by its label with
its values as words (a role's name, "yes", a date in the reader's format, the person an id stands for),
and the fields only the vendor's staff should read left out for everyone else.

The rows stay as the services wrote them (organizations.audit); this module only presents them.
Apps describe their own actions and fields at import, beside `audit_actions_register`:

    audit_sentences_register({"usage_key.issue": gettext_lazy("%(actor)s issued the key %(target)s.")})
    audit_fields_register({"prefix": AuditField(gettext_lazy("Key prefix"))})

A sentence names `%(actor)s` and `%(target)s`, and may name any key of the event's `after` or
`before` as `%(after.name)s` / `%(before.name)s`; a callable receives the event and returns the
sentence's template. An action without a sentence reads "<actor>: <action label> — <target>"."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors
from .audit import audit_action_label
from .models import AuditEvent, User
from .roles import Role


@dataclass(frozen=True)
class AuditField:
    """How a field of `before`/`after` reads: its label, the kind of its value (`text`, `bool`,
    `role`, `person`, `region`, `unit`, `ids`, `ticket`, `datetime`, `date`), and whether only the
    vendor's staff may read it. `hidden` fields are never shown (ids repeated by a name beside them)."""

    label: str
    kind: str = "text"
    vendor_only: bool = False
    hidden: bool = False


_FIELDS: dict[str, AuditField] = {}
_SENTENCES: dict[str, object] = {}
_GENERATED_NAME = re.compile(r"^\w+ object \((\d+)\)$")


def audit_fields_register(fields: Mapping[str, AuditField]) -> None:
    _FIELDS.update(fields)


def audit_sentences_register(sentences: Mapping[str, object]) -> None:
    _SENTENCES.update(sentences)


def person_name(person: User | None) -> str:
    """A person as the portal names them: first and last name, else the username as it is."""
    if person is None:
        return ""
    return person.get_full_name() or person.get_username()


@dataclass
class AuditRow:
    """One event as the page shows it."""

    event: AuditEvent
    sentence: str
    action_label: str
    # (label, before, after): before or after is None where the event has no such side.
    changes: list[tuple[str, str | None, str | None]]


class _Names:
    """The names of the people, regions and units a page of events mentions, in three queries."""

    def __init__(self, events: list[AuditEvent], scope):
        people, regions, units = set(), set(), set()
        for event in events:
            if event.target_type == "organizations.user" and event.target_id:
                people.add(event.target_id)
            for side in (event.before, event.after):
                for key, value in side.items():
                    kind = _field(key, event).kind
                    ids = value if isinstance(value, list) else [value]
                    ids = {v for v in ids if isinstance(v, int) and not isinstance(v, bool)}
                    {"person": people, "region": regions, "unit": units}.get(kind, set()).update(ids)
        found = selectors.audit_referenced_names(
            scope=scope, person_ids=people, region_ids=regions, unit_ids=units
        )
        self.people, self.regions, self.units = found["people"], found["regions"], found["units"]

    def of(self, kind: str, pk) -> str | None:
        return {"person": self.people, "region": self.regions, "unit": self.units}[kind].get(pk)


def _model(event: AuditEvent):
    try:
        return apps.get_model(event.target_type)
    except (LookupError, ValueError):
        return None


def _field(key: str, event: AuditEvent) -> AuditField:
    if key in _FIELDS:
        return _FIELDS[key]
    model = _model(event)
    if model is not None:
        for name in (key, key.removesuffix("_id")):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            label = str(getattr(field, "verbose_name", name))
            return AuditField(label[:1].upper() + label[1:])
    words = key.replace("_", " ")
    return AuditField(words[:1].upper() + words[1:])


def _choice_label(event: AuditEvent, key: str, value) -> str | None:
    model = _model(event)
    if model is None:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    choices = dict(getattr(field, "flatchoices", None) or [])
    return str(choices[value]) if value in choices else None


def _when(value: str) -> str | None:
    moment = parse_datetime(value) if "T" in value or " " in value else None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    day = parse_date(value) if len(value) == 10 else None
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else None


def _value(event: AuditEvent, key: str, value, field: AuditField, names: _Names, fallback=None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    kind = field.kind
    if kind == "bool" or isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if kind in ("person", "region", "unit"):
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.of(kind, pk) or (fallback if fallback else f"#{pk}") for pk in ids)
    if kind == "ids":
        return formats.number_format(len(value) if isinstance(value, list) else 1)
    if kind == "ticket":
        ids = value if isinstance(value, list) else [value]
        return ", ".join(f"#{pk}" for pk in ids)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        choice = _choice_label(event, key, value)
        if choice:
            return choice
        if kind in ("datetime", "date") or re.match(r"^\d{4}-\d{2}-\d{2}", value):
            return _when(value) or value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _changes(event: AuditEvent, names: _Names, vendor: bool) -> list[tuple[str, str | None, str | None]]:
    rows = []
    keys = list(dict.fromkeys([*event.before.keys(), *event.after.keys()]))
    for key in keys:
        field = _field(key, event)
        if field.hidden or (field.vendor_only and not vendor):
            continue
        # A name written beside its id ("region" beside "region_id") is read through the id.
        if f"{key}_id" in keys:
            continue
        name_key = key.removesuffix("_id")
        sides = []
        for side in (event.before, event.after):
            if key not in side:
                sides.append(None)
                continue
            fallback = side.get(name_key) if name_key != key else None
            sides.append(_value(event, key, side[key], field, names, fallback=fallback))
        rows.append((str(field.label), sides[0], sides[1]))
    return rows


def _target(event: AuditEvent, names: _Names) -> str:
    if event.target_type == "organizations.user" and event.target_id:
        return names.of("person", event.target_id) or event.target_label
    if event.target_type == "organizations.monitoringgrant":
        person = event.after.get("person_id") or event.before.get("person_id")
        named = names.of("person", person) if person else None
        if named or event.after.get("person"):
            return named or event.after["person"]
    label = event.target_label or ""
    generated = _GENERATED_NAME.match(label)
    if generated:
        return f"#{generated.group(1)}"
    return label or "—"


class _Sides(dict):
    """after.x / before.x in a sentence, as the change rows read them."""

    def __missing__(self, key):
        return "—"


def _sentence(event: AuditEvent, names: _Names, actor: str, target: str) -> str:
    template = _SENTENCES.get(event.action)
    if callable(template):
        template = template(event)
    if template is None:
        return _("%(actor)s: %(action)s — %(target)s") % {
            "actor": actor,
            "action": audit_action_label(event.action),
            "target": target,
        }
    values = _Sides(actor=actor, target=target)
    for prefix, side in (("before", event.before), ("after", event.after)):
        for key, value in side.items():
            values[f"{prefix}.{key}"] = _value(event, key, value, _field(key, event), names)
    return str(template) % values


def audit_rows(events: Iterable[AuditEvent], *, reader: User) -> list[AuditRow]:
    """The events as the reader reads them: the vendor's staff see every field, an institution's
    admin not the vendor's own."""
    events = list(events)
    names = _Names(events, scope=None if reader.is_vendor_staff else reader.institution)
    vendor = reader.is_vendor_staff
    rows = []
    for event in events:
        actor = person_name(event.actor) if event.actor_id else _("The portal")
        target = _target(event, names)
        rows.append(
            AuditRow(
                event=event,
                sentence=_sentence(event, names, actor, target),
                action_label=audit_action_label(event.action),
                changes=_changes(event, names, vendor),
            )
        )
    return rows


def _duty(event: AuditEvent) -> str:
    if event.after.get("is_on_duty"):
        return gettext_lazy("%(actor)s put %(target)s on duty.")
    return gettext_lazy("%(actor)s took %(target)s off duty.")


audit_fields_register(
    {
        "role": AuditField(gettext_lazy("Role"), kind="role"),
        "email": AuditField(gettext_lazy("E-mail")),
        "is_active": AuditField(gettext_lazy("Active"), kind="bool"),
        "is_superuser": AuditField(
            gettext_lazy("Full access to the administration"), kind="bool", vendor_only=True
        ),
        "is_on_duty": AuditField(gettext_lazy("On duty"), kind="bool", vendor_only=True),
        "region_id": AuditField(gettext_lazy("Region"), kind="region"),
        "unit_id": AuditField(gettext_lazy("Unit"), kind="unit"),
        "person_id": AuditField(gettext_lazy("Person"), kind="person"),
        "revoked_by_id": AuditField(gettext_lazy("Revoked by"), kind="person"),
        "revoked_at": AuditField(gettext_lazy("Revoked at"), kind="datetime"),
        "revoked_grant_ids": AuditField(gettext_lazy("Monitoring grants ended"), kind="ids"),
        "name": AuditField(gettext_lazy("Name")),
    }
)

audit_sentences_register(
    {
        "person.add": gettext_lazy("%(actor)s added %(target)s."),
        "person.invite": gettext_lazy("%(actor)s invited %(target)s."),
        "person.bootstrap": gettext_lazy("The first vendor account, %(target)s, was created."),
        "person.deactivate": gettext_lazy("%(actor)s deactivated %(target)s."),
        "person.reactivate": gettext_lazy("%(actor)s reactivated %(target)s."),
        "person.set_role": gettext_lazy("%(actor)s made %(target)s %(after.role)s."),
        "person.move": gettext_lazy("%(actor)s moved %(target)s."),
        "person.set_on_duty": _duty,
        "region.create": gettext_lazy("%(actor)s added the region %(target)s."),
        "region.rename": gettext_lazy("%(actor)s renamed the region %(before.name)s to %(after.name)s."),
        "unit.create": gettext_lazy("%(actor)s added the unit %(target)s."),
        "unit.rename": gettext_lazy("%(actor)s renamed the unit %(before.name)s to %(after.name)s."),
        "monitoring_grant.give": gettext_lazy(
            "%(actor)s let %(target)s monitor their part of the institution."
        ),
        "monitoring_grant.revoke": gettext_lazy("%(actor)s ended the monitoring of %(target)s."),
    }
)
