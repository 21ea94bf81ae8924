"""The queue simulated forward: when each open, unanswered ticket gets its first response.

Pure code over plain tuples, in *service minutes from now* of the desk's calendar: the desk's
08:00–24:00 window is applied by the caller (tickets.forecast.service) when it turns deadlines
and scheduled duty changes into service minutes and the answers back into instants, so a queue
that runs past 24:00 simply carries on at 08:00 the next morning.

The desk works one queue in the order of the engineers' queue (priority, deadline, filing): an
engineer who becomes free takes the next ticket and answers it after one handling time, drawn
from their learnt distribution for the ticket's kind and product (tickets.forecast.rates). An
engineer who goes off duty finishes the ticket in hand and takes no more; one who comes on duty
starts taking tickets at that moment.

Two ways to run it, sharing one loop:
- `simulate` (analytic): every handling time takes its mean, and the variance of the answer time
  is carried alongside: the handling ahead of a ticket is shared by the c engineers on duty, so
  its variance counts 1/c² of the sum of the variances ahead, plus the ticket's own. The
  probability of a breach is the gamma tail beyond the deadline. One pass, O(n log c).
- `simulate_monte_carlo`: the same loop with sampled handling times (gamma, the learnt mean and
  coefficient of variation), repeated; the share of runs that breached. The bench measures how
  far the analytic probabilities are from it."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple


class QueuedTicket(NamedTuple):
    """A ticket waiting for its first response. `due` is in service minutes from now (negative
    when the deadline has passed); `order` breaks ties as the queue does (filing order)."""

    id: int
    priority: int
    due: float
    order: float
    kind: str
    product: int | None


class DutyChange(NamedTuple):
    """An engineer going on (True) or off (False) duty, `at` service minutes from now."""

    at: float
    engineer: int
    on_duty: bool


class Forecast(NamedTuple):
    """One ticket's forecast: the expected first response (service minutes from now, `inf` when
    nobody will be on duty to answer it), the probability of a breach, the tickets ahead of it in
    the queue and the engineers on duty when its turn comes."""

    id: int
    expected: float
    breach_probability: float
    ahead: int
    on_duty: int


# (engineer, kind, product) -> (mean, variance) of the handling time in service minutes.
Handling = Callable[[int, str, int | None], tuple[float, float]]

_SQRT2 = math.sqrt(2.0)


# The share of the desk the work still to arrive may take: beyond it the wait stretches no further
# (a five-fold stretch).
MAX_ARRIVING_SHARE = 0.8


class Arrivals:
    """The handling work still to arrive, per priority, through the desk's day: `loads[p][s]` is
    the work (handling minutes) filed per service minute at priority p in slot s of the day
    (`slot` service minutes each; a single value is a load constant all day), and `offset` is
    where now falls in the day (service minutes since its start).

    A ticket that would start at S0 without them waits also for the work of higher priorities
    filed meanwhile, shared by the c engineers on duty: it starts at the S where
    S − A(S) / c = S0, A(S) being the work arriving ahead of it over the next S minutes (each
    slot's share of the desk capped at MAX_ARRIVING_SHARE)."""

    def __init__(self, loads: dict[int, Sequence[float] | float], *, offset: float = 0.0, slot: float = 60.0):
        self.loads = {
            priority: (float(values),) if isinstance(values, int | float) else tuple(values)
            for priority, values in loads.items()
        }
        self.slot = slot
        self.offset = offset
        self._tables: dict[tuple[int, int], tuple[list[float], list[float], list[float], float, float]] = {}
        self._nothing_ahead: set[int] = set()

    def _table(self, priority: int, staffed: int):
        """Over one day from now: the slot boundaries t_k, g(t_k) = t_k − A(t_k)/c, the share of the
        desk taken in each piece, the day's length and g over the day."""
        key = (priority, staffed)
        if key not in self._tables:
            ahead = [values for p, values in self.loads.items() if p < priority and values]
            slots = max((len(values) for values in ahead), default=1)
            period = self.slot * slots

            def share(t: float) -> float:
                index = int(((self.offset + t) % period) // self.slot)
                load = sum(values[index % len(values)] for values in ahead)
                return min(load / staffed, MAX_ARRIVING_SHARE)

            into = self.offset % self.slot
            bounds, gs, shares = [0.0], [0.0], []
            t = 0.0
            while t < period:
                end = min(t + self.slot - (into if t == 0.0 else 0.0), period)
                piece = share(t)
                shares.append(piece)
                gs.append(gs[-1] + (end - t) * (1.0 - piece))
                bounds.append(end)
                t = end
            self._tables[key] = (bounds, gs, shares, period, gs[-1])
        return self._tables[key]

    def start(self, priority: int, staffed: int, unstretched: float) -> float:
        """S: when a ticket of this priority that would start at `unstretched` (S0) does."""
        if unstretched <= 0.0 or unstretched == math.inf or priority in self._nothing_ahead:
            return unstretched
        bounds, gs, shares, period, per_period = self._table(priority, max(staffed, 1))
        if per_period >= period:
            self._nothing_ahead.add(priority)
            return unstretched
        periods = math.floor(unstretched / per_period)
        rest = unstretched - periods * per_period
        k = min(bisect.bisect_right(gs, rest) - 1, len(shares) - 1)
        return periods * period + bounds[k] + (rest - gs[k]) / (1.0 - shares[k])


def queue_order(tickets: Iterable[QueuedTicket]) -> list[QueuedTicket]:
    """The tickets in the order the desk takes them: priority, then deadline, then filing."""
    return sorted(tickets, key=lambda ticket: (ticket.priority, ticket.due, ticket.order, ticket.id))


def breach_probability(*, expected: float, variance: float, due: float) -> float:
    """P(answer > due) for an answer time with this mean and variance: the tail of the gamma
    distribution with those two moments (handling times are skewed to the right: a long one is
    likelier than a normal tail says). A deadline already passed is a certain breach."""
    if expected == math.inf or due <= 0.0:
        return 1.0
    if variance <= 0.0 or expected <= 0.0:
        return 1.0 if expected > due else 0.0
    shape = expected * expected / variance
    return gamma_tail(shape, due * expected / variance)


def gamma_tail(shape: float, x: float) -> float:
    """The regularised upper incomplete gamma function Q(shape, x) = P(Gamma(shape, 1) > x): a
    series below shape + 1, a continued fraction above (Numerical Recipes, 6.2)."""
    if x <= 0.0:
        return 1.0
    if shape > 400.0:
        # The gamma is all but normal here (Wilson–Hilferty), and the series would crawl.
        z = ((x / shape) ** (1 / 3) - (1 - 1 / (9 * shape))) / math.sqrt(1 / (9 * shape))
        return 0.5 * math.erfc(z / _SQRT2)
    log_front = shape * math.log(x) - x - math.lgamma(shape)
    if x < shape + 1.0:
        term = total = 1.0 / shape
        denominator = shape
        for _ in range(500):
            denominator += 1.0
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * 1e-10:
                break
        return max(0.0, 1.0 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1.0 - shape
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - shape)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-10:
            break
    return min(1.0, math.exp(log_front) * h)


def remaining_handling(*, mean: float, variance: float, elapsed: float) -> tuple[float, float]:
    """(mean, variance) of what is left of a handling time of this mean and variance (a gamma
    distribution) once `elapsed` minutes of it have passed without an answer: T − a given T > a."""
    if elapsed <= 0.0:
        return mean, variance
    if variance <= 0.0 or mean <= 0.0:
        return max(mean - elapsed, 0.0), 0.0
    shape, scale = mean * mean / variance, variance / mean
    x = elapsed / scale
    survive = gamma_tail(shape, x)
    if survive < 1e-12:
        # Far in the tail what is left of a gamma time tends to an exponential of mean `scale`.
        return scale, scale * scale
    first = shape * scale * gamma_tail(shape + 1.0, x) / survive
    second = shape * (shape + 1.0) * scale * scale * gamma_tail(shape + 2.0, x) / survive
    return max(first - elapsed, 0.0), max(second - first * first, 0.0)


def in_hand(
    queue: list[QueuedTicket],
    free_since: dict[int, float],
    handling: Handling,
    went_off: dict[int, float] | None = None,
) -> dict[int, tuple[int, float, float]]:
    """The ticket each busy engineer is most likely working on, and its remaining handling time:
    {queue index: (engineer, remaining mean, its variance)}.

    `free_since` holds, per engineer, when they last became free (their last first response or
    their coming on duty, in service minutes from now, so <= 0). At that moment an engineer took
    the first ticket, in queue order, of those already filed and not taken by an engineer freed
    earlier (or, with none waiting, the first filed after it), so replaying that choice names the
    ticket in hand. An engineer in `went_off` went off duty at that moment (<= 0): they took a
    ticket only if one was filed before, and they finish it. What is left of its handling is the
    handling time given that it has already lasted that long (`remaining_handling`)."""
    off = went_off or {}
    taken: dict[int, tuple[int, float, float]] = {}
    by_filing = sorted(range(len(queue)), key=lambda i: (queue[i].order, i))
    for engineer, since in sorted(free_since.items(), key=lambda item: (item[1], item[0])):
        if len(taken) == len(queue):
            break
        first_filed = next(i for i in by_filing if i not in taken)
        if queue[first_filed].order <= since:
            index = next(i for i, ticket in enumerate(queue) if i not in taken and ticket.order <= since)
            began = since
        else:
            index, began = first_filed, queue[first_filed].order
        if began > min(0.0, off.get(engineer, 0.0)):
            continue
        ticket = queue[index]
        mean, variance = handling(engineer, ticket.kind, ticket.product)
        remaining, spread = remaining_handling(mean=mean, variance=variance, elapsed=-began)
        taken[index] = (engineer, remaining, spread)
    return taken


def _run(
    queue: list[QueuedTicket],
    on_duty: Iterable[int],
    changes: Iterable[DutyChange],
    handling: Handling,
    draw: Callable[[float, float], float] | None,
    free_since: dict[int, float] | None = None,
    arrivals: Arrivals | None = None,
    went_off: dict[int, float] | None = None,
) -> list[tuple[float, float, int, int]]:
    """(answer time, its variance, tickets ahead, engineers on duty) per ticket of `queue`, which
    is already in queue order. With `draw`, handling times are sampled and variances are 0."""
    free: list[tuple[float, int]] = []  # (free at, engineer) of engineers taking tickets
    in_heap: set[int] = set()
    off_at: dict[int, float] = {}
    on: set[int] = set()
    for engineer in on_duty:
        on.add(engineer)
    # Engineers off duty now who went off after they last became free finish the ticket in hand.
    gone = {e: t for e, t in (went_off or {}).items() if e not in on and e in (free_since or {})}
    busy = in_hand(
        queue, {e: t for e, t in (free_since or {}).items() if e in on or e in gone}, handling, gone
    )
    held: dict[int, tuple[float, float]] = {}
    for index, (engineer, remaining, variance) in busy.items():
        took = remaining if draw is None else draw(remaining, variance)
        held[index] = (took, 0.0 if draw is not None else variance)
        in_heap.add(engineer)
        free.append((took, engineer))
        if engineer in gone:
            off_at[engineer] = gone[engineer]
    for engineer in on:
        if engineer not in in_heap:
            in_heap.add(engineer)
            free.append((0.0, engineer))
    heapq.heapify(free)
    pending = sorted(changes)
    next_change = 0
    variance_ahead = sum(variance for _took, variance in held.values())
    # Work (handling minutes per service minute) still to arrive ahead of each priority: the
    # tickets of a higher priority, filed while a ticket waits, are served before it.
    arriving = arrivals if arrivals is not None else Arrivals({})
    results: list[tuple[float, float, int, int]] = []
    for index, ticket in enumerate(queue):
        if index in held:
            took, variance = held[index]
            results.append((took, variance, 0, len(on)))
            continue
        picked: tuple[float, int] | None = None
        while picked is None:
            # Apply the duty changes that happen before the next engineer is free.
            while next_change < len(pending) and (not free or pending[next_change].at <= free[0][0]):
                change = pending[next_change]
                next_change += 1
                engineer = change.engineer
                if change.on_duty:
                    on.add(engineer)
                    off_at.pop(engineer, None)
                    if engineer not in in_heap:
                        in_heap.add(engineer)
                        heapq.heappush(free, (max(change.at, 0.0), engineer))
                elif engineer in on:
                    on.discard(engineer)
                    off_at[engineer] = change.at
            if not free:
                break
            at, engineer = heapq.heappop(free)
            if engineer in off_at and off_at[engineer] <= at:
                # Went off duty before taking another ticket.
                del off_at[engineer]
                in_heap.discard(engineer)
                continue
            picked = (at, engineer)
        if picked is None:
            # Nobody is on duty, nor will be: no answer within the changes known.
            results.append((math.inf, 0.0, index, 0))
            continue
        at, engineer = picked
        mean, variance = handling(engineer, ticket.kind, ticket.product)
        if draw is None:
            took = mean
            own = variance
        else:
            took = draw(mean, variance)
            own = 0.0
        staffed = max(len(on), 1)
        # The wait stretches by the share of the desk those later arrivals take (a busy period).
        start = arriving.start(ticket.priority, staffed, at)
        stretch = start / at if at > 0.0 else 1.0
        results.append(
            (
                start + took,
                (variance_ahead * stretch * stretch) / (staffed * staffed) + own,
                index,
                len(on),
            )
        )
        variance_ahead += own
        heapq.heappush(free, (at + took, engineer))
    return results


def simulate(
    *,
    tickets: Iterable[QueuedTicket],
    on_duty: Iterable[int],
    changes: Iterable[DutyChange] = (),
    handling: Handling,
    free_since: dict[int, float] | None = None,
    arrivals: Arrivals | None = None,
    went_off: dict[int, float] | None = None,
) -> list[Forecast]:
    """The analytic forecast of every ticket, in queue order (see the module docstring). With
    `free_since` (engineer: when they last became free), busy engineers first finish the ticket in
    hand (`in_hand`); without it every engineer on duty is free now. With `arrivals` (the work
    arriving per service minute through the day, learnt from the history), a ticket's wait is
    stretched by the tickets of higher priorities still to come."""
    queue = queue_order(tickets)
    forecasts = []
    for ticket, (expected, variance, ahead, staffed) in zip(
        queue, _run(queue, on_duty, changes, handling, None, free_since, arrivals, went_off), strict=True
    ):
        probability = breach_probability(expected=expected, variance=variance, due=ticket.due)
        forecasts.append(Forecast(ticket.id, expected, probability, ahead, staffed))
    return forecasts


def gamma_draw(rng: random.Random) -> Callable[[float, float], float]:
    """A handling-time sampler: gamma with the given mean and variance (fixed when variance is 0)."""

    def draw(mean: float, variance: float) -> float:
        if variance <= 0.0 or mean <= 0.0:
            return mean
        shape = mean * mean / variance
        return rng.gammavariate(shape, variance / mean)

    return draw


def simulate_monte_carlo(
    *,
    tickets: Iterable[QueuedTicket],
    on_duty: Iterable[int],
    changes: Iterable[DutyChange] = (),
    handling: Handling,
    free_since: dict[int, float] | None = None,
    arrivals: Arrivals | None = None,
    went_off: dict[int, float] | None = None,
    runs: int = 200,
    seed: int = 0,
) -> list[Forecast]:
    """The forecast by sampling: mean answer time and share of breaching runs, in queue order."""
    queue = queue_order(tickets)
    on_duty = list(on_duty)
    changes = list(changes)
    draw = gamma_draw(random.Random(seed))
    totals = [0.0] * len(queue)
    breaches = [0] * len(queue)
    staffing = [(0, 0)] * len(queue)
    for _run_number in range(runs):
        for index, (answered, _variance, ahead, staffed) in enumerate(
            _run(queue, on_duty, changes, handling, draw, free_since, arrivals, went_off)
        ):
            totals[index] += answered
            breaches[index] += answered > queue[index].due
            staffing[index] = (ahead, staffed)
    return [
        Forecast(ticket.id, totals[i] / runs, breaches[i] / runs, *staffing[i])
        for i, ticket in enumerate(queue)
    ]
