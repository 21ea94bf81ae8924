"""The audit log, written by services: one row per change, in the service's transaction.

Any app records its changes through `audit_record` and names its action codes once with
`audit_actions_register`, so the log page can show them in the reader's language. A service
records only what it changed: a call that finds the work already done records nothing."""

from collections.abc import Callable, Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _

from .audit_chain import chain_append
from .models import AuditEvent, Institution, User

_ACTION_LABELS: dict[str, str] = {}

# Passed for `institution` to take it from the target (its `institution_id`).
FROM_TARGET = object()


def audited(*actions: str) -> Callable:
    """Mark a service as one that changes tenant data and records each change with `audit_record`
    under one of these action codes (a call that changes nothing records nothing). The mark costs
    nothing at run time: `tests/organizations/test_audit_matrix.py` finds every public function of
    every app's `services` modules and requires the mark or a reasoned exemption, then calls each
    marked service and expects one row with one of its codes."""

    def mark(service: Callable) -> Callable:
        service.audit_actions = actions
        return service

    return mark


def audit_actions_register(labels: Mapping[str, str]) -> None:
    """Name action codes for the log page (lazy translations, so each reader gets their language)."""
    _ACTION_LABELS.update(labels)


def audit_action_label(action: str) -> str:
    return str(_ACTION_LABELS.get(action, action))


def audit_action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda item: item[1])


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    before: Mapping | None = None,
    after: Mapping | None = None,
    institution: Institution | None | object = FROM_TARGET,
) -> AuditEvent:
    """Write one audit row. Call it inside the service's transaction, after the change is saved,
    so the row is rolled back with the change. `before` and `after` hold the fields the action
    changed (JSON: dates and decimals are written as strings). Not idempotent: one row per call."""
    if institution is FROM_TARGET:
        institution_id = getattr(target, "institution_id", None)
    else:
        institution_id = institution.pk if institution is not None else None
    event = AuditEvent(
        institution_id=institution_id,
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        target_label=str(target)[:255],
        before=dict(before or {}),
        after=dict(after or {}),
    )
    return chain_append(event)


def audit_change(
    *, actor: User | None, action: str, target: models.Model, field: str, before, after
) -> AuditEvent:
    """One field's change as one row: `{field: before}` → `{field: after}`."""
    return audit_record(
        actor=actor, action=action, target=target, before={field: before}, after={field: after}
    )


audit_actions_register(
    {
        "person.add": _("Person added"),
        "person.bootstrap": _("First vendor account created"),
        "person.invite": _("Person invited"),
        "person.deactivate": _("Person deactivated"),
        "person.reactivate": _("Person reactivated"),
        "person.directory_add": _("Person added by the directory"),
        "person.directory_update": _("Person updated by the directory"),
        "person.directory_remove": _("Person removed by the directory"),
        "person.set_role": _("Role changed"),
        "person.move": _("Person moved"),
        "person.set_on_duty": _("Duty changed"),
        "person.plan_duty": _("Duty change planned"),
        "region.create": _("Region created"),
        "region.rename": _("Region renamed"),
        "unit.create": _("Unit created"),
        "unit.rename": _("Unit renamed"),
        "monitoring_grant.give": _("Monitoring granted"),
        "monitoring_grant.revoke": _("Monitoring revoked"),
    }
)
