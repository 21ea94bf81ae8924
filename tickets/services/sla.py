"""The SLA side of a ticket's life: the clock, the first response, warnings and breaches.
Every effect is a guarded update or a unique row, so repeating any of these is harmless."""

import datetime
import functools
import logging
import math
import time
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.languages import email_language
from core.outbox import outbox_enqueue_many, outbox_message, outbox_pending_after_commit
from organizations.models import User
from organizations.permissions import require_role
from organizations.roles import Role
from packages.models import Subscription
from tickets import dispatch
from tickets.models import OPEN_STATUSES, EngineHeartbeat, SLAEvent, Ticket, TicketEvent

from . import sweep_sql
from .events import event_record
from .outbox import ticket_link

logger = logging.getLogger(__name__)


def sla_terms(ticket: Ticket) -> dict:
    """The contract terms in force for the ticket, as written to the SLA log."""
    return {
        "priority": ticket.priority,
        "first_response_minutes": ticket.first_response_minutes,
        "window_start": ticket.service_window_start.strftime("%H:%M"),
        "window_end": ticket.service_window_end.strftime("%H:%M"),
        "timezone": ticket.service_timezone,
        "subscription_id": ticket.subscription_id,
    }


def sla_deadlines(
    *, subscription: Subscription, filed_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """First-response deadline and warning time for a ticket filed now under this contract."""
    calendar = subscription.calendar
    minutes = subscription.first_response_minutes
    due_at = calendar.add_service_minutes(filed_at, minutes)
    warning_at = calendar.add_service_minutes(
        filed_at, math.floor(minutes * settings.SLA_WARNING_RATIO * 60) / 60
    )
    return due_at, warning_at


def _sla_event(*, ticket: Ticket, kind: str, occurred_at: datetime.datetime) -> SLAEvent:
    return SLAEvent.objects.create(
        ticket=ticket,
        institution_id=ticket.institution_id,
        kind=kind,
        occurred_at=occurred_at,
        deadline_at=ticket.first_response_due_at,
        terms=sla_terms(ticket),
    )


def sla_clock_start(*, ticket: Ticket) -> None:
    """Start the clock of a ticket just filed in the caller's transaction: no other moment of it
    can be logged yet, so the write needs no savepoint to survive a duplicate."""
    _sla_event(ticket=ticket, kind=SLAEvent.Kind.CLOCK_STARTED, occurred_at=ticket.created_at)


def sla_first_response(*, ticket: Ticket, actor: User, at: datetime.datetime | None = None) -> bool:
    """Record the first response if none was recorded yet. A breach already recorded stays.
    Returns True when this call made the first response; harmless to repeat."""
    at = at or timezone.now()
    done = (
        Ticket.objects.filter(pk=ticket.pk, first_responded_at__isnull=True).update(first_responded_at=at)
        == 1
    )
    if done:
        ticket.first_responded_at = at
        # Only the UPDATE that found no first response gets here, once per ticket: the moment
        # cannot have been logged yet, so it is written without a savepoint.
        _sla_event(ticket=ticket, kind=SLAEvent.Kind.FIRST_RESPONSE, occurred_at=at)
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.FIRST_RESPONSE,
            actor=actor,
            at=at.isoformat(),
            in_time=at <= ticket.first_response_due_at,
        )
        transaction.on_commit(dispatch.forecast_stale)
    return done


# --- Warnings and breaches ---------------------------------------------------------------------
# One pass takes at most this many tickets in one transaction; the sweep runs passes until none
# is due or its time budget is spent, well inside the task's time limit.
SWEEP_BATCH = 1000
SWEEP_BUDGET_SECONDS = 20.0


def _breach_due(now: datetime.datetime) -> Q:
    """Open, unanswered, not yet breached, deadline passed: the predicate of ticket_breach_due."""
    return Q(
        first_responded_at__isnull=True,
        breached_at__isnull=True,
        status__in=OPEN_STATUSES,
        first_response_due_at__lte=now,
    )


def _warning_due(now: datetime.datetime) -> Q:
    return Q(
        first_responded_at__isnull=True,
        warned_at__isnull=True,
        breached_at__isnull=True,
        status__in=OPEN_STATUSES,
        warning_due_at__lte=now,
    )


def _desk_leads() -> dict[str, str]:
    """The active desk leads' addresses, each with its person's e-mail language."""
    leads = (
        User.objects.filter(role=Role.DESK_LEAD, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", "pk")
    )
    return {address: email_language(pk) for address, pk in leads}


def _email_texts_by_language(kind: str) -> dict[str, tuple[str, str]]:
    """The breach or warning e-mail's subject and body in every language of the site."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            texts[language] = _email_texts(kind)
    return texts


def _local(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _email_values(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "subject": ticket.subject,
        "institution": ticket.institution.name,
        "priority": ticket.priority,
        "due": _local(ticket.first_response_due_at),
        "link": ticket_link(ticket.pk),
    }


def _email_texts(kind: str) -> tuple[str, str]:
    """The subject and body of a breach or warning e-mail, translated, with %(name)s fields: id,
    subject, institution, priority, due and link."""
    if kind == SLAEvent.Kind.BREACHED:
        return (
            _("Ticket #%(id)s missed its first-response deadline"),
            _(
                "Ticket #%(id)s “%(subject)s” of %(institution)s (priority %(priority)s) had no first "
                "response by its deadline, %(due)s.\n\n%(link)s"
            ),
        )
    return (
        _("Ticket #%(id)s: first response due at %(due)s"),
        _(
            "Ticket #%(id)s “%(subject)s” of %(institution)s (priority %(priority)s) has no first "
            "response yet; it is due at %(due)s.\n\n%(link)s"
        ),
    )


def _emails(ticket: Ticket, leads: dict[str, str], kind: str, language_of=email_language) -> list:
    """The breach or warning e-mail of a ticket as outbox rows, one per desk lead and assignee,
    each in its recipient's e-mail language (`leads`: address → language)."""
    recipients = dict(leads)
    if ticket.assignee_id and ticket.assignee.email:
        recipients.setdefault(ticket.assignee.email, language_of(ticket.assignee_id))
    rows = []
    for address in sorted(recipients):
        with translation.override(recipients[address]):
            values = _email_values(ticket)
            subject, body = _email_texts(kind)
            rows.append(
                outbox_message(
                    cause=sweep_sql.email_cause(kind, ticket.pk),
                    recipient=address,
                    subject=subject % values,
                    body=body % values,
                    language=recipients[address],
                )
            )
    return rows


def _record(ids: list[int], *, kind: str, now: datetime.datetime) -> None:
    """History, SLA log and e-mails of tickets this transaction has just marked warned or
    breached. The SLA log's unique constraint is a second guard behind the conditional update."""
    tickets = list(
        Ticket.objects.filter(pk__in=ids)
        .select_related("institution", "assignee")
        .only(
            "institution__name",
            "assignee__email",
            "subject",
            "priority",
            "first_response_minutes",
            "service_window_start",
            "service_window_end",
            "service_timezone",
            "subscription_id",
            "first_response_due_at",
            "warning_due_at",
        )
        .order_by("pk")
    )
    leads = _desk_leads()
    breached = kind == SLAEvent.Kind.BREACHED
    TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=ticket,
                institution_id=ticket.institution_id,
                kind=TicketEvent.Kind.SLA_BREACHED if breached else TicketEvent.Kind.SLA_WARNING,
                data={"due_at": ticket.first_response_due_at.isoformat(), "recorded_at": now.isoformat()},
            )
            for ticket in tickets
        ],
        batch_size=1000,
    )
    SLAEvent.objects.bulk_create(
        [
            SLAEvent(
                ticket=ticket,
                institution_id=ticket.institution_id,
                kind=kind,
                occurred_at=ticket.first_response_due_at if breached else ticket.warning_due_at,
                deadline_at=ticket.first_response_due_at,
                terms=sla_terms(ticket),
            )
            for ticket in tickets
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    language_of = functools.cache(email_language)
    emails = [email for ticket in tickets for email in _emails(ticket, leads, kind, language_of)]
    outbox_enqueue_many(messages=emails)
    logger.info("sla.recorded", extra={"kind": kind, "count": len(tickets)})


def sla_breach_record(*, ticket_id: int, now: datetime.datetime | None = None) -> bool:
    """Mark one ticket breached if its stored deadline has passed with no first response.

    breached_at is the deadline itself (the moment the promise was broken), whatever the lag of
    the worker; the SLA log keeps when it was recorded. With the history event, the SLA log entry
    and an e-mail to the desk leads and the assignee (outbox, sent after commit). Returns False
    for a missing, answered, closed, already breached or not yet due ticket: harmless to repeat,
    and two concurrent calls record one breach (the conditional UPDATE lets only one through)."""
    now = now or timezone.now()
    with transaction.atomic():
        marked = (
            Ticket.objects.filter(_breach_due(now), pk=ticket_id).update(
                breached_at=F("first_response_due_at")
            )
            == 1
        )
        if marked:
            _record([ticket_id], kind=SLAEvent.Kind.BREACHED, now=now)
    return marked


def sla_warning_record(*, ticket_id: int, now: datetime.datetime | None = None) -> bool:
    """Mark one ticket warned if its warning time has passed with no first response and no breach;
    warned_at is when the warning went out. E-mails the assignee and the desk leads. Same
    guarantees as sla_breach_record."""
    now = now or timezone.now()
    with transaction.atomic():
        marked = Ticket.objects.filter(_warning_due(now), pk=ticket_id).update(warned_at=now) == 1
        if marked:
            _record([ticket_id], kind=SLAEvent.Kind.WARNING_SENT, now=now)
    return marked


def _sweep_batch(
    predicate: Q, order: str, changes: dict, kind: str, now: datetime.datetime, limit: int
) -> int:
    if connection.vendor == "postgresql":
        return _sweep_batch_set_based(predicate, order, kind, now, limit)
    with transaction.atomic():
        # SKIP LOCKED (PostgreSQL): a concurrent sweep or a ticket being answered right now is
        # left to the other transaction instead of being waited for.
        ids = list(
            Ticket.objects.filter(predicate)
            .order_by(order)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        # The rows are locked and still match, so every one of them changes here.
        Ticket.objects.filter(predicate, pk__in=ids).update(**changes)
        _record(ids, kind=kind, now=now)
    return len(ids)


def _sweep_batch_set_based(predicate: Q, order: str, kind: str, now: datetime.datetime, limit: int) -> int:
    """The same batch as set-based SQL: a mass deadline is recorded at tens of thousands of
    tickets a second instead of about a thousand (sweep_sql.py)."""
    query = Ticket.objects.filter(predicate).query
    where_sql, where_params = query.get_compiler(connection=connection).compile(query.where)
    with transaction.atomic():
        marked, emailed = sweep_sql.record_due(
            predicate_sql=where_sql,
            predicate_params=list(where_params),
            order=connection.ops.quote_name(Ticket._meta.get_field(order).column),
            limit=limit,
            kind=kind,
            now=now,
            texts=_email_texts_by_language(kind),
            leads=_desk_leads,
            language_of=email_language,
            link=ticket_link(sweep_sql.LINK_MARKER),
        )
        if emailed:
            outbox_pending_after_commit()
    if marked:
        logger.info("sla.recorded", extra={"kind": kind, "count": marked})
    return marked


def sla_breach_sweep(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """One batch of the breach sweep: up to `limit` due tickets, oldest deadline first, through the
    partial index ticket_breach_due. Same effects and guarantees as sla_breach_record."""
    now = now or timezone.now()
    return _sweep_batch(
        _breach_due(now),
        "first_response_due_at",
        {"breached_at": F("first_response_due_at")},
        SLAEvent.Kind.BREACHED,
        now,
        limit,
    )


def sla_warning_sweep(*, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """One batch of the warning sweep through the partial index ticket_warning_due."""
    now = now or timezone.now()
    return _sweep_batch(
        _warning_due(now), "warning_due_at", {"warned_at": now}, SLAEvent.Kind.WARNING_SENT, now, limit
    )


def sla_sweep(*, limit: int = SWEEP_BATCH, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> dict[str, int]:
    """The periodic catch-up: every due breach, then every due warning, in bounded batches, until
    nothing is due or the time budget is spent (the next run continues). Breaches go first: a
    warning for a ticket already past its deadline would be noise. Harmless to run concurrently."""
    started = time.monotonic()
    counts = {"breached": 0, "warned": 0}
    for key, sweep in (("breached", sla_breach_sweep), ("warned", sla_warning_sweep)):
        while time.monotonic() - started < budget_seconds:
            done = sweep(limit=limit)
            counts[key] += done
            if done < limit:
                break
    engine_heartbeat_record(name=EngineHeartbeat.SLA_SWEEP)
    return counts


def engine_heartbeat_record(*, name: str, at: datetime.datetime | None = None) -> None:
    """Note that a periodic job completed: one UPDATE of one row, cheap enough for every pass."""
    at = at or timezone.now()
    if not EngineHeartbeat.objects.filter(pk=name).update(completed_at=at):
        EngineHeartbeat.objects.update_or_create(name=name, defaults={"completed_at": at})


def ticket_deadline_correct(*, actor: User, ticket: Ticket, due_at: datetime.datetime) -> Ticket:
    """Set a ticket's first-response deadline by hand (desk lead or package manager).

    The warning time moves with it, at the same share of the service time from the clock's
    start. Refused once the clock has stopped (answered or breached) or for a naive datetime.
    Records the history event and the SLA log entry; the workers act on the new deadline (timers
    for the new moments are sent after commit; timers for the old ones find nothing to do).
    Running it twice with the same deadline changes nothing the second time."""
    require_role(actor, Role.DESK_LEAD, Role.PACKAGE_MANAGER)
    if timezone.is_naive(due_at):
        raise ValidationError({"due_at": _("Give the deadline with its time zone.")})
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.first_responded_at is not None or ticket.breached_at is not None:
            raise ValidationError(
                _("The first-response clock of this ticket has stopped; its deadline can no longer change.")
            )
        if ticket.first_response_due_at == due_at:
            return ticket
        calendar = ticket.calendar
        clock_start = calendar.next_opening(ticket.created_at)
        service = calendar.service_minutes_between(clock_start, due_at)
        warning_at = min(
            calendar.add_service_minutes(clock_start, service * settings.SLA_WARNING_RATIO), due_at
        )
        previous = ticket.first_response_due_at
        ticket.first_response_due_at = due_at
        ticket.warning_due_at = warning_at
        ticket.save(update_fields=["first_response_due_at", "warning_due_at", "updated_at"])
        event_record(
            ticket=ticket,
            kind=TicketEvent.Kind.DEADLINE_CHANGED,
            actor=actor,
            old=previous.isoformat(),
            new=due_at.isoformat(),
        )
        SLAEvent.objects.create(
            ticket=ticket,
            institution_id=ticket.institution_id,
            kind=SLAEvent.Kind.DEADLINE_CHANGED,
            occurred_at=timezone.now(),
            deadline_at=due_at,
            terms={**sla_terms(ticket), "previous_deadline": previous.isoformat()},
        )
        transaction.on_commit(
            partial(dispatch.sla_timers, ticket_id=ticket.pk, due_at=due_at, warning_at=warning_at)
        )
    return ticket
