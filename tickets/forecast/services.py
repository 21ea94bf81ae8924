"""The breach forecast on the desk: learnt from the database, computed, kept in the cache, shown on
the desk lead's board and the API, and the alert to the desk lead.

`forecast_refresh` (beat every minute, and after every filing, first response and duty change)
reads the queue, the engineers and the planned duty changes, turns instants into service minutes
of the desk's window (08:00–24:00, Europe/Istanbul, `packages.calendar`), runs the simulation
twice — as staffed, and with one more engineer of the desk's average speed — carries each
ticket's at-risk state on from the stored forecast (tickets.forecast.risk) and stores the result.
Readers take the stored forecast (computing it when it is missing or older than
FORECAST_MAX_AGE_SECONDS) and drop the tickets answered since, so an answer leaves the board and
the API at once."""

from __future__ import annotations

import datetime
import logging
import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.outbox import outbox_enqueue_many, outbox_message
from packages.calendar import ServiceCalendar
from tickets.models import ForecastAlert

from . import selectors
from .rates import HandlingRates, Timeline, arrival_profile, handling_times, learn
from .risk import RiskState, risk_step
from .simulation import Arrivals, DutyChange, QueuedTicket, simulate

logger = logging.getLogger(__name__)

CACHE_KEY = "tickets:forecast:2"
RATES_CACHE_KEY = "tickets:forecast:rates:2"
# The rates change slowly (weeks of history); relearning them every quarter of an hour is plenty.
RATES_SECONDS = 900
# Filing times and past deadlines further back than this are clamped: the order and the certainty
# of a breach are all the simulation needs of them, and the clock need not walk back months.
LOOKBACK = datetime.timedelta(days=2)
# Planned duty changes are read this far ahead.
HORIZON = datetime.timedelta(days=2)
# The engineer the what-if adds: unknown to the history, so the desk's average speed.
EXTRA_ENGINEER = -1


# The desk's service window, and its day in hours: the arriving work is learnt per hour of it.
DESK_OPENS = time(8)
DESK_CLOSES = time(0)
DESK_HOURS = 16


def desk_calendar() -> ServiceCalendar:
    """The desk's service window, the clock the engineers work by."""
    return ServiceCalendar(DESK_OPENS, DESK_CLOSES, settings.TIME_ZONE)


def _desk_hour(hour: int) -> int:
    """The hour of the desk's day a local clock hour falls in: work filed before the desk opens
    arrives at its opening."""
    return min(max(hour - DESK_OPENS.hour, 0), DESK_HOURS - 1)


def _into_the_day(calendar: ServiceCalendar, now: datetime.datetime) -> float:
    """Service minutes of the desk's day already past at `now` (0 before the desk opens)."""
    local = timezone.localtime(now, ZoneInfo(settings.TIME_ZONE))
    opening = local.replace(hour=DESK_OPENS.hour, minute=DESK_OPENS.minute, second=0, microsecond=0)
    if local <= opening:
        return 0.0
    return calendar.service_minutes_between(opening, local)


@dataclass(frozen=True)
class Learnt:
    rates: HandlingRates
    # priority -> work filed per service minute in each hour of the desk's day
    arrivals: dict[int, tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class Row:
    """One waiting ticket's forecast, as stored."""

    ticket: int
    priority: int
    due_at: datetime.datetime
    expected_minutes: float  # service minutes from generated_at; inf when nobody will answer
    breach_probability: float
    ahead: int
    on_duty: int
    with_one_more: float  # the breach probability with one more engineer on duty
    risk: RiskState  # at risk or not, by the rule of tickets.forecast.risk
    risk_with_one_more: RiskState  # the same rule on the probabilities with one more engineer


@dataclass(frozen=True)
class DeskForecast:
    generated_at: datetime.datetime
    on_duty: int
    rows: tuple[Row, ...]


def _minutes(calendar: ServiceCalendar, now: datetime.datetime, moment: datetime.datetime) -> float:
    """Service minutes from now to `moment` (negative when it has passed), clamped to LOOKBACK."""
    if moment >= now:
        return calendar.service_minutes_between(now, moment)
    return -calendar.service_minutes_between(max(moment, now - LOOKBACK), now)


def forecast_learn(*, now: datetime.datetime | None = None) -> Learnt:
    """The handling rates and the arriving work, learnt from the last FORECAST_LEARN_WEEKS weeks
    of first responses and filings (tickets.forecast.rates)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(weeks=settings.FORECAST_LEARN_WEEKS)
    calendar = desk_calendar()

    def axis(moment: datetime.datetime) -> float:
        return calendar.service_minutes_between(since, moment)

    starts: dict[int, list[float]] = defaultdict(list)
    for person, at in selectors.forecast_duty_starts(since=since):
        starts[person].append(axis(at))
    timelines = [
        Timeline(engineer, kind, product, axis(max(filed, since)), axis(answered))
        for engineer, kind, product, filed, answered in selectors.forecast_first_responses_all_institutions(
            since=since
        )
    ]
    rates = learn(handling_times(timelines, duty_starts=starts))
    filings = [
        (priority, kind, product, _desk_hour(hour), count)
        for priority, kind, product, hour, count in selectors.forecast_filings_all_institutions(
            since=since, zone=ZoneInfo(settings.TIME_ZONE)
        )
    ]
    arrivals = arrival_profile(filings, service_minutes=axis(now), rates=rates, slots=DESK_HOURS)
    return Learnt(rates, arrivals)


def _learnt(now: datetime.datetime) -> Learnt:
    learnt = cache.get(RATES_CACHE_KEY)
    if learnt is None:
        learnt = forecast_learn(now=now)
        cache.set(RATES_CACHE_KEY, learnt, RATES_SECONDS)
    return learnt


def forecast_build(
    *,
    now: datetime.datetime,
    queue: list[selectors.QueueRow],
    engineers: list[tuple[int, bool]],
    changes: list[tuple[datetime.datetime, int, bool]],
    last_free: dict[int, datetime.datetime],
    learnt: Learnt,
    last_off: dict[int, datetime.datetime] | None = None,
    previous: DeskForecast | None = None,
) -> DeskForecast:
    """The forecast from plain rows, no database: what forecast_compute runs after reading.
    `last_off` holds when engineers off duty went off (one who went off after taking a ticket
    answers it); `previous` is the stored forecast, whose at-risk states are carried on."""
    calendar = desk_calendar()
    on_duty = [engineer for engineer, is_on in engineers if is_on]
    tickets = [
        QueuedTicket(
            pk, priority, _minutes(calendar, now, due_at), _minutes(calendar, now, filed_at), kind, product
        )
        for pk, priority, due_at, filed_at, kind, product in queue
    ]
    planned = [DutyChange(_minutes(calendar, now, at), person, is_on) for at, person, is_on in changes]
    since = {engineer: _minutes(calendar, now, at) for engineer, at in last_free.items()}
    went_off = {
        engineer: _minutes(calendar, now, at)
        for engineer, at in (last_off or {}).items()
        if engineer not in on_duty and engineer in last_free and at > last_free[engineer]
    }
    since = {engineer: at for engineer, at in since.items() if engineer in on_duty or engineer in went_off}
    common = {
        "tickets": tickets,
        "handling": learnt.rates.handling,
        "changes": planned,
        "free_since": since,
        "went_off": went_off,
        "arrivals": Arrivals(learnt.arrivals, offset=_into_the_day(calendar, now)),
    }
    staffed = simulate(on_duty=on_duty, **common)
    with_one_more = {
        forecast.id: forecast.breach_probability
        for forecast in simulate(on_duty=[*on_duty, EXTRA_ENGINEER], **common)
    }
    dues = {pk: (priority, due_at) for pk, priority, due_at, _filed, _kind, _product in queue}
    before = (
        {row.ticket: row for row in previous.rows}
        if previous is not None and previous.generated_at <= now
        else {}
    )
    # The at-risk rule (tickets.forecast.risk), on the wall clock's minutes.
    minute = now.timestamp() / 60.0
    rule = (
        settings.FORECAST_BREACH_PROBABILITY,
        settings.FORECAST_CLEAR_PROBABILITY,
        settings.FORECAST_PERSIST_MINUTES,
    )
    rows = []
    for forecast in staffed:
        priority, due_at = dues[forecast.id]
        if due_at <= now:
            continue
        earlier = before.get(forecast.id)
        extra = with_one_more[forecast.id]
        rows.append(
            Row(
                ticket=forecast.id,
                priority=priority,
                due_at=due_at,
                expected_minutes=forecast.expected,
                breach_probability=forecast.breach_probability,
                ahead=forecast.ahead,
                on_duty=forecast.on_duty,
                with_one_more=extra,
                risk=risk_step(earlier.risk if earlier else None, forecast.breach_probability, minute, *rule),
                risk_with_one_more=risk_step(
                    earlier.risk_with_one_more if earlier else None, extra, minute, *rule
                ),
            )
        )
    return DeskForecast(generated_at=now, on_duty=len(on_duty), rows=tuple(rows))


def forecast_compute(*, now: datetime.datetime | None = None) -> DeskForecast:
    """Read the desk and forecast it (tickets whose deadline has already passed are breached: they
    take their place in the queue but are not listed), carrying the at-risk states on from the
    stored forecast."""
    now = now or timezone.now()
    engineers = selectors.forecast_engineers()
    everyone = [engineer for engineer, _is_on in engineers]
    return forecast_build(
        now=now,
        queue=selectors.forecast_queue_all_institutions(),
        engineers=engineers,
        changes=selectors.forecast_duty_changes(now=now, until=now + HORIZON),
        last_free=selectors.forecast_last_free(engineer_ids=everyone, since=now - LOOKBACK),
        last_off=selectors.forecast_last_off(engineer_ids=everyone, since=now - LOOKBACK),
        learnt=_learnt(now),
        previous=cache.get(CACHE_KEY),
    )


def forecast_refresh(*, now: datetime.datetime | None = None) -> DeskForecast:
    """Compute the forecast, store it for the board and the API, and alert the desk lead when the
    tickets at risk within the hour changed in number above the threshold. Harmless to repeat."""
    started = clock.perf_counter()
    forecast = forecast_compute(now=now)
    cache.set(CACHE_KEY, forecast, settings.FORECAST_MAX_AGE_SECONDS * 2)
    forecast_alert(forecast=forecast)
    logger.info(
        "forecast.refreshed",
        extra={"tickets": len(forecast.rows), "seconds": round(clock.perf_counter() - started, 3)},
    )
    return forecast


def forecast_current(*, now: datetime.datetime | None = None) -> DeskForecast:
    """The stored forecast, or a fresh one when it is missing or older than the beat allows."""
    now = now or timezone.now()
    forecast = cache.get(CACHE_KEY)
    if forecast is None or (now - forecast.generated_at).total_seconds() > settings.FORECAST_MAX_AGE_SECONDS:
        forecast = forecast_compute(now=now)
        cache.set(CACHE_KEY, forecast, settings.FORECAST_MAX_AGE_SECONDS * 2)
    return forecast


def forecast_forget() -> None:
    """Drop the stored forecast so the next reader computes it (tests, and a changed desk)."""
    cache.delete_many([CACHE_KEY, RATES_CACHE_KEY])


@dataclass(frozen=True)
class AtRisk:
    ticket: int
    priority: int
    first_response_due_at: datetime.datetime
    expected_first_response_at: datetime.datetime | None
    breach_probability: float
    cause: str


@dataclass(frozen=True)
class AtRiskView:
    generated_at: datetime.datetime
    on_duty: int
    at_risk: list[AtRisk]
    with_one_more_engineer: int


def cause_text(*, ahead: int, on_duty: int) -> str:
    """The main cause in words: the queue ahead and the engineers to work it."""
    if on_duty == 0:
        return ngettext(
            "%(ahead)d ticket ahead of it, nobody on duty",
            "%(ahead)d tickets ahead of it, nobody on duty",
            ahead,
        ) % {"ahead": ahead}
    queue = ngettext("%(ahead)d ticket ahead of it", "%(ahead)d tickets ahead of it", ahead) % {
        "ahead": ahead
    }
    staff = ngettext("%(count)d engineer on duty", "%(count)d engineers on duty", on_duty) % {
        "count": on_duty
    }
    return _("%(queue)s, %(staff)s") % {"queue": queue, "staff": staff}


def forecast_at_risk(
    *, within: int, now: datetime.datetime | None = None, forecast: DeskForecast | None = None
) -> AtRiskView:
    """The tickets at risk (tickets.forecast.risk: a breach probability at least
    FORECAST_BREACH_PROBABILITY for FORECAST_PERSIST_MINUTES, until it falls below
    FORECAST_CLEAR_PROBABILITY) whose deadline falls within `within` minutes, the soonest first, and
    how many would be with one more engineer on duty. A ticket answered since the forecast was made
    is left out."""
    now = now or timezone.now()
    forecast = forecast or forecast_current(now=now)
    until = now + datetime.timedelta(minutes=within)
    window = [row for row in forecast.rows if now < row.due_at <= until]
    flagged = [row for row in window if row.risk.at_risk or row.risk_with_one_more.at_risk]
    waiting = selectors.forecast_still_waiting_all_institutions(ticket_ids=[row.ticket for row in flagged])
    calendar = desk_calendar()
    at_risk = [
        AtRisk(
            ticket=row.ticket,
            priority=row.priority,
            first_response_due_at=row.due_at,
            expected_first_response_at=(
                calendar.add_service_minutes(forecast.generated_at, row.expected_minutes)
                if row.expected_minutes != float("inf")
                else None
            ),
            breach_probability=round(row.breach_probability, 3),
            cause=cause_text(ahead=row.ahead, on_duty=row.on_duty),
        )
        for row in sorted(flagged, key=lambda row: (row.due_at, row.priority, row.ticket))
        if row.ticket in waiting and row.risk.at_risk
    ]
    with_one_more = sum(1 for row in flagged if row.ticket in waiting and row.risk_with_one_more.at_risk)
    return AtRiskView(
        generated_at=forecast.generated_at,
        on_duty=forecast.on_duty,
        at_risk=at_risk,
        with_one_more_engineer=with_one_more,
    )


# --- The alert ------------------------------------------------------------------------------------

# Push senders: notifications registers how a push reaches a desk lead (NotificationsConfig.ready);
# tickets cannot import it. Each is called with recipient ids, a cause, a title, a body and a link.
_push_senders: list[Callable[..., object]] = []


def forecast_push_register(sender: Callable[..., object]) -> None:
    if sender not in _push_senders:
        _push_senders.append(sender)


def _alert_texts(view: AtRiskView) -> tuple[str, str]:
    count = len(view.at_risk)
    subject = ngettext(
        "%(count)d ticket forecast to breach within the hour",
        "%(count)d tickets forecast to breach within the hour",
        count,
    ) % {"count": count}
    lines = [
        _("#%(id)s (priority %(priority)s): due %(due)s, breach probability %(probability)d %%, %(cause)s")
        % {
            "id": item.ticket,
            "priority": item.priority,
            "due": formats.date_format(
                timezone.localtime(item.first_response_due_at), "SHORT_DATETIME_FORMAT"
            ),
            "probability": round(item.breach_probability * 100),
            "cause": item.cause,
        }
        for item in view.at_risk
    ]
    what_if = ngettext(
        "With one more engineer on duty: %(count)d ticket at risk.",
        "With one more engineer on duty: %(count)d tickets at risk.",
        view.with_one_more_engineer,
    ) % {"count": view.with_one_more_engineer}
    link = settings.SITE_URL.rstrip("/") + reverse("desk-board")
    return subject, "\n".join([*lines, "", what_if, "", link])


def _alert_deliver(*, recipients: list[tuple[int, str]], subject: str, body: str, cause: str) -> None:
    """The alert's one way out: an e-mail through the outbox and a push where subscribed."""
    outbox_enqueue_many(
        messages=[
            outbox_message(cause=f"tickets.{cause}", recipient=address, subject=subject, body=body)
            for _pk, address in recipients
        ]
    )
    for sender in _push_senders:
        sender(
            recipient_ids=[pk for pk, _address in recipients],
            cause=cause,
            title=subject,
            body=body,
            url=reverse("desk-board"),
        )


def forecast_alert(*, forecast: DeskForecast | None = None, now: datetime.datetime | None = None) -> bool:
    """Tell the desk leads, in one e-mail (and push) naming them, when the tickets forecast to
    breach within the hour number more than FORECAST_ALERT_THRESHOLD and that number differs from
    the one last told; below the threshold the count is forgotten, so the next rise is told
    again. The state row is locked, so two refreshes never both send. Returns True when sent."""
    now = now or (forecast.generated_at if forecast is not None else timezone.now())
    # The desk's language: the alert goes to vendor staff, whoever's action refreshed the forecast.
    with translation.override(settings.LANGUAGE_CODE):
        view = forecast_at_risk(within=60, now=now, forecast=forecast)
        subject, body = _alert_texts(view)
    count = len(view.at_risk)
    told = count if count > settings.FORECAST_ALERT_THRESHOLD else 0
    with transaction.atomic():
        state, _created = ForecastAlert.objects.select_for_update().get_or_create(key=ForecastAlert.DESK)
        if state.at_risk == told:
            return False
        state.at_risk = told
        state.ticket_ids = [item.ticket for item in view.at_risk] if told else []
        state.changed_at = now
        state.save(update_fields=["at_risk", "ticket_ids", "changed_at"])
        if not told:
            return False
        state.sent_count += 1
        state.save(update_fields=["sent_count"])
        _alert_deliver(
            recipients=selectors.desk_lead_recipients(),
            subject=subject,
            body=body,
            cause=f"forecast-alert:{state.sent_count}",
        )
    logger.info("forecast.alerted", extra={"at_risk": count})
    return True
