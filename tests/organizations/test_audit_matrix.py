"""The audit matrix, derived: every public function of every app's `services` modules is found
here, and each either carries `@audited(...)` (it changes tenant data and records each change in
the audit log) or stands in EXEMPT with the reason it writes no audit row. Every marked service is
then called and must write one row with one of its codes. A service added without the mark, or
marked but recording nothing, fails."""

import datetime
import importlib
import inspect
import pkgutil
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import timezone

from organizations import services as organization_services
from organizations.models import AuditEvent
from organizations.roles import Role
from packages.models import Package
from packages.services import subscription_adjust, subscription_renew, subscription_sell
from performance.services.keys import usage_key_issue, usage_key_revoke
from reports.periods import Period
from reports.services.vendor_reads import report_scope_read_by_vendor
from tests.factories import PersonFactory, SubscriptionFactory, TicketFactory
from tests.organizations.test_audit import SERVICES
from tickets.services.development import (
    development_item_create,
    development_item_merge,
    development_item_update,
    ticket_escalate_to_development,
)
from tickets.services.macros import macro_create, macro_delete

pytestmark = pytest.mark.django_db

WRITES_NOTHING = "writes nothing: reads, computes, checks or formats"
MACHINERY = (
    "the product's own machinery, no one's change to tenant data: outbox and push rows and their "
    "delivery, idempotency records, heartbeats, sweeps that send what is due, purges, usage telemetry"
)
TICKET_HISTORY = (
    "changes a ticket; every change is a TicketEvent (actor, kind, time) in the ticket's own history, "
    "shown on the ticket page and in the API"
)
BOOKING_HISTORY = (
    "changes a booking; every change is a BookingEvent (actor, status, note) in the booking's own "
    "history, shown under the booking on its page"
)
QUOTA_LEDGER = (
    "moves units of a contract; every move is a QuotaEntry of the ledger (actor, reference, note, "
    "time), which the contract page and the reports read"
)
OWN_SETTINGS = "the actor's own settings, devices or calendar feed, changed by that person alone"
VENDOR_LEARNING = (
    "the vendor's own trainings and library: places, attendance (the registration's attended_at) "
    "and files of the vendor's sessions, no tenant's records"
)
GROUPS_FROM_ROLE = (
    "derives the Django admin's groups from the role column; the role change itself is audited by "
    "the caller (person_add, person_invite, person_set_role, staff_bootstrap)"
)

ACCESS_END = (
    "ends a person's access (is_active, API tokens) for its callers, which record why: "
    "person_deactivate and the directory's removal"
)

THROUGH_AUDITED = "makes its changes through an audited service (person_set_on_duty), which records each"

EXEMPT = {
    "organizations.services.duty_changes_apply": THROUGH_AUDITED,
    "organizations.services.person_access_end": ACCESS_END,
    "organizations.services.duty_listener_register": WRITES_NOTHING,
    "notifications.services.push.forecast_alert_push": MACHINERY,
    "tickets.services.macros.ticket_change_kind": TICKET_HISTORY,
    "tickets.services.macros.macro_apply": TICKET_HISTORY,
    "bookings.services.common.clean_dates": WRITES_NOTHING,
    "bookings.services.common.format_when": WRITES_NOTHING,
    "bookings.services.common.in_portal_language": WRITES_NOTHING,
    "bookings.services.common.person_lock": WRITES_NOTHING,
    "bookings.services.common.event_add": BOOKING_HISTORY,
    "bookings.services.common.notify": MACHINERY,
    "bookings.services.desk.contact_request_add": TICKET_HISTORY,
    "bookings.services.engine.effect": WRITES_NOTHING,
    "bookings.services.engine.require_side": WRITES_NOTHING,
    "bookings.services.engine.units_come_back": WRITES_NOTHING,
    "bookings.services.engine.booking_act": BOOKING_HISTORY,
    "bookings.services.engine.booking_create": BOOKING_HISTORY,
    "bookings.services.engine.units_draw": QUOTA_LEDGER,
    "bookings.services.engine.units_cancel": QUOTA_LEDGER,
    "bookings.services.onboarding.onboarding_record": BOOKING_HISTORY,
    "bookings.services.onboarding.onboarding_request": BOOKING_HISTORY,
    "bookings.services.onboarding.onboarding_schedule": BOOKING_HISTORY,
    "bookings.services.onboarding.onboarding_complete": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_request": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_quote": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_quote_accept": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_quote_decline": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_confirm": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_complete": BOOKING_HISTORY,
    "bookings.services.onsite.onsite_cancel": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_request": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_schedule": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_decline": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_cancel": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_mark_held": BOOKING_HISTORY,
    "bookings.services.workshops.workshop_participants_record": BOOKING_HISTORY,
    "core.services.idempotency_claim": MACHINERY,
    "core.services.idempotency_store": MACHINERY,
    "core.services.idempotency_purge": MACHINERY,
    "learning.services.training_register": VENDOR_LEARNING,
    "learning.services.training_unregister": VENDOR_LEARNING,
    "learning.services.training_waitlist_promote": VENDOR_LEARNING,
    "learning.services.training_attendance_record": VENDOR_LEARNING,
    "learning.services.training_attendance_import": VENDOR_LEARNING,
    "learning.services.library_file_add": VENDOR_LEARNING,
    "learning.services.download_count": VENDOR_LEARNING,
    "learning.services.training_recording_check": WRITES_NOTHING,
    "learning.services.training_promotion_send": MACHINERY,
    "learning.services.training_recording_send": MACHINERY,
    "learning.services.training_reminder_send": MACHINERY,
    "learning.services.training_reminder_sweep": MACHINERY,
    "learning.services.library_item_index": MACHINERY,
    "learning.services.feed_get_or_create": OWN_SETTINGS,
    "learning.services.feed_reset": OWN_SETTINGS,
    "notifications.services.delivery.notification_drain": MACHINERY,
    "notifications.services.delivery.notification_queue": MACHINERY,
    "notifications.services.delivery.notification_cause": WRITES_NOTHING,
    "notifications.services.delivery.notification_render": WRITES_NOTHING,
    "notifications.services.digest.digest_compose_all_institutions": MACHINERY,
    "notifications.services.fanout.event_recipients": WRITES_NOTHING,
    "notifications.services.fanout.notification_fanout": MACHINERY,
    "notifications.services.imap.imap_poll": MACHINERY,
    "notifications.services.inbound.reply_trim": WRITES_NOTHING,
    "notifications.services.inbound.is_automatic": WRITES_NOTHING,
    "notifications.services.inbound.inbound_receive": TICKET_HISTORY,
    "notifications.services.preferences.preference_update": OWN_SETTINGS,
    "notifications.services.preferences.unsubscribe": OWN_SETTINGS,
    "notifications.services.push.push_subscription_save": OWN_SETTINGS,
    "notifications.services.push.push_subscription_remove": OWN_SETTINGS,
    "notifications.services.push.push_request_many": MACHINERY,
    "notifications.services.push.push_drain": MACHINERY,
    "organizations.services.person_groups_sync": GROUPS_FROM_ROLE,
    "packages.services.quota_consume": QUOTA_LEDGER,
    "packages.services.quota_release": QUOTA_LEDGER,
    "packages.services.ticket_unit_draw": QUOTA_LEDGER,
    "packages.services.quota_notice_level": WRITES_NOTHING,
    "packages.services.quota_notice_text": WRITES_NOTHING,
    "packages.services.quota_notice_raise": MACHINERY,
    "packages.services.quota_notice_send": MACHINERY,
    "packages.services.quota_notice_sweep": MACHINERY,
    "performance.services.ingestion.usage_events_ingest": MACHINERY,
    "performance.services.rollup.usage_days_rollup": MACHINERY,
    "performance.services.rollup.usage_dirty_days_rollup": MACHINERY,
    "performance.services.rollup.usage_events_purge": MACHINERY,
    "reports.services.report_figures": WRITES_NOTHING,
    "reports.services.report_context": WRITES_NOTHING,
    "reports.services.report_summary": WRITES_NOTHING,
    "reports.services.delivery.report_delivery_schedule": MACHINERY,
    "reports.services.delivery.report_delivery_schedule_last_month": MACHINERY,
    "reports.services.delivery.report_delivery_send": MACHINERY,
    "reports.services.delivery.report_delivery_drain": MACHINERY,
    "reports.services.delivery.report_delivery_run": MACHINERY,
    "reports.services.surveys.survey_for_ticket": WRITES_NOTHING,
    "reports.services.surveys.survey_state": WRITES_NOTHING,
    "reports.services.surveys.survey_token": WRITES_NOTHING,
    "reports.services.surveys.survey_from_token": WRITES_NOTHING,
    "reports.services.surveys.survey_link_for": WRITES_NOTHING,
    "reports.services.surveys.survey_question_links": WRITES_NOTHING,
    "reports.services.surveys.survey_answer": TICKET_HISTORY,
    "reports.services.surveys.survey_sync": MACHINERY,
    "reports.services.surveys.survey_remind_due": MACHINERY,
    "reports.services.surveys.survey_sweep": MACHINERY,
    "tickets.services.conversation.ticket_reply": TICKET_HISTORY,
    "tickets.services.conversation.ticket_note": TICKET_HISTORY,
    "tickets.services.conversation.ticket_log_call": TICKET_HISTORY,
    "tickets.services.conversation.ticket_log_remote": TICKET_HISTORY,
    "tickets.services.conversation.ticket_change_status": TICKET_HISTORY,
    "tickets.services.conversation.ticket_reopen": TICKET_HISTORY,
    "tickets.services.conversation.ticket_assign": TICKET_HISTORY,
    "tickets.services.development.development_item_open_for_filing": TICKET_HISTORY,
    "tickets.services.events.event_record": TICKET_HISTORY,
    "tickets.services.filing.attachment_validate": WRITES_NOTHING,
    "tickets.services.filing.attachment_add": TICKET_HISTORY,
    "tickets.services.filing.ticket_file": TICKET_HISTORY,
    "tickets.services.outbox.ticket_link": WRITES_NOTHING,
    "tickets.services.outbox.outbox_deliver": MACHINERY,
    "tickets.services.outbox.outbox_drain": MACHINERY,
    "tickets.services.outbox.outbox_route_add": MACHINERY,
    "tickets.services.outbox.outbox_purge": MACHINERY,
    "tickets.services.routing.engineer_least_loaded": WRITES_NOTHING,
    "tickets.services.routing.ticket_route": TICKET_HISTORY,
    "tickets.services.routing.ticket_route_unrouted": TICKET_HISTORY,
    "tickets.services.sla.sla_terms": WRITES_NOTHING,
    "tickets.services.sla.sla_deadlines": WRITES_NOTHING,
    "tickets.services.sla.sla_clock_start": TICKET_HISTORY,
    "tickets.services.sla.sla_first_response": TICKET_HISTORY,
    "tickets.services.sla.sla_breach_record": TICKET_HISTORY,
    "tickets.services.sla.sla_warning_record": TICKET_HISTORY,
    "tickets.services.sla.ticket_deadline_correct": TICKET_HISTORY,
    "tickets.services.sla.sla_breach_sweep": MACHINERY,
    "tickets.services.sla.sla_warning_sweep": MACHINERY,
    "tickets.services.sla.sla_sweep": MACHINERY,
    "tickets.services.sla.engine_heartbeat_record": MACHINERY,
    "tickets.services.sweep_sql.email_cause": WRITES_NOTHING,
    "tickets.services.sweep_sql.format_pattern": WRITES_NOTHING,
    "tickets.services.sweep_sql.record_due": MACHINERY,
}


def project_apps() -> list[str]:
    config = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    return [app for app in config["tool"]["importlinter"]["root_packages"] if app != "slaportal"]


def services_modules() -> list:
    """Each app's `services` module, or every module of its `services` package."""
    found = []
    for app in project_apps():
        try:
            module = importlib.import_module(f"{app}.services")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.services":
                raise
            continue
        found.append(module)
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            found.append(importlib.import_module(f"{module.__name__}.{info.name}"))
    return found


def services() -> dict:
    """Every public function defined in a services module, by dotted name."""
    return {
        f"{module.__name__}.{name}": function
        for module in services_modules()
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
    }


def unclassified() -> set[str]:
    """Services neither marked `@audited` nor exempted with a reason."""
    return {
        name
        for name, function in services().items()
        if not getattr(function, "audit_actions", None) and name not in EXEMPT
    }


def audited_services() -> dict:
    return {
        name: function for name, function in services().items() if getattr(function, "audit_actions", None)
    }


@pytest.fixture
def vendor():
    """What the vendor-side services act on: a package manager, a developer, an engineer, a
    ticket and a development item."""
    institution = SubscriptionFactory(package_code="premium_plus").institution
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER, is_on_duty=True)
    developer = PersonFactory(role=Role.DEVELOPER)
    customer = PersonFactory(role=Role.CUSTOMER, institution=institution)
    return SimpleNamespace(
        institution=institution,
        subscription=institution.subscriptions.get(),
        admin=PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution),
        manager=PersonFactory(role=Role.PACKAGE_MANAGER),
        engineer=engineer,
        developer=developer,
        ticket=TicketFactory(requester=customer),
        item=development_item_create(actor=developer, title="Parsel sorgusu yavaş"),
        other=development_item_create(actor=developer, title="Parsel sorgusu çok yavaş"),
    )


def sell(v):
    other = PersonFactory(role=Role.INSTITUTION_ADMIN).institution
    return subscription_sell(
        actor=v.manager,
        institution=other,
        package=Package.objects.get(code="standard"),
        starts_on=datetime.date(2026, 1, 1),
    )


def issue_then_revoke(v):
    key, _raw = usage_key_issue(actor=v.admin, institution=v.institution, name="Ankara")
    existing = list(AuditEvent.objects.values_list("pk", flat=True))
    usage_key_revoke(actor=v.admin, key=key)
    return existing


def macro_create_then_delete(v):
    macro = macro_create(actor=v.engineer, name="Selam", body="Merhaba.")
    existing = list(AuditEvent.objects.values_list("pk", flat=True))
    macro_delete(actor=v.engineer, macro=macro)
    return existing


# The marked services outside test_audit.SERVICES, each called on the vendor-side world. A call
# may return the ids of rows written before the change under test (for a service that needs one
# made first).
CALLS = {
    "organizations.services.person_set_on_duty": lambda v: organization_services.person_set_on_duty(
        actor=v.engineer, person=v.engineer, is_on_duty=False
    ),
    "organizations.services.duty_change_schedule": lambda v: organization_services.duty_change_schedule(
        actor=v.engineer,
        person=v.engineer,
        at=timezone.now() + datetime.timedelta(hours=2),
        is_on_duty=False,
    ),
    "organizations.services.staff_bootstrap": lambda v: organization_services.staff_bootstrap(
        username="ilk", email="ilk@example.test", password="Kalem-Defter-1923"
    ),
    "packages.services.subscription_sell": sell,
    "packages.services.subscription_renew": lambda v: subscription_renew(
        actor=v.manager, subscription=v.subscription
    ),
    "packages.services.subscription_adjust": lambda v: subscription_adjust(
        actor=v.manager, subscription=v.subscription, user_cap=v.subscription.user_cap + 1
    ),
    "performance.services.keys.usage_key_issue": lambda v: usage_key_issue(
        actor=v.admin, institution=v.institution, name="Ankara"
    ),
    "performance.services.keys.usage_key_revoke": issue_then_revoke,
    "reports.services.vendor_reads.report_scope_read_by_vendor": lambda v: report_scope_read_by_vendor(
        actor=v.manager,
        institution=v.institution,
        period=Period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)),
        what="page",
    ),
    "tickets.services.development.development_item_create": lambda v: development_item_create(
        actor=v.developer, title="Yeni"
    ),
    "tickets.services.development.ticket_escalate_to_development": lambda v: ticket_escalate_to_development(
        actor=v.engineer, ticket=v.ticket, item=v.item
    ),
    "tickets.services.development.development_item_update": lambda v: development_item_update(
        actor=v.developer, item=v.item, public_note="İnceleniyor"
    ),
    "tickets.services.development.development_item_merge": lambda v: development_item_merge(
        actor=v.developer, item=v.other, into=v.item
    ),
    "tickets.services.macros.macro_create": lambda v: macro_create(
        actor=v.engineer, name="Selam", body="Merhaba {{ requester.first_name }}."
    ),
    "tickets.services.macros.macro_delete": macro_create_then_delete,
}

# test_audit.SERVICES names its services by their bare names, all in organizations or sharing.
CALLED_IN_TEST_AUDIT = {
    f"organizations.services.{name}"
    if hasattr(organization_services, name)
    else f"tickets.services.sharing.{name}"
    for name in SERVICES
}


def test_every_service_is_audited_or_exempt_with_a_reason():
    # when
    found = services()
    # then
    assert len(found) > 100
    assert unclassified() == set()
    assert set(EXEMPT) <= set(found), "exempted services that no longer exist"
    assert not set(EXEMPT) & set(audited_services()), "a service is both marked and exempted"


def test_unmarking_a_service_fails_the_matrix(monkeypatch):
    # given: person_set_on_duty without its mark
    monkeypatch.delattr(organization_services.person_set_on_duty, "audit_actions")
    # when
    missing = unclassified()
    # then
    assert missing == {"organizations.services.person_set_on_duty"}


def test_every_marked_service_is_called_by_a_test():
    # when
    marked = set(audited_services())
    # then
    assert marked == set(CALLS) | CALLED_IN_TEST_AUDIT


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_test_audit_expects_a_code_the_service_declares(name):
    # given
    qualified = next(q for q in CALLED_IN_TEST_AUDIT if q.endswith(f".{name}"))
    # when
    declared = audited_services()[qualified].audit_actions
    # then
    assert SERVICES[name][1] in declared


def rows_with_declared_codes(name: str, vendor) -> list[AuditEvent]:
    """Call the marked service and return the new audit rows carrying one of its codes."""
    existing = set(AuditEvent.objects.values_list("pk", flat=True))
    returned = CALLS[name](vendor)
    if isinstance(returned, list):
        existing |= set(returned)
    declared = audited_services()[name].audit_actions
    return list(AuditEvent.objects.exclude(pk__in=existing).filter(action__in=declared))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_marked_service_records_one_row_with_its_code(vendor, name):
    # when
    rows = rows_with_declared_codes(name, vendor)
    # then
    [event] = rows
    assert event.before or event.after
    assert event.target_id is not None and event.target_label


def test_a_marked_service_that_records_nothing_fails(vendor, monkeypatch):
    # given: person_set_on_duty still marked, its audit call gone
    monkeypatch.setattr(organization_services, "audit_change", lambda **kwargs: None)
    # when
    rows = rows_with_declared_codes("organizations.services.person_set_on_duty", vendor)
    # then: the matrix's assertion (one row) would fail
    assert rows == []
