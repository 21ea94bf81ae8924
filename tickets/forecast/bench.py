"""The forecast replayed against generated history: how often it sees a breach coming, how often
it cries wolf, and how well its probabilities are calibrated, beside the plain 80 % warning.

Everything runs on the desk's clock in service minutes (960 a day, 08:00–24:00), so a night is
simply not there. A generated desk (`History`) is played out minute by minute as it would really
happen: tickets arrive (Poisson, busier at mid-morning and mid-afternoon, with bursts on some
days that bring in more priority-1 tickets), engineers work the one queue in (priority,
deadline, filing) order with lognormal handling times that depend on the engineer, the kind (bug
reports are slow) and the product, and go off duty by the roster (known to the forecast), for a
break (also rostered) and unannounced (known only once it happens). The first `learn_days` make
the history the rates are learnt from; on the rest the forecast is computed every minute from
what the desk would know then — the open, unanswered tickets, who is on duty and the roster ahead.

Figures, for tickets whose deadline falls in the evaluated days:
- recall at 30 (60) minutes: of the tickets that did breach, the share the forecast flagged (at
  risk by the rule of tickets.forecast.risk, the board's) 30 (60) minutes before the deadline, or
  at its filing when it was filed later than that;
- an alarm is a ticket flagged at least once in the last 60 minutes before its deadline (what the
  board shows and the alert counts); precision is the share of alarms that did breach, and the
  false alarms are counted per engineer-day (one engineer rostered on one day);
- Brier score: the mean squared difference between the probability given 30 minutes before the
  deadline and what happened (1 breached, 0 not);
- the baseline is the 80 % warning: flagged once 80 % of the first-response time has passed with
  no answer (probability 1 from then, 0 before).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .rates import HandlingRates, Timeline, arrival_profile, handling_times, learn
from .risk import RiskState, risk_step
from .simulation import Arrivals, DutyChange, QueuedTicket, simulate, simulate_monte_carlo

DAY = 960  # service minutes in the desk's day, 08:00–24:00
SLOT = 60  # the arrivals are learnt per hour of the desk's day
SLA_MINUTES = {1: 30, 2: 60, 3: 90, 4: 120}
PRIORITY_WEIGHTS = {1: 0.15, 2: 0.3, 3: 0.3, 4: 0.25}
KIND_FACTORS = {"question": 0.8, "problem": 1.2, "bug": 2.2, "feature": 0.9}
KIND_WEIGHTS = {"question": 0.45, "problem": 0.3, "bug": 0.15, "feature": 0.1}
PRODUCT_FACTORS = {1: 0.9, 2: 1.0, 3: 1.1, 4: 1.4}
BASE_MINUTES = 11.0
HANDLING_CV = 0.6
WARNING_SHARE = 0.8


@dataclass
class Ticket:
    id: int
    arrived: float
    priority: int
    kind: str
    product: int
    due: float
    answered: float = math.inf
    engineer: int = 0
    began: float = math.inf


@dataclass
class History:
    """A generated desk: its tickets, answered as the desk really worked them, and its roster."""

    days: int
    learn_days: int
    engineers: dict[int, float]  # engineer -> speed factor (handling-time multiplier)
    tickets: list[Ticket] = field(default_factory=list)
    # (at, engineer, on): the rostered changes (known ahead) and the unannounced ones (not).
    rostered: list[DutyChange] = field(default_factory=list)
    unannounced: list[DutyChange] = field(default_factory=list)
    timelines: list[Timeline] = field(default_factory=list)
    engineer_days: int = 0
    evaluated_engineer_days: int = 0


def _hourly_rate(minute_of_day: float) -> float:
    """Arrivals per service minute: a morning and an afternoon peak, quiet late evening."""
    hour = 8 + minute_of_day / 60
    if hour < 9:
        return 0.12
    if hour < 12:
        return 0.22
    if hour < 13:
        return 0.15
    if hour < 17:
        return 0.21
    if hour < 20:
        return 0.12
    return 0.05


def _choice(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(*, days: int = 21, learn_days: int = 14, seed: int = 7) -> History:
    """Arrivals, roster and engineers of a generated desk (not yet played out)."""
    rng = random.Random(seed)
    # Five regular engineers of different speeds; a sixth joins for the evaluated days only (no
    # history: the forecast gives them the desk's average).
    engineers = {1: 0.8, 2: 1.0, 3: 1.0, 4: 1.15, 5: 1.3, 6: 1.1}
    history = History(days=days, learn_days=learn_days, engineers=engineers)
    next_id = 1
    for day in range(days):
        start = day * DAY
        # The roster: an early shift 08:00–16:30 and a late one 15:30–24:00, each with a 30-minute
        # break; the new engineer joins the early shift once the learning days are over.
        early = [1, 2, 3] + ([6] if day >= learn_days else [])
        late = [4, 5]
        for engineer, (begin, end) in [(e, (0, 510)) for e in early] + [(e, (450, DAY)) for e in late]:
            brk = begin + rng.choice((180, 210, 240, 270))
            history.rostered += [
                DutyChange(start + begin, engineer, True),
                DutyChange(start + brk, engineer, False),
                DutyChange(start + brk + 30, engineer, True),
                DutyChange(start + end, engineer, False),
            ]
            history.engineer_days += 1
            history.evaluated_engineer_days += day >= learn_days
            # Now and then someone leaves the desk unannounced for an hour or two.
            if rng.random() < 0.12:
                gone = start + rng.uniform(begin + 30, end - 150)
                back = gone + rng.uniform(60, 120)
                history.unannounced += [DutyChange(gone, engineer, False), DutyChange(back, engineer, True)]
        # Arrivals: Poisson per minute; a burst on some days (an outage: three times the rate, more
        # urgent tickets, for 40–70 minutes).
        burst_at = start + rng.uniform(60, 700) if rng.random() < 0.45 else None
        burst_len = rng.uniform(40, 70)
        minute = 0.0
        while True:
            in_burst = burst_at is not None and burst_at <= start + minute < burst_at + burst_len
            rate = _hourly_rate(minute) * (3.0 if in_burst else 1.0)
            minute += rng.expovariate(rate)
            if minute >= DAY:
                break
            priority = 1 if in_burst and rng.random() < 0.5 else _choice(rng, PRIORITY_WEIGHTS)
            arrived = start + minute
            history.tickets.append(
                Ticket(
                    id=next_id,
                    arrived=arrived,
                    priority=priority,
                    kind=_choice(rng, KIND_WEIGHTS),
                    product=rng.randint(1, 4),
                    due=arrived + SLA_MINUTES[priority],
                )
            )
            next_id += 1
    history.rostered.sort()
    history.unannounced.sort()
    return history


def _handling(rng: random.Random, history: History, engineer: int, ticket: Ticket) -> float:
    mean = (
        BASE_MINUTES
        * history.engineers[engineer]
        * KIND_FACTORS[ticket.kind]
        * PRODUCT_FACTORS[ticket.product]
    )
    sigma2 = math.log(1 + HANDLING_CV**2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def _changes(history: History) -> list[DutyChange]:
    return sorted(history.rostered + history.unannounced)


def play(history: History, *, seed: int = 11) -> None:
    """Work the queue as the desk would, minute by minute; sets each ticket's `answered`."""
    rng = random.Random(seed)
    queue: list[tuple[int, float, float, int]] = []
    by_id = {ticket.id: ticket for ticket in history.tickets}
    arrivals = sorted(history.tickets, key=lambda ticket: ticket.arrived)
    changes = _changes(history)
    on: set[int] = set()
    free_at: dict[int, float] = dict.fromkeys(history.engineers, 0.0)
    next_arrival = next_change = 0
    for minute in range(history.days * DAY + 1):
        while next_change < len(changes) and changes[next_change].at <= minute:
            change = changes[next_change]
            next_change += 1
            if change.on_duty:
                on.add(change.engineer)
                free_at[change.engineer] = max(free_at[change.engineer], change.at)
            else:
                on.discard(change.engineer)
        while next_arrival < len(arrivals) and arrivals[next_arrival].arrived <= minute:
            ticket = arrivals[next_arrival]
            next_arrival += 1
            heapq.heappush(queue, (ticket.priority, ticket.due, ticket.arrived, ticket.id))
        for engineer in sorted(on, key=lambda e: free_at[e]):
            while queue and free_at[engineer] <= minute:
                _priority, _due, arrived, ticket_id = heapq.heappop(queue)
                ticket = by_id[ticket_id]
                began = max(free_at[engineer], arrived)
                ticket.answered = began + _handling(rng, history, engineer, ticket)
                ticket.engineer = engineer
                ticket.began = began
                free_at[engineer] = ticket.answered
                history.timelines.append(
                    Timeline(engineer, ticket.kind, ticket.product, ticket.arrived, ticket.answered)
                )
            if free_at[engineer] < minute:
                free_at[engineer] = float(minute)


def learn_rates(history: History) -> HandlingRates:
    """The rates the desk would have learnt from the learning days' first responses."""
    cutoff = history.learn_days * DAY
    starts: dict[int, list[float]] = defaultdict(list)
    for change in _changes(history):
        if change.on_duty and change.at <= cutoff:
            starts[change.engineer].append(change.at)
    timelines = [item for item in history.timelines if item.answered <= cutoff]
    return learn(handling_times(timelines, duty_starts=starts))


def learn_arrivals(history: History, rates: HandlingRates) -> dict[int, tuple[float, ...]]:
    """The work arriving per service minute, by priority and hour of the day, over the learning
    days."""
    cutoff = history.learn_days * DAY
    filings = [
        (t.priority, t.kind, t.product, int((t.arrived % DAY) // SLOT), 1)
        for t in history.tickets
        if t.arrived < cutoff
    ]
    return arrival_profile(filings, service_minutes=cutoff, rates=rates, slots=DAY // SLOT)


@dataclass
class Snapshot:
    """What the forecast said about one ticket at one minute."""

    probability: float
    expected: float


def replay(
    history: History,
    rates: HandlingRates,
    *,
    arrivals: dict[int, tuple[float, ...]] | None = None,
    monte_carlo_every: int = 0,
    runs: int = 200,
) -> tuple[dict[int, dict[int, Snapshot]], list[tuple[float, float]]]:
    """The forecast every minute of the evaluated days: {ticket: {minute: snapshot}} for every
    minute each ticket waits (the at-risk rule needs them all), and, every `monte_carlo_every`
    minutes, (analytic, Monte Carlo) probability pairs of the tickets then due within the hour."""
    begin, end = history.learn_days * DAY, history.days * DAY
    tickets = sorted(history.tickets, key=lambda ticket: ticket.arrived)
    changes = _changes(history)
    rostered = history.rostered
    seen: dict[int, dict[int, Snapshot]] = defaultdict(dict)
    pairs: list[tuple[float, float]] = []
    on: set[int] = set()
    next_change = 0
    open_tickets: dict[int, Ticket] = {}
    next_arrival = 0
    future_from = 0
    by_answer = sorted(history.tickets, key=lambda ticket: ticket.answered)
    last_free: dict[int, float] = {}
    went_on: dict[int, float] = {}
    went_off: dict[int, float] = {}
    answered_from = 0
    for minute in range(begin, end):
        while next_change < len(changes) and changes[next_change].at <= minute:
            change = changes[next_change]
            next_change += 1
            if change.on_duty and change.engineer not in on:
                went_on[change.engineer] = change.at
            if not change.on_duty and change.engineer in on:
                went_off[change.engineer] = change.at
            (on.add if change.on_duty else on.discard)(change.engineer)
        while next_arrival < len(tickets) and tickets[next_arrival].arrived <= minute:
            ticket = tickets[next_arrival]
            next_arrival += 1
            if ticket.due > begin:
                open_tickets[ticket.id] = ticket
        if answered_from < len(by_answer) and by_answer[answered_from].answered <= minute:
            while answered_from < len(by_answer) and by_answer[answered_from].answered <= minute:
                answered = by_answer[answered_from]
                open_tickets.pop(answered.id, None)
                last_free[answered.engineer] = answered.answered
                answered_from += 1
        if not open_tickets:
            continue
        while future_from < len(rostered) and rostered[future_from].at <= minute:
            future_from += 1
        ahead = [
            DutyChange(change.at - minute, change.engineer, change.on_duty)
            for change in rostered[future_from : future_from + 40]
        ]
        queued = [
            QueuedTicket(t.id, t.priority, t.due - minute, t.arrived - minute, t.kind, t.product)
            for t in open_tickets.values()
        ]
        # What the desk knows: when each engineer last became free, and who went off duty when
        # (an engineer off duty finishes the ticket in hand).
        since = {
            e: max(last_free.get(e, -math.inf), went_on.get(e, -math.inf)) - minute
            for e in on | went_off.keys()
            if e in last_free or e in went_on
        }
        common = {
            "tickets": queued,
            "on_duty": sorted(on),
            "changes": ahead,
            "handling": rates.handling,
            "free_since": since,
            "went_off": {e: at - minute for e, at in went_off.items() if e not in on},
            "arrivals": Arrivals(arrivals or {}, offset=minute % DAY, slot=SLOT),
        }
        for forecast in simulate(**common):
            seen[forecast.id][minute] = Snapshot(forecast.breach_probability, forecast.expected)
        if monte_carlo_every and (minute - begin) % monte_carlo_every == 0:
            sampled = simulate_monte_carlo(**common, runs=runs, seed=minute)
            pairs += [
                (seen[f.id][minute].probability, f.breach_probability)
                for f in sampled
                if open_tickets[f.id].due - minute <= 60
            ]
    return seen, pairs


@dataclass
class Figures:
    breaches: int
    tickets: int
    recall_30: float
    recall_60: float
    alarms: int
    false_alarms: int
    precision: float
    false_alarms_per_engineer_day: float
    brier: float
    warned_30: int
    false_30: int
    false_30_per_engineer_day: float
    precision_30: float


@dataclass(frozen=True)
class Rule:
    """The at-risk rule's settings (tickets.forecast.risk): the probability from which, for how
    many minutes, and the probability below which a ticket at risk is no longer."""

    threshold: float
    clear: float
    persist: float

    @classmethod
    def plain(cls, threshold: float) -> Rule:
        """At risk at any refresh whose probability reaches the threshold, and at no other."""
        return cls(threshold, threshold, 0.0)


def _minute_at(minutes: dict[int, object], ticket: Ticket, lead: int) -> int | None:
    """The minute of the forecast `lead` minutes before the deadline, or of the first one after a
    later filing."""
    if not minutes:
        return None
    minute = max(math.ceil(ticket.due - lead), math.ceil(ticket.arrived))
    if minute in minutes:
        return minute
    later = [m for m in minutes if m >= minute]
    return min(later) if later else None


def at_risk_minutes(snapshots: dict[int, Snapshot], rule: Rule) -> dict[int, bool]:
    """Whether the ticket was at risk at each minute it was forecast: the board's rule
    (tickets.forecast.risk) applied refresh after refresh."""
    state: RiskState | None = None
    flags = {}
    for minute in sorted(snapshots):
        state = risk_step(
            state,
            probability=snapshots[minute].probability,
            now=float(minute),
            threshold=rule.threshold,
            clear=rule.clear,
            persist=rule.persist,
        )
        flags[minute] = state.at_risk
    return flags


def score(history: History, seen: dict[int, dict[int, Snapshot]], *, rule: Rule) -> tuple[Figures, Figures]:
    """(forecast, 80 % warning baseline) figures for tickets due in the evaluated days."""
    begin, end = history.learn_days * DAY, history.days * DAY
    evaluated = [t for t in history.tickets if begin + 60 <= t.due < end and t.arrived >= begin]
    breached = [t for t in evaluated if t.answered > t.due]
    flags = {t.id: at_risk_minutes(seen.get(t.id, {}), rule) for t in evaluated}

    def forecast_flag(ticket: Ticket, lead: int) -> bool:
        minute = _minute_at(flags[ticket.id], ticket, lead)
        return minute is not None and flags[ticket.id][minute]

    def forecast_probability(ticket: Ticket, lead: int) -> float:
        snapshots = seen.get(ticket.id, {})
        minute = _minute_at(snapshots, ticket, lead)
        return snapshots[minute].probability if minute is not None else 0.0

    def warning_flag(ticket: Ticket, lead: int) -> bool:
        at = max(ticket.due - lead, ticket.arrived)
        warned_at = ticket.arrived + WARNING_SHARE * (ticket.due - ticket.arrived)
        return at >= warned_at and ticket.answered > at

    def forecast_alarm(ticket: Ticket) -> bool:
        return any(flag for minute, flag in flags[ticket.id].items() if ticket.due - minute <= 60)

    def warning_alarm(ticket: Ticket) -> bool:
        return ticket.answered > ticket.arrived + WARNING_SHARE * (ticket.due - ticket.arrived)

    def warning_probability(ticket: Ticket, lead: int) -> float:
        return 1.0 if warning_flag(ticket, lead) else 0.0

    engineer_days = history.evaluated_engineer_days
    results = []
    for flag, alarm, probability in (
        (forecast_flag, forecast_alarm, forecast_probability),
        (warning_flag, warning_alarm, warning_probability),
    ):
        alarms = [t for t in evaluated if alarm(t)]
        false = [t for t in alarms if t.answered <= t.due]
        brier = sum((probability(t, 30) - (t.answered > t.due)) ** 2 for t in evaluated) / max(
            len(evaluated), 1
        )
        warned = [t for t in evaluated if flag(t, 30)]
        false_30 = [t for t in warned if t.answered <= t.due]
        results.append(
            Figures(
                breaches=len(breached),
                tickets=len(evaluated),
                recall_30=sum(flag(t, 30) for t in breached) / max(len(breached), 1),
                recall_60=sum(flag(t, 60) for t in breached) / max(len(breached), 1),
                alarms=len(alarms),
                false_alarms=len(false),
                precision=(len(alarms) - len(false)) / max(len(alarms), 1),
                false_alarms_per_engineer_day=len(false) / max(engineer_days, 1),
                brier=brier,
                warned_30=len(warned),
                false_30=len(false_30),
                false_30_per_engineer_day=len(false_30) / max(engineer_days, 1),
                precision_30=(len(warned) - len(false_30)) / max(len(warned), 1),
            )
        )
    return results[0], results[1]


def timing(*, tickets: int = 10_000, engineers: int = 6, seed: int = 3) -> float:
    """Seconds the analytic forecast takes for `tickets` open tickets (the pure simulation)."""
    rng = random.Random(seed)
    rates = learn([])
    queued = [
        QueuedTicket(
            i,
            rng.randint(1, 4),
            rng.uniform(-60, 4000),
            float(i),
            rng.choice(list(KIND_FACTORS)),
            rng.randint(1, 4),
        )
        for i in range(tickets)
    ]
    changes = [
        DutyChange(rng.uniform(0, 2000), rng.randint(1, engineers), rng.random() < 0.5) for _ in range(20)
    ]
    started = time.perf_counter()
    simulate(tickets=queued, on_duty=range(1, engineers + 1), changes=changes, handling=rates.handling)
    return time.perf_counter() - started


def pooled(figures: list[Figures], engineer_days: int) -> Figures:
    """The figures of several replays as one (counts summed, rates recomputed)."""
    breaches = sum(f.breaches for f in figures)
    tickets = sum(f.tickets for f in figures)
    alarms = sum(f.alarms for f in figures)
    false_alarms = sum(f.false_alarms for f in figures)
    warned = sum(f.warned_30 for f in figures)
    false_30 = sum(f.false_30 for f in figures)
    return Figures(
        breaches=breaches,
        tickets=tickets,
        recall_30=sum(f.recall_30 * f.breaches for f in figures) / max(breaches, 1),
        recall_60=sum(f.recall_60 * f.breaches for f in figures) / max(breaches, 1),
        alarms=alarms,
        false_alarms=false_alarms,
        precision=(alarms - false_alarms) / max(alarms, 1),
        false_alarms_per_engineer_day=false_alarms / max(engineer_days, 1),
        brier=sum(f.brier * f.tickets for f in figures) / max(tickets, 1),
        warned_30=warned,
        false_30=false_30,
        false_30_per_engineer_day=false_30 / max(engineer_days, 1),
        precision_30=(warned - false_30) / max(warned, 1),
    )


@dataclass
class Run:
    """A bench run: per seed the history and what the forecast said, and the Monte Carlo pairs."""

    histories: list[History]
    seen: list[dict[int, dict[int, Snapshot]]]
    pairs: list[tuple[float, float]]
    rates: list[HandlingRates]

    @property
    def engineer_days(self) -> int:
        return sum(history.evaluated_engineer_days for history in self.histories)

    def figures(self, rule: Rule) -> tuple[Figures, Figures]:
        scored = [score(h, s, rule=rule) for h, s in zip(self.histories, self.seen, strict=True)]
        return (
            pooled([forecast for forecast, _baseline in scored], self.engineer_days),
            pooled([baseline for _forecast, baseline in scored], self.engineer_days),
        )


def run(
    *, seeds: int = 5, days: int = 21, learn_days: int = 14, monte_carlo_every: int = 30, first_seed: int = 1
) -> Run:
    """Generate, play and replay `seeds` histories, from seed `first_seed` on (Monte Carlo beside
    the first one)."""
    result = Run([], [], [], [])
    for seed in range(first_seed, first_seed + seeds):
        history = generate(days=days, learn_days=learn_days, seed=seed)
        play(history, seed=seed + 100)
        rates = learn_rates(history)
        seen, pairs = replay(
            history,
            rates,
            arrivals=learn_arrivals(history, rates),
            monte_carlo_every=monte_carlo_every if seed == first_seed else 0,
        )
        result.histories.append(history)
        result.seen.append(seen)
        result.pairs += pairs
        result.rates.append(rates)
    return result
