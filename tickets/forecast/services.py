"""The breach forecast on the desk: learnt from the database, computed, kept in the cache, shown on
the desk lead's board and the API, and the alert to the desk lead.

`forecast_refresh` (beat every minute, and after every filing, first response and duty change)
reads the queue, the engineers and the planned duty changes, turns instants into service minutes
of the desk's window (08:00–24:00, Europe/Istanbul, `packages.calendar`), runs the simulation
twice — as staffed, and with one more engineer of the desk's average speed — and stores the
result. Readers take the stored forecast (computing it when it is missing or older than
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
from .rates import HandlingRates, Timeline, arrival_load, handling_times, learn
from .simulation import DutyChange, QueuedTicket, simulate

logger = logging.getLogger(__name__)

CACHE_KEY = "tickets:forecast"
RATES_CACHE_KEY = "tickets:forecast:rates"
# The rates change slowly (weeks of history); relearning them every quarter of an hour is plenty.
RATES_SECONDS = 900
# Filing times and past deadlines further back than this are clamped: the order and the certainty
# of a breach are all the simulation needs of them, and the clock need not walk back months.
LOOKBACK = datetime.timedelta(days=2)
# Planned duty changes are read this far ahead.
HORIZON = datetime.timedelta(days=2)
# The engineer the what-if adds: unknown to the history, so the desk's average speed.
EXTRA_ENGINEER = -1


def desk_calendar() -> ServiceCalendar:
    """The desk's service window, the clock the engineers work by."""
    return ServiceCalendar(time(8), time(0), settings.TIME_ZONE)


@dataclass(frozen=True)
class Learnt:
    rates: HandlingRates
    arrivals: dict[int, float]


@dataclass(frozen=True)
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
    arrivals = arrival_load(
        selectors.forecast_filings_all_institutions(since=since), service_minutes=axis(now), rates=rates
    )
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
) -> DeskForecast:
    """The forecast from plain rows, no database: what forecast_compute runs after reading."""
    calendar = desk_calendar()
    on_duty = [engineer for engineer, is_on in engineers if is_on]
    tickets = [
        QueuedTicket(
            pk, priority, _minutes(calendar, now, due_at), _minutes(calendar, now, filed_at), kind, product
        )
        for pk, priority, due_at, filed_at, kind, product in queue
    ]
    planned = [DutyChange(_minutes(calendar, now, at), person, is_on) for at, person, is_on in changes]
    since = {
        engineer: _minutes(calendar, now, at) for engineer, at in last_free.items() if engineer in on_duty
    }
    common = {"tickets": tickets, "handling": learnt.rates.handling, "arrivals": learnt.arrivals}
    staffed = simulate(on_duty=on_duty, changes=planned, free_since=since, **common)
    with_one_more = {
        forecast.id: forecast.breach_probability
        for forecast in simulate(
            on_duty=[*on_duty, EXTRA_ENGINEER], changes=planned, free_since=since, **common
        )
    }
    dues = {pk: (priority, due_at) for pk, priority, due_at, _filed, _kind, _product in queue}
    rows = tuple(
        Row(
            ticket=forecast.id,
            priority=dues[forecast.id][0],
            due_at=dues[forecast.id][1],
            expected_minutes=forecast.expected,
            breach_probability=forecast.breach_probability,
            ahead=forecast.ahead,
            on_duty=forecast.on_duty,
            with_one_more=with_one_more[forecast.id],
        )
        for forecast in staffed
        if dues[forecast.id][1] > now
    )
    return DeskForecast(generated_at=now, on_duty=len(on_duty), rows=rows)


def forecast_compute(*, now: datetime.datetime | None = None) -> DeskForecast:
    """Read the desk and forecast it (tickets whose deadline has already passed are breached: they
    take their place in the queue but are not listed)."""
    now = now or timezone.now()
    engineers = selectors.forecast_engineers()
    return forecast_build(
        now=now,
        queue=selectors.forecast_queue_all_institutions(),
        engineers=engineers,
        changes=selectors.forecast_duty_changes(now=now, until=now + HORIZON),
        last_free=selectors.forecast_last_free(
            engineer_ids=[engineer for engineer, is_on in engineers if is_on], since=now - LOOKBACK
        ),
        learnt=_learnt(now),
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
    """The tickets forecast to breach (probability at least FORECAST_BREACH_PROBABILITY) whose
    deadline falls within `within` minutes, the soonest first, and how many would with one more
    engineer on duty. A ticket answered since the forecast was made is left out."""
    now = now or timezone.now()
    forecast = forecast or forecast_current(now=now)
    threshold = settings.FORECAST_BREACH_PROBABILITY
    until = now + datetime.timedelta(minutes=within)
    window = [row for row in forecast.rows if now < row.due_at <= until]
    flagged = [row for row in window if row.breach_probability >= threshold or row.with_one_more >= threshold]
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
        if row.ticket in waiting and row.breach_probability >= threshold
    ]
    with_one_more = sum(1 for row in flagged if row.ticket in waiting and row.with_one_more >= threshold)
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
